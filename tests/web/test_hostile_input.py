"""Hostile and careless input: size, nesting, fetching, deadlines, row caps (DESIGN.md section 3)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.web.app import create_app

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def strict() -> Iterator[TestClient]:
    """An app with a short deadline, a small row cap and a small size limit."""
    settings = Settings(query_timeout=2.0, max_rows=50, max_query_bytes=20_000, validate_on_start=False, workers=2)
    with TestClient(create_app(settings)) as client:
        yield client


def problem(response) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert response.headers["content-type"] == "application/problem+json", response.text
    return response.json()  # type: ignore[no-any-return]


def test_query_over_size_limit_is_413(strict: TestClient) -> None:
    query = "SELECT * WHERE { ?s ?p ?o } #" + "x" * 30_000
    response = strict.post("/sparql", content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    assert response.status_code == 413
    assert "20000" in problem(response)["detail"]
    response = strict.get("/sparql", params={"query": query})
    assert response.status_code == 413


def test_100000_nested_groups_are_refused_and_the_server_lives(client: TestClient) -> None:
    for opener, closer in (("{", "}"), ("(", ")")):
        body = "SELECT * WHERE " + opener * 100_000 + closer * 100_000
        response = client.post("/sparql", content=body.encode(), headers={"Content-Type": "application/sparql-query"})
        assert response.status_code in (400, 413)
        assert "nest" in problem(response)["detail"] or response.status_code == 413
    assert client.get("/health").json()["status"] == "ok"
    assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_a_crashing_engine_costs_one_worker_not_the_server() -> None:
    # With the depth cap lifted, 50,000 nested groups overflow Oxigraph's recursive parser: the
    # worker process dies, the request gets a problem, and a fresh worker takes its place.
    settings = Settings(max_nesting=1_000_000, validate_on_start=False, workers=1, query_timeout=20)
    with TestClient(create_app(settings)) as client:
        body = "SELECT * WHERE " + "{" * 50_000 + "}" * 50_000
        response = client.post("/sparql", content=body.encode(), headers={"Content-Type": "application/sparql-query"})
        assert 400 <= response.status_code < 500 or response.status_code == 503
        problem(response)
        assert client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


class Listener:
    """A loopback socket that records every connection made to it."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    listening = Listener()
    yield listening
    listening.close()


def test_nothing_fetches_a_url(client: TestClient, listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/data"
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?x ?y ?z .SERVICE <{url}> {{ ?s ?p ?o }} }}",  # a keyword right after '.', as the engine reads it
        f"SELECT * WHERE {{ ?x ?y 1.SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"LOAD <{url}>",
        f"LOAD SILENT <{url}> INTO GRAPH <{url}>",
    ]
    for query in queries:
        response = client.post("/sparql", data={"query": query})
        assert response.status_code == 400, query
        problem(response)
    for params in ({"default-graph-uri": url}, {"named-graph-uri": url}):
        response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", **params})
        assert response.status_code == 200  # Oxigraph selects stored graphs by these names; it never fetches
    for query in (f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"):
        assert client.get("/sparql", params={"query": query}).status_code == 200
    time.sleep(0.5)
    assert listener.connections == 0


def test_deadline_stops_the_query_and_others_are_served(strict: TestClient) -> None:
    result: dict[str, object] = {}

    def slow() -> None:
        started = time.monotonic()
        response = strict.get("/sparql", params={"query": CARTESIAN})
        result["elapsed"] = time.monotonic() - started
        result["response"] = response

    thread = threading.Thread(target=slow)
    thread.start()
    time.sleep(0.3)
    started = time.monotonic()
    assert strict.get("/health").json()["status"] == "ok"
    assert time.monotonic() - started < 1.0
    assert strict.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
    thread.join(timeout=30)
    response = result["response"]
    assert response.status_code == 503  # type: ignore[attr-defined]
    body = problem(response)
    assert "deadline" in body["detail"]
    assert response.headers["retry-after"] == "1"  # type: ignore[attr-defined]
    assert 1.9 < result["elapsed"] < 10  # type: ignore[operator]
    # The killed worker was replaced: the pool still answers two queries at once.
    assert strict.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True


def test_row_cap_is_signalled_never_silent(strict: TestClient) -> None:
    response = strict.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert response.headers["x-natokg-truncated"] == "true"
    body = response.json()
    assert body["truncated"] is True
    assert len(body["results"]["bindings"]) == 50
    response = strict.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
    assert response.headers["x-natokg-truncated"] == "true"
    assert len(response.text.strip().splitlines()) == 50
    response = strict.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 10"})
    assert "x-natokg-truncated" not in response.headers
    assert "truncated" not in response.json()


@pytest.mark.remote
def test_remote_mode_refuses_dataset_clauses_it_might_fetch(remote_client: TestClient, listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/graph"
    for query, params in ((f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}", {}),
                          (f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}", {}),
                          ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"default-graph-uri": url}),
                          ("SELECT * WHERE { ?s ?p ?o } LIMIT 1", {"named-graph-uri": url})):
        response = remote_client.get("/sparql", params={"query": query, **params})
        assert response.status_code == 400, query
        assert "never fetches" in problem(response)["detail"]
    time.sleep(0.3)
    assert listener.connections == 0
    assert remote_client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
