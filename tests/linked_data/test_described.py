"""A resource's description read by lookups (app.linked_data.describe.described) holds the triples of the `describe`
query's CONSTRUCT, each once, the resource's own statements first: on every resource of the shipped data, and on a
graph of the cases the data lacks (blank nodes three deep, one reached twice, a loop, a blank node pointing at the
resource); cut at `max_rows`, it is the first statements of that order and says it was cut."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.formats import BY_NAME
from app.linked_data.describe import described
from app.sparql.querylib import QueryLibrary
from app.sparql.rewrite import bound
from app.store.base import LooksUpHere, write_answer
from app.store.embedded import EmbeddedStore

EX = "https://example.org/"
QUERIES = QueryLibrary.load(__import__("pathlib").Path(__file__).resolve().parents[2] / "queries")


def _n(name: str) -> ox.NamedNode:
    return ox.NamedNode(EX + name)


def _query_triples(store: ox.Store, resource: ox.NamedNode) -> set[ox.Triple]:
    query = QUERIES["describe"]
    return set(store.query(bound(query.text, {"resource": resource})))  # type: ignore[arg-type]


class _Local:
    """A pyoxigraph store read as `EmbeddedStore.quads_here` reads its own (the default graph, by index)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store

    def quads_here(self, subject: Any, object: Any) -> Iterator[ox.Quad]:
        return iter(self.store.quads_for_pattern(subject, None, object, ox.DefaultGraph()))


def test_every_resource_of_the_shipped_data_is_described_as_the_query_describes_it(client: TestClient) -> None:
    store = client.app.state.service.runtime.store  # type: ignore[attr-defined]
    assert isinstance(store, EmbeddedStore) and isinstance(store, LooksUpHere)
    graph = store._store
    resources = {term for quad in graph.quads_for_pattern(None, None, None, ox.DefaultGraph())
                 for term in (quad.subject, quad.object) if isinstance(term, ox.NamedNode)}
    assert len(resources) > 1500
    with_blank = 0
    for resource in sorted(resources, key=str):
        triples = list(described(store, resource))
        assert len(triples) == len(set(triples)), resource
        assert set(triples) == _query_triples(graph, resource), resource
        with_blank += any(isinstance(t.subject, ox.BlankNode) for t in triples)
    assert with_blank > 100  # memberships' intervals and instants, among others


@pytest.fixture
def graph() -> ox.Store:
    store = ox.Store()
    b1, b2, b3, b4, lone = (ox.BlankNode(f"b{i}") for i in range(1, 6))
    r, other = _n("r"), _n("other")
    triples = [
        (r, _n("label"), ox.Literal("r")), (r, _n("during"), b1), (r, _n("also"), b1),  # b1 reached twice
        (r, _n("self"), r),  # a loop: an own statement and one that points at it
        (b1, _n("start"), b2), (b2, _n("date"), ox.Literal("2000-01-01")),  # two deep: read
        (b2, _n("deeper"), b3), (b3, _n("too-deep"), b4),  # three deep: b3 is named, its own statements are not read
        (r, _n("knows"), other), (other, _n("knows"), lone), (lone, _n("x"), ox.Literal("not r's")),  # through an IRI: not read
        (other, _n("points"), r), (lone, _n("points"), r),  # pointing at r, one from a blank node (whose triples are not read)
        (b4, _n("points"), r),
    ]
    for s, p, o in triples:
        store.add(ox.Quad(s, p, o, ox.DefaultGraph()))
    store.add(ox.Quad(r, _n("elsewhere"), ox.Literal("named graph"), _n("g")))  # outside the default graph: not read
    return store


def test_blank_nodes_loops_and_pointers_are_described_as_the_query_describes_them(graph: ox.Store) -> None:
    triples = list(described(_Local(graph), _n("r")))
    assert len(triples) == len(set(triples))
    assert set(triples) == _query_triples(graph, _n("r"))
    assert len(triples) == 11  # 5 own (the loop once), 1 + 2 of the blank nodes, 3 pointing at it
    assert not any(t.predicate in (_n("too-deep"), _n("x"), _n("elsewhere")) for t in triples)
    # the resource's own statements, then its blank nodes', then those that point at it
    kinds = [0 if t.subject == _n("r") else 2 if t.object == _n("r") else 1 for t in triples]
    assert kinds == sorted(kinds)


def test_a_cut_description_is_its_first_statements_and_says_so(graph: ox.Store) -> None:
    whole = list(described(_Local(graph), _n("r")))
    for max_rows in range(1, len(whole) + 2):
        answer = write_answer(described(_Local(graph), _n("r")), BY_NAME["nt"], max_rows=max_rows)
        cut = {quad.triple for quad in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)}
        # N-Triples keeps blank nodes' labels, so the statements can be compared as read
        assert cut == set(whole[:max_rows])
        assert answer.truncated is (max_rows < len(whole))
        assert answer.count == min(max_rows, len(whole))


def test_a_description_read_here_keeps_the_query_deadline(graph: ox.Store) -> None:
    from app.core.errors import QueryTimeout
    from app.linked_data.describe import _by

    whole = list(described(_Local(graph), _n("r")))
    assert list(_by(time.monotonic() + 60, described(_Local(graph), _n("r")), every=1)) == whole
    late = _by(time.monotonic() - 1, described(_Local(graph), _n("r")), every=5)
    assert [next(late) for _ in range(4)] == whole[:4]  # looked at every 5 triples
    with pytest.raises(QueryTimeout):
        next(late)
