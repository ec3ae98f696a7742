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
