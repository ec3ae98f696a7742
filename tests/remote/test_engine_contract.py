"""The remote-store contract on each engine: Oxigraph server and Virtuoso answer as the embedded store does.

Each engine holds natokg's export (Virtuoso in one graph, named by `NATOKG_SPARQL_DEFAULT_GRAPH`);
every named query, every REST route, the dumps, the graph store and `/id` pages (Turtle and HTML) are
compared with the embedded store's answers. Virtuoso is Debian's package, started on 127.0.0.1 by the
test (tests/virtuoso_server.py, about 4 s); without it the Virtuoso cases skip, naming the package.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.formats import BY_NAME
from app.core.settings import PROJECT_ROOT, Settings
from app.rest.kinds import KINDS
from app.store.base import WHOLE, Answer, QueryRequest, select
from app.web.app import create_app
from tests.store.test_remote import QUERY_CASES, _term, parsed, runtime_of, sample_parameters
from tests.virtuoso_server import GRAPH, VirtuosoServer, missing

pytestmark = pytest.mark.remote
ENGINES = ["oxigraph", "virtuoso"]


@pytest.fixture(scope="session")
def virtuoso_endpoint(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    why = missing()
    if why:
        pytest.skip(why)
    rows = select(runtime_of(client).store, "SELECT * WHERE { ?s ?p ?o }")
    ntriples = ox.serialize([ox.Triple(r["s"], r["p"], r["o"]) for r in rows], format=ox.RdfFormat.N_TRIPLES)
    assert ntriples is not None
    with VirtuosoServer(ntriples, tmp_path_factory.mktemp("virtuoso")) as server:
        yield server.query_url


@pytest.fixture(scope="session")
def virtuoso_client(settings: Settings, virtuoso_endpoint: str) -> Iterator[TestClient]:
    remote = Settings(**{**settings.model_dump(), "sparql_endpoint": virtuoso_endpoint, "sparql_default_graph": GRAPH})
    with TestClient(create_app(remote)) as test_client:
        yield test_client


ENGINE_OF: dict[str, str] = {}  # each engine's endpoint, as its fixture started it, and its name


def engine_name(engine: TestClient) -> str:
    return ENGINE_OF[runtime_of(engine).settings.sparql_endpoint or ""]


@pytest.fixture(params=ENGINES)
def engine(request: pytest.FixtureRequest) -> TestClient:
    """The app in remote mode in front of each engine in turn."""
    fixture = "remote_client" if request.param == "oxigraph" else "virtuoso_client"
    engine_client: TestClient = request.getfixturevalue(fixture)
    ENGINE_OF[runtime_of(engine_client).settings.sparql_endpoint or ""] = request.param
    return engine_client


# --- every named query ----------------------------------------------------------------------------------------------

# Derivations run once, at load, in the embedded store; a remote store holds what they derived (the export it
# was loaded with). Virtuoso 7.2 cannot evaluate this one as SPARQL says: an unbound variable in IF and
# COALESCE gives an empty string instead of an error, and its xsd:date casts add a time zone.
ENGINE_DEVIATIONS = {
    ("virtuoso", "derive-time-bounds", False): "Virtuoso 7.2 evaluates unbound variables in IF/COALESCE as empty strings "
                                               "and casts dates with a time zone",
    ("virtuoso", "derive-time-bounds", True): "as above",
    # Both of its parameters bound at once (which the REST API never does) make Virtuoso 7.2's SPARQL compiler fail
    # ("Internal error: ssg_print_rvr_fixed_val(): no SPART_VARR_FIXED"); each alone is answered alike.
    ("virtuoso", "api-suspensions", True): "Virtuoso 7.2's compiler fails on two fixed VALUES variables before an OPTIONAL",
}


@pytest.mark.parametrize(("name", "every"), QUERY_CASES)
def test_named_query(client: TestClient, engine: TestClient, name: str, every: bool) -> None:
    deviation = ENGINE_DEVIATIONS.get((engine_name(engine), name, every))
    if deviation:
        pytest.xfail(deviation)
    runtime = runtime_of(client)
    query = runtime.queries[name]
    bindings = query.bind(sample_parameters(query, every=every, id_base=runtime.settings.id_base), iri_base=runtime.settings.id_base)
    request = QueryRequest(query.text, BY_NAME["nt" if query.form.returns_graph else "json"], bindings=bindings, max_rows=WHOLE)
    embedded, remote = runtime.store.execute(request), runtime_of(engine).store.execute(request)
    assert (remote.kind, remote.count) == (embedded.kind, embedded.count)
    assert parsed(remote) == parsed(embedded)


ORDERED_CASES = [case for case in QUERY_CASES
                 if "ORDER BY" in (PROJECT_ROOT / "queries" / f"{case.values[0]}.rq").read_text(encoding="utf-8")]


@pytest.mark.parametrize(("name", "every"), ORDERED_CASES)
def test_named_query_order(client: TestClient, engine: TestClient, name: str, every: bool) -> None:
    """A named query that orders its rows orders them totally, so that every engine lists them alike."""
    deviation = ENGINE_DEVIATIONS.get((engine_name(engine), name, every))
    if deviation:
        pytest.xfail(deviation)
    runtime = runtime_of(client)
    query = runtime.queries[name]
    bindings = query.bind(sample_parameters(query, every=every, id_base=runtime.settings.id_base), iri_base=runtime.settings.id_base)
    request = QueryRequest(query.text, BY_NAME["json"], bindings=bindings, max_rows=WHOLE)
    rows = [[tuple(_term(s[i]) for i in range(len(s))) for s in _solutions(store.execute(request))]
            for store in (runtime.store, runtime_of(engine).store)]
    assert rows[1] == rows[0]


def _solutions(answer: Answer) -> ox.QuerySolutions:
    solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def test_a_parameter_inside_an_optional_filter_is_seen(client: TestClient, engine: TestClient) -> None:
    """`OPTIONAL { ... FILTER (LANGMATCHES(LANG(?label), $lang)) }`: Virtuoso ignored the VALUES binding there."""
    answers = [c.get("/api/queries/members-on-date", params={"date": "2012-05-20", "lang": "fr"}).json()
               for c in (client, engine)]
    labels = [{row["country"]["value"]: row.get("label", {}).get("value") for row in a["results"]["bindings"]} for a in answers]
    assert labels[0] == labels[1]
    assert len(labels[1]) == 28 and all(labels[1].values())
    assert labels[1]["https://w3id.org/natokg/id/country/DEU"] == "Allemagne"


# --- every REST route -----------------------------------------------------------------------------------------------

def _detail_keys(kind_path: str, items: list[dict[str, Any]]) -> list[str]:
    keys = [item["member"]["key"] if kind_path in ("members", "partners") else item["key"] for item in items]
    unique = list(dict.fromkeys(keys))
    return unique[:3] + unique[-1:]


@pytest.mark.parametrize("kind", [k.path for k in KINDS])
def test_rest_routes(client: TestClient, engine: TestClient, kind: str) -> None:
    listing = [c.get(f"/api/{kind}", params={"limit": 500}) for c in (client, engine)]
    assert [r.status_code for r in listing] == [200, 200]
    assert listing[1].json() == listing[0].json()
    assert listing[1].headers["x-total-count"] == listing[0].headers["x-total-count"]
    for key in _detail_keys(kind, listing[0].json()["items"] if isinstance(listing[0].json(), dict) else listing[0].json()):
        for lang in ("en", "fr"):
            details = [c.get(f"/api/{kind}/{key}", params={"lang": lang}) for c in (client, engine)]
            assert details[1].status_code == details[0].status_code == 200, (key, details[1].text[:300])
            assert details[1].content == details[0].content, key  # byte for byte: every list in the same order


@pytest.mark.parametrize("path", ["/api/search?q=dialogue&lang=fr", "/api/search?q=PfP", "/api/queries",
                                  "/api/queries/seed-facts?lang=fr", "/api/queries/class-counts"])
def test_other_api_routes(client: TestClient, engine: TestClient, path: str) -> None:
    answers = [c.get(path) for c in (client, engine)]
    assert [a.status_code for a in answers] == [200, 200]
    assert answers[1].json() == answers[0].json()


# --- dumps, the graph store, /id pages ------------------------------------------------------------------------------

def _graph(body: bytes, fmt: ox.RdfFormat) -> list[str]:
    dataset = ox.Dataset(ox.parse(body, format=fmt))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return sorted(str(quad) for quad in dataset)


@pytest.mark.parametrize("path", ["/dumps/natokg.nt", "/rdf-graph-store?default"])
def test_whole_graphs_are_whole(client: TestClient, engine: TestClient, path: str) -> None:
    """Virtuoso stops an answer at 10,000 rows and says nothing: the store reads it in pages, never answers it partial."""
    answers = [c.get(path, headers={"Accept": "application/n-triples"}) for c in (client, engine)]
    assert [a.status_code for a in answers] == [200, 200]
    embedded, remote = (_graph(a.content, ox.RdfFormat.N_TRIPLES) for a in answers)
    assert len(remote) == len(embedded) == runtime_of(client).store.triple_count  # type: ignore[attr-defined]
    assert remote == embedded


def test_id_pages(client: TestClient, engine: TestClient) -> None:
    resources = ["country/FRA", "framework/pfp", "membership/nato-FRA", "summit/chicago-2012", "operation/isaf",
                 "organisation/nato", "person/rasmussen"]
    known = [r for r in resources if client.get(f"/id/{r}", headers={"Accept": "text/turtle"}).status_code == 200]
    assert len(known) >= 5
    for resource in known:
        turtle = [c.get(f"/id/{resource}", headers={"Accept": "application/n-triples"}) for c in (client, engine)]
        assert _graph(turtle[1].content, ox.RdfFormat.N_TRIPLES) == _graph(turtle[0].content, ox.RdfFormat.N_TRIPLES), resource
        html = [c.get(f"/id/{resource}", headers={"Accept": "text/html"}) for c in (client, engine)]
        assert html[1].status_code == 200 and html[1].text == html[0].text, resource


def test_counts_leave_the_engines_own_graphs_out(client: TestClient, engine: TestClient) -> None:
    void = [json.loads(c.get("/api/queries/void-statistics", params={"format": "json"}).text) for c in (client, engine)]
    assert void[1] == void[0]
