"""The service's SPARQL JSON writer writes a whole answer with the same bytes as Oxigraph's own serialiser.

The embedded store answers some queries with Oxigraph's serialiser (bounded or measured cheap, in the serving
process) and the others with app.sparql.results (cut at the row cap, on a worker or from a remote store):
one query gets one answer, byte for byte, whichever wrote it.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from app.core.formats import BY_NAME
from app.sparql.results import write_boolean, write_solutions

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
