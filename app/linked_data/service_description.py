"""The SPARQL service description (https://www.w3.org/TR/sparql11-service-description/).

Answered at `GET /sparql` without a query, so a client can learn what the endpoint speaks before
it asks anything. Only true statements go in: the data sits in the store's default graph, which
is *not* the union of the named graphs, so `sd:UnionDefaultGraph` is not claimed; the engine does
no inference, so the entailment regime is simple entailment. Sizes come from named queries, so
the embedded and the remote store describe themselves the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyoxigraph as ox

from ..core.formats import Format
from ..core.vocab import RDF, RDFS, VOID, XSD
from ..sparql.querylib import QueryLibrary
from ..store.base import Store, select

SD = "http://www.w3.org/ns/sparql-service-description#"
ENTAILMENT = "http://www.w3.org/ns/entailment/"
RDF_TYPE = ox.NamedNode(f"{RDF}type")
RDFS_SEE_ALSO = ox.NamedNode(f"{RDFS}seeAlso")
XSD_INTEGER = ox.NamedNode(f"{XSD}integer")
PREFIXES = {"sd": SD, "void": VOID, "rdfs": RDFS, "formats": "http://www.w3.org/ns/formats/", "ent": ENTAILMENT}


def _sd(name: str) -> ox.NamedNode:
    return ox.NamedNode(SD + name)


def _void(name: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + name)


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=XSD_INTEGER)


@dataclass(frozen=True)
class DatasetSize:
    """Triples in the default graph, and in each named graph (by IRI)."""

    default_triples: int
    named: tuple[tuple[str, int], ...] = ()


def measure(store: Store, queries: QueryLibrary) -> DatasetSize:
    """Count the triples of the default graph and of every named graph (blocking: run it off the event loop)."""
    rows = select(store, queries["triple-count"].text)
    default = int(rows[0]["triples"].value) if rows else 0
    named = tuple(
        (row["graph"].value, int(row["triples"].value))
        for row in select(store, queries["named-graphs"].text)
        if isinstance(row.get("graph"), ox.NamedNode)
    )
    return DatasetSize(default, named)


def describe_service(
    endpoint: str,
    *,
    void_description: str,
    formats: Sequence[Format],
    size: DatasetSize,
    federated: bool = False,
) -> list[ox.Triple]:
    """The triples of the description of the endpoint at `endpoint` (an absolute IRI).

    :raises ValueError: if `endpoint` or `void_description` is not a valid IRI.
    """
    service = ox.NamedNode(f"{endpoint}#service")
    # Blank nodes with fixed labels (as VoID's partitions have): the same description is the same bytes.
    dataset = ox.BlankNode("dataset")
    default_graph = ox.BlankNode("default-graph")
    void = ox.NamedNode(void_description)
    triples = [
        ox.Triple(service, RDF_TYPE, _sd("Service")),
        ox.Triple(service, _sd("endpoint"), ox.NamedNode(endpoint)),
        ox.Triple(service, _sd("supportedLanguage"), _sd("SPARQL11Query")),
        ox.Triple(service, _sd("defaultEntailmentRegime"), ox.NamedNode(f"{ENTAILMENT}Simple")),
        ox.Triple(service, RDFS_SEE_ALSO, void),
        *(ox.Triple(service, _sd("resultFormat"), ox.NamedNode(f.w3c_iri)) for f in formats if f.w3c_iri),
        ox.Triple(service, _sd("defaultDataset"), dataset),
        ox.Triple(dataset, RDF_TYPE, _sd("Dataset")),
        ox.Triple(dataset, RDFS_SEE_ALSO, void),
        ox.Triple(dataset, _void("sparqlEndpoint"), ox.NamedNode(endpoint)),
        ox.Triple(dataset, _sd("defaultGraph"), default_graph),
        ox.Triple(default_graph, RDF_TYPE, _sd("Graph")),
        ox.Triple(default_graph, _void("triples"), _count(size.default_triples)),
    ]
    if federated:
        triples.append(ox.Triple(service, _sd("feature"), _sd("BasicFederatedQuery")))
    for index, (name, count) in enumerate(size.named):
        named_graph, graph = ox.BlankNode(f"named-graph{index}"), ox.BlankNode(f"graph{index}")
        triples += [
            ox.Triple(dataset, _sd("namedGraph"), named_graph),
            ox.Triple(named_graph, RDF_TYPE, _sd("NamedGraph")),
            ox.Triple(named_graph, _sd("name"), ox.NamedNode(name)),
            ox.Triple(named_graph, _sd("graph"), graph),
            ox.Triple(graph, RDF_TYPE, _sd("Graph")),
            ox.Triple(graph, _void("triples"), _count(count)),
        ]
    return triples
