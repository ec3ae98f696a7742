"""The full dumps: five syntaxes holding every triple of the graph, with strong ETags, Last-Modified and
304 answers to conditional GETs."""

from __future__ import annotations

import warnings
from email.utils import format_datetime, parsedate_to_datetime

import pytest
from fastapi.testclient import TestClient
from rdflib import Dataset, Graph, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import OWL, RDF

from tests.sparql_client import select

DUMPS = [
    ("ttl", "text/turtle", "turtle"),
    ("nt", "application/n-triples", "nt"),
    ("nq", "application/n-quads", "nquads"),
    ("jsonld", "application/ld+json", "json-ld"),
    ("rdf", "application/rdf+xml", "xml"),
]


@pytest.fixture(scope="module")
def triple_count(client: TestClient) -> int:
    return int(select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])


@pytest.mark.filterwarnings("ignore:Dataset.default_context is deprecated:DeprecationWarning")  # rdflib's N-Quads parser
@pytest.mark.parametrize(("extension", "media_type", "syntax"), DUMPS)
def test_dump_holds_the_whole_graph(client: TestClient, triple_count: int, extension: str, media_type: str, syntax: str) -> None:
    response = client.get(f"/dumps/natokg.{extension}")
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media_type
    if syntax == "nquads":
        dataset = Dataset()
        dataset.parse(data=response.text, format="nquads")
        graph = dataset.default_graph
    else:
        graph = Graph().parse(data=response.text, format=syntax)
    assert len(graph) == triple_count
    assert (URIRef("https://w3id.org/natokg/ontology"), RDF.type, OWL.Ontology) in graph  # ontology ...
    france = URIRef("https://w3id.org/natokg/id/country/FRA")
    assert (france, RDF.type, URIRef("https://w3id.org/natokg/ontology#Country")) in graph  # ... and data


@pytest.mark.parametrize("extension", [d[0] for d in DUMPS])
def test_validators_and_revalidation(client: TestClient, extension: str) -> None:
    path = f"/dumps/natokg.{extension}"
    first = client.get(path)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag.startswith('"') and not etag.startswith("W/")  # strong
    assert client.get(path).headers["etag"] == etag  # stable

    unchanged = client.get(path, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert unchanged.headers["last-modified"] == last_modified

    assert client.get(path, headers={"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert client.get(path, headers={"If-None-Match": f"W/{etag}"}).status_code == 304  # weak comparison
    assert client.get(path, headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(path, headers={"If-None-Match": '"something-else"'}).status_code == 200

    assert client.get(path, headers={"If-Modified-Since": last_modified}).status_code == 304
    earlier = format_datetime(parsedate_to_datetime(last_modified).replace(year=2000), usegmt=True)
    assert client.get(path, headers={"If-Modified-Since": earlier}).status_code == 200
    assert client.get(path, headers={"If-Modified-Since": "not a date"}).status_code == 200
    # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2).
    both = {"If-None-Match": '"something-else"', "If-Modified-Since": last_modified}
    assert client.get(path, headers=both).status_code == 200


def test_nquads_dump_keeps_the_endpoint_layout(client: TestClient) -> None:
    """Everything sits in the default graph, as at the SPARQL endpoint: loaded into a quad store, the
    N-Quads dump answers the same queries."""
    dataset = Dataset()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Dataset.default_context is deprecated", DeprecationWarning)  # rdflib's parser
        dataset.parse(data=client.get("/dumps/natokg.nq").text, format="nquads")
    assert {g.identifier for g in dataset.graphs() if len(g)} == {DATASET_DEFAULT_GRAPH_ID}


def test_head_answers_headers_only(client: TestClient) -> None:
    response = client.head("/dumps/natokg.nt")
    assert response.status_code == 200
    assert response.headers["etag"]
    assert response.content == b""


def test_unknown_dump_is_404_problem(client: TestClient) -> None:
    response = client.get("/dumps/natokg.xlsx")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "natokg.ttl" in response.json()["detail"]
