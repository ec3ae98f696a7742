"""The service's SPARQL JSON writer writes a whole answer with the same bytes as Oxigraph's own serialiser.

The embedded store answers some queries with Oxigraph's serialiser (bounded or measured cheap, in the serving
process) and the others with app.sparql.results (cut at the row cap, on a worker or from a remote store):
one query gets one answer, byte for byte, whichever wrote it.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from app.core.formats import BY_NAME
from app.sparql.results import BOOLEAN, IRI, LANG_STRING, STRING, TYPED, plain_term, write_boolean, write_plain, write_solutions

TEXTS = ['a"b', "back\\slash", "tab\tnl\nret\r", "ctl\x01\x1f\x7f", "uni é 中 \u2028 \u2029 😀", "</script>", "slash/x", ""]


@pytest.fixture(scope="module")
def store() -> ox.Store:
    store = ox.Store()
    p, q, r = ox.NamedNode("http://e/p"), ox.NamedNode("http://e/q"), ox.NamedNode("http://e/r")
    for i, text in enumerate(TEXTS):
        s = ox.NamedNode(f"http://e/{i}")
        store.add(ox.Quad(s, p, ox.Literal(text)))
        store.add(ox.Quad(s, q, ox.Literal(text, language="en-GB")))
        store.add(ox.Quad(s, r, ox.Literal(text, datatype=ox.NamedNode("http://e/dt"))))
    store.add(ox.Quad(ox.BlankNode("b1"), p, ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer"))))
    return store


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o",
    "SELECT ?s ?x WHERE { ?s ?p ?o OPTIONAL { ?s <http://e/none> ?x } } ORDER BY ?s",
    "SELECT * WHERE { }",
    "SELECT ?a WHERE { ?s ?p ?o } LIMIT 0",
])
def test_json_as_oxigraph_writes_it(store: ox.Store, query: str) -> None:
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [v.value for v in solutions.variables]
    rows = [[solution[i] for i in range(len(variables))] for solution in solutions]
    ours = write_solutions(variables, rows, BY_NAME["json"], truncated=False)
    assert ours == store.query(query).serialize(format=ox.QueryResultsFormat.JSON)


@pytest.mark.parametrize("value", [True, False])
def test_boolean_json_as_oxigraph_writes_it(store: ox.Store, value: bool) -> None:
    query = "ASK { ?s ?p ?o }" if value else "ASK { ?s <http://e/none> ?o }"
    assert write_boolean(value, BY_NAME["json"]) == store.query(query).serialize(format=ox.QueryResultsFormat.JSON)


def test_truncated_json_as_oxigraph_reads_it(store: ox.Store) -> None:
    """The flag of a cut answer goes before the results, where strict parsers (Oxigraph's) still read it."""
    query = "SELECT * WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o"
    solutions = store.query(query)
    assert isinstance(solutions, ox.QuerySolutions)
    variables = [v.value for v in solutions.variables]
    rows = [[solution[i] for i in range(len(variables))] for solution in solutions]
    ours = write_solutions(variables, rows, BY_NAME["json"], truncated=True)
    assert ours.startswith(b'{"truncated":true,"head":')
    assert json.loads(ours)["results"] == json.loads(store.query(query).serialize(format=ox.QueryResultsFormat.JSON))["results"]
    parsed = ox.parse_query_results(ours, format=ox.QueryResultsFormat.JSON)
    assert isinstance(parsed, ox.QuerySolutions) and len(list(parsed)) == len(rows)


KINDS = (IRI, STRING, LANG_STRING, TYPED, BOOLEAN)
PLAIN_ROWS = [
    *([f"http://e/{i}", text, (text, "en-GB"), (text, "http://e/dt"), i % 2 == 0] for i, text in enumerate(TEXTS)),
    ["http://e/é", "x", ("y", "fr"), ("2020-01-01", "http://www.w3.org/2001/XMLSchema#date"), False],
    ["http://e/s", "", ("z", "de"), ("plain", "http://www.w3.org/2001/XMLSchema#string"), True],  # an xsd:string, as it is written
    [None, None, None, None, None],
    ["http://e/1", None, ("a", "en"), None, True],
]


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
@pytest.mark.parametrize("truncated", [False, True])
def test_plain_values_are_written_as_the_terms_they_stand_for(fmt: str, truncated: bool) -> None:
    """An index's rows of plain values are the same bytes as the terms they stand for, in every result format."""
    variables = ["a", "b", "c", "d", "e"]
    terms = [[None if value is None else plain_term(kind, value) for kind, value in zip(KINDS, row, strict=True)] for row in PLAIN_ROWS]
    assert terms[0][4] == ox.Literal(True) and terms[1][4] == ox.Literal(False) and terms[0][3].datatype == ox.NamedNode("http://e/dt")
    ours = write_plain(variables, KINDS, PLAIN_ROWS, BY_NAME[fmt], truncated=truncated)
    assert ours == write_solutions(variables, terms, BY_NAME[fmt], truncated=truncated)
    if fmt == "json" and not truncated:
        rows = [[row.get(v) for v in variables] for row in json.loads(ours)["results"]["bindings"]]
        assert len(rows) == len(PLAIN_ROWS) and rows[-2] == [None] * 5
        parsed = ox.parse_query_results(ours, format=ox.QueryResultsFormat.JSON)
        assert isinstance(parsed, ox.QuerySolutions)
        assert [[solution[v] for v in variables] for solution in parsed] == terms


def test_a_plain_value_of_no_known_kind_is_refused() -> None:
    with pytest.raises(ValueError, match="no kind"):
        plain_term("date", "2020-01-01")
