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


def test_bound_keeps_its_variable() -> None:
    query = "SELECT * WHERE { ?s ?p ?o FILTER (BOUND(?lang) || ?o = ?lang) }"
    assert bind_in_filters(query, LANG) == 'SELECT * WHERE { ?s ?p ?o FILTER (BOUND(?lang) || ?o = "fr") }'


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
