"""The protocol's dataset parameters (`default-graph-uri`, `named-graph-uri`) behave exactly as FROM and FROM NAMED
in the query text (https://www.w3.org/TR/sparql11-protocol/#dataset), and replace them; a bad IRI in one is a 400
naming it, with no Python exception text."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import quote

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.web.app import create_app
from tests.memory_store import memory_runtime

EX = "http://example.org/"
G1, G2 = f"{EX}g1", f"{EX}g2"
ROWS = "SELECT ?g ?s WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"


@pytest.fixture(scope="module")
def graphs() -> Iterator[TestClient]:
    """The real app over a store holding a default graph and two named graphs, evaluated as the embedded store does."""
    p = ox.NamedNode(f"{EX}p")
    quads = [ox.Quad(ox.NamedNode(f"{EX}in-default"), p, ox.Literal("d")),
             ox.Quad(ox.NamedNode(f"{EX}in-g1"), p, ox.Literal("1"), ox.NamedNode(G1)),
             ox.Quad(ox.NamedNode(f"{EX}in-g2"), p, ox.Literal("2"), ox.NamedNode(G2))]
    with TestClient(create_app(runtime=memory_runtime(quads))) as client:
        yield client


def rows(client: TestClient, query: str, **dataset: list[str]) -> set[tuple[str | None, str]]:
    params = [("query", query)] + [(name.replace("_", "-"), iri) for name, iris in dataset.items() for iri in iris]
    response = client.get("/sparql", params=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    bindings = response.json()["results"]["bindings"]
    return {(b["g"]["value"] if "g" in b else None, b["s"]["value"].removeprefix(EX)) for b in bindings}


def with_clauses(clauses: str) -> str:
    return ROWS.replace("WHERE", f"{clauses} WHERE")


@pytest.mark.parametrize(("clauses", "dataset"), [
    (f"FROM NAMED <{G1}>", {"named_graph_uri": [G1]}),
    (f"FROM <{G1}>", {"default_graph_uri": [G1]}),
    (f"FROM <{G1}> FROM <{G2}>", {"default_graph_uri": [G1, G2]}),
    (f"FROM <{G1}> FROM NAMED <{G2}>", {"default_graph_uri": [G1], "named_graph_uri": [G2]}),
    (f"FROM NAMED <{G1}> FROM NAMED <{G2}>", {"named_graph_uri": [G1, G2]}),
], ids=["named-only", "default-only", "two-defaults", "both", "two-named"])
def test_parameters_answer_as_the_query_text_does(graphs: TestClient, clauses: str, dataset: dict[str, list[str]]) -> None:
    expected = rows(graphs, with_clauses(clauses))
    assert rows(graphs, ROWS, **dataset) == expected
    assert expected != rows(graphs, ROWS)  # the dataset changed the answer


def test_named_graph_uri_alone_leaves_the_default_graph_empty(graphs: TestClient) -> None:
    assert rows(graphs, ROWS, named_graph_uri=[G1]) == {(G1, "in-g1")}


def test_parameters_replace_the_query_text(graphs: TestClient) -> None:
    """A protocol dataset overrides the query's own FROM and FROM NAMED, whole."""
    assert rows(graphs, with_clauses(f"FROM <{G1}>"), named_graph_uri=[G2]) == {(G2, "in-g2")}
    assert rows(graphs, with_clauses(f"FROM NAMED <{G1}>"), default_graph_uri=[G2]) == {(None, "in-g2")}


def test_a_form_post_carries_the_dataset_too(graphs: TestClient) -> None:
    response = graphs.post("/sparql", data={"query": ROWS, "named-graph-uri": G2}, headers={"Accept": "text/csv"})
    assert response.text.splitlines()[1:] == [f"{G2},{EX}in-g2"]


@pytest.mark.parametrize("name", ["default-graph-uri", "named-graph-uri"])
@pytest.mark.parametrize("iri", ["", "relative/graph", "http://exa mple.org/", "<http://example.org/g>", "http://example.org/{x}"])
def test_a_bad_iri_is_a_400_naming_the_parameter(client: TestClient, name: str, iri: str) -> None:
    for response in (client.get(f"/sparql?query=ASK%7B%7D&{name}={quote(iri)}"),
                     client.post("/sparql", data={"query": "ASK {}", name: iri})):
        assert response.status_code == 400
        body = response.json()
        assert body["parameters"] == [name] and name in body["detail"]
        assert not any(word in body["detail"] for word in ("Error", "Traceback", "pyoxigraph", "ox."))
