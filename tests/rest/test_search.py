"""Search and autocomplete (/api/search) on the shipped data, and the normalisation behind it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.rest.search import normalise


def search(client: TestClient, query: str, **headers: str) -> Any:
    response = client.get(f"/api/search?{query}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def test_normalise_drops_accents_case_and_punctuation() -> None:
    assert normalise("Dialogue  Méditerranéen") == "dialogue mediterraneen"
    assert normalise("l'OTAN") == "l otan"


@pytest.mark.parametrize(("q", "key", "match"), [
    ("otan", "nato", "exact"),
    ("NATO", "nato", "exact"),
    ("PfP", "pfp", "exact"),
    ("ppp", "pfp", "exact"),
    ("dialogue mediterraneen", "mediterranean-dialogue", "exact"),
    ("Istanbul", "istanbul", "exact"),
    ("partenariat pour", "pfp", "prefix"),
])
def test_finds_what_a_person_means(client: TestClient, q: str, key: str, match: str) -> None:
    first = search(client, f"q={q}")["items"][0]
    assert first["key"] == key and first["match"] == match


def test_istanbul_also_finds_the_summit_and_the_initiative(client: TestClient) -> None:
    keys = [hit["key"] for hit in search(client, "q=istanbul&limit=10")["items"]]
    assert {"istanbul-2004", "ici"} <= set(keys[:5])


def test_ranking_exact_then_prefix_then_substring(client: TestClient) -> None:
    hits = search(client, "q=otan&limit=50")["items"]
    order = {"exact": 0, "prefix": 1, "substring": 2}
    ranks = [order[h["match"]] for h in hits]
    assert ranks == sorted(ranks) and ranks[0] == 0 and 2 in ranks


def test_type_filter_and_label_language(client: TestClient) -> None:
    hits = search(client, "q=ici&type=framework&lang=fr")["items"]
    assert hits[0]["key"] == "ici" and all(h["type"] == "framework" for h in hits)
    assert hits[0]["label"] == {"value": "Initiative de coopération d'Istanbul", "lang": "fr"}
    by_header = search(client, "q=PfP", **{"Accept-Language": "fr"})["items"][0]
    assert by_header["label"]["lang"] == "fr" and by_header["matched"] == {"value": "PfP", "lang": "en"}


def test_limit_and_total(client: TestClient) -> None:
    body = search(client, "q=a&limit=3")
    assert len(body["items"]) == 3 and body["total"] > 3


@pytest.mark.parametrize(("query", "parameter"), [("q=", "q"), ("q=x&type=planet", "type"), ("q=x&limit=0", "limit"), ("", "q")])
def test_bad_parameters_are_400_naming_them(client: TestClient, query: str, parameter: str) -> None:
    response = client.get(f"/api/search?{query}")
    assert response.status_code == 400
    assert parameter in response.json()["parameters"]
