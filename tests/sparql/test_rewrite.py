"""Rewrites of our queries for remote engines (app/sparql/rewrite): parameters in FILTERs, whole graphs in pages."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from app.sparql.querylib import inline_values
from app.sparql.rewrite import GraphPages, bind_in_filters

LANG = {"lang": ox.Literal("fr")}


def test_a_parameter_is_written_into_filters_only() -> None:
    query = 'SELECT ?l ?lang WHERE { ?s ?p ?l . OPTIONAL { ?s ?q ?m FILTER (LANGMATCHES(LANG(?m), $lang) && ?m != "?lang") } }'
    rewritten = bind_in_filters(inline_values(query, LANG), LANG)
    assert 'LANGMATCHES(LANG(?m), "fr")' in rewritten
    assert '"?lang"' in rewritten  # a string that looks like the variable is left alone
    assert "SELECT ?l ?lang WHERE { VALUES (?lang)" in rewritten  # the projection and the VALUES block keep the variable


def test_bound_of_a_parameter_is_true() -> None:
    query = "SELECT * WHERE { ?s ?p ?o FILTER (BOUND(?lang) || BOUND(?o) || ?o = ?lang) }"
    assert bind_in_filters(query, LANG) == 'SELECT * WHERE { ?s ?p ?o FILTER (true || BOUND(?o) || ?o = "fr") }'


IRI = ox.NamedNode("http://example.org/x")


def test_an_iri_is_written_into_patterns_but_not_where_a_variable_is_needed() -> None:
    query = ("SELECT ?a $r WHERE { { SELECT $r (COUNT(*) AS ?n) WHERE { ?a ?b $r . GRAPH $r { $r ?c ?d } } GROUP BY $r } "
             "FILTER (?a != $r) VALUES $r { <http://example.org/y> } }")
    rewritten = bind_in_filters(inline_values(query, {"r": IRI}), {"r": IRI})
    assert rewritten == (
        "SELECT ?a $r WHERE { VALUES (?r) { (<http://example.org/x>) }  { SELECT $r (COUNT(*) AS ?n) WHERE "
        "{ ?a ?b <http://example.org/x> . GRAPH <http://example.org/x> { <http://example.org/x> ?c ?d } } GROUP BY $r } "
        "FILTER (?a != <http://example.org/x>) VALUES $r { <http://example.org/y> } }")
    ox.Store().query(rewritten)  # it parses


@pytest.mark.parametrize(("pattern", "written"), [
    ("?s ?p $d .", True), ("?s ?p $d ; ?q ?o", True), ("?s ?p ?o , $d", True), ("?s ?p $d OPTIONAL { ?s ?q ?o }", True),
    ("$d ?p ?o .", False), ("?s $d ?o .", False), ("$d a ?t .", False),
])
def test_a_literal_is_written_only_as_an_object(pattern: str, written: bool) -> None:
    day = {"d": ox.Literal("2000-01-01", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date"))}
    rewritten = bind_in_filters(inline_values(f"SELECT * WHERE {{ {pattern} }}", day), day)
    assert ('"2000-01-01"^^' in rewritten.split("}", 1)[1]) is written
    ox.Store().query(rewritten)  # it parses


def test_a_parameter_of_several_values_keeps_its_name() -> None:
    several = {"r": (IRI, ox.NamedNode("http://example.org/y"))}
    query = "SELECT * WHERE { ?s ?p $r FILTER (BOUND($r)) }"
    assert bind_in_filters(query, several) == query


def test_written_in_a_subquery_the_parameter_holds_there() -> None:
    """A VALUES block at the top does not reach into a subquery; the written term and `true` do."""
    store = ox.Store()
    ex = "http://example.org/"
    for name in ("a", "b"):
        store.add(ox.Quad(ox.NamedNode(ex + name), ox.NamedNode(ex + "p"), ox.Literal(name)))
    query = f"SELECT ?s WHERE {{ {{ SELECT ?s WHERE {{ ?s <{ex}p> ?o FILTER (!BOUND($v) || ?o = $v) }} }} }}"
    one = {"v": ox.Literal("a")}
    assert len(list(store.query(inline_values(query, one)))) == 2  # type: ignore[arg-type]
    assert [s["s"] for s in store.query(bind_in_filters(inline_values(query, one), one))] == [ox.NamedNode(ex + "a")]  # type: ignore[union-attr]


def test_a_nested_optional_sees_the_parameter() -> None:
    """By SPARQL's bottom-up scoping a VALUES binding is not seen by a FILTER two OPTIONALs down; the constant is."""
    store = ox.Store()
    ex = "http://example.org/"
    store.add(ox.Quad(ox.NamedNode(ex + "m"), ox.NamedNode(ex + "role"), ox.NamedNode(ex + "r")))
    store.add(ox.Quad(ox.NamedNode(ex + "r"), ox.NamedNode(ex + "label"), ox.Literal("membre", language="fr")))
    query = (f"SELECT ?label WHERE {{ <{ex}m> <{ex}role> ?x . OPTIONAL {{ ?x <{ex}role> ?r . }} "
             f"OPTIONAL {{ <{ex}m> <{ex}role> ?role . "
             f"OPTIONAL {{ ?role <{ex}label> ?label FILTER (LANGMATCHES(LANG(?label), $lang)) }} }} }}")
    values_only = inline_values(query, LANG)
    assert [s["label"] for s in store.query(values_only)] == [None]  # type: ignore[union-attr]
    assert [s["label"] for s in store.query(bind_in_filters(values_only, LANG))] == [ox.Literal("membre", language="fr")]  # type: ignore[union-attr]


def test_graph_pages_of_a_whole_graph_read() -> None:
    query = "PREFIX ex: <http://example.org/>\nCONSTRUCT { ?s ?p ?o } WHERE { GRAPH $g { ?s ?p ?o } }"
    pages = GraphPages.of(inline_values(query, {"g": ox.NamedNode("http://example.org/g")}))
    assert pages is not None
    assert pages.count.startswith("PREFIX ex: <http://example.org/>\nSELECT (COUNT(?s) AS ?n)")
    store = ox.Store()
    store.extend(ox.Quad(ox.NamedNode(f"http://example.org/{i}"), ox.NamedNode("http://example.org/p"), ox.Literal(str(i)),
                         ox.NamedNode("http://example.org/g")) for i in range(25))
    [count] = store.query(pages.count)  # type: ignore[misc]
    assert count[0].value == "25"
    seen = [t for offset in range(0, 30, 10) for t in store.query(pages.page(10, offset))]  # type: ignore[union-attr]
    assert len(seen) == len(set(seen)) == 25


@pytest.mark.parametrize("query", [
    "CONSTRUCT { ?s ?p ?o . ?o ?p ?s } WHERE { ?s ?p ?o }",  # two triples per solution
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 5",  # a modifier of its own
    "SELECT * WHERE { ?s ?p ?o }",
])
def test_other_queries_are_not_paged(query: str) -> None:
    assert GraphPages.of(query) is None
