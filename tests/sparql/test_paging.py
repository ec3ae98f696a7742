"""The counted and paged forms of a SELECT: what the REST lists send to the store."""

import pyoxigraph as ox
import pytest

from app.sparql.querylib import counted, paged, unordered

DATA = "\n".join(f"<http://example/s{i}> <http://example/p> {i} ." for i in range(7))


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    store.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return store


@pytest.mark.parametrize(("text", "expected"), [
    ("SELECT * { ?s ?p ?o } ORDER BY DESC(?o) ?s", "SELECT * { ?s ?p ?o } "),
    ("SELECT * { ?s ?p ?o } ORDER BY ?s LIMIT 3", "SELECT * { ?s ?p ?o } LIMIT 3"),
    # the subquery's ORDER BY decides which rows its LIMIT keeps: it stays
    ("SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?o LIMIT 2 } } ORDER BY ?s",
     "SELECT * { { SELECT ?s { ?s ?p ?o } ORDER BY ?o LIMIT 2 } } "),
    # words in strings, IRIs and comments are not the keyword
    ("SELECT * { ?s ?p 'ORDER BY' } # ORDER BY ?s\n", "SELECT * { ?s ?p 'ORDER BY' } # ORDER BY ?s\n"),
    ("SELECT * { ?s ?p ?o } order by ?s VALUES ?s { <http://example/s1> }",
     "SELECT * { ?s ?p ?o } VALUES ?s { <http://example/s1> }"),
])
def test_unordered_drops_only_the_top_level_order(text: str, expected: str) -> None:
    assert unordered(text) == expected


def test_a_count_ignores_the_order_and_keeps_the_subquerys_cut(store: ox.Store) -> None:
    def total(text: str) -> int:
        [row] = store.query(counted(text))  # type: ignore[misc]
        return int(row["total"].value)

    assert total("SELECT ?s WHERE { ?s ?p ?o } ORDER BY DESC(?o)") == 7
    assert total("SELECT ?s WHERE { { SELECT ?s { ?s ?p ?o } ORDER BY ?o LIMIT 2 } } ORDER BY ?s") == 2
    assert total("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 3") == 3


def test_a_page_keeps_the_order(store: ox.Store) -> None:
    rows = store.query(paged("SELECT ?o WHERE { ?s ?p ?o } ORDER BY DESC(?o)", limit=2, offset=1))
    assert [int(row["o"].value) for row in rows] == [5, 4]  # type: ignore[union-attr]
