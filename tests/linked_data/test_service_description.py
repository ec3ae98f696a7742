"""The service description at `GET /sparql` without a query, and the W3C service-description tests
(sparql11/service-description/manifest.ttl: returns-rdf, has-endpoint-triple, conforms-to-schema).

The manifest's tests are prose; each is encoded below under its IRI. "Conforms to schema" is checked
against the domains and ranges the SD vocabulary declares (https://www.w3.org/ns/sparql-service-description),
written out here because the vocabulary cannot be fetched at test time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDFS, XSD

from app.core.errors import PROBLEM_MEDIA_TYPE
from app.core.formats import GRAPH_FORMATS, RESULT_FORMATS
from app.web.app import create_app
from tests.memory_store import memory_runtime
from tests.w3c import MISSING, W3C_BASE, entries, manifest, suite

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
VOID = Namespace("http://rdfs.org/ns/void#")
MANIFEST = f"{W3C_BASE}service-description/manifest#"
ENDPOINT = "http://testserver/sparql"
SYNTAXES = {"text/turtle": "turtle", "application/ld+json": "json-ld", "application/n-triples": "nt",
            "application/rdf+xml": "xml"}
FEATURES = {SD.DereferencesURIs, SD.UnionDefaultGraph, SD.RequiresDataset, SD.EmptyGraphs, SD.BasicFederatedQuery}
LANGUAGES = {SD.SPARQL10Query, SD.SPARQL11Query, SD.SPARQL11Update}
# The SD vocabulary's domain and range for every sd: property this service uses (None: any IRI).
SCHEMA: dict[URIRef, tuple[URIRef, URIRef | None]] = {
    SD.endpoint: (SD.Service, None),
    SD.supportedLanguage: (SD.Service, SD.Language),
    SD.resultFormat: (SD.Service, None),
    SD.feature: (SD.Service, SD.Feature),
    SD.defaultEntailmentRegime: (SD.Service, SD.EntailmentRegime),
    SD.defaultDataset: (SD.Service, SD.Dataset),
    SD.defaultGraph: (SD.Dataset, SD.Graph),
    SD.namedGraph: (SD.Dataset, SD.NamedGraph),
    SD.name: (SD.NamedGraph, None),
    SD.graph: (SD.NamedGraph, SD.Graph),
}
# Instances the vocabulary itself types, so a description need not repeat their type.
VOCABULARY_TYPES = {**{f: SD.Feature for f in FEATURES}, **{lang: SD.Language for lang in LANGUAGES},
                    URIRef("http://www.w3.org/ns/entailment/Simple"): SD.EntailmentRegime}


def description(client: TestClient, accept: str = "text/turtle", url: str = "/sparql") -> Graph:
    response = client.get(url, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    return Graph().parse(data=response.content, format=SYNTAXES[media])


def service(graph: Graph) -> URIRef | BNode:
    services = list(graph.subjects(RDF.type, SD.Service))
    assert len(services) == 1
    node = services[0]
    assert isinstance(node, (URIRef, BNode))
    return node


def count(client: TestClient, query: str) -> int:
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


# --- the W3C tests ------------------------------------------------------------------------------------


def _returns_rdf(client: TestClient) -> None:
    """GET on the endpoint, no query: an RDF document, in each syntax offered."""
    for media, syntax in SYNTAXES.items():
        response = client.get("/sparql", headers={"Accept": media})
        assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media
        assert len(Graph().parse(data=response.content, format=syntax)) > 0


def _has_endpoint_triple(client: TestClient) -> None:
    """The description has an sd:endpoint triple naming the URL that was dereferenced."""
    for url in (ENDPOINT, "http://sparql.example:8080/sparql"):
        graph = description(client, url=url)
        assert (service(graph), SD.endpoint, URIRef(url)) in graph


def _conforms_to_schema(client: TestClient) -> None:
    """Every sd: property is used between nodes of its declared domain and range; void:triples is an
    xsd:integer; the values come from the vocabularies the SD spec names."""
    graph = description(client)

    def typed(node: Any, cls: URIRef) -> bool:
        return (node, RDF.type, cls) in graph or VOCABULARY_TYPES.get(node) == cls

    used = {p for p in graph.predicates() if str(p).startswith(str(SD))}
    assert used <= set(SCHEMA), used - set(SCHEMA)
    for prop, (domain, range_) in SCHEMA.items():
        for subject, value in graph.subject_objects(prop):
            assert typed(subject, domain), f"{subject} {prop}: not a {domain}"
            if range_ is None:
                assert isinstance(value, URIRef), f"{prop} {value}: not an IRI"
            else:
                assert typed(value, range_), f"{prop} {value}: not a {range_}"
    assert set(graph.objects(None, SD.supportedLanguage)) <= LANGUAGES
    assert set(graph.objects(None, SD.feature)) <= FEATURES
    assert all(str(f).startswith("http://www.w3.org/ns/formats/") for f in graph.objects(None, SD.resultFormat))
    for value in graph.objects(None, VOID.triples):
        assert isinstance(value, Literal) and value.datatype == XSD.integer and value.toPython() >= 0


CASES: dict[str, Callable[[TestClient], None]] = {
    "returns-rdf": _returns_rdf,
    "has-endpoint-triple": _has_endpoint_triple,
    "conforms-to-schema": _conforms_to_schema,
}


def _params() -> list[Any]:
    if suite("service-description") is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="missing")]
    return [pytest.param(name, id=f"{MANIFEST}{name}") for name in CASES]


@pytest.mark.parametrize("name", _params())
def test_w3c_service_description(client: TestClient, name: str) -> None:
    CASES[name](client)


def test_every_manifest_entry_is_encoded() -> None:
    folder = suite("service-description")
    if folder is None:
        pytest.skip(MISSING)
    assert {str(e).removeprefix(MANIFEST) for e in entries(manifest(folder))} == set(CASES)


# --- what the description says about natokg ----------------------------------------------------------


def test_language_and_every_offered_format(client: TestClient) -> None:
    graph = description(client)
    node = service(graph)
    assert set(graph.objects(node, SD.supportedLanguage)) == {SD.SPARQL11Query}
    offered = {URIRef(f.w3c_iri) for f in (*RESULT_FORMATS, *GRAPH_FORMATS) if f.w3c_iri}
    assert set(graph.objects(node, SD.resultFormat)) == offered


def test_default_graph_is_not_claimed_to_be_a_union(client: TestClient) -> None:
    """natokg's data sits in the default graph and there are no named graphs: the default graph is
    not the union of named graphs, so sd:UnionDefaultGraph must not be claimed."""
    graph = description(client)
    assert SD.UnionDefaultGraph not in set(graph.objects(service(graph), SD.feature))
    assert count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }") > 0
    assert count(client, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }") == 0


def test_federation_is_not_claimed(client: TestClient) -> None:
    graph = description(client)
    assert SD.BasicFederatedQuery not in set(graph.objects(service(graph), SD.feature))


def test_default_graph_size_is_the_real_one(client: TestClient) -> None:
    graph = description(client)
    dataset = graph.value(service(graph), SD.defaultDataset)
    default_graph = graph.value(dataset, SD.defaultGraph)
    triples = graph.value(default_graph, VOID.triples)
    assert isinstance(triples, Literal)
    assert triples.toPython() == count(client, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")
    assert list(graph.objects(dataset, SD.namedGraph)) == []


def test_links_the_void_description(client: TestClient) -> None:
    graph = description(client)
    void = URIRef("http://testserver/.well-known/void")
    assert (service(graph), RDFS.seeAlso, void) in graph
    assert (graph.value(service(graph), SD.defaultDataset), RDFS.seeAlso, void) in graph


def test_negotiation(client: TestClient) -> None:
    """Turtle by default; browsers get the query page; ?format= works as at the query endpoint;
    a type it cannot give is a 406 problem; Vary: Accept always."""
    assert client.get("/sparql").headers["content-type"].startswith("text/turtle")
    browser = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"})
    assert browser.headers["content-type"].startswith("text/html") and "Accept" in browser.headers["vary"]
    assert 'id="sparql-form"' in browser.text
    assert client.get("/sparql", params={"format": "jsonld"}).headers["content-type"].startswith("application/ld+json")
    refused = client.get("/sparql", headers={"Accept": "application/sparql-results+json"})
    assert refused.status_code == 406 and refused.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)


def test_head_has_the_headers_and_no_body(client: TestClient) -> None:
    get, head = client.get("/sparql"), client.head("/sparql")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_a_forged_host_never_reaches_the_description(client: TestClient) -> None:
    """A Host header that is not a clean IRI authority is not echoed: the configured base is used."""
    graph = description(client, url='http://bad"host/sparql')
    endpoints = {str(e) for e in graph.objects(service(graph), SD.endpoint)}
    assert endpoints == {f"{client.app.state.service.runtime.settings.base_iri}sparql"}  # type: ignore[attr-defined]


def test_named_graphs_are_described() -> None:
    """With named graphs in the store (an in-process store; the shipped data has none), each is listed
    with its name and size."""
    graph_iri = "http://example.org/graph/a"
    quads = [ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), ox.NamedNode("http://example.org/p"), ox.Literal(str(i)),
                     ox.NamedNode(graph_iri)) for i in range(3)]
    with TestClient(create_app(runtime=memory_runtime(quads))) as client:
        graph = description(client)
    dataset = graph.value(service(graph), SD.defaultDataset)
    named = list(graph.objects(dataset, SD.namedGraph))
    assert len(named) == 1
    assert graph.value(named[0], SD.name) == URIRef(graph_iri)
    assert graph.value(graph.value(named[0], SD.graph), VOID.triples) == Literal(3)
    assert graph.value(graph.value(dataset, SD.defaultGraph), VOID.triples) == Literal(0)
