"""Every HTML page is in one language, English or French: `lang=` first, else Accept-Language, else English;
it says so (`<html lang>`, Content-Language), varies with Accept-Language, and links to itself in the other."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

PAGES = ("/", "/id/country/FRA", "/ontology", "/sparql")


@pytest.mark.parametrize("path", PAGES)
def test_lang_parameter_chooses_french(client: TestClient, path: str) -> None:
    response = client.get(path, params={"lang": "fr"}, headers={"Accept": "text/html", "Accept-Language": "en"})
    assert response.status_code == 200
    assert response.headers["content-language"] == "fr"
    assert "Accept-Language" in response.headers["vary"]
    assert '<html lang="fr">' in response.text
    assert ">Carte</a>" in response.text and ">Map</a>" not in response.text
    # the switch leads back to the English page, keeping the path
    switch = re.search(r'<a href="([^"]+)" hreflang="en"', response.text)
    assert switch is not None and switch.group(1).startswith(path) and "lang=en" in switch.group(1)


def test_accept_language_chooses_when_lang_is_absent(client: TestClient) -> None:
    french = client.get("/id/country/FRA", headers={"Accept": "text/html", "Accept-Language": "fr-CA, en;q=0.5"})
    english = client.get("/id/country/FRA", headers={"Accept": "text/html", "Accept-Language": "de, en;q=0.8"})
    assert french.headers["content-language"] == "fr" and '<html lang="fr">' in french.text
    assert english.headers["content-language"] == "en" and '<html lang="en">' in english.text
    assert french.headers["etag"] != english.headers["etag"]


def test_an_unknown_lang_falls_back_to_the_header_then_english(client: TestClient) -> None:
    response = client.get("/", params={"lang": "de"}, headers={"Accept-Language": "fr"})
    assert response.headers["content-language"] == "fr"
    assert client.get("/", params={"lang": "xx"}).headers["content-language"] == "en"


def test_the_switch_keeps_the_other_parameters(client: TestClient) -> None:
    response = client.get("/sparql", params={"query": "ASK {}", "lang": "en"}, headers={"Accept": "text/html"})
    switch = re.search(r'<a href="([^"]+)" hreflang="fr"', response.text)
    assert switch is not None
    assert switch.group(1).count("lang=") == 1 and "query=ASK" in switch.group(1) and "lang=fr" in switch.group(1)
