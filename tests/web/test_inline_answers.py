"""Small, bounded queries answered in the serving process (app.sparql.planner) and the GET fast lane (app.web.fastlane).

The shortcut must never change an answer: every query here is also answered by an app that sends
every query to a worker (`inline_budget=0`), and the two must agree.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.sparql.planner import RDF_TYPE, Plan, plan, within_budget
from app.web.app import create_app

FRA = "https://w3id.org/natokg/id/country/FRA"
RDFS = "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
NKG = "PREFIX nkg: <https://w3id.org/natokg/ontology#> "
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


@pytest.fixture(scope="module")
def workers_only() -> Iterator[TestClient]:
    """The same app with the shortcut off: every query goes to a worker."""
    with TestClient(create_app(Settings(inline_budget=0, validate_on_start=False))) as client:
        yield client


# --- the planner's grammar -------------------------------------------------------------------

@pytest.mark.parametrize("query, patterns", [
    (f"SELECT ?p ?o WHERE {{ <{FRA}> ?p ?o }}", [(FRA, None, None)]),
    (f"select * {{ <{FRA}> a ?t }} LIMIT 3", [(FRA, RDF_TYPE.value, None)]),
    (f"{RDFS}SELECT DISTINCT ?s {{ ?s rdfs:label 'France'@en ; a ?t , ?u . }}",
     [(None, "http://www.w3.org/2000/01/rdf-schema#label", ox.Literal("France", language="en")),
      (None, RDF_TYPE.value, None), (None, RDF_TYPE.value, None)]),
    (f'{RDFS}ASK WHERE {{ ?s rdfs:label "x" ; }}', [(None, "http://www.w3.org/2000/01/rdf-schema#label", ox.Literal("x"))]),
    # Literals that may be written several ways count as any term, so the bound never undercounts.
    (f'{RDFS}ASK {{ ?s rdfs:label "x"@EN }}', [(None, "http://www.w3.org/2000/01/rdf-schema#label", None)]),
    (f'{RDFS}ASK {{ ?s rdfs:label "a\\"b" }}', [(None, "http://www.w3.org/2000/01/rdf-schema#label", None)]),
    (f"{RDFS}ASK {{ ?s rdfs:label 1.5e3 , true , '1'^^<http://www.w3.org/2001/XMLSchema#integer> }}",
     [(None, "http://www.w3.org/2000/01/rdf-schema#label", None)] * 3),
    ("ASK {}", []),
    ("PREFIX ex: <http://x/> SELECT * { ?s a ex:T.}", [(None, RDF_TYPE.value, "http://x/T")]),
    ("# a comment\nSELECT * WHERE { ?s ?p ?o }", [(None, None, None)]),
])
def test_planner_reads_plain_triple_patterns(query: str, patterns: list[tuple[object, object, object]]) -> None:
    planned = plan(query)
    assert planned is not None
    read = [tuple(t.value if isinstance(t, ox.NamedNode) else t for t in pattern) for pattern in planned.patterns]
    assert read == patterns


@pytest.mark.parametrize("query", [
    f"SELECT * WHERE {{ <{FRA}> ?p ?o FILTER (?o != 1) }}",
    f"SELECT * WHERE {{ <{FRA}> ?p ?o OPTIONAL {{ ?o ?q ?r }} }}",
    f"SELECT * WHERE {{ {{ <{FRA}> ?p ?o }} UNION {{ ?o ?p <{FRA}> }} }}",
    f"SELECT * WHERE {{ <{FRA}> <http://x/p>/<http://x/q> ?o }}",  # a property path
    f"SELECT * WHERE {{ <{FRA}> <http://x/p>* ?o }}",
    f"SELECT * WHERE {{ <{FRA}> ?p [] }}",  # a blank node
    f"SELECT * WHERE {{ _:b ?p <{FRA}> }}",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ <{FRA}> ?p ?o }}",
    f"SELECT * WHERE {{ <{FRA}> ?p ?o }} ORDER BY ?p",
    f"SELECT * WHERE {{ <{FRA}> ?p ?o }} LIMIT 5 OFFSET 100000",
    f"SELECT * FROM <http://x/g> WHERE {{ <{FRA}> ?p ?o }}",
    f"SELECT * WHERE {{ GRAPH ?g {{ <{FRA}> ?p ?o }} }}",
    f"SELECT * WHERE {{ VALUES ?o {{ 1 }} <{FRA}> ?p ?o }}",
    f"SELECT * WHERE {{ {{ SELECT * WHERE {{ <{FRA}> ?p ?o }} }} }}",
    "SELECT * WHERE { <relative> ?p ?o }",
    "BASE <http://x/> SELECT * WHERE { <a> ?p ?o }",
    "SELECT * WHERE { ex:a ?p ?o }",  # an undeclared prefix: the engine reports it
    "SELECT * WHERE { ?café ?p ?o }",  # outside the planner's ASCII names
    "PREFIX ex: <http://x/> SELECT * WHERE { ex:a.b ?p ?o }",
    # Where a SPARQL name goes on past what the planner reads (ex:a:b, ex:a.:b, ex:a.5), it must not split it.
    "PREFIX ex: <http://x/> PREFIX : <http://y/> SELECT * WHERE { ?s ?p ex:a:b }",
    "PREFIX ex: <http://x/> PREFIX : <http://y/> SELECT * WHERE { ?s ?p ex:a.:b ; ?c ?d }",
    "PREFIX ex: <http://x/> SELECT * WHERE { ?s ?p ex:a.5 }",
    "SELECT * WHERE {\u00a0?s ?p ?o }",  # not SPARQL white space
    f"CONSTRUCT WHERE {{ <{FRA}> ?p ?o }}",
    "DESCRIBE ?s WHERE { ?s ?p ?o }",
    "DESCRIBE *",
    f"SELECT * WHERE {{ <{FRA}> ?p ?o . ?o ?q \"\"\"long\"\"\" }}",
    f"SELECT * WHERE {{ <{FRA}> ?p ?o }} garbage",
    "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }",
    "SELECT * WHERE { <http://[x> ?p ?o }",  # not a valid IRI: the engine reports it
    "PREFIX e: <http://[x> SELECT * WHERE { e:a ?p ?o }",
    "DESCRIBE <http://a:b:c:[>",
    "",
])
def test_planner_leaves_everything_else_to_a_worker(query: str) -> None:
    assert plan(query) is None


def test_describe_is_planned_by_its_resources() -> None:
    assert plan(f"PREFIX c: <https://w3id.org/natokg/id/country/> DESCRIBE <{FRA}> c:DEU") == Plan(
        "DESCRIBE", described=(ox.NamedNode(FRA), ox.NamedNode("https://w3id.org/natokg/id/country/DEU")))


# --- the bound --------------------------------------------------------------------------------

def _store(triples: list[tuple[str, str, ox.NamedNode | ox.BlankNode | ox.Literal]]) -> ox.Store:
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(s) if not s.startswith("_:") else ox.BlankNode(s[2:]), ox.NamedNode(p), o)
                 for s, p, o in triples)
    return store


def test_a_join_is_bounded_by_the_product_of_its_patterns() -> None:
    store = _store([(f"http://x/a{i}", "http://x/p", ox.Literal(str(i))) for i in range(40)]
                   + [(f"http://x/b{i}", "http://x/q", ox.Literal(str(i))) for i in range(30)])
    join = plan("SELECT * { ?a <http://x/p> ?b . ?c <http://x/q> ?d }")
    assert join is not None
    assert not within_budget(store, join, 1199)
    assert within_budget(store, join, 1200)
    # A pattern that matches nothing still lets the other be scanned once per... nothing: it counts as one.
    empty = plan("SELECT * { ?a <http://x/p> ?b . ?c <http://x/none> ?d }")
    assert empty is not None
    assert not within_budget(store, empty, 39)
    assert within_budget(store, empty, 40)


def test_a_description_is_bounded_by_its_blank_node_closure() -> None:
    store = _store([("http://x/a", "http://x/p", ox.BlankNode("b")), ("_:b", "http://x/q", ox.BlankNode("c")),
                    ("_:c", "http://x/r", ox.Literal("x")), ("http://x/z", "http://x/p", ox.NamedNode("http://x/a"))])
    describe = plan("DESCRIBE <http://x/a>")
    assert describe is not None
    assert len(list(store.query("DESCRIBE <http://x/a>"))) == 3  # type: ignore[arg-type]
    assert not within_budget(store, describe, 2)
    assert within_budget(store, describe, 3)


def test_the_shipped_lookups_are_inside_the_budget_and_scans_are_not(client: TestClient) -> None:
    store = client.app.state.service.runtime.store._store  # type: ignore[attr-defined]
    budget = client.app.state.service.runtime.settings.inline_budget  # type: ignore[attr-defined]
    for query in (f"SELECT ?p ?o WHERE {{ <{FRA}> ?p ?o }}", f"DESCRIBE <{FRA}>", f"{NKG}SELECT ?c {{ ?c a nkg:Country }}"):
        planned = plan(query)
        assert planned is not None and within_budget(store, planned, budget), query
    for query in ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"):
        planned = plan(query)
        assert planned is not None and not within_budget(store, planned, budget), query


# --- the same answers either way ------------------------------------------------------------

QUERIES = [
    f"SELECT ?p ?o WHERE {{ <{FRA}> ?p ?o }}",
    f"{RDFS}SELECT ?s ?l WHERE {{ ?s rdfs:label \"France\"@en ; rdfs:label ?l }}",
    f"{RDFS}SELECT DISTINCT ?t WHERE {{ ?s rdfs:label \"France\"@EN ; a ?t }} LIMIT 1",
    f"{NKG}SELECT * {{ ?c a nkg:Country ; nkg:isoCode \"FRA\" }}",
    f"ASK {{ <{FRA}> ?p ?o }}",
    "ASK { <https://w3id.org/natokg/id/country/none> ?p ?o }",
    "SELECT * {}",
]
GRAPH_QUERIES = [f"DESCRIBE <{FRA}>", "DESCRIBE <https://w3id.org/natokg/id/organisation/nato>"]


def _solutions(body: bytes, media_type: str) -> object:
    fmt = {"application/sparql-results+json": ox.QueryResultsFormat.JSON, "application/sparql-results+xml": ox.QueryResultsFormat.XML,
           "text/tab-separated-values": ox.QueryResultsFormat.TSV}[media_type]
    result = ox.parse_query_results(body, format=fmt)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return names, sorted(sorted((n, str(s[i])) for i, n in enumerate(names) if s[i] is not None) for s in result)


@pytest.mark.parametrize("query", QUERIES)
@pytest.mark.parametrize("media_type", ["application/sparql-results+json", "application/sparql-results+xml",
                                        "text/tab-separated-values", "text/csv"])
def test_inline_answers_equal_worker_answers(client: TestClient, workers_only: TestClient, query: str, media_type: str) -> None:
    answers = [c.get("/sparql", params={"query": query}, headers={"Accept": media_type}) for c in (client, workers_only)]
    answers.append(client.post("/sparql", data={"query": query}, headers={"Accept": media_type}))  # through the router
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == answers[1].headers["content-type"]
        assert answer.headers["vary"] == answers[1].headers["vary"] and "Accept" in answer.headers["vary"]
        assert "x-natokg-truncated" not in answer.headers
    if media_type == "text/csv":  # CSV loses term types; compare the sorted lines
        assert [sorted(a.text.splitlines()[1:]) for a in answers] == [sorted(answers[1].text.splitlines()[1:])] * 3
        assert {a.text.splitlines()[0] for a in answers} == {answers[1].text.splitlines()[0]}
    else:
        assert [_solutions(a.content, media_type) for a in answers] == [_solutions(answers[1].content, media_type)] * 3


@pytest.mark.parametrize("query", GRAPH_QUERIES)
@pytest.mark.parametrize("media_type", ["text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"])
def test_inline_descriptions_equal_worker_descriptions(client: TestClient, workers_only: TestClient, query: str, media_type: str) -> None:
    fmt = ox.RdfFormat.from_media_type(media_type)
    assert fmt is not None
    graphs = []
    for answer in [c.get("/sparql", params={"query": query}, headers={"Accept": media_type}) for c in (client, workers_only)]:
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"].startswith(media_type)
        dataset = ox.Dataset(ox.parse(answer.content, format=fmt))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
        graphs.append(set(dataset))
    assert graphs[0] == graphs[1] and graphs[0]


def test_the_lane_leaves_errors_and_pages_to_the_application(client: TestClient) -> None:
    # Planned, but the engine refuses it (LIMIT takes an integer): the same problem body as ever.
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ <{FRA}> ?p ?o }} LIMIT 1.5"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ <{FRA}> ?p ?o }}", "format": "nope"})
    assert response.status_code == 400 and "format" in response.json()["detail"]
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ <{FRA}> ?p ?o }}"}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    response = client.get("/sparql", params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400
    for query in ("SELECT * WHERE { <http://[x> ?p ?o }", "DESCRIBE <http://a:b:c:[>"):
        response = client.get("/sparql", params={"query": query})
        assert response.status_code == 400 and response.json()["type"].endswith("malformed-query"), response.text
    response = client.get("/sparql", params={"query": f"SELECT * WHERE {{ <{FRA}> ?p ?o }}"}, headers={"Accept": "text/html"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    response = client.get("/sparql", params={"query": "ASK {}", "format": "xml"})
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/sparql-results+xml")


def test_lookups_are_answered_while_every_worker_is_busy() -> None:
    """The one observable difference: a bounded query needs no worker, so a busy pool cannot hold it up."""
    settings = Settings(workers=1, query_timeout=4.0, validate_on_start=False)
    with TestClient(create_app(settings)) as client:
        slow = threading.Thread(target=lambda: client.get("/sparql", params={"query": CARTESIAN}))
        slow.start()
        time.sleep(0.5)
        started = time.monotonic()
        for query in (f"SELECT ?p ?o WHERE {{ <{FRA}> ?p ?o }}", f"DESCRIBE <{FRA}>"):
            assert client.get("/sparql", params={"query": query}).status_code == 200
            assert client.post("/sparql", data={"query": query}).status_code == 200
        assert time.monotonic() - started < 1.0
        assert slow.is_alive()  # the one worker is still busy with the cartesian product
        slow.join(timeout=30)


def test_a_fault_in_the_lane_is_logged_and_the_application_answers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    store = client.app.state.service.runtime.store  # type: ignore[attr-defined]
    expected = client.get("/sparql", params={"query": f"SELECT ?p ?o WHERE {{ <{FRA}> ?p ?o }}"})

    def broken(query: str, fmt: object) -> None:
        raise RuntimeError("a fault of the lane's own")

    monkeypatch.setattr(store, "answer_inline", broken)
    with caplog.at_level("ERROR", logger="natokg"):
        response = client.get("/sparql", params={"query": f"SELECT ?p ?o WHERE {{ <{FRA}> ?p ?o }}"})
    assert response.status_code == 200 and response.content == expected.content  # the full route's answer
    assert any("fast lane failed" in record.getMessage() and record.exc_info for record in caplog.records)
