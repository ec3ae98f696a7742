"""The query page at /sparql for browsers: examples from queries/example-*.rq, shared links, no CDN."""

from __future__ import annotations

import re
from html import unescape

from fastapi.testclient import TestClient

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def test_browsers_get_the_page_with_the_examples(client: TestClient) -> None:
    page = client.get("/sparql", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    examples = re.findall(r'<option value="(example-[a-z-]+)" data-query="([^"]*)"', page.text)
    assert {name for name, _ in examples} >= {"example-chicago-partners", "example-pfp-timeline", "example-operation-partners"}
    # Every example runs and answers rows on the shipped data.
    for _, query in examples:
        answer = client.get("/sparql", params={"query": unescape(query)})
        assert answer.status_code == 200 and answer.json()["results"]["bindings"], query
    assert 'data-autorun="false"' in page.text


def test_a_shared_link_fills_and_runs_the_query_and_escapes_it(client: TestClient) -> None:
    query = 'SELECT ("</textarea><script>alert(1)</script>" AS ?x) WHERE {}'
    page = client.get("/sparql", params={"query": query}, headers=BROWSER)
    assert page.headers["content-type"].startswith("text/html")
    assert 'data-autorun="true"' in page.text
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in page.text
    # Clients that do not prefer HTML still get results from the same URL.
    assert client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["x"]["value"].startswith("</textarea>")


def test_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/sparql", headers=BROWSER).text
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http://", "https://", "//")) or "w3.org/TR" in url or "creativecommons" in url, url
    assert client.get("/static/query.js").status_code == 200


def test_the_example_chicago_query_names_the_13_partners(client: TestClient) -> None:
    response = client.get("/api/queries/example-chicago-partners")
    rows = response.json()["results"]["bindings"]
    assert len(rows) == 13
    assert {r["pays"]["value"] for r in rows} >= {"Maroc", "Japon", "Émirats arabes unis"}


def test_the_example_pfp_timeline_ends_on_accession(client: TestClient) -> None:
    rows = {r["country"]["value"]: r for r in client.get("/api/queries/example-pfp-timeline").json()["results"]["bindings"]}
    assert rows["Poland"]["joined"]["value"] == "1994-02-02" and rows["Poland"]["ended"]["value"] == "1999-03-12"
    assert "ended" not in rows["Austria"]


def test_the_example_operation_partners(client: TestClient) -> None:
    rows = client.get("/api/queries/example-operation-partners").json()["results"]["bindings"]
    isaf = {r["iso"]["value"] for r in rows if r["operation"]["value"] == "International Security Assistance Force"}
    assert {"AUS", "GEO", "MNG"} <= isaf
