"""Dereferencing /id/{type}/{key}: a negotiated description, 404 for unknown resources, and /health."""

from __future__ import annotations

from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

FRA = URIRef("https://w3id.org/natokg/id/country/FRA")


def test_description_in_turtle_includes_incoming_links_and_intervals(client: TestClient) -> None:
    response = client.get("/id/membership/nato-FRA", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = Graph().parse(data=response.text, format="turtle")
    membership = URIRef("https://w3id.org/natokg/id/membership/nato-FRA")
    assert (membership, URIRef("http://www.w3.org/ns/org#member"), FRA) in graph
    dates = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/2006/time#inXSDDate"))}
    assert dates == {"1949-08-24"}
    country = Graph().parse(data=client.get("/id/country/FRA", headers={"Accept": "text/turtle"}).text, format="turtle")
    assert (membership, URIRef("http://www.w3.org/ns/org#member"), FRA) in country


def test_unknown_resource_is_404_problem(client: TestClient) -> None:
    response = client.get("/id/country/ZZZ")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert "country/ZZZ" in response.json()["detail"]


def test_health(client: TestClient) -> None:
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["triples"] > 5000
    assert body["queries"] >= 4
