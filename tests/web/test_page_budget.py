"""A page costs what it shows: a resource in more dated relationships than a page draws gets links to them instead
of a timeline, and a long description is listed in part with links to the whole (settings `page_facts`,
`page_triples`, lowered here so that the shipped data has such resources)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from html import unescape

import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.web.app import create_app

HTML = {"Accept": "text/html"}
PFP = "/id/framework/pfp"


@pytest.fixture(scope="module")
def small_pages() -> Iterator[TestClient]:
    with TestClient(create_app(Settings(validate_on_start=False, workers=1, page_facts=10, page_triples=40))) as client:
        yield client


def _facts(client: TestClient, path: str) -> int:
    key = path.rsplit("/", 2)
    response = client.get("/api/queries/page-facts", params={"resource": f"https://w3id.org/natokg/id/{key[-2]}/{key[-1]}"},
                          headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200
    return len(response.json()["results"]["bindings"])


def test_a_crowded_resource_links_to_its_relationships(small_pages: TestClient, client: TestClient) -> None:
    assert _facts(small_pages, PFP) > 10  # the Partnership for Peace has more than the lowered limit
    text = small_pages.get(PFP, headers=HTML).text
    assert "More than 10 dated relationships" in text
    assert 'id="timeline"' not in text and 'class="facts"' not in text and 'id="memberships"' not in text
    csv = re.search(r'href="([^"]*/api/queries/page-timeline\?[^"]*format=csv[^"]*)"', text)
    assert csv is not None
    rows = small_pages.get(unescape(csv.group(1))).text.strip().splitlines()
    assert len(rows) - 1 > 10  # the table the page links to has them all
    normal = client.get(PFP, headers=HTML).text  # with the default limit the same page draws them
    assert 'id="timeline"' in normal and "More than" not in normal


def test_a_resource_within_the_limit_is_drawn(small_pages: TestClient) -> None:
    path = "/id/country/UKR"
    assert _facts(small_pages, path) <= 10
    text = small_pages.get(path, headers=HTML).text
    assert 'class="facts"' in text and "More than" not in text


def test_a_long_description_is_listed_in_part(small_pages: TestClient, client: TestClient) -> None:
    whole = client.get(PFP + ".nt").text.strip().splitlines()
    assert len(whole) > 40
    text = small_pages.get(PFP, headers=HTML).text
    assert "The first 40 statements about it" in text
    assert f'href="http://testserver{PFP}.nt"' in text or f'href="{PFP}.nt"' in text
    assert len(small_pages.get(PFP + ".nt").text.strip().splitlines()) == len(whole)  # the RDF formats give every statement
    # the statements listed are labelled as on the whole page
    assert "Partnership for Peace" in text
