"""Triples derived at load time from queries/derive-*.rq: org:memberOf shortcuts and membership labels."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.sparql_client import ask, select


def test_member_of_shortcuts_follow_the_dated_memberships(client: TestClient) -> None:
    assert ask(client, "ASK { <https://w3id.org/natokg/id/country/FRA> org:memberOf <https://w3id.org/natokg/id/organisation/nato> }")
    rows = select(client, """
        SELECT (COUNT(*) AS ?n) WHERE { ?c org:memberOf <https://w3id.org/natokg/id/organisation/nato> ; a nkg:Country }""")
    assert rows == [{"n": "32"}]
    # Every shortcut has its membership, and back.
    assert not ask(client, "ASK { ?a org:memberOf ?o FILTER NOT EXISTS { ?m org:member ?a ; org:organization ?o } }")
    assert not ask(client, "ASK { ?m a org:Membership ; org:member ?a ; org:organization ?o FILTER NOT EXISTS { ?o org:hasMember ?a } }")


def test_memberships_are_named_in_both_languages(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?label WHERE { <https://w3id.org/natokg/id/membership/pfp-POL> rdfs:label ?label } ORDER BY ?label""")
    assert [r["label"] for r in rows] == ["Poland, partner, Partnership for Peace", "Pologne, partenaire, Partenariat pour la paix"]
    assert not ask(client, """ASK { ?m a org:Membership FILTER NOT EXISTS { ?m rdfs:label ?en FILTER (LANG(?en) = "en") } }""")
