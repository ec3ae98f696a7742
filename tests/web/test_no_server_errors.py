"""Careless input never gets a 5xx: every route, odd parameter values and headers, broken bodies (seeded)."""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient

ODD = ["", "%", "%ff", "'", '"', "<", ">", "{", "}", "\\", "../", "a" * 5000, "é", "🙂", "SELECT", "*/*;q=abc",
       "text/html;q=2", ";;;", ",", "-1", "0", "99999999999999999999", "2012-02-30", "1994", "en-", "fr-FR-x-y"]
PATHS = ["/sparql", "/id/country/FRA", "/id/x/y", "/id/country/FRA.ttl", "/api/countries", "/api/countries/FRA", "/api/members",
         "/api/partners", "/api/frameworks", "/api/search", "/api/queries/members-on-date", "/api/queries/describe",
         "/dumps/natokg.ttl", "/.well-known/void", "/catalog", "/ontology", "/rdf-graph-store", "/", "/health"]
PARAMS = ["query", "format", "lang", "at", "limit", "offset", "q", "type", "date", "resource", "graph", "default",
          "uncertain", "framework", "year", "role", "region", "challenge"]
BODIES = [(b"query=%ff", "application/x-www-form-urlencoded"), (b"\xff\xfe", "application/sparql-query"),
          (b"query=SELECT", "application/x-www-form-urlencoded; charset=latin1"), (b"", "multipart/form-data")]


@pytest.mark.parametrize("path", PATHS)
def test_no_5xx(client: TestClient, path: str) -> None:
    rng = random.Random(path)
    for _ in range(20):
        params = {rng.choice(PARAMS): rng.choice(ODD) for _ in range(rng.randint(0, 3))}
        headers = {"Accept": rng.choice([*ODD, "application/json", "text/turtle"]), "Accept-Language": rng.choice(ODD)}
        headers = {k: v for k, v in headers.items() if v.isascii()}
        response = client.get(path, params=params, headers=headers)
        assert response.status_code < 500, (path, params, headers, response.text[:300])
        if response.status_code >= 400:
            assert response.headers["content-type"] == "application/problem+json", (path, params, headers)
    for body, content_type in BODIES:
        response = client.post(path, content=body, headers={"Content-Type": content_type})
        assert response.status_code < 500, (path, body, response.text[:300])


LOOKUPS = ["SELECT ?p ?o WHERE { <https://w3id.org/natokg/id/country/FRA> ?p ?o }",
           "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT * { ?s rdfs:label \"France\"@en ; a ?t } LIMIT 3",
           "PREFIX c: <https://w3id.org/natokg/id/country/> DESCRIBE c:FRA <https://w3id.org/natokg/id/organisation/nato>",
           "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> 'x'^^<http://www.w3.org/2001/XMLSchema#string> }"]
MUTATIONS = [*"[]<>\"'\\@^:.;,*{}?$#%é1 ", "e5", "a", "\n", "::", "<>", "_:b"]


def test_mutated_lookups_never_get_a_5xx(client: TestClient) -> None:
    """The in-process planner (app.sparql.planner) reads queries in the fast lane: a broken one must still get a 4xx."""
    rng = random.Random("lookups")
    for _ in range(300):
        query = rng.choice(LOOKUPS)
        for _ in range(rng.randint(1, 3)):
            at = rng.randrange(len(query) + 1)
            cut = rng.choice([0, 0, 1])
            query = query[:at] + rng.choice(MUTATIONS) + query[at + cut:]
        for response in (client.get("/sparql", params={"query": query}), client.post("/sparql", data={"query": query})):
            assert response.status_code < 500, (query, response.text[:300])
            if response.status_code >= 400:
                assert response.headers["content-type"] == "application/problem+json", query
