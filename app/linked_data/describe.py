"""Describing one resource of the graph: reading what its RDF and HTML representations need from the store."""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..core.errors import NotFound, QueryTimeout
from ..core.formats import BY_NAME, Format
from ..core.vocab import SKOS
from ..kg.runtime import Runtime
from ..store.base import Answer, LooksUpHere, QueryRequest, select, write_answer

Row = Mapping[str, Any]  # one SELECT solution: variable -> pyoxigraph term


def local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1] or iri


@dataclass
class Labels:
    """Labels by IRI and language, with fallback: the asked language, then English, then any, then the IRI's end."""

    by_iri: dict[str, dict[str, str]] = field(default_factory=dict)

    def add(self, iri: str, text: str, lang: str) -> None:
        self.by_iri.setdefault(iri, {}).setdefault(lang, text)

    def get(self, iri: str, lang: str = "en") -> str:
        known = self.by_iri.get(iri) or {}
        return known.get(lang) or known.get("en") or next(iter(known.values()), None) or local_name(iri)

    def has(self, iri: str, lang: str) -> bool:
        return lang in (self.by_iri.get(iri) or {})


@dataclass(frozen=True)
class ResourceData:
    """Everything the page shows, as read from the store."""

    iri: str
    triples: Sequence[ox.Triple]
    labels: Labels
    sources: Sequence[Row]
    memberships: Sequence[Row]
    truncated: bool = False  # the description has more statements than the page lists (settings.page_triples)
    crowded: bool = False  # the resource takes part in more memberships and contributions than a page draws (settings.page_facts)


def labels_from_rows(rows: Sequence[Row]) -> Labels:
    labels = Labels()
    for row in rows:
        node, text = row.get("node"), row.get("label")
        if isinstance(node, ox.NamedNode) and isinstance(text, ox.Literal):
            labels.add(node.value, text.value, text.language or "")
    return labels


def describe_rdf(runtime: Runtime, iri: str, fmt: Format, *, max_rows: int | None = None) -> Answer:
    """The resource's description (the `describe` named query) in an RDF syntax (its first `max_rows` statements
    when given, else as many as the settings' `max_rows`).

    A local store reads it by index lookups (`described`), a remote one answers the query.

    :raises NotFound: when the graph holds no triple about it.
    """
    store = runtime.store
    if isinstance(store, LooksUpHere):
        triples = _by(time.monotonic() + runtime.settings.query_timeout, described(store, ox.NamedNode(iri)))
        answer = write_answer(triples, fmt, max_rows=max_rows or runtime.settings.max_rows)
    else:
        query = runtime.queries["describe"]
        answer = store.execute(QueryRequest(query.text, fmt, query.bind({"resource": iri}, iri_base=runtime.settings.id_base),
                                            max_rows=max_rows))
    if answer.count == 0:
        raise NotFound(f"The graph holds nothing about <{iri}>.")
    return answer


def described(store: LooksUpHere, resource: ox.NamedNode) -> Iterator[ox.Triple]:
    """The triples of the `describe` query's CONSTRUCT, each once, read by lookups: the resource's own statements,
    then those of the blank nodes they reach (two steps deep: an interval, then its instants), then the statements
    that point at it.

    As a query Oxigraph evaluates the union's branches before it answers (the blank nodes' by reading each of the
    resource's objects): at 5M triples the first 2,000 statements about the Partnership for Peace, which reaches
    227,306 members, took 2.4-3.3 s. Read in this order and cut by the caller, they cost what they answer. (The
    query gives no order; Oxigraph's mixes the branches.)
    """
    seen: set[ox.Triple] = set()
    nodes: list[ox.BlankNode] = []  # the blank nodes the statements read last reach, in their order

    def read(quads: Iterable[ox.Quad]) -> Iterator[ox.Triple]:
        """Each statement not read before, noting the blank nodes it reaches."""
        for quad in quads:
            if isinstance(quad.object, ox.BlankNode):
                nodes.append(quad.object)
            if quad.triple not in seen:
                seen.add(quad.triple)
                yield quad.triple

    yield from read(store.quads_here(resource, None))
    for _ in range(2):  # two steps through blank nodes: an interval, then its instants
        reached = nodes.copy()
        nodes.clear()
        for node in reached:
            yield from read(store.quads_here(node, None))
    yield from read(store.quads_here(None, resource))


def _by(deadline: float, triples: Iterator[ox.Triple], every: int = 1000) -> Iterator[ox.Triple]:
    """`triples` until the monotonic clock passes `deadline` (looked at every `every` triples), then `QueryTimeout`:
    a description read in the serving process keeps the queries' deadline (settings.query_timeout), whatever
    `max_rows` an operator allows."""
    for count, triple in enumerate(triples, 1):
        if count % every == 0 and time.monotonic() > deadline:
            raise QueryTimeout("The description ran past the query deadline and was stopped.")
        yield triple


def crowded(runtime: Runtime, iri: str) -> bool:
    """Whether `iri` takes part in more dated relationships than a page draws (`page-facts`, read no further)."""
    query = runtime.queries["page-facts"]
    limit = runtime.settings.page_facts
    return len(select(runtime.store, query.text, query.bind({"resource": iri}, iri_base=runtime.settings.id_base),
                      max_rows=limit + 1)) > limit


def labels_of(runtime: Runtime, iris: Sequence[str]) -> Labels:
    """The labels of the IRIs given (`search-labels`; the graph's own resources' from the list index when the store
    has one)."""
    labels = Labels()
    asked = list(dict.fromkeys(iris))
    index = runtime.lists
    if index is not None:
        base = runtime.settings.id_base
        for iri, entries in index.labels([i for i in asked if i.startswith(base)]).items():
            for prop, text, lang in entries:
                if prop != SKOS + "altLabel":
                    labels.add(iri, text, lang)
        asked = [i for i in asked if not i.startswith(base)]
    if asked:  # IRIs read from the store (the ontology's too), bound as terms: no parameter check applies
        query = runtime.queries["search-labels"]
        for row in select(runtime.store, query.text, {"item": tuple(ox.NamedNode(i) for i in asked)}):
            if row["property"].value != SKOS + "altLabel":
                labels.add(row["item"].value, row["label"].value, row["label"].language or "")
    return labels


def resource_data(runtime: Runtime, iri: str) -> ResourceData:
    """What the HTML page shows: the description (its first `page_triples` statements), the labels around it, its
    sources and, unless it is crowded, its memberships.

    :raises NotFound: when the graph holds no triple about it.
    """
    answer = describe_rdf(runtime, iri, BY_NAME["nt"], max_rows=runtime.settings.page_triples)
    triples = [quad.triple for quad in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
    if answer.truncated:  # the labels of what the page lists, not of every neighbour
        labels = labels_of(runtime, [t.value for triple in triples for t in (triple.subject, triple.predicate, triple.object)
                                     if isinstance(t, ox.NamedNode)])
    else:
        labels = labels_from_rows(runtime.rows("resource-labels", {"resource": iri}))
    many = crowded(runtime, iri)
    return ResourceData(iri, triples, labels, runtime.rows("resource-sources", {"resource": iri}),
                        [] if many else runtime.rows("resource-memberships", {"resource": iri}),
                        truncated=answer.truncated, crowded=many)
