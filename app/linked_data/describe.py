"""Describing one resource of the graph: reading what its RDF and HTML representations need from the store."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ..core.errors import NotFound
from ..core.formats import BY_NAME, Format
from ..kg.runtime import Runtime
from ..store.base import Answer, QueryRequest

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


def labels_from_rows(rows: Sequence[Row]) -> Labels:
    labels = Labels()
    for row in rows:
        node, text = row.get("node"), row.get("label")
        if isinstance(node, ox.NamedNode) and isinstance(text, ox.Literal):
            labels.add(node.value, text.value, text.language or "")
    return labels


def describe_rdf(runtime: Runtime, iri: str, fmt: Format) -> Answer:
    """The resource's description (the `describe` named query) in an RDF syntax.

    :raises NotFound: when the graph holds no triple about it.
    """
    query = runtime.queries["describe"]
    answer = runtime.store.execute(QueryRequest(query.text, fmt, query.bind({"resource": iri}, iri_base=runtime.settings.id_base)))
    if answer.count == 0:
        raise NotFound(f"The graph holds nothing about <{iri}>.")
    return answer


def resource_data(runtime: Runtime, iri: str) -> ResourceData:
    """What the HTML page shows: the description, the labels around it, its sources and its memberships.

    :raises NotFound: when the graph holds no triple about it.
    """
    answer = describe_rdf(runtime, iri, BY_NAME["nt"])
    triples = [quad.triple for quad in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]
    labels = labels_from_rows(runtime.rows("resource-labels", {"resource": iri}))
    return ResourceData(iri, triples, labels, runtime.rows("resource-sources", {"resource": iri}),
                        runtime.rows("resource-memberships", {"resource": iri}))
