"""The remote-store mode (app/remote.py): the same answers as the embedded store, and upstream failures as problems.

The contract (DESIGN.md section 2): every named query of queries/ gives the same answer from the
embedded store and from a real `oxigraph serve` holding the same data. The seed-fact tests run
in remote mode too, in test_seed_facts_remote.py.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pydantic
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.errors import MalformedQuery, UpstreamError
from app.core.formats import BY_NAME, RESULT_FORMATS, Format
from app.core.settings import PROJECT_ROOT, Settings
from app.kg.runtime import Runtime
from app.sparql.querylib import NamedQuery, parse_header
from app.store.base import WHOLE, Answer, QueryRequest
from app.store.remote import RemoteStore
from app.web.app import create_app
from tests.oxigraph_server import free_port

pytestmark = pytest.mark.remote

QUERY_FILES = sorted((PROJECT_ROOT / "queries").glob("*.rq"))
QUERY_NAMES = [path.stem for path in QUERY_FILES]
# Each query with its required parameters; those with optional ones a second time, with every parameter set.
QUERY_CASES = [pytest.param(path.stem, False, id=f"{path.stem}-required") for path in QUERY_FILES] + [
    pytest.param(path.stem, True, id=f"{path.stem}-all")
    for path in QUERY_FILES
    if not all(p.required for p in parse_header(path.stem, path.read_text(encoding="utf-8")).parameters)
]
PROBLEM = "application/problem+json"

# Values for the parameters of the named queries: by name first, then by type.
SAMPLE_BY_NAME = {"organization": "organisation/nato", "graph": "graph/no-such-graph", "membership": "membership/nato-FRA"}
SAMPLE_BY_TYPE = {"iri": "country/FRA", "date": "2012-05-20", "year": "2012", "lang": "fr", "integer": "3", "string": "OTAN",
                  "boolean": "true"}


def runtime_of(client: TestClient) -> Runtime:
    runtime: Runtime = client.app.state.service.runtime  # type: ignore[attr-defined]
    return runtime


def sample_parameters(query: NamedQuery, *, every: bool, id_base: str) -> dict[str, str]:
    """Values for the required parameters, or for all of them; IRIs under the deployment's base."""
    values = {}
    for param in query.parameters:
        if param.required or every:
            value = SAMPLE_BY_NAME.get(param.name) or SAMPLE_BY_TYPE[param.type]
            values[param.name] = id_base + value if param.type == "iri" else value
    return values


def _term(term: Any) -> str | None:
    if term is None:
        return None
    return "_:" if isinstance(term, ox.BlankNode) else str(term)  # blank node labels differ between stores


def parsed(answer: Answer) -> Any:
    """An answer in a form that compares equal across stores: rows as a multiset, graphs canonicalised."""
    if answer.kind == "boolean":
        return json.loads(answer.body)["boolean"]
    if answer.kind == "graph":
        dataset = ox.Dataset(ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        return sorted(str(quad) for quad in dataset)
    solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return names, Counter(tuple(_term(s[i]) for i in range(len(names))) for s in solutions)


def run_both(client: TestClient, remote_client: TestClient, query: str, fmt: Format, **kwargs: Any) -> tuple[Answer, Answer]:
    request = QueryRequest(query, fmt, **kwargs)
    return runtime_of(client).store.execute(request), runtime_of(remote_client).store.execute(request)


# --- the contract: every named query, both modes, the same answer ---------------------------------------------------


@pytest.mark.parametrize(("name", "every"), QUERY_CASES)
def test_named_query_answers_alike(client: TestClient, remote_client: TestClient, name: str, every: bool) -> None:
    runtime = runtime_of(client)
    query = runtime.queries[name]
    raw = sample_parameters(query, every=every, id_base=runtime.settings.id_base)
    bindings = query.bind(raw, iri_base=runtime.settings.id_base)
    fmt = BY_NAME["nt" if query.form.returns_graph else "json"]
    # Whole answers: a cut one holds whichever rows each store gives first, which need not be the same rows.
    embedded, remote = run_both(client, remote_client, query.text, fmt=fmt, bindings=bindings, max_rows=WHOLE)
    assert (remote.kind, remote.count, remote.truncated) == (embedded.kind, embedded.count, embedded.truncated)
    assert not embedded.truncated
    assert parsed(remote) == parsed(embedded)


def test_the_contract_is_not_vacuous(client: TestClient, remote_client: TestClient) -> None:
    """Guard against two empty stores agreeing: the remote one holds every triple of the embedded one."""
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    embedded, remote = run_both(client, remote_client, count, fmt=BY_NAME["json"])
    assert embedded.body == remote.body
    assert json.loads(remote.body)["results"]["bindings"][0]["n"]["value"] == str(runtime_of(client).store.triple_count)  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", [f.name for f in RESULT_FORMATS])
def test_results_are_byte_for_byte_alike(client: TestClient, remote_client: TestClient, fmt: str) -> None:
    query = runtime_of(client).queries["class-counts"].text  # a total order and no blank nodes
    embedded, remote = run_both(client, remote_client, query, fmt=BY_NAME[fmt])
    assert remote.count > 5
    assert remote.body == embedded.body


def test_rows_are_cut_alike(client: TestClient, remote_client: TestClient) -> None:
    query = runtime_of(client).queries["class-counts"].text
    embedded, remote = run_both(client, remote_client, query, fmt=BY_NAME["json"], max_rows=5)
    assert (remote.truncated, remote.count) == (True, 5)
    assert remote.body == embedded.body
    assert json.loads(remote.body)["truncated"] is True
    graph = runtime_of(client).queries["default-graph"].text
    embedded, remote = run_both(client, remote_client, graph, fmt=BY_NAME["nt"], max_rows=10)
    assert (remote.truncated, remote.count) == (embedded.truncated, embedded.count) == (True, 10)


@pytest.mark.parametrize("value", [
    ox.Literal('"} } ; DROP ALL ; SELECT * { ?s ?p ?o '),
    ox.Literal("\\u0022 } # not a comment\n"),
    ox.Literal("'''\"\"\"\r\t\\"),
    ox.Literal("OTAN 😀", language="fr"),
    ox.Literal("2012-05-20", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")),
    ox.NamedNode("https://w3id.org/natokg/id/country/FRA"),
], ids=["braces", "codepoint-escape", "quotes", "language", "typed", "iri"])
def test_bindings_are_bound_not_pasted(client: TestClient, remote_client: TestClient, value: ox.NamedNode | ox.Literal) -> None:
    query = "SELECT ?v (COUNT(*) AS ?n) WHERE { BIND (?x AS ?v) } GROUP BY ?v"
    embedded, remote = run_both(client, remote_client, query, fmt=BY_NAME["json"], bindings={"x": value})
    assert remote.body == embedded.body
    [row] = ox.parse_query_results(remote.body, format=ox.QueryResultsFormat.JSON)  # type: ignore[misc]
    assert (row["v"], row["n"].value) == (value, "1")


def test_dataset_parameters_reach_the_upstream(client: TestClient, remote_client: TestClient) -> None:
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    embedded, remote = run_both(client, remote_client, query, fmt=BY_NAME["json"], default_graphs=("http://example.org/no-such-graph",))
    assert remote.body == embedded.body
    assert json.loads(remote.body)["results"]["bindings"][0]["n"]["value"] == "0"


def test_sparql_endpoint_answers_alike_over_http(client: TestClient, remote_client: TestClient) -> None:
    query = "SELECT ?m WHERE { ?m <http://www.w3.org/ns/org#member> <https://w3id.org/natokg/id/country/FRA> } ORDER BY ?m"
    answers = [c.post("/sparql", data={"query": query}, headers={"Accept": "text/csv"}) for c in (client, remote_client)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[0].text == answers[1].text
    assert answers[1].text.count("\n") > 1


def test_health_says_remote(remote_client: TestClient) -> None:
    health = remote_client.get("/health").json()
    assert health["store"] == "remote"
    assert health["queries"] == len(QUERY_NAMES)


# --- upstream failures ----------------------------------------------------------------------------------------------


def test_malformed_query_is_400_in_both_modes(client: TestClient, remote_client: TestClient) -> None:
    bad = "SELECT ?x WHERE { ?x ?y }"
    answers = [c.post("/sparql", data={"query": bad}) for c in (client, remote_client)]
    assert [a.status_code for a in answers] == [400, 400]
    assert answers[1].headers["content-type"].startswith(PROBLEM)
    assert answers[1].json()["type"] == answers[0].json()["type"]
    with pytest.raises(MalformedQuery) as caught:  # the store itself, past any check the route makes first
        runtime_of(remote_client).store.execute(QueryRequest(bad, BY_NAME["json"]))
    assert "error" in caught.value.detail  # the upstream's own message ("error at 1:26: expected ...")


@contextmanager
def upstream_at(remote_client: TestClient, endpoint: str, **settings: Any) -> Iterator[TestClient]:
    """The running remote-mode app with its store pointed at `endpoint`: an upstream failing after start-up.

    (Start-up itself reads the catalogue through the store, so an app cannot start against a dead one.)
    """
    runtime = runtime_of(remote_client)
    store = RemoteStore(Settings(sparql_endpoint=endpoint, **settings))
    original, runtime.store = runtime.store, store
    try:
        yield remote_client
    finally:
        runtime.store = original
        store.close()


def _problem(client: TestClient, status: int) -> dict[str, Any]:
    response = client.post("/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"})
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["type"].endswith("/upstream-error")
    return body


def test_closed_port_is_502(remote_client: TestClient) -> None:
    with upstream_at(remote_client, f"http://127.0.0.1:{free_port()}/query") as client:
        body = _problem(client, 502)
        assert "127.0.0.1" not in body["detail"]  # the store's address is for the logs, not for clients


def test_upstream_that_accepts_and_never_answers_is_504(remote_client: TestClient) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)  # the kernel completes the handshake; nobody ever reads the request
        with upstream_at(remote_client, f"http://127.0.0.1:{listener.getsockname()[1]}/query", query_timeout=0.5) as client:
            started = time.monotonic()
            _problem(client, 504)
            assert time.monotonic() - started < 5


class _StubUpstream(BaseHTTPRequestHandler):
    """A misbehaving SPARQL endpoint: the path chooses how."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        how = self.path.strip("/")
        try:
            if how == "slow":
                time.sleep(2)
                self._reply(200, "application/sparql-results+json", b'{"head":{"vars":[]},"results":{"bindings":[]}}')
            elif how == "trickle":  # bytes keep coming, each in time, but the whole answer never ends in time
                self._reply(200, "application/sparql-results+json", b'{"head":{"vars":["x"]},"results":{"bindings":[', end=False)
                for _ in range(40):
                    time.sleep(0.1)
                    self.wfile.write(b'{"x":{"type":"literal","value":"1"}},')
                    self.wfile.flush()
            elif how == "unavailable":
                self._reply(503, "text/plain", b"overloaded", headers={"Retry-After": "7"})
            elif how == "garbage":
                self._reply(200, "application/sparql-results+json", b'{"head": {"vars": ["x"]}, "results": [{"x": 42')
            elif how == "html":
                self._reply(200, "text/html", b"<html>a login page</html>")
            else:
                self._reply(int(how), "text/plain", b"no")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the app gave up first, as it should

    def _reply(self, status: int, media: str, body: bytes, *, end: bool = True, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", media)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)
        self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def stub_upstream() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _StubUpstream)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize(("path", "status"), [
    ("slow", 504), ("trickle", 504), ("unavailable", 503), ("500", 502), ("502", 502), ("504", 504),
    ("404", 502), ("401", 502), ("garbage", 502), ("html", 502),
])
def test_upstream_failure_maps_to_problem(remote_client: TestClient, stub_upstream: str, path: str, status: int) -> None:
    with upstream_at(remote_client, f"{stub_upstream}/{path}", query_timeout=0.5) as client:
        started = time.monotonic()
        _problem(client, status)
        assert time.monotonic() - started < 1.5  # the deadline holds, whatever the upstream does


@pytest.mark.parametrize("path", ["500", "504", "unavailable"])
def test_upstream_message_is_passed_on(remote_client: TestClient, stub_upstream: str, path: str) -> None:
    """What the upstream said (Virtuoso: "estimated execution time ... exceeds the limit") reaches the client."""
    with upstream_at(remote_client, f"{stub_upstream}/{path}") as client:
        body = _problem(client, {"500": 502, "504": 504, "unavailable": 503}[path])
    assert body["detail"].endswith("It said: " + ("overloaded" if path == "unavailable" else "no"))
    assert body["upstream_status"] == (503 if path == "unavailable" else int(path))


def test_upstream_retry_after_is_passed_on(stub_upstream: str) -> None:
    store = RemoteStore(Settings(sparql_endpoint=f"{stub_upstream}/unavailable"))
    try:
        with pytest.raises(UpstreamError) as caught:
            store.execute(QueryRequest("ASK {}", BY_NAME["json"]))
    finally:
        store.close()
    assert (caught.value.status, caught.value.headers) == (503, {"Retry-After": "7"})


@pytest.mark.parametrize("endpoint", ["file:///etc/passwd", "ftp://127.0.0.1/query", "127.0.0.1:7878/query"])
def test_endpoint_must_be_http(endpoint: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        Settings(sparql_endpoint=endpoint)


def test_empty_endpoint_means_embedded() -> None:
    assert Settings(sparql_endpoint="").sparql_endpoint is None


def test_starts_while_the_store_is_down_and_says_so_per_request() -> None:
    settings = Settings(sparql_endpoint=f"http://127.0.0.1:{free_port()}/query", query_timeout=5)  # nothing listens there
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json()["store"] == "remote"
        response = client.get("/api/countries")
        assert response.status_code == 502
        assert response.headers["content-type"] == "application/problem+json"
