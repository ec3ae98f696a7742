"""`partners-on-date` answered from the list index on any day (`ListIndex.partners_on_date`), without the store
reading every partner role: the query's rows, value for value and row for row (its OPTIONALs' multiplicities
included), on every day the shipped data changes and on a graph given what the shipped data lacks; the index
declines where its SQL would not follow the query (another text, a graph of another shape), and the store answers
then; `/api/queries/partners-on-date` sends what the store would have sent."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.formats import BY_NAME
from app.core.settings import Settings
from app.kg.runtime import Runtime, build_runtime
from app.sparql.results import plain_term
from app.sparql.rewrite import bound
from app.store import lists
from app.store.answers import FOLDER
from app.store.base import QueryRequest, select
from app.store.embedded import EmbeddedStore
from app.store.lists import ListIndex
from app.web.app import create_app
from tests.disk_stores import derived, disk_settings
from tests.store.days import changing_days

ID = "https://w3id.org/natokg/id/"
NKG = "https://w3id.org/natokg/ontology#"
ORG = "http://www.w3.org/ns/org#"
TIME = "http://www.w3.org/2006/time#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDFS_LABEL = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
PARTNER_ROLES = lists.partner_roles(ID)
SUSPENDED = """PREFIX nkg: <https://w3id.org/natokg/ontology#> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX time: <http://www.w3.org/2006/time#>
SELECT ?membership ?country ?beginning WHERE {
  ?suspension nkg:suspends ?membership . ?membership org:member ?country ; org:memberDuring/time:hasBeginning ?beginning
} ORDER BY ?membership LIMIT 1"""
Row = tuple[str, ...]


@pytest.fixture(scope="module")
def runtime() -> Iterator[Runtime]:
    built = build_runtime(Settings(workers=1, store="memory"))
    yield built
    built.close()


def _raw(runtime: Runtime) -> ox.Store:
    assert isinstance(runtime.store, EmbeddedStore)
    return runtime.store._store


def _copy(runtime: Runtime, *added: ox.Quad, removed: Callable[[ox.Quad], bool] = lambda quad: False) -> ox.Store:
    """The shipped store's quads in a new store, less `removed`, with `added`."""
    store = ox.Store()
    store.extend([quad for quad in _raw(runtime) if not removed(quad)])
    store.extend(added)
    return store


def _index_queries(runtime: Runtime, text: str | None = None) -> dict[str, str]:
    """The index's queries as the runtime gives them to the build, `partners-on-date`'s text replaced by `text`."""
    return {**{name: runtime.queries[name].text for name in lists.QUERIES},
            lists.PARTNERS_ON_DATE: text if text is not None else runtime.queries[lists.PARTNERS_ON_DATE].text}


def _key(terms: list[Any]) -> Row:
    return tuple("" if term is None else str(term) for term in terms)


def _queried(runtime: Runtime, store: ox.Store, day: str, lang: str, framework: str | None) -> list[Row]:
    """The query's rows on `store`, as the named query binds its parameters."""
    query = runtime.queries[lists.PARTNERS_ON_DATE]
    params = {"date": day, "lang": lang, **({"framework": framework} if framework else {})}
    result = store.query(bound(query.text, query.bind(params, iri_base=ID)))
    assert isinstance(result, ox.QuerySolutions)
    assert [v.value for v in result.variables] == list(lists.PARTNERS_ON_DATE_COLUMNS)
    return [_key([row[i] for i in range(len(lists.PARTNERS_ON_DATE_COLUMNS))]) for row in result]


def _indexed(index: ListIndex, day: str, lang: str, framework: str | None) -> list[Row]:
    rows = index.partners_on_date(day, organization=framework, lang=lang, limit=100_000)
    assert rows is not None, "the index answers partners-on-date"
    return [_key([None if value is None else plain_term(kind, value) for kind, value in zip(lists.PARTNERS_ON_DATE_KINDS, row,
                                                                                         strict=True)]) for row in rows]


def _same(expected: list[Row], found: list[Row], context: object) -> None:
    """The same rows, each as many times, in an order the query's ORDER BY (framework, ISO code) allows."""
    assert sorted(found) == sorted(expected), context
    order = (lists.PARTNERS_ON_DATE_COLUMNS.index("framework"), lists.PARTNERS_ON_DATE_COLUMNS.index("iso"))
    assert [tuple(row[i] for i in order) for row in found] == [tuple(row[i] for i in order) for row in expected], context


def test_the_rows_of_the_query_on_every_day_the_shipped_data_changes(runtime: Runtime) -> None:
    index = runtime.lists
    assert index is not None and index.has(lists.PARTNERS_ON_DATE)
    store = _raw(runtime)
    days = changing_days(store)
    assert len(days) > 100
    seen: list[Row] = []
    for n, day in enumerate(days):
        cases = [("en", None)] + ([("fr", None), ("en", f"{ID}framework/pfp"), ("fr", f"{ID}framework/md"),
                                   ("en", f"{ID}framework/nothing")] if n % 4 == 0 else [])
        for lang, framework in cases:
            expected = _queried(runtime, store, day, lang, framework)
            _same(expected, _indexed(index, day, lang, framework), (day, lang, framework))
            seen += expected
    column = {name: i for i, name in enumerate(lists.PARTNERS_ON_DATE_COLUMNS)}
    # what the rule and the OPTIONALs decide, each met
    assert len(seen) > 5000
    for name in ("start", "end", "suspended", "label"):
        assert sum(1 for row in seen if row[column[name]]) > 50, name
    assert {row[column["suspended"]] for row in seen} >= {'"certain"', '"possible"'}
    assert sum(1 for row in seen if row[column["certain"]].startswith('"false"')) > 50
    assert {row[column["start"]].rsplit("#", 1)[-1] for row in seen if row[column["start"]]} >= {"date>", "gYear>", "gYearMonth>"}
    assert any("@fr" in row[column["label"]] for row in seen)


def test_the_querys_multiplicities_on_a_graph_that_has_them(runtime: Runtime) -> None:
    """What the shipped data lacks, added: an interval with two starts and an end without a date, a second interval,
    a partner role without any, two suspensions held at once, a country with two labels in English and one in
    English of Britain. Each is a row per value, as the query gives them."""
    [found] = select(runtime.store, SUSPENDED)
    membership, country = found["membership"], found["country"]
    others = [row["m"] for row in select(runtime.store, f"""PREFIX org: <{ORG}> SELECT ?m WHERE {{
        ?m org:role <{PARTNER_ROLES[0]}> ; org:member ?c . FILTER (?m != <{membership.value}>) }} ORDER BY ?m LIMIT 1""")]
    interval, beginning, end, suspension = ox.BlankNode(), ox.BlankNode(), ox.BlankNode(), ox.BlankNode()
    added = [
        ox.Quad(membership, ox.NamedNode(ORG + "memberDuring"), interval),
        ox.Quad(interval, ox.NamedNode(TIME + "hasBeginning"), beginning),
        ox.Quad(beginning, ox.NamedNode(TIME + "inXSDgYear"), ox.Literal("1990", datatype=ox.NamedNode(XSD + "gYear"))),
        ox.Quad(beginning, ox.NamedNode(TIME + "inXSDDate"), ox.Literal("1990-05-01", datatype=ox.NamedNode(XSD + "date"))),
        ox.Quad(interval, ox.NamedNode(TIME + "hasEnd"), end),
        ox.Quad(found["beginning"], ox.NamedNode(TIME + "inXSDgYear"), ox.Literal("1991", datatype=ox.NamedNode(XSD + "gYear"))),
        ox.Quad(suspension, ox.NamedNode(NKG + "suspends"), membership),
        ox.Quad(suspension, ox.NamedNode(NKG + "latestStart"), ox.Literal("1950-01-01", datatype=ox.NamedNode(XSD + "date"))),
        ox.Quad(country, RDFS_LABEL, ox.Literal("Testland", language="en")),
        ox.Quad(country, RDFS_LABEL, ox.Literal("Testland of Britain", language="en-gb")),
    ]
    store = _copy(runtime, *added, removed=lambda quad: quad.subject in others and quad.predicate.value == ORG + "memberDuring")
    index = ListIndex.in_memory(store, _index_queries(runtime), id_base=ID)
    multiplied = 0
    for day in changing_days(store)[::3]:
        for lang in ("en", "en-GB", "de"):
            expected = _queried(runtime, store, day, lang, None)
            _same(expected, _indexed(index, day, lang, None), (day, lang))
            multiplied += sum(1 for row in expected if row[0] == str(membership))
    assert multiplied > 100  # the membership's rows, each as many times as its values make


@pytest.mark.parametrize("change", ["another text", "two ISO codes", "a code on an organisation", "a bound twice",
                                    "a start that is an IRI"])
def test_the_index_declines_where_its_sql_would_not_follow_the_query(runtime: Runtime, change: str) -> None:
    """A text of the query other than the one the SQL is written for, or a graph whose shape it takes as given:
    the index is built without the part, says so (None), and the store answers the query."""
    [found] = select(runtime.store, SUSPENDED)
    membership, country = found["membership"], found["country"]
    text = runtime.queries[lists.PARTNERS_ON_DATE].text
    added = {
        "another text": [],
        "two ISO codes": [ox.Quad(country, ox.NamedNode(NKG + "isoCode"), ox.Literal("XXX"))],
        "a code on an organisation": [ox.Quad(ox.NamedNode(ID + "organisation/nato"), ox.NamedNode(NKG + "isoCode"), ox.Literal("NAT"))],
        "a bound twice": [ox.Quad(membership, ox.NamedNode(NKG + "earliestStart"),
                                  ox.Literal("1901-01-01", datatype=ox.NamedNode(XSD + "date")))],
        "a start that is an IRI": [ox.Quad(found["beginning"], ox.NamedNode(TIME + "inXSDDate"), ox.NamedNode(ID + "day/one"))],
    }[change]
    if change == "another text":
        text = text.replace("ORDER BY ?framework ?iso", "ORDER BY ?framework ?label")
    index = ListIndex.in_memory(_copy(runtime, *added), _index_queries(runtime, text), id_base=ID)
    assert not index.has(lists.PARTNERS_ON_DATE)
    assert index.partners_on_date("2000-01-01", organization=None, lang="en", limit=10) is None
    page = index.memberships(partners=True, organization=None, role=None, roles=PARTNER_ROLES, date="2000-01-01",
                             limit=5, offset=0)
    assert page.total > 5  # the rest of the index is built as before


def test_the_digest_is_that_of_the_shipped_query(runtime: Runtime) -> None:
    """`ListIndex.partners_on_date` is written for queries/partners-on-date.rq as it is: a change to the file makes
    this fail, until the SQL is checked against it and lists.PARTNERS_ON_DATE_DIGEST updated (until then the store
    answers the query, as `test_the_index_declines...` shows)."""
    assert lists.answers_partners_on_date(runtime.queries[lists.PARTNERS_ON_DATE].text, ID)
    moved = "https://example.org/kg/"
    assert lists.answers_partners_on_date(runtime.queries[lists.PARTNERS_ON_DATE].text.replace(f"<{ID}", f"<{moved}"), moved)


def _results(body: bytes, fmt: str) -> tuple[list[str], list[Row]]:
    if fmt == "csv":  # lossy: no parser reads it back into terms
        header, *lines = body.decode("utf-8").splitlines()
        return header.split(","), sorted((line,) for line in lines)
    parsed = ox.parse_query_results(body, format=BY_NAME[fmt].oxigraph)
    assert isinstance(parsed, ox.QuerySolutions)
    variables = [v.value for v in parsed.variables]
    return variables, sorted(_key([row[i] for i in range(len(variables))]) for row in parsed)


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_the_route_sends_what_the_store_would_send(runtime: Runtime, fmt: str, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    original = ListIndex.partners_on_date

    def counted(self: ListIndex, *args: Any, **kwargs: Any) -> Any:
        calls.append(args[0])
        return original(self, *args, **kwargs)

    monkeypatch.setattr(ListIndex, "partners_on_date", counted)
    query = runtime.queries[lists.PARTNERS_ON_DATE]
    with TestClient(create_app(runtime=runtime)) as client:
        for params in ({"date": "2022-03-01"}, {"date": "1996-06-30", "lang": "fr", "framework": f"{ID}framework/pfp"}):
            response = client.get("/api/queries/partners-on-date", params={**params, "format": fmt})
            assert response.status_code == 200 and response.headers["content-type"].startswith(BY_NAME[fmt].content_type)
            stored = runtime.store.execute(QueryRequest(query.text, BY_NAME[fmt], query.bind(params, iri_base=ID)))
            sent = _results(response.content, fmt)
            assert sent == _results(stored.body, fmt) and len(sent[1]) > 10, params
            assert "x-natokg-truncated" not in response.headers
    assert calls == ["2022-03-01", "1996-06-30"]


def test_a_cut_answer_is_cut_as_the_store_cuts_it() -> None:
    """At the row cap the answer holds the first rows in the query's order and says it was cut, as the store's does."""
    runtime = build_runtime(Settings(workers=1, store="memory", max_rows=7))
    try:
        query = runtime.queries[lists.PARTNERS_ON_DATE]
        bindings = query.bind({"date": "2022-03-01"}, iri_base=ID)
        answer = runtime.indexed_answer(query, bindings, BY_NAME["json"])
        stored = runtime.store.execute(QueryRequest(query.text, BY_NAME["json"], bindings))
        assert answer is not None and answer.truncated and stored.truncated and answer.count == 7
        sent, kept = json.loads(answer.body), json.loads(stored.body)
        assert [row["framework"] for row in sent["results"]["bindings"]] == [row["framework"] for row in kept["results"]["bindings"]]
        assert sent["head"] == kept["head"]
        with TestClient(create_app(runtime=runtime)) as client:
            response = client.get("/api/queries/partners-on-date", params={"date": "2022-03-01"})
            assert response.headers["x-natokg-truncated"] == "true" and len(response.json()["results"]["bindings"]) == 7
    finally:
        runtime.close()


def test_other_queries_and_several_values_go_to_the_store(runtime: Runtime) -> None:
    query = runtime.queries[lists.PARTNERS_ON_DATE]
    several = {"date": (ox.Literal("2000-01-01", datatype=ox.NamedNode(XSD + "date")),
                        ox.Literal("2010-01-01", datatype=ox.NamedNode(XSD + "date")))}
    assert runtime.indexed_answer(query, several, BY_NAME["json"]) is None
    one = {"date": several["date"][:1]}
    assert runtime.indexed_answer(query, one, BY_NAME["json"]) is not None
    members = runtime.queries["members-on-date"]
    assert runtime.indexed_answer(members, members.bind({"date": "2000-01-01"}, iri_base=ID), BY_NAME["json"]) is None


def test_a_day_answered_from_the_index_is_kept_beside_an_on_disk_store(tmp_path: Path) -> None:
    """A slow day (at 5M triples 0.3-0.4 s) is kept as the store keeps its own slow answers, and read back after;
    a fast one is not (the shipped data's days take milliseconds)."""
    cache = tmp_path / "cache"
    with TestClient(create_app(disk_settings(cache))) as client:  # kept past 0.25 s of processor time: none here
        assert client.get("/api/queries/partners-on-date", params={"date": "2022-03-01"}).status_code == 200
    assert not list((derived(cache) / FOLDER).glob("*.answer"))
    with TestClient(create_app(disk_settings(cache, answer_cache_after=0.0))) as client:
        first = client.get("/api/queries/partners-on-date", params={"date": "2022-03-01"})
        [kept] = list((derived(cache) / FOLDER).glob("*.answer"))
        head, _, body = kept.read_bytes().partition(b"\n")
        assert body == first.content and json.loads(head)["count"] == len(first.json()["results"]["bindings"]) > 10
        marker = b'{"head":{"vars":["kept"]},"results":{"bindings":[]}}'  # changed under it: what it sends
        kept.write_bytes(json.dumps({"kind": "solutions", "truncated": False, "count": 0, "bytes": len(marker)}).encode()
                         + b"\n" + marker)
        assert client.get("/api/queries/partners-on-date", params={"date": "2022-03-01"}).content == marker
        other = client.get("/api/queries/partners-on-date", params={"date": "2022-03-02"})
        assert other.status_code == 200 and other.content != marker
    assert len(list((derived(cache) / FOLDER).glob("*.answer"))) == 2
