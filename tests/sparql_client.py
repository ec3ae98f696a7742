"""A tiny SPARQL client for the tests: POST a query, parse the JSON results into plain values."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

PREFIXES = """
PREFIX nkg: <https://w3id.org/natokg/ontology#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
PREFIX id: <https://w3id.org/natokg/id/>
"""


def select(client: TestClient, query: str) -> list[dict[str, Any]]:
    response = client.post("/sparql", data={"query": PREFIXES + query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def ask(client: TestClient, query: str) -> bool:
    response = client.post("/sparql", data={"query": PREFIXES + query}, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return bool(response.json()["boolean"])
