"""The query page at /sparql for browsers: examples from queries/example-*.rq, shared links, no CDN."""

from __future__ import annotations

import json
import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from fastapi.testclient import TestClient

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _examples(page: str) -> dict[str, str]:
    """The example links of the page: name -> the query its link fills in."""
    return {name: parse_qs(urlsplit(unescape(href)).query)["query"][0]
            for href, name in re.findall(r'<a href="([^"]+)" data-example="([a-z-]+)"', page)}


def test_browsers_get_the_editor_with_the_examples(client: TestClient) -> None:
    page = client.get("/sparql", headers=BROWSER)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<title>SPARQL query editor · natokg</title>" in page.text and page.text.count("<h1>") == 1
    examples = _examples(page.text)
    assert {"example-chicago-partners", "example-pfp-timeline", "example-operation-partners",
            "members-on-date", "partners-on-date", "class-counts"} <= set(examples)
    assert "describe" not in examples  # its resource IRI has no neutral default
    # Every example runs and answers rows on the shipped data, its parameters bound in the text.
    for name, query in examples.items():
        answer = client.get("/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"})
        assert answer.status_code == 200 and answer.json()["results"]["bindings"], name
    assert "VALUES ($date $lang)" in examples["members-on-date"]
    # The script gets the same queries, the endpoint and the project's prefixes from the page itself.
    config = json.loads(re.search(r'<script type="application/json" id="editor-config">(.*?)</script>', page.text, re.S)[1])
    assert config["endpoint"] == "/sparql" and config["autorun"] is False
    assert config["prefixes"]["nkg"] == "https://w3id.org/natokg/ontology#"
    assert {name: e["text"] for name, e in config["examples"].items()} == examples
    # Without JavaScript: a plain form to /sparql with the query and a format.
    assert '<form id="sparql-form" action="/sparql" method="get">' in page.text
    assert '<textarea id="query" name="query"' in page.text and '<select id="format" name="format">' in page.text


def test_the_examples_speak_the_page_language(client: TestClient) -> None:
    page = client.get("/sparql", params={"lang": "fr"}, headers=BROWSER).text
    assert "<h1>Éditeur de requêtes SPARQL</h1>" in page
    assert "le Partenariat pour la paix au fil du temps</a>" in page
    assert "VALUES ($date $lang)" in _examples(page)["members-on-date"]
    assert '"fr")' in _examples(page)["members-on-date"]  # labels in French


def test_the_page_loads_yasgui_from_this_server(client: TestClient) -> None:
    page = client.get("/sparql", headers=BROWSER).text
    for asset in ("/static/vendor/yasgui.min.js", "/static/vendor/yasgui.min.css", "/static/editor.js", "/static/editor.css"):
        assert f'"{asset}"' in page
        assert client.get(asset).status_code == 200, asset


def test_a_shared_link_fills_and_runs_the_query_and_escapes_it(client: TestClient) -> None:
    query = 'SELECT ("</textarea><script>alert(1)</script>" AS ?x) WHERE {}'
    page = client.get("/sparql", params={"query": query}, headers=BROWSER)
    assert page.headers["content-type"].startswith("text/html")
    assert "<script>alert(1)</script>" not in page.text
    assert "&lt;/textarea&gt;&lt;script&gt;" in page.text
    config = json.loads(re.search(r'id="editor-config">(.*?)</script>', page.text, re.S)[1])
    assert config["query"] == query and config["autorun"] is True
    # Clients that do not prefer HTML still get results from the same URL.
    assert client.get("/sparql", params={"query": query}).json()["results"]["bindings"][0]["x"]["value"].startswith("</textarea>")


def test_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    page = client.get("/sparql", headers=BROWSER).text
    for url in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not url.startswith(("http://", "https://", "//")) or "w3.org/TR" in url or "creativecommons" in url, url
    # nor does the script name another server (prefix.cc, LOV, a CDN)
    script = client.get("/static/editor.js").text
    assert not re.findall(r"https?://", script)


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


def test_under_a_mount_path_the_editor_asks_its_own_endpoint(client: TestClient) -> None:
    mounted = TestClient(client.app, root_path="/kg")
    page = mounted.get("/sparql", headers=BROWSER).text
    config = json.loads(re.search(r'id="editor-config">(.*?)</script>', page, re.S)[1])
    assert config["endpoint"] == "/kg/sparql" and config["root"] == "/kg"
    assert '<script src="/kg/static/vendor/yasgui.min.js">' in page and '<form id="sparql-form" action="/kg/sparql"' in page
    assert all(href.startswith("/kg/sparql?query=") for href in _examples_hrefs(page))


def _examples_hrefs(page: str) -> list[str]:
    return [unescape(href) for href in re.findall(r'<a href="([^"]+)" data-example=', page)]
