"""Named queries as operations (/api/queries): the list, parameters, formats, and each query's answer on the shipped data."""

from __future__ import annotations

import csv
import io
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.settings import PROJECT_ROOT
from app.sparql.querylib import QueryLibrary

ID = "https://w3id.org/natokg/id/"


def rows(client: TestClient, name: str, query: str = "") -> list[dict[str, str]]:
    response = client.get(f"/api/queries/{name}?{query}")
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def test_list_describes_parameters_from_the_headers(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/api/queries").json()}
    on_date = listed["members-on-date"]
    assert on_date["title"] == "NATO members on a date"
    params = {p["name"]: p for p in on_date["parameters"]}
    assert params["date"]["type"] == "date" and params["date"]["required"] is True
    assert params["lang"]["default"] == "en"
    assert on_date["columns"] == ["country", "iso", "label", "joined", "certain"]
    assert on_date["url"].endswith("/api/queries/members-on-date")


def test_members_on_date(client: TestClient) -> None:
    before = {r["iso"] for r in rows(client, "members-on-date", "date=1998-01-01")}
    after = {r["iso"]: r for r in rows(client, "members-on-date", "date=2000-01-01&lang=fr")}
    assert "POL" not in before and {"FRA", "DEU", "ESP", "TUR"} <= before
    assert {"POL", "CZE", "HUN"} <= set(after) and after["POL"]["joined"] == "1999-03-12"
    assert after["FRA"]["label"] == "France" and after["DEU"]["label"] == "Allemagne"


def test_class_counts(client: TestClient) -> None:
    counts = {r["class"]: int(r["instances"]) for r in rows(client, "class-counts")}
    assert counts["https://w3id.org/natokg/ontology#PartnershipFramework"] >= 8
    assert counts["http://www.w3.org/ns/org#Membership"] >= 100


def test_describe_is_a_graph(client: TestClient) -> None:
    response = client.get(f"/api/queries/describe?resource={ID}country/POL", headers={"Accept": "application/n-triples"})
    assert response.headers["content-type"].startswith("application/n-triples")
    assert f"<{ID}membership/nato-POL> <http://www.w3.org/ns/org#member> <{ID}country/POL>" in response.text


def test_seed_facts(client: TestClient) -> None:
    facts = rows(client, "seed-facts", "lang=fr")
    assert facts and all("quote" in f for f in facts)
    assert any(f["fact"] == f"{ID}summit/chicago-2012" for f in facts)


def test_search_labels(client: TestClient) -> None:
    labels = rows(client, "search-labels")
    assert {"item": f"{ID}framework/pfp", "property": "http://www.w3.org/2004/02/skos/core#altLabel", "label": "PfP"} in labels


def test_api_provenance(client: TestClient) -> None:
    pol = [r for r in rows(client, "api-provenance") if r["fact"] == f"{ID}membership/nato-POL"]
    assert pol and all(r["url"].startswith("http") for r in pol) and any("Poland" in r.get("quote", "") for r in pol)


def test_api_memberships(client: TestClient) -> None:
    pol = {r["organization"].rsplit("/", 1)[1]: r for r in rows(client, "api-memberships", f"member={ID}country/POL")}
    assert pol["nato"]["start"] == "1999-03-12" and "end" not in pol["nato"]
    assert pol["pfp"]["start"] == "1994-02-02" and pol["pfp"]["end"] == "1999-03-12"


@pytest.mark.parametrize(("name", "item", "field", "value"), [
    ("api-countries", "country/FRA", "iso", "FRA"),
    ("api-organisations", "organisation/nato", None, None),
    ("api-frameworks", "framework/pfp", "start", "1994-01-10"),
    ("api-frameworks", "framework/nacc", "replacedBy", f"{ID}framework/eapc"),
    ("api-summits", "summit/chicago-2012", "hostCity", f"{ID}city/chicago"),
    ("api-summits", "summit/istanbul-2004", "launched", f"{ID}framework/ici"),
    ("api-operations", "operation/isaf", "region", f"{ID}region/afghanistan"),
    ("api-challenges", "challenge/terrorism", None, None),
    ("api-sources", "source/nato-pfp-framework-document", "url", "https://www.nato.int/docu/basictxt/b940110b.htm"),
])
def test_api_lookup_queries(client: TestClient, name: str, item: str, field: str | None, value: str | None) -> None:
    answer = rows(client, name, f"item={ID}{item}")
    assert answer and all(r["item"] == f"{ID}{item}" for r in answer)
    if field:  # the fact, whatever other columns the query has (api-frameworks' `certain`, for a date)
        assert {"item": f"{ID}{item}", "field": field, "value": value} in [{k: r.get(k) for k in ("item", "field", "value")}
                                                                            for r in answer]


@pytest.mark.parametrize(("name", "expect"), [
    ("api-strategic-concepts", "coreTask"), ("api-core-tasks", "definedBy"),
    ("api-contributions", "operation"), ("api-persons", None),
])
def test_api_lookup_queries_unbound(client: TestClient, name: str, expect: str | None) -> None:
    answer = rows(client, name)
    assert answer and all(r["item"].startswith(ID) for r in answer)
    if expect:
        assert expect in {r.get("field") for r in answer}


@pytest.mark.parametrize(("accept", "fmt", "media"), [
    ("text/csv", None, "text/csv"), (None, "tsv", "text/tab-separated-values"),
    ("application/json", None, "application/sparql-results+json"),
])
def test_formats(client: TestClient, accept: str | None, fmt: str | None, media: str) -> None:
    query = "date=2000-01-01" + (f"&format={fmt}" if fmt else "")
    response = client.get(f"/api/queries/members-on-date?{query}", headers={"Accept": accept} if accept else {})
    assert response.headers["content-type"].startswith(media)
    if media == "text/csv":
        table = list(csv.DictReader(io.StringIO(response.text)))
        assert "POL" in {r["iso"] for r in table}
    if media.endswith("tab-separated-values"):
        assert response.text.splitlines()[0] == "?country\t?iso\t?label\t?joined\t?certain"


@pytest.mark.parametrize(("url", "status", "parameter"), [
    ("/api/queries/nope", 404, None),
    ("/api/queries/members-on-date", 400, "date"),
    ("/api/queries/members-on-date?date=1999-13-01", 400, "date"),
    ("/api/queries/members-on-date?date=1999-01-01&colour=red", 400, "colour"),
    ("/api/queries/describe?resource=http://example.org/x", 400, "resource"),
    ("/api/queries/members-on-date?date=1999-01-01&format=png", 400, "format"),
])
def test_errors(client: TestClient, url: str, status: int, parameter: str | None) -> None:
    response = client.get(url)
    problem: dict[str, Any] = response.json()
    assert response.status_code == status and problem["status"] == status
    assert response.headers["content-type"].startswith("application/problem+json")
    if parameter:
        assert parameter in problem["parameters"]


def test_unacceptable_is_406(client: TestClient) -> None:
    assert client.get("/api/queries/class-counts", headers={"Accept": "image/png"}).status_code == 406


def test_triple_count_and_default_graph_agree(client: TestClient) -> None:
    """The named query answers the default graph, cut at the row cap like any query, and says so when it is."""
    [row] = rows(client, "triple-count")
    triples = int(row["triples"])
    cap = client.app.state.service.runtime.settings.max_rows  # type: ignore[attr-defined]
    response = client.get("/api/queries/default-graph", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert len(response.text.strip().splitlines()) == min(triples, cap) > 5000
    assert ("x-natokg-truncated" in response.headers) == (triples > cap)
    assert client.get("/health").json()["triples"] == triples


def test_named_graphs_are_none_in_the_shipped_data(client: TestClient) -> None:
    assert rows(client, "named-graphs") == []
    response = client.get(f"/api/queries/named-graph?graph={ID}graph/none", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.text.strip() == ""


def test_named_graphs_counts_each_named_graph_and_not_the_default_one() -> None:
    """On a store that has named graphs (the shipped data has none): an empty one is left out, as with a bare
    `GRAPH ?graph { ?s ?p ?o }`."""
    text = QueryLibrary.load(PROJECT_ROOT / "queries")["named-graphs"].text
    store = ox.Store()
    a, p, g1, g2 = (ox.NamedNode(f"http://example.org/{n}") for n in ("a", "p", "g1", "g2"))
    store.extend([ox.Quad(a, p, ox.Literal("x"), g1), ox.Quad(a, p, ox.Literal("y"), g1), ox.Quad(a, p, ox.Literal("x"), g2),
                  ox.Quad(a, p, ox.Literal("x"), ox.DefaultGraph())])
    store.add_graph(ox.NamedNode("http://example.org/empty"))
    assert [(r["graph"].value, int(r["triples"].value)) for r in store.query(text)] == [(g1.value, 2), (g2.value, 1)]


def test_coverage(client: TestClient) -> None:
    [row] = rows(client, "coverage")
    counts = {k: int(v) for k, v in row.items()}
    assert counts["sourced"] == counts["facts"] > 200
    assert counts["french"] == counts["entities"] > 250
    assert 1 <= counts["wikidata"] < counts["entities"]
