"""The home page: the frameworks with their partners today, the latest summits, what changed on a day, and
search results without JavaScript, each as the named queries and the search API answer."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date

from fastapi.testclient import TestClient


def bindings(client: TestClient, name: str, **params: str) -> list[dict[str, dict[str, str]]]:
    response = client.get(f"/api/queries/{name}", params=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    rows: list[dict[str, dict[str, str]]] = response.json()["results"]["bindings"]
    return rows


def test_framework_counts_are_todays_partners(client: TestClient) -> None:
    text = client.get("/").text
    shown = dict(re.findall(r'<li><a href="/id/framework/([\w-]+)">[^<]+</a> <span class="count">(\d+)</span>', text))
    today = Counter(r["framework"]["value"].rsplit("/", 1)[1] for r in bindings(client, "partners-on-date", date=date.today().isoformat()))
    assert {key: int(n) for key, n in shown.items()} == dict(today)
    assert "pfp" in shown and "nacc" not in shown  # the NACC ended in 1997


def test_latest_summits_come_latest_first(client: TestClient) -> None:
    text = client.get("/", params={"lang": "fr"}).text
    section = re.search(r'<ul class="summits">(.*?)</ul>', text, re.S)
    assert section is not None
    links = re.findall(r'<a href="/id/summit/([\w-]+)">', section.group(1))
    rows = bindings(client, "home-summits")
    assert links == [r["summit"]["value"].rsplit("/", 1)[1] for r in rows] and len(links) == 5
    starts = [r["start"]["value"] for r in rows]
    assert starts == sorted(starts, reverse=True)
    assert "24 juin 2025" in section.group(1)  # The Hague, in French words


def test_what_changed_on_the_day_three_countries_joined(client: TestClient) -> None:
    text = client.get("/", params={"changed": "1999-03-12"}).text
    began = re.search(r"<h3>Began</h3><ul class=\"changes\">(.*?)</ul>", text, re.S)
    ended = re.search(r"<h3>Ended</h3><ul class=\"changes\">(.*?)</ul>", text, re.S)
    assert began is not None and ended is not None
    assert re.findall(r'/id/membership/(nato-\w+)"', began.group(1)) == ["nato-CZE", "nato-HUN", "nato-POL"]
    assert "pfp-POL" in ended.group(1)  # joining NATO ended their partnership
    assert client.get("/", params={"changed": "1999-02-30"}).status_code == 400


def test_search_without_javascript(client: TestClient) -> None:
    text = client.get("/", params={"q": "ukr"}).text
    api = client.get("/api/search", params={"q": "ukr", "limit": 20}).json()
    assert re.findall(r'<li><a href="(/id/[^"]+)">', text.split('id="results"')[1].split("</section>")[0]) == [
        "/id/" + hit["id"].split("/id/", 1)[1] for hit in api["items"]]
    assert '<a href="/id/country/UKR">Ukraine</a>' in text
