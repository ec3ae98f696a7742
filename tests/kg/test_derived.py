"""Triples derived at load time from queries/derive-*.rq: org:memberOf shortcuts and membership labels."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi.testclient import TestClient

from app.core.settings import PROJECT_ROOT
from app.core.vocab import PREFIXES as VOCABULARIES
from app.store.disk import derived_quads
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


PREFIXES = "".join(f"@prefix {name}: <{namespace}> .\n" for name, namespace in {**VOCABULARIES, "": "https://example.org/"}.items())


def _derived(name: str, turtle: str) -> set[tuple[str, str, str]]:
    """What the derivation `queries/<name>.rq` derives from `turtle` alone, as (subject, predicate, object) text."""
    store = ox.Store()
    store.load(input=(PREFIXES + turtle).encode(), format=ox.RdfFormat.TURTLE)
    text = (PROJECT_ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    return {(q.subject.value, q.predicate.value.rsplit("#", 1)[-1], q.object.value) for q in derived_quads(store, text)}  # type: ignore[union-attr]


def test_membership_labels_join_the_three_labels_of_one_language() -> None:
    derived = _derived("derive-membership-labels", """
        :m1 a org:Membership ; org:member :a ; org:role :partner ; org:organization :pfp .
        :m2 a org:Membership ; org:member :b ; org:role :partner ; org:organization :pfp .
        :m3 a org:Membership ; org:member :a ; org:role :partner ; org:organization :pfp ; rdfs:label "named by its source"@en .
        :m4 org:member :a ; org:role :partner ; org:organization :pfp .
        :a rdfs:label "Austria"@en , "Autriche"@fr , "Österreich"@de .
        :b rdfs:label "Bosnia"@en .
        :partner rdfs:label "partner"@en , "partenaire"@fr .
        :pfp rdfs:label "Partnership for Peace"@en , "Partenariat pour la paix"@fr .
    """)
    # :m2 has no French label, as its member has none; :m3 keeps the label of its own; :m4 is not a membership
    assert derived == {
        ("https://example.org/m1", "label", "Austria, partner, Partnership for Peace"),
        ("https://example.org/m1", "label", "Autriche, partenaire, Partenariat pour la paix"),
        ("https://example.org/m2", "label", "Bosnia, partner, Partnership for Peace"),
    }


def test_time_bounds_span_the_recorded_precision_narrowed_by_the_sources() -> None:
    derived = _derived("derive-time-bounds", """
        :m1 org:memberDuring [ time:hasBeginning [ time:inXSDgYearMonth "2000-02"^^xsd:gYearMonth ] ;
                               time:hasEnd [ time:inXSDgYear "2004"^^xsd:gYear ] ] .
        :m2 org:memberDuring [ time:hasBeginning [ time:inXSDgYear "1995"^^xsd:gYear ;
                                                   nkg:notBefore "1995-03-01"^^xsd:date ; nkg:notAfter "1995-06-30"^^xsd:date ] ;
                               nkg:endUnknown true ] .
        :operation time:hasTime [ time:hasBeginning [ time:inXSDDate "1999-03-24"^^xsd:date ] ;
                                  time:hasEnd [ time:inXSDDate "1999-06-10"^^xsd:date ] ] .
        :c1 a nkg:Contribution ; nkg:toOperation :operation .
    """)
    bounds = {(s.rsplit("/", 1)[-1], p, o) for s, p, o in derived}
    assert bounds == {
        ("m1", "earliestStart", "2000-02-01"), ("m1", "latestStart", "2000-02-29"),  # a leap year's February
        ("m1", "earliestEnd", "2004-01-01"), ("m1", "latestEnd", "2004-12-31"),
        ("m2", "earliestStart", "1995-03-01"), ("m2", "latestStart", "1995-06-30"),
        ("m2", "earliestEnd", "1995-03-01"),  # an unknown end: from the earliest start on, with no latest end
        ("operation", "earliestStart", "1999-03-24"), ("operation", "latestStart", "1999-03-24"),
        ("operation", "earliestEnd", "1999-06-10"), ("operation", "latestEnd", "1999-06-10"),
        ("c1", "earliestStart", "1999-03-24"), ("c1", "latestEnd", "1999-06-10"),  # somewhere within its operation
    }
