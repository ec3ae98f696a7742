"""The scans that fill the list index give the rows of the named queries they stand for, on a small graph made of
the cases the shipped data lacks: a fact derived from a document, a passage with two quotes or none, a source
with two titles or no URL, a membership with two recorded starts, a beginning with bounds but no date, an
interval with two ongoing-as-of dates, a membership with two derived bounds."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pyoxigraph as ox
import pytest

from app.core.settings import PROJECT_ROOT
from app.sparql.querylib import QueryLibrary, unordered
from app.store import lists, scans

GRAPH = """
@prefix nkg: <https://w3id.org/natokg/ontology#> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix oa: <http://www.w3.org/ns/oa#> . @prefix schema: <https://schema.org/> . @prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> . @prefix time: <http://www.w3.org/2006/time#> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix : <https://example.org/> .

:doc1 a nkg:SourceDocument ; schema:url <https://example.org/page1> ; dcterms:title "Un"@fr, "One"@en .
:doc2 a nkg:SourceDocument ; dcterms:title "Two" .
:p1 oa:hasSource :doc1 ; oa:hasSelector :s1, :s2 . :s1 oa:exact "first quote" . :s2 oa:exact "second quote" .
:p2 oa:hasSource :doc2 .
:p3 oa:hasSource :doc1, :doc2 ; oa:hasSelector :s3 . :s3 oa:exact "third" .
:f1 prov:wasDerivedFrom :p1, :p2 .
:f2 prov:wasDerivedFrom :doc2 .
:f3 prov:wasDerivedFrom :p3, :nowhere .

:m1 a org:Membership ; org:member :c1 ; org:organization :o1 ; org:role :r1 ; org:memberDuring :i1 ;
    nkg:earliestStart "1994-01-01"^^xsd:date, "1994-02-01"^^xsd:date ; nkg:latestEnd "2001-01-01"^^xsd:date .
:i1 time:hasBeginning :b1 ; time:hasEnd :e1 ; nkg:ongoingAsOf "2020-01-01"^^xsd:date, "2021-01-01"^^xsd:date .
:b1 time:inXSDDate "1994-05-01"^^xsd:date ; time:inXSDgYear "1994"^^xsd:gYear ; nkg:notBefore "1994-01-01"^^xsd:date .
:e1 nkg:notAfter "2001-01-01"^^xsd:date .
:m2 a org:Membership ; org:member :c2 ; org:organization :o1 ; org:role :r1 ; org:memberDuring :i2 .
:i2 time:hasBeginning :b2 ; time:hasEnd :e2 ; nkg:startUnknown true .
:b2 time:inXSDgYearMonth "2004-03"^^xsd:gYearMonth . :e2 time:inXSDDate "2010-01-01"^^xsd:date .
:m3 a org:Membership ; org:member :c3 ; org:organization :o1 ; org:role :r1 .
:m4 org:member :c1, :c4 ; org:organization :o2 ; org:role :r1, :r2 ; org:memberDuring :i4, :i5, :i6 ;
    nkg:latestStart "1999-01-01"^^xsd:date ; nkg:earliestEnd "2003-01-01"^^xsd:date, "2003-06-01"^^xsd:date .
:i4 time:hasBeginning :b4 . :b4 time:inXSDgYear "1999"^^xsd:gYear . :i5 time:hasEnd :e1 . :i6 time:hasBeginning :b6 .
:m5 org:member :c2 ; org:organization :o1 .
:o2 a nkg:PartnershipFramework . :c1 a nkg:Country ; nkg:isoCode "AAA", "AAB" . :c2 a nkg:Country . :c4 a nkg:Country ; nkg:isoCode "DDD" .
:s9 nkg:suspends :m1, :m4 ; nkg:earliestStart "2000-01-01"^^xsd:date, "2000-02-01"^^xsd:date ; nkg:latestEnd "2002-01-01"^^xsd:date .
:s8 nkg:suspends :m2 .
:c1 rdfs:label "Aland"@en, "Aland"@fr ; skos:prefLabel "Aland"@en ; skos:altLabel :notLiteral .
_:blank rdfs:label "no IRI" . :c4 skos:altLabel "Dee" ; rdfs:label "Dee"@en .
"""


@pytest.fixture(scope="module")
def store() -> ox.Store:
    graph = ox.Store()
    graph.load(GRAPH.encode(), format=ox.RdfFormat.TURTLE)
    return graph


@pytest.fixture(scope="module")
def queries() -> QueryLibrary:
    return QueryLibrary.load(Path(PROJECT_ROOT / "queries"))


def _rows(store: ox.Store, text: str, columns: tuple[str, ...]) -> list[tuple[str | None, ...]]:
    return [tuple(None if s[c] is None else s[c].value for c in columns) for s in store.query(text)]  # type: ignore[union-attr]


def test_provenance(store: ox.Store, queries: QueryLibrary) -> None:
    expected = _rows(store, unordered(queries["api-provenance"].text), lists.PROVENANCE_COLUMNS)
    assert len(expected) == 9
    assert Counter(scans.provenance_rows(store)) == Counter(expected)


def test_memberships(store: ox.Store, queries: QueryLibrary) -> None:
    expected = _rows(store, queries["api-memberships"].text, lists.MEMBERSHIP_COLUMNS)
    found = scans.membership_rows(store)
    assert len(expected) == 9  # m1: two starts x two ongoing x two earliest starts; m2: one; m3 has no interval
    assert Counter(found) == Counter(expected)
    assert [row[:5] + row[8:9] for row in found] == [row[:5] + row[8:9] for row in expected]  # in the query's order


def _index_rows(store: ox.Store, queries: QueryLibrary, name: str) -> list[tuple[str | None, ...]]:
    text = queries[name].text
    columns = tuple(var.strip("?") for var in text[text.index("SELECT") + 6:text.index("WHERE")].replace("DISTINCT", "").split())
    return _rows(store, text, columns)


def test_index_memberships(store: ox.Store, queries: QueryLibrary) -> None:
    expected = _index_rows(store, queries, "index-memberships")
    found = scans.index_membership_rows(store)
    # m1: two starts x two earliest starts; m2 and m3 one each; m4: two members x two roles x (a start, and a beginning
    # without a date) x two earliest ends; m5 has no role
    assert len(expected) == 4 + 1 + 1 + 16
    assert Counter(found) == Counter(expected)
    assert [row[0] for row in found] == [row[0] for row in expected]  # in the query's order
    assert {row[4] for row in found} == {None, "https://example.org/o2"} and {row[5] for row in found} >= {None, "https://example.org/c4"}


def test_index_suspensions_countries_and_labels(store: ox.Store, queries: QueryLibrary) -> None:
    expected = _index_rows(store, queries, "index-suspensions")
    assert len(expected) == 5  # s9: two memberships x two earliest starts; s8 one
    assert Counter(scans.index_suspension_rows(store)) == Counter(expected)
    assert [row[:2] for row in scans.index_suspension_rows(store)] == [row[:2] for row in expected]
    countries = _index_rows(store, queries, "index-countries")
    assert len(countries) == 4 and ("https://example.org/c2", None) in countries
    assert Counter(scans.index_country_rows(store)) == Counter(countries)
    assert [row[0] for row in scans.index_country_rows(store)] == [row[0] for row in countries]
    text = queries["index-labels"].text
    labels = Counter((s["item"].value, s["property"].value, s["label"]) for s in store.query(text))  # type: ignore[union-attr]
    assert len(labels) == 5  # c1: two rdfs:label and a skos:prefLabel; c4 two; the blank node's and the IRI's are left out
    assert Counter(scans.index_label_rows(store)) == labels
