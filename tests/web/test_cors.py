"""Cross-origin reads (CORS): every read route answers web pages of other origins, preflights are answered 204,
the headers clients read are exposed, a setting narrows the origins, and the GET /sparql fast lane answers
with exactly the full route's headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.web.app import create_app

ORIGIN = "https://notebook.example"
READS = ["/sparql", "/sparql?query=ASK%7B%7D", "/rdf-graph-store?default", "/id/country/FRA", "/api/countries?limit=1",
         "/api/countries/FRA", "/api/search?q=pfp", "/api/queries/class-counts", "/dumps/natokg.nt", "/.well-known/void", "/catalog",
         "/ontology", "/health", "/api/countries/NOPE"]
EXPOSED = {"link", "x-total-count", "x-natokg-truncated", "etag", "content-location", "content-language"}
REQUEST_HEADERS = "content-type, accept, accept-language, if-none-match"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/natokg/id/country/FRA> ?p ?o }"


def _names(value: str) -> set[str]:
    return {part.strip().lower() for part in value.split(",")}


@pytest.mark.parametrize("path", READS)
def test_every_read_is_shared_with_any_origin(client: TestClient, path: str) -> None:
    response = client.get(path, headers={"Origin": ORIGIN})
    assert response.headers["access-control-allow-origin"] == "*"
    assert _names(response.headers["access-control-expose-headers"]) >= EXPOSED
    assert "access-control-allow-credentials" not in response.headers
    assert "access-control-allow-origin" not in client.get(path).headers  # no Origin, no CORS headers


@pytest.mark.parametrize("path", READS)
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_preflights_are_204(client: TestClient, path: str, method: str) -> None:
    response = client.options(path, headers={"Origin": ORIGIN, "Access-Control-Request-Method": method,
                                             "Access-Control-Request-Headers": REQUEST_HEADERS})
    assert response.status_code == 204 and response.content == b""
    assert response.headers["access-control-allow-origin"] == "*"
    assert {"get", "head", "post"} <= _names(response.headers["access-control-allow-methods"])
    assert _names(REQUEST_HEADERS) <= _names(response.headers["access-control-allow-headers"])
    assert int(response.headers["access-control-max-age"]) > 0


def test_a_refused_preflight_says_why(client: TestClient) -> None:
    response = client.options("/sparql", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "PUT"})
    assert response.status_code == 400 and response.headers["content-type"] == "application/problem+json"
    assert "method" in response.json()["detail"]
    response = client.options("/sparql", headers={"Origin": ORIGIN, "Access-Control-Request-Method": "POST",
                                                  "Access-Control-Request-Headers": "x-secret"})
    assert response.status_code == 400 and "headers" in response.json()["detail"]


def test_a_preflighted_post_then_reads_the_answer(client: TestClient) -> None:
    headers = {"Origin": ORIGIN, "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"}
    response = client.post("/sparql", content=b"ASK { ?s ?p ?o }", headers=headers)
    assert response.json()["boolean"] is True
    assert response.headers["access-control-allow-origin"] == "*"


def test_errors_are_readable_across_origins(client: TestClient) -> None:
    """A page must be able to read the problem body of a bad query, not just see a network failure."""
    response = client.get("/sparql", params={"query": "SELEC nothing"}, headers={"Origin": ORIGIN})
    assert response.status_code == 400 and response.headers["access-control-allow-origin"] == "*"


def test_the_fast_lane_answers_as_the_full_route(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same request answered by the lane and (with a parameter the lane leaves to the application) by the
    full route: the same status, body and headers (Vary: Origin included). A cross-origin read is left to the
    application, whose CORS layer answers it."""
    store = client.app.state.service.runtime.store  # type: ignore[attr-defined]
    calls: list[str] = []
    answer_inline = store.answer_inline

    def spy(query: str, fmt: object) -> object:
        calls.append(query)
        return answer_inline(query, fmt)

    monkeypatch.setattr(store, "answer_inline", spy)
    for accept in ("application/sparql-results+json", "text/csv", "application/sparql-results+xml"):
        for origin in ({}, {"Origin": ORIGIN}):
            headers = {"Accept": accept, **origin}
            lane = client.get("/sparql", params={"query": LOOKUP}, headers=headers)
            assert calls == ([] if origin else [LOOKUP])  # the lane answered it, unless it came from another origin
            full = client.get("/sparql", params={"query": LOOKUP, "unknown": "1"}, headers=headers)
            assert calls == ([] if origin else [LOOKUP])  # the full route answered this one
            calls.clear()
            assert (lane.status_code, lane.content) == (full.status_code, full.content)
            assert {k: v for k, v in lane.headers.items() if k != "date"} == {k: v for k, v in full.headers.items() if k != "date"}
            assert ("access-control-allow-origin" in lane.headers) == bool(origin)


@pytest.fixture(scope="module")
def narrowed() -> Iterator[TestClient]:
    settings = Settings(validate_on_start=False, workers=1, cors_origins="https://a.example, https://b.example:8443/")  # type: ignore[arg-type]
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.mark.parametrize("origin", ["https://a.example", "https://b.example:8443"])
def test_a_listed_origin_is_named_back(narrowed: TestClient, origin: str) -> None:
    response = narrowed.get("/health", headers={"Origin": origin})
    assert response.headers["access-control-allow-origin"] == origin
    assert "Origin" in response.headers["vary"]
    preflight = narrowed.options("/sparql", headers={"Origin": origin, "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and preflight.headers["access-control-allow-origin"] == origin


def test_another_origin_is_not_shared(narrowed: TestClient) -> None:
    response = narrowed.get("/health", headers={"Origin": "https://evil.example"})
    assert response.status_code == 200 and "access-control-allow-origin" not in response.headers
    preflight = narrowed.options("/sparql", headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 400 and "origin" in preflight.json()["detail"]


def test_the_setting_takes_a_comma_separated_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATOKG_CORS_ORIGINS", "https://a.example/,http://127.0.0.1:9000")
    assert Settings().cors_origins == ["https://a.example", "http://127.0.0.1:9000"]
    monkeypatch.setenv("NATOKG_CORS_ORIGINS", "")
    assert Settings().cors_origins == []
    monkeypatch.setenv("NATOKG_CORS_ORIGINS", "a.example")
    with pytest.raises(ValueError, match="cors_origins"):
        Settings()
