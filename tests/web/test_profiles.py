"""Profile pages: the facts of a resource in words at their precision, each with its source, on a timeline
drawn from the same named query that the page links to."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.web.pages.profile import spoken

HTML = {"Accept": "text/html"}


def page(client: TestClient, path: str, **params: str) -> str:
    response = client.get(path, params=params, headers=HTML)
    assert response.status_code == 200, response.text[:300]
    return response.text


def query_rows(client: TestClient, name: str, **params: str) -> list[dict[str, dict[str, str]]]:
    response = client.get(f"/api/queries/{name}", params=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text[:300]
    rows: list[dict[str, dict[str, str]]] = response.json()["results"]["bindings"]
    return rows


@pytest.mark.parametrize(("value", "datatype", "english", "french"), [
    ("1994-02-08", "date", "8 February 1994", "8 février 1994"),
    ("2014-09", "gYearMonth", "September 2014", "septembre 2014"),
    ("1991", "gYear", "1991", "1991"),
    ("2024-10-01", "date", "1 October 2024", "1er octobre 2024"),
])
def test_dates_are_said_at_their_precision(value: str, datatype: str, english: str, french: str) -> None:
    literal = ox.Literal(value, datatype=ox.NamedNode(f"http://www.w3.org/2001/XMLSchema#{datatype}"))
    assert (spoken(literal, "en"), spoken(literal, "fr")) == (english, french)


def test_a_country_tells_its_partnerships_with_their_precision_and_sources(client: TestClient) -> None:
    text = page(client, "/id/country/UKR")
    sentences = re.findall(r'<span class="sentence">(.*?)</span>\s*(?:<details|<span)', text, re.S)
    facts = [unescape(re.sub(r"<[^>]+>", "", f)) for f in sentences]
    # the year-precise start of NACC partnership stays a year; the open PfP partnership says when it was last seen ongoing
    assert "partner in North Atlantic Cooperation Council, from 1991 to 30 May 1997" in facts
    assert "partner in Partnership for Peace, since 8 February 1994 (ongoing as of 7 March 2024)" in facts
    assert "contributed to Kosovo Force, in February 2017" in facts
    assert any(f.startswith("contributed to International Security Assistance Force, at a time between 11 August 2003 and "
                            "31 December 2014") for f in facts)
    # every fact of the timeline query is on the page, once, and drawn as one timeline row
    rows = query_rows(client, "page-timeline", resource="https://w3id.org/natokg/id/country/UKR")
    drawn = {r["fact"]["value"] for r in rows if r["kind"]["value"] != "suspension"}
    assert len(facts) == len({r["fact"]["value"] for r in rows}) == 8
    assert text.count('<g class="row ') == len(drawn)
    # a source link reveals the quoted passage and its document
    assert "<summary>source (4)</summary>" in text
    sources = query_rows(client, "page-fact-sources", resource="https://w3id.org/natokg/id/country/UKR")
    quote = next(r["quote"]["value"] for r in sources if r["fact"]["value"].endswith("/membership/pfp-UKR") and "quote" in r)
    assert f"<blockquote>{quote}</blockquote>" in unescape(text).replace("&#39;", "'")


def test_a_suspension_is_a_fact_and_is_drawn_over_its_partnership(client: TestClient) -> None:
    text = page(client, "/id/country/MLT")
    assert "suspended: partner in Partnership for Peace, from October 1996 to April 2008" in unescape(re.sub(r"<[^>]+>", "", text))
    row = re.search(r'<g class="row membership"[^>]*data-earlieststart="1995-04-26".*?</g>', text, re.S)
    assert row is not None and 'class="suspended"' in row.group(0)


def test_the_french_page_speaks_french(client: TestClient) -> None:
    text = page(client, "/id/country/UKR", lang="fr")
    plain = unescape(re.sub(r"<[^>]+>", "", text))
    assert "partenaire dans Partenariat pour la paix, depuis le 8 février 1994 (en cours au 7 mars 2024)" in plain
    assert "a contribué à Opération Ocean Shield, à partir du 10 octobre 2013 (fin non enregistrée)" in plain
    assert "partenaire dans Conseil de coopération nord-atlantique, de 1991 au 30 mai 1997" in plain
    assert "Frise chronologique" in text and "Faits essentiels" in text


def test_panels_link_to_their_query_in_the_editor_and_as_csv(client: TestClient) -> None:
    text = unescape(page(client, "/id/person/jens-stoltenberg"))
    assert "Secretary General in North Atlantic Treaty Organization, from 1 October 2014 to 1 October 2024" in re.sub(r"<[^>]+>", "", text)
    sources_link, timeline_link = re.findall(r'<a href="(/sparql\?query=[^"]+)">See the query</a>', text)
    # the sources query also gives the passages of the person's own description (the page's Sources section)
    sources = len(query_rows(client, "page-fact-sources", resource="https://w3id.org/natokg/id/person/jens-stoltenberg"))
    assert sources > text.count('<div class="quoted">') > 0
    for link, rows in ((timeline_link, 1), (sources_link, sources)):
        bound = parse_qs(urlsplit(link).query)["query"][0]
        assert "<https://w3id.org/natokg/id/person/jens-stoltenberg>" in bound  # the resource is bound in the text
        answer = client.post("/sparql", data={"query": bound}, headers={"Accept": "application/sparql-results+json"})
        assert len(answer.json()["results"]["bindings"]) == rows  # the query as linked gives the panel's rows
    csv = re.search(r'<a href="(/api/queries/page-timeline\?[^"]+)" type="text/csv">CSV</a>', text)
    assert csv is not None
    response = client.get(csv.group(1))
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "Secretary General" in response.text


def test_an_operation_draws_its_contributors_as_a_network(client: TestClient) -> None:
    text = page(client, "/id/operation/ocean-shield")
    network = re.search(r'<section id="network".*?</section>', text, re.S)
    assert network is not None
    names = re.findall(r'<li><a href="/id/country/(\w+)">', network.group(0))
    rows = query_rows(client, "page-timeline", resource="https://w3id.org/natokg/id/operation/ocean-shield")
    assert sorted(names) == sorted(r["other"]["value"].rsplit("/", 1)[1] for r in rows if r["kind"]["value"] == "contributor")
    assert network.group(0).count("<circle cx=") == len(names) + 1
    # each contributor with the frameworks it takes part in, as page-network answers
    groups = {r["group"]["value"].rsplit("/", 1)[1] for r in query_rows(
        client, "page-network", resource="https://w3id.org/natokg/id/operation/ocean-shield") if "group" in r}
    assert set(re.findall(r'<a href="/id/framework/([\w-]+)"><rect class="group"', network.group(0))) == groups
    assert {"pfp", "partners-across-the-globe"} <= groups


def test_a_framework_draws_its_partners_with_their_programmes(client: TestClient) -> None:
    network = re.search(r'<section id="network".*?</section>', page(client, "/id/framework/partners-across-the-globe"), re.S)
    assert network is not None
    assert '<a href="/id/country/AUS">Australia</a>: <a href="/id/programme/' in network.group(0)
    assert 'href="/api/queries/page-network?resource=' in network.group(0)


def test_a_resource_without_dated_relationships_keeps_its_statements(client: TestClient) -> None:
    text = page(client, "/id/summit/chicago-2012")
    assert 'id="timeline"' not in text and 'id="properties"' in text
    assert '<p class="period">from 20 May 2012 to 21 May 2012</p>' in text
