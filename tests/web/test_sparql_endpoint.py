"""The /sparql query operation: the three ways to send a query, every result format, and bad input."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

COUNT_MEMBERS = """
PREFIX org: <http://www.w3.org/ns/org#>
SELECT (COUNT(?m) AS ?n) WHERE { ?m org:role <https://w3id.org/natokg/id/role/member> ;
                                    org:organization <https://w3id.org/natokg/id/organisation/nato> }"""
CONSTRUCT_FRA = """
CONSTRUCT { <https://w3id.org/natokg/id/country/FRA> ?p ?o } WHERE { <https://w3id.org/natokg/id/country/FRA> ?p ?o }"""
RDFS_LABEL = URIRef("http://www.w3.org/2000/01/rdf-schema#label")


def n_members(response_json: dict) -> int:  # type: ignore[type-arg]
    return int(response_json["results"]["bindings"][0]["n"]["value"])


def test_get(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT_MEMBERS})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    assert "Accept" in response.headers["vary"]
    assert n_members(response.json()) == 32


def test_post_form(client: TestClient) -> None:
    response = client.post("/sparql", data={"query": COUNT_MEMBERS})
    assert response.status_code == 200
    assert n_members(response.json()) == 32


def test_post_direct(client: TestClient) -> None:
    response = client.post("/sparql", content=COUNT_MEMBERS.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 200
    assert n_members(response.json()) == 32


def test_results_xml(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT_MEMBERS}, headers={"Accept": "application/sparql-results+xml"})
    root = ET.fromstring(response.content)
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert root.find(".//r:binding[@name='n']/r:literal", ns).text == "32"  # type: ignore[union-attr]


def test_results_csv_and_tsv(client: TestClient) -> None:
    query = """PREFIX nkg: <https://w3id.org/natokg/ontology#>
               PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
               SELECT ?c ?label WHERE { ?c nkg:isoCode "FRA" ; rdfs:label ?label }"""
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/csv"})
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert {r["label"] for r in rows} == {"France"}
    assert rows[0]["c"] == "https://w3id.org/natokg/id/country/FRA"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": "text/tab-separated-values"})
    lines = response.text.strip().split("\n")
    assert lines[0] == "?c\t?label"
    assert '<https://w3id.org/natokg/id/country/FRA>\t"France"@en' in lines


def test_ask(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"})
    assert response.json()["boolean"] is True


@pytest.mark.parametrize(("accept", "rdflib_format"), [
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "json-ld"),
    ("application/rdf+xml", "xml"),
])
def test_construct_formats(client: TestClient, accept: str, rdflib_format: str) -> None:
    response = client.get("/sparql", params={"query": CONSTRUCT_FRA}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=rdflib_format)
    labels = {str(o) for o in graph.objects(URIRef("https://w3id.org/natokg/id/country/FRA"), RDFS_LABEL)}
    assert labels == {"France"}
    assert len(graph) >= 4


def test_q_values_choose_the_preferred_format(client: TestClient) -> None:
    accept = "text/csv;q=0.5, application/sparql-results+xml;q=0.9, */*;q=0.1"
    response = client.get("/sparql", params={"query": COUNT_MEMBERS}, headers={"Accept": accept})
    assert response.headers["content-type"].startswith("application/sparql-results+xml")
    response = client.get("/sparql", params={"query": CONSTRUCT_FRA}, headers={"Accept": "application/rdf+xml;q=0.2, text/*;q=0.8"})
    assert response.headers["content-type"].startswith("text/turtle")


def test_format_parameter(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT_MEMBERS, "format": "csv"})
    assert response.text.splitlines() == ["n", "32"]


def test_406_when_nothing_fits(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT_MEMBERS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "application/sparql-results+json" in response.json()["detail"]
    response = client.get("/sparql", params={"query": CONSTRUCT_FRA}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 406


def problem(response) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == response.status_code
    return body  # type: ignore[no-any-return]


def test_malformed_query_names_the_position(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert response.status_code == 400
    body = problem(response)
    assert body["type"].endswith("/malformed-query")
    assert "1:" in body["detail"]


@pytest.mark.parametrize("query", [
    "INSERT DATA { <http://example.org/a> <http://example.org/b> <http://example.org/c> }",
    "PREFIX ex: <http://example.org/> DELETE WHERE { ?s ?p ?o }",
    "CLEAR DEFAULT",
])
def test_update_refused_and_data_unchanged(client: TestClient, query: str) -> None:
    before = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400
    assert "read-only" in problem(response)["detail"]
    response = client.post("/sparql", data={"update": query})
    assert response.status_code == 400
    response = client.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-update"})
    assert response.status_code == 400
    after = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"}).json()
    assert before == after


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "select * { service silent <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
])
def test_service_and_load_refused(client: TestClient, query: str) -> None:
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 400
    assert "never fetches" in problem(response)["detail"] or "read-only" in problem(response)["detail"]


def test_keywords_inside_strings_and_names_are_not_refused(client: TestClient) -> None:
    query = 'PREFIX service: <http://example.org/> SELECT ?x WHERE { BIND ("SERVICE LOAD" AS ?x) ?s service:load ?o } LIMIT 1'
    response = client.get("/sparql", params={"query": query})
    assert response.status_code == 200, response.text


def test_unknown_format_value(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": COUNT_MEMBERS, "format": "yaml"})
    assert response.status_code == 400
    body = problem(response)
    assert body["parameters"] == ["format"]
    assert "yaml" in body["detail"]


def test_missing_and_repeated_query(client: TestClient) -> None:
    assert client.post("/sparql", content=b"", headers={"Content-Type": "application/x-www-form-urlencoded"}).status_code == 400
    response = client.get("/sparql?query=ASK%7B%7D&query=ASK%7B%7D")
    assert response.status_code == 400
    assert "once" in problem(response)["detail"]


def test_unsupported_content_type(client: TestClient) -> None:
    response = client.post("/sparql", content=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 415
    problem(response)


def test_json_problem_for_unknown_route(client: TestClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert problem(response)["title"] == "Not found"


def test_results_json_is_valid_sparql_json(client: TestClient) -> None:
    query = """SELECT ?l WHERE { <https://w3id.org/natokg/id/country/FRA> <http://www.w3.org/2000/01/rdf-schema#label> ?l } ORDER BY ?l"""
    body = json.loads(client.get("/sparql", params={"query": query}).content)
    assert body["head"]["vars"] == ["l"]
    assert {(b["l"]["value"], b["l"]["xml:lang"]) for b in body["results"]["bindings"]} == {("France", "en"), ("France", "fr")}
