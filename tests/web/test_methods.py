"""HTTP methods (RFC 9110 section 9): HEAD wherever GET is, OPTIONS on every resource, and a 405 whose `Allow`
names every method the resource takes."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

# One request for each kind of GET route (routers, path parameters, suffixes, mounts, the fast lane).
PATHS = ["/", "/sparql", "/sparql?query=ASK%7B%7D", "/sparql?query=SELECT%20%2A%20%7B%7D&format=csv", "/rdf-graph-store?default",
         "/id/country/FRA", "/id/country/FRA.ttl", "/ontology", "/ontology.nt", "/ontology/0.1.0", "/.well-known/void", "/catalog",
         "/.well-known/dcat", "/dumps/natokg.nt", "/health", "/docs", "/redoc", "/openapi.json", "/api/countries?limit=2",
         "/api/countries/FRA", "/api/search?q=pfp", "/api/queries", "/api/queries/class-counts", "/static/editor.js",
         "/static/docs/swagger-ui.css", "/id/country/NOPE", "/api/countries/NOPE"]


def _headers(response: object) -> dict[str, str]:
    return {k: v for k, v in response.headers.items() if k != "date"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("path", PATHS)
def test_head_answers_as_get_without_the_body(client: TestClient, path: str) -> None:
    get, head = client.get(path), client.head(path)
    assert head.status_code == get.status_code != 405
    assert _headers(head) == _headers(get)
    assert head.content == b""


def test_every_documented_get_takes_head(client: TestClient) -> None:
    """Every GET operation OpenAPI lists, with made-up path parameters: HEAD is never refused."""
    paths = [path for path, operations in client.get("/openapi.json").json()["paths"].items() if "get" in operations]
    assert len(paths) > 30
    for path in paths:
        concrete = re.sub(r"\{[^}]+\}", "x", path)
        assert client.head(concrete).status_code != 405, concrete


@pytest.mark.parametrize(("path", "allow"), [
    ("/sparql", "GET, HEAD, POST, OPTIONS"),
    ("/rdf-graph-store", "GET, HEAD, OPTIONS"),
    ("/id/country/FRA", "GET, HEAD, OPTIONS"),
    ("/api/countries", "GET, HEAD, OPTIONS"),
    ("/dumps/natokg.ttl", "GET, HEAD, OPTIONS"),
    ("/static/editor.js", "GET, HEAD, OPTIONS"),
    ("/health", "GET, HEAD, OPTIONS"),
])
def test_options_and_405_name_the_same_methods(client: TestClient, path: str, allow: str) -> None:
    options = client.options(path)
    assert options.status_code == 204 and options.content == b""
    assert options.headers["allow"] == allow
    for method in ("PUT", "DELETE", "PATCH", "POST"):
        if method in allow:
            continue
        refused = client.request(method, path, content=b"x")
        assert refused.status_code == 405
        assert refused.headers["allow"] == allow
        assert refused.headers["content-type"] == "application/problem+json"
        assert method in refused.json()["detail"] and allow in refused.json()["detail"]


def test_options_on_no_resource_is_404(client: TestClient) -> None:
    assert client.options("/no/such/thing").status_code == 404
