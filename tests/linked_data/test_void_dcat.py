"""The VoID description and the DCAT record: their statistics equal SPARQL counts over /sparql, and every
access point they name answers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF, VOID, XSD
from rdflib.term import Node

from tests.sparql_client import select

DATASET = URIRef("https://w3id.org/natokg/.well-known/void#natokg")
CC_BY = URIRef("https://creativecommons.org/licenses/by/4.0/")
IANA = "https://www.iana.org/assignments/media-types/"


def graph_of(client: TestClient, path: str, accept: str = "text/turtle") -> Graph:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    return Graph().parse(data=response.text, format={"text/turtle": "turtle", "application/ld+json": "json-ld"}[accept])


@pytest.fixture(scope="module")
def void(client: TestClient) -> Graph:
    return graph_of(client, "/.well-known/void")


def count(graph: Graph, subject: Node | None, predicate: URIRef) -> int:
    value = graph.value(subject, predicate)
    assert isinstance(value, Literal) and value.datatype == XSD.integer
    return int(value)


def counted(client: TestClient, query: str) -> int:
    return int(select(client, query)[0]["n"])


def test_totals_equal_sparql_counts(client: TestClient, void: Graph) -> None:
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert count(void, DATASET, VOID.triples) == counted(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    entities = """SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {
        ?s ?p ?o FILTER (isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/natokg/id/")) }"""
    assert count(void, DATASET, VOID.entities) == counted(client, entities)
    for term, variable in ((VOID.distinctSubjects, "s"), (VOID.properties, "p"), (VOID.distinctObjects, "o")):
        assert count(void, DATASET, term) == counted(client, f"SELECT (COUNT(DISTINCT ?{variable}) AS ?n) WHERE {{ ?s ?p ?o }}")


def test_class_partitions_equal_sparql_counts(client: TestClient, void: Graph) -> None:
    partitions = {void.value(p, VOID["class"]): count(void, p, VOID.entities)
                  for p in void.objects(DATASET, VOID.classPartition)}
    rows = select(client, "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    expected = {URIRef(r["c"]): int(r["n"]) for r in rows}
    assert partitions == expected
    assert partitions[URIRef("https://w3id.org/natokg/ontology#Country")] == counted(
        client, "SELECT (COUNT(*) AS ?n) WHERE { ?c a nkg:Country }")
    assert count(void, DATASET, VOID.classes) == len(expected)


def test_property_partitions_equal_sparql_counts(client: TestClient, void: Graph) -> None:
    partitions = {void.value(p, VOID.property): count(void, p, VOID.triples)
                  for p in void.objects(DATASET, VOID.propertyPartition)}
    expected = {URIRef(r["p"]): int(r["n"]) for r in select(client, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p")}
    assert partitions == expected
    assert sum(partitions.values()) == count(void, DATASET, VOID.triples)


def test_access_points_answer(client: TestClient, void: Graph) -> None:
    assert void.value(DATASET, VOID.uriSpace) == Literal("https://w3id.org/natokg/id/")
    assert void.value(DATASET, VOID.vocabulary) == URIRef("https://w3id.org/natokg/ontology")
    endpoint = void.value(DATASET, VOID.sparqlEndpoint)
    assert urlsplit(str(endpoint)).path == "/sparql"
    ask = client.get("/sparql", params={"query": "ASK {}"}, headers={"Accept": "application/sparql-results+json"})
    assert ask.json()["boolean"] is True
    dumps = sorted(urlsplit(str(d)).path for d in void.objects(DATASET, VOID.dataDump))
    assert dumps == sorted(f"/dumps/natokg.{e}" for e in ("ttl", "nt", "nq", "jsonld", "rdf", "n3", "trig"))
    for path in dumps:
        assert client.head(path).status_code == 200
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert len(examples) >= 3
    for example in examples:
        path = "/id/" + str(example).removeprefix("https://w3id.org/natokg/id/")
        assert client.get(path, headers={"Accept": "text/turtle"}).status_code == 200, path


def test_void_in_json_ld(client: TestClient, void: Graph) -> None:
    assert graph_of(client, "/.well-known/void", "application/ld+json").isomorphic(void)


@pytest.mark.parametrize("path", ["/catalog", "/.well-known/dcat"])
def test_dcat_record(client: TestClient, path: str) -> None:
    dcat = graph_of(client, path)
    assert (DATASET, RDF.type, DCAT.Dataset) in dcat
    assert (DATASET, DCTERMS.license, CC_BY) in dcat
    assert any(dcat.subjects(DCAT.dataset, DATASET))  # in a catalog
    distributions = list(dcat.objects(DATASET, DCAT.distribution))
    assert len(distributions) == 7
    for distribution in distributions:
        assert (distribution, RDF.type, DCAT.Distribution) in dcat
        media = str(dcat.value(distribution, DCAT.mediaType))
        assert media.startswith(IANA)
        download = client.get(urlsplit(str(dcat.value(distribution, DCAT.downloadURL))).path)
        assert download.status_code == 200
        assert download.headers["content-type"].split(";")[0] == media.removeprefix(IANA)  # the type it is served as
    services = list(dcat.subjects(RDF.type, DCAT.DataService))
    assert len(services) == 1
    assert urlsplit(str(dcat.value(services[0], DCAT.endpointURL))).path == "/sparql"
    assert (services[0], DCAT.servesDataset, DATASET) in dcat
    assert graph_of(client, path, "application/ld+json").isomorphic(dcat)


def test_unacceptable_type_is_406(client: TestClient) -> None:
    for path in ("/.well-known/void", "/catalog"):
        response = client.get(path, headers={"Accept": "text/csv"})
        assert response.status_code == 406
        assert response.headers["content-type"] == "application/problem+json"
