"""Data-driven checks over data/*.ttl: IRIs, links, labels, dates and consistency."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from rdflib import BNode, Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from app.core.settings import Settings
from app.kg.sources import load_sources
from tests.sparql_client import select

BASE = "https://w3id.org/natokg/id/"
NKG = "https://w3id.org/natokg/ontology#"
KEY = re.compile(r"^[a-z]+(-[a-z]+)*/[A-Za-z0-9]+([.-][A-Za-z0-9]+)*$")


@pytest.fixture(scope="module")
def data(settings: Settings) -> Graph:
    return load_sources(settings).data


def test_every_data_file_parses_alone(settings: Settings) -> None:
    for path in sorted(settings.data_dir.glob("*.ttl")):
        assert len(Graph().parse(path)) > 0, path


def test_every_entity_is_described_in_one_file(settings: Settings) -> None:
    """Files own their entities (data/README.md): two files defining one IRI merge silently, quotes and all."""
    owners: dict[URIRef, set[str]] = {}
    for path in sorted(settings.data_dir.glob("*.ttl")):
        graph = Graph().parse(path, format="turtle")
        for subject in set(graph.subjects(RDF.type, None)):
            if isinstance(subject, URIRef):
                owners.setdefault(subject, set()).add(path.name)
    assert {s: sorted(f) for s, f in owners.items() if len(f) > 1} == {}


def test_one_source_document_per_url(data: Graph) -> None:
    by_url: dict[str, set[str]] = {}
    for source, url in data.subject_objects(URIRef("https://schema.org/url")):
        by_url.setdefault(str(url), set()).add(str(source))
    assert {u: sorted(s) for u, s in by_url.items() if len(s) > 1} == {}


def test_subjects_are_our_iris_with_clean_keys(data: Graph) -> None:
    for subject in set(data.subjects()):
        if isinstance(subject, BNode):
            continue
        assert str(subject).startswith(BASE), subject
        assert KEY.match(str(subject)[len(BASE):]), subject


def test_facts_are_never_blank_nodes(data: Graph) -> None:
    for cls in ("Statement", "Contribution", "Decision", "Summit", "Operation"):
        for node in data.subjects(RDF.type, URIRef(NKG + cls)):
            assert isinstance(node, URIRef), node


def test_no_owl_same_as_and_wikidata_links_only(data: Graph) -> None:
    assert not list(data.triples((None, OWL.sameAs, None)))
    for _, _, target in data.triples((None, URIRef("https://schema.org/sameAs"), None)):
        assert re.fullmatch(r"http://www\.wikidata\.org/entity/Q[1-9][0-9]*", str(target)), target


def test_every_labelled_entity_has_english_and_french(data: Graph) -> None:
    missing = []
    for subject in set(data.subjects(RDFS.label, None)):
        langs = {label.language for label in data.objects(subject, RDFS.label)}
        if not {"en", "fr"} <= langs:
            missing.append(subject)
    assert missing == []


def test_no_sentinel_dates(data: Graph) -> None:
    for _, predicate, value in data:
        if str(predicate).startswith("http://www.w3.org/2006/time#inXSD"):
            assert not str(value).startswith(("0000", "9999", "1900-01-01")), value


def test_member_count_on_chicago_summit_day_is_28(client: TestClient) -> None:
    rows = select(client, """
        SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE {
          ?m org:organization <https://w3id.org/natokg/id/organisation/nato> ; org:role <https://w3id.org/natokg/id/role/member> ;
             org:member ?c ; org:memberDuring/time:hasBeginning/time:inXSDDate ?b .
          FILTER (?b <= "2012-05-20"^^xsd:date)
        }""")
    assert rows == [{"n": "28"}]


def test_no_partnership_continues_past_accession(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?m ?joined ?end WHERE {
          ?m org:role ?role ; org:member ?c ; org:memberDuring ?i .
          FILTER (?role != <https://w3id.org/natokg/id/role/member> && ?role != <https://w3id.org/natokg/id/role/secretary-general>)
          ?i time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?start .
          ?n org:member ?c ; org:organization <https://w3id.org/natokg/id/organisation/nato> ;
             org:role <https://w3id.org/natokg/id/role/member> ;
             org:memberDuring/time:hasBeginning/time:inXSDDate ?joined .
          FILTER (STR(?start) < STR(?joined))
          OPTIONAL { ?i time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?end }
          FILTER (!BOUND(?end) || STR(?end) > STR(?joined))
        }""")
    assert rows == []


def test_no_interval_ends_before_it_starts(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?i ?b ?e WHERE {
          ?i time:hasBeginning/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?b ;
             time:hasEnd/(time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear) ?e .
          BIND (IF(STRLEN(STR(?b)) < STRLEN(STR(?e)), STRLEN(STR(?b)), STRLEN(STR(?e))) AS ?n)
          FILTER (SUBSTR(STR(?b), 1, ?n) > SUBSTR(STR(?e), 1, ?n))
        }""")
    assert rows == []


def test_every_contributor_is_a_country(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?c WHERE { ?x nkg:contributor ?c FILTER NOT EXISTS { ?c a nkg:Country } }""")
    assert rows == []
    assert select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?x a nkg:Contribution }")[0]["n"] != "0"


def test_every_fact_has_a_quoted_or_documented_source(client: TestClient) -> None:
    rows = select(client, """
        SELECT ?f WHERE {
          VALUES ?type { org:Membership nkg:Contribution nkg:Statement nkg:Summit nkg:Operation nkg:Decision }
          ?f a ?type .
          FILTER NOT EXISTS { ?f prov:wasDerivedFrom ?p . { ?p oa:hasSelector/oa:exact ?q } UNION { ?p schema:url ?u } }
        }""")
    assert rows == []


def test_every_passage_document_has_a_url(client: TestClient) -> None:
    rows = select(client, """SELECT ?p WHERE { ?p a nkg:SourcePassage FILTER NOT EXISTS { ?p oa:hasSource/schema:url ?u } }""")
    assert rows == []


def test_time_checks_are_at_zero(settings: Settings) -> None:
    """Every day-precise date is stated by a quote of its fact (or explained by a date note), and every
    open period says whether it is ongoing as of a source's date or of unknown end (`natokg stats`)."""
    from app.kg.coverage import time_checks
    from app.kg.runtime import build_runtime

    runtime = build_runtime(settings.model_copy(update={"validate_on_start": False, "workers": 1}))
    try:
        checks = time_checks(runtime)
    finally:
        runtime.close()
    assert checks["days"]["unexplained"] == []
    assert checks["open"] == []
    assert checks["days"]["total"] > 300
