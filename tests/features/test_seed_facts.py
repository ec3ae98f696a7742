"""Every fact of the seed article answers through /sparql, in English and French, with its passage."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.sparql_client import ask, select

SEED_SOURCE = "https://w3id.org/natokg/id/source/nato-news-88903-fr"


def passages_of(client: TestClient, fact: str) -> set[str]:
    rows = select(client, f"""
        SELECT ?quote WHERE {{
          <{fact}> prov:wasDerivedFrom ?p . ?p oa:hasSource <{SEED_SOURCE}> ; oa:hasSelector/oa:exact ?quote .
        }}""")
    return {r["quote"] for r in rows}


def test_every_seed_quote_is_verbatim_in_the_article(client: TestClient, seed_text: str) -> None:
    rows = select(client, f"SELECT ?quote WHERE {{ ?p oa:hasSource <{SEED_SOURCE}> ; oa:hasSelector/oa:exact ?quote }}")
    assert len(rows) >= 10
    for row in rows:
        assert row["quote"] in seed_text


def test_every_sentence_of_the_article_is_a_passage(client: TestClient, seed_text: str) -> None:
    rows = select(client, f"SELECT ?quote WHERE {{ ?p oa:hasSource <{SEED_SOURCE}> ; oa:hasSelector/oa:exact ?quote }}")
    quotes = {r["quote"] for r in rows}
    body = " ".join(seed_text.split("\n")[1:])
    covered = body
    for quote in quotes:
        covered = covered.replace(quote, "")
    assert covered.strip() == ""
    # ... and every passage supports at least one fact.
    unused = select(client, f"""SELECT ?p WHERE {{ ?p oa:hasSource <{SEED_SOURCE}> FILTER NOT EXISTS {{ ?f prov:wasDerivedFrom ?p }} }}""")
    assert unused == []


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", {"collective defence", "crisis management", "cooperative security"}),
    ("fr", {"défense collective", "gestion de crise", "sécurité coopérative"}),
])
def test_three_core_tasks_of_the_2010_concept(client: TestClient, lang: str, expected: set[str]) -> None:
    rows = select(client, f"""
        SELECT ?label WHERE {{
          id:strategic-concept\\/2010 nkg:definesCoreTask ?task .
          ?task skos:prefLabel ?label . FILTER (LANG(?label) = "{lang}")
        }}""".replace("id:strategic-concept\\/2010", "<https://w3id.org/natokg/id/strategic-concept/2010>"))
    assert {r["label"].lower() for r in rows} == expected


def test_cooperative_security_is_sourced_to_the_seed(client: TestClient) -> None:
    quotes = passages_of(client, "https://w3id.org/natokg/id/core-task/cooperative-security-2010")
    assert any("trois tâches fondamentales" in q for q in quotes)


def test_2010_concept_adopted_at_lisbon_in_november_2010(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?city ?begin WHERE {
          <https://w3id.org/natokg/id/strategic-concept/2010> nkg:adoptedAt ?summit .
          ?summit nkg:hostCity/rdfs:label ?city ; time:hasTime/time:hasBeginning/time:inXSDDate ?begin .
          FILTER (LANG(?city) = "fr")
        }""")
    assert len(rows) == 1
    assert rows[0]["city"] == "Lisbonne"
    assert rows[0]["begin"].startswith("2010-11")
    assert any("sommet de Lisbonne en novembre 2010" in q for q in passages_of(client, "https://w3id.org/natokg/id/strategic-concept/2010"))


def test_chicago_summit_may_2012_with_28_allies(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?begin WHERE { <https://w3id.org/natokg/id/summit/chicago-2012> time:hasTime/time:hasBeginning/time:inXSDDate ?begin }""")
    assert [r["begin"] for r in rows] == ["2012-05-20"]
    members = select(client, """
        SELECT DISTINCT ?country WHERE {
          ?m org:organization <https://w3id.org/natokg/id/organisation/nato> ; org:role <https://w3id.org/natokg/id/role/member> ;
             org:member ?country ; org:memberDuring/time:hasBeginning/time:inXSDDate ?joined .
          FILTER (?joined <= "2012-05-20"^^xsd:date)
        }""")
    assert len(members) == 28
    assert any("vingt-huit pays membres" in q for q in passages_of(client, "https://w3id.org/natokg/id/summit/chicago-2012"))


def test_chicago_partners_meeting_had_13_partners_that_contributed(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?iso ?fr WHERE {
          <https://w3id.org/natokg/id/meeting/chicago-2012-partners> schema:superEvent <https://w3id.org/natokg/id/summit/chicago-2012> ;
              schema:attendee ?c .
          ?c nkg:isoCode ?iso ; rdfs:label ?fr . FILTER (LANG(?fr) = "fr")
        }""")
    assert {r["iso"] for r in rows} == {"AUS", "AUT", "FIN", "GEO", "JPN", "JOR", "MAR", "NZL", "QAT", "KOR", "SWE", "CHE", "ARE"}
    quotes = passages_of(client, "https://w3id.org/natokg/id/meeting/chicago-2012-partners")
    assert any("treize pays partenaires" in q for q in quotes)
    # The 13 names come from a second public source, quoted on the same meeting.
    named = select(client, """
        SELECT ?quote WHERE { <https://w3id.org/natokg/id/meeting/chicago-2012-partners> prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote
                              FILTER (CONTAINS(?quote, "Morocco")) }""")
    assert named


def test_partners_deployed_in_operations_from_the_balkans_to_afghanistan(client: TestClient) -> None:
    rows = select(client, """
        SELECT DISTINCT ?region ?op ?begin WHERE {
          <https://w3id.org/natokg/id/statement/partners-deployed-balkans-to-afghanistan> dcterms:subject ?region .
          ?op nkg:region ?region ; nkg:ledBy <https://w3id.org/natokg/id/organisation/nato> ;
              time:hasTime/time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?begin .
          ?contribution nkg:toOperation ?op .
        }""")
    regions = {r["region"].rsplit("/", 1)[1] for r in rows}
    assert regions == {"balkans", "afghanistan"}
    ops = {r["op"].rsplit("/", 1)[1] for r in rows}
    assert {"isaf", "kfor", "sfor"} <= ops


@pytest.mark.parametrize(("lang", "expected"), [
    ("en", {"terrorism", "piracy", "cyber defence"}),
    ("fr", {"terrorisme", "piraterie", "cyberdéfense"}),
])
def test_global_challenges_named(client: TestClient, lang: str, expected: set[str]) -> None:
    rows = select(client, f"""
        SELECT ?label WHERE {{
          <https://w3id.org/natokg/id/statement/partners-address-global-challenges> nkg:addresses ?c .
          ?c a nkg:SecurityChallenge ; skos:prefLabel ?label . FILTER (LANG(?label) = "{lang}")
        }}""")
    assert {r["label"] for r in rows} == expected


def test_rasmussen_term_and_quoted_statement(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?begin ?end ?text WHERE {
          ?m org:member <https://w3id.org/natokg/id/person/anders-fogh-rasmussen> ;
             org:role <https://w3id.org/natokg/id/role/secretary-general> ;
             org:memberDuring ?i .
          ?i time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth) ?begin ; time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth) ?end .
          ?s nkg:statedBy <https://w3id.org/natokg/id/person/anders-fogh-rasmussen> ; schema:text ?text .
          FILTER (CONTAINS(?text, "Les partenariats sont essentiels"))
        }""")
    assert len(rows) == 1
    assert rows[0]["begin"].startswith("2009-08")
    assert rows[0]["end"].startswith("2014")
    assert any("Anders Fogh Rasmussen" in q for q in passages_of(client, "https://w3id.org/natokg/id/statement/rasmussen-partnerships-essential"))


def test_interoperability_and_demand_and_substance_at_chicago(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?s ?text WHERE { ?s nkg:statedAt <https://w3id.org/natokg/id/summit/chicago-2012> ; schema:text ?text }""")
    texts = " ".join(r["text"] for r in rows)
    assert "entraînements et d'exercices communs" in texts
    assert "sur la demande et sur les sujets de fond" in texts


def test_lisbon_statement_on_partnerships(client: TestClient) -> None:
    assert ask(client, """
        ASK { ?s nkg:statedAt <https://w3id.org/natokg/id/summit/lisbon-2010> ;
                 nkg:statedBy <https://w3id.org/natokg/id/organisation/nato> ;
                 schema:text ?t . FILTER (CONTAINS(?t, "cadres pour le dialogue politique")) }""")


def test_all_32_members_with_accession_dates(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?iso ?joined WHERE {
          ?m org:organization <https://w3id.org/natokg/id/organisation/nato> ; org:role <https://w3id.org/natokg/id/role/member> ;
             org:member/nkg:isoCode ?iso ; org:memberDuring/time:hasBeginning/time:inXSDDate ?joined ; prov:wasDerivedFrom ?p .
          ?p oa:hasSelector/oa:exact ?q .
        }""")
    joined = {r["iso"]: r["joined"] for r in rows}
    assert len(joined) == 32
    assert joined["FRA"] == "1949-08-24"
    assert joined["SWE"] == "2024-03-07"
    assert joined["FIN"] == "2023-04-04"
    assert joined["MKD"] == "2020-03-27"
