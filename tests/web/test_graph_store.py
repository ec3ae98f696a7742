"""The Graph Store HTTP Protocol, read side (https://www.w3.org/TR/sparql11-http-rdf-update/), at /rdf-graph-store."""

from __future__ import annotations

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.errors import PROBLEM_MEDIA_TYPE
from app.core.formats import BY_NAME
from app.core.settings import Settings
from app.store.base import WHOLE, QueryRequest
from app.web.app import create_app
from tests.memory_store import memory_runtime

SYNTAXES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
            "application/ld+json": ox.RdfFormat.JSON_LD, "application/rdf+xml": ox.RdfFormat.RDF_XML}
EX = "http://example.org/"


def triples(response: httpx.Response) -> list[ox.Triple]:
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    return [quad.triple for quad in ox.parse(response.content, format=SYNTAXES[media])]


def problem(response: httpx.Response, status: int) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    body: dict[str, object] = response.json()
    assert body["status"] == status and body["detail"]
    return body


def default_graph_size(client: TestClient) -> int:
    response = client.get("/sparql", params={"query": "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }"},
                          headers={"Accept": "application/sparql-results+json"})
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


def test_default_graph_is_the_whole_default_graph(client: TestClient) -> None:
    """`?default` answers every triple of the default graph: as many as SPARQL counts, and the same ground triples."""
    response = client.get("/rdf-graph-store?default")
    assert response.headers["content-type"].startswith("text/turtle") and "Accept" in response.headers["vary"]
    graph = triples(response)
    assert len(graph) == default_graph_size(client)
    # The store's own whole answer (the endpoint would cut it at the row cap, which the graph store does not).
    whole = client.app.state.service.runtime.store.execute(  # type: ignore[attr-defined]
        QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", BY_NAME["nt"], max_rows=WHOLE))
    construct = [quad.triple for quad in ox.parse(whole.body, format=ox.RdfFormat.N_TRIPLES)]

    def ground(ts: list[ox.Triple]) -> set[ox.Triple]:
        return {t for t in ts if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}
    assert ground(graph) == ground(construct)
    assert "X-Natokg-Truncated" not in response.headers


@pytest.mark.parametrize("media", list(SYNTAXES))
def test_default_graph_in_every_syntax(client: TestClient, media: str) -> None:
    response = client.get("/rdf-graph-store", params={"default": ""}, headers={"Accept": media})
    assert response.headers["content-type"].split(";")[0] == media
    assert len(triples(response)) == default_graph_size(client)


def test_head_has_the_headers_and_no_body(client: TestClient) -> None:
    get, head = client.get("/rdf-graph-store?default"), client.head("/rdf-graph-store?default")
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]


def test_unknown_named_graph_is_404(client: TestClient) -> None:
    body = problem(client.get("/rdf-graph-store", params={"graph": f"{EX}no-such-graph"}), 404)
    assert f"{EX}no-such-graph" in str(body["detail"])
    head = client.head("/rdf-graph-store", params={"graph": f"{EX}no-such-graph"})
    assert head.status_code == 404 and head.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)


@pytest.mark.parametrize(
    "query",
    ["", "?default&graph=http%3A%2F%2Fexample.org%2Fg", "?graph=http%3A%2F%2Fa%2F&graph=http%3A%2F%2Fb%2F", "?other=1"],
    ids=["neither", "both", "two-graphs", "unknown-only"],
)
def test_default_xor_one_graph(client: TestClient, query: str) -> None:
    problem(client.get(f"/rdf-graph-store{query}"), 400)


@pytest.mark.parametrize("iri", ["not an iri", "relative/graph", "http://exa mple.org/"])
def test_graph_must_be_an_absolute_iri(client: TestClient, iri: str) -> None:
    problem(client.get("/rdf-graph-store", params={"graph": iri}), 400)


def test_not_acceptable(client: TestClient) -> None:
    problem(client.get("/rdf-graph-store?default", headers={"Accept": "application/sparql-results+json"}), 406)


@pytest.mark.parametrize("method", ["PUT", "POST", "DELETE", "PATCH"])
def test_writes_are_not_allowed(client: TestClient, method: str) -> None:
    """The graph store is read-only: 405 with an Allow naming the read methods only, and the data unchanged."""
    before = default_graph_size(client)
    response = client.request(method, "/rdf-graph-store?default", content=b"<http://a> <http://b> <http://c> .",
                              headers={"Content-Type": "application/n-triples"})
    problem(response, 405)
    assert response.headers["allow"] == "GET, HEAD, OPTIONS"
    assert default_graph_size(client) == before


def test_named_graph_is_served() -> None:
    """A named graph the store holds (an in-process store; the shipped data has none) is answered whole,
    and only it: not the default graph's triples nor another graph's."""
    g1, g2 = ox.NamedNode(f"{EX}g1"), ox.NamedNode(f"{EX}g2")
    p = ox.NamedNode(f"{EX}p")
    quads = [
        ox.Quad(ox.NamedNode(f"{EX}a"), p, ox.Literal("in g1"), g1),
        ox.Quad(ox.NamedNode(f"{EX}b"), p, ox.Literal("also in g1", language="en"), g1),
        ox.Quad(ox.NamedNode(f"{EX}c"), p, ox.Literal("in g2"), g2),
        ox.Quad(ox.NamedNode(f"{EX}d"), p, ox.Literal("in the default graph"), ox.DefaultGraph()),
    ]
    with TestClient(create_app(runtime=memory_runtime(quads))) as client:
        nt = {"Accept": "application/n-triples"}
        named = set(triples(client.get("/rdf-graph-store", params={"graph": g1.value}, headers=nt)))
        default = set(triples(client.get("/rdf-graph-store?default")))
        missing = client.get("/rdf-graph-store", params={"graph": f"{EX}g3"})
    assert named == {q.triple for q in quads[:2]}
    assert default == {quads[3].triple}
    problem(missing, 404)


def test_a_graph_is_read_whole_past_the_row_cap() -> None:
    """The row cap bounds query answers; reading a graph is a download (as /dumps is), never cut."""
    with TestClient(create_app(Settings(max_rows=50, validate_on_start=False))) as small:
        graph = triples(small.get("/rdf-graph-store?default", headers={"Accept": "application/n-triples"}))
        assert len(graph) == default_graph_size(small) > 50
        cut = small.get("/sparql", params={"query": "CONSTRUCT WHERE { ?s ?p ?o }"}, headers={"Accept": "application/n-triples"})
        assert cut.headers["x-natokg-truncated"] == "true" and len(triples(cut)) == 50
