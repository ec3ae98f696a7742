"""The Python clients people point at SPARQL endpoints, each used as its documentation shows, against `natokg serve`:
SPARQLWrapper with its defaults for every query form x return format x method, rdflib's SPARQLStore, and rdflib's
Graph().parse(URL) of resources and dumps. Answers are compared with the endpoint's own SPARQL JSON."""

from __future__ import annotations

import csv
import io
import warnings
from typing import Any
from xml.dom.minidom import Document

import httpx
import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, GET, JSON, JSONLD, N3, POST, POSTDIRECTLY, RDF, RDFXML, TSV, TURTLE, URLENCODED, XML, SPARQLWrapper

NKG = "https://w3id.org/natokg/"
PREFIXES = ("PREFIX nkg: <https://w3id.org/natokg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
            "PREFIX org: <http://www.w3.org/ns/org#> ")
QUERIES = {  # French labels: the answers must survive every encoding
    "SELECT": PREFIXES + 'SELECT ?s ?label WHERE { ?s a nkg:PartnershipFramework ; rdfs:label ?label FILTER (LANG(?label) = "fr") }',
    "ASK": PREFIXES + f"ASK {{ <{NKG}id/country/FRA> org:memberOf <{NKG}id/organisation/nato> }}",
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?s rdfs:label ?label } WHERE { ?s a nkg:PartnershipFramework ; rdfs:label ?label }",
    "DESCRIBE": f"DESCRIBE <{NKG}id/country/FRA>",
}
FORMATS = [JSON, XML, TURTLE, N3, RDF, RDFXML, CSV, TSV, JSONLD]  # SPARQLWrapper's own list
METHODS = [(GET, URLENCODED), (POST, URLENCODED), (POST, POSTDIRECTLY)]

Rows = frozenset[tuple[str, ...]]


def expected(live_url: str, form: str) -> Rows | bool:
    """The answer as the endpoint gives it in SPARQL JSON (or N-Triples), read by pyoxigraph."""
    graph = form in ("CONSTRUCT", "DESCRIBE")
    accept = "application/n-triples" if graph else "application/sparql-results+json"
    response = httpx.get(f"{live_url}/sparql", params={"query": QUERIES[form]}, headers={"Accept": accept})
    if graph:
        return _graph_rows(Graph().parse(data=response.text, format="nt"))
    return _rows(response.content, ox.QueryResultsFormat.JSON)


def _rows(body: bytes, fmt: ox.QueryResultsFormat) -> Rows | bool:
    result = ox.parse_query_results(body, format=fmt)
    if isinstance(result, ox.QueryBoolean):
        return bool(result)
    names = [v.value for v in result.variables]
    return frozenset(tuple(str(row[name].value) if row[name] is not None else "" for name in names) for row in result)


def _graph_rows(graph: Graph) -> Rows:
    return frozenset((str(s), str(p), str(o)) for s, p, o in graph)


def normalised(converted: Any, content_type: str, form: str) -> Rows | bool:
    """What SPARQLWrapper's `convert()` gave, as rows or a boolean (its type depends on the answer's media type)."""
    media = content_type.split(";")[0]
    if isinstance(converted, dict):  # SPARQL JSON
        if "boolean" in converted:
            return bool(converted["boolean"])
        return frozenset(tuple(b[v]["value"] for v in converted["head"]["vars"]) for b in converted["results"]["bindings"])
    if isinstance(converted, Document):  # SPARQL XML
        return _rows(converted.toxml("utf-8"), ox.QueryResultsFormat.XML)
    if isinstance(converted, Graph):  # RDF/XML and JSON-LD, parsed by rdflib
        return _graph_rows(converted)
    assert isinstance(converted, bytes), type(converted)
    if media in ("text/csv", "text/tab-separated-values"):
        if form == "ASK":
            return converted.decode().strip().splitlines()[-1].strip() == "true"
        if media == "text/csv":  # CSV keeps plain strings only: read it as CSV
            return frozenset(tuple(row) for row in list(csv.reader(io.StringIO(converted.decode("utf-8"))))[1:])
        return _rows(converted, ox.QueryResultsFormat.TSV)
    return _graph_rows(Graph().parse(data=converted, format="n3" if media == "text/n3" else "turtle"))


@pytest.mark.parametrize(("method", "request_method"), METHODS, ids=["GET", "POST-form", "POST-direct"])
@pytest.mark.parametrize("return_format", FORMATS)
@pytest.mark.parametrize("form", QUERIES)
def test_sparqlwrapper(live_url: str, form: str, return_format: str, method: str, request_method: str) -> None:
    """SPARQLWrapper as its README shows, with its defaults (it sends `format=`, `output=`, `results=` and `Accept`).
    A format the query form cannot take (SELECT as Turtle) gets the form's default, as SPARQLWrapper expects."""
    client = SPARQLWrapper(f"{live_url}/sparql")
    client.setQuery(QUERIES[form])
    client.setReturnFormat(return_format)
    client.setMethod(method)
    client.setRequestMethod(request_method)
    with warnings.catch_warnings():
        # SPARQLWrapper's own notices when a format does not fit the query form ("Sending Accept header '*/*'...").
        warnings.filterwarnings("ignore", category=RuntimeWarning, module="SPARQLWrapper")
        result = client.query()
        content_type = result.info()["content-type"]
        converted = result.convert()
    assert normalised(converted, content_type, form) == expected(live_url, form)


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize(("form", "return_format"), [("SELECT", "xml"), ("SELECT", "json"), ("SELECT", "csv"), ("SELECT", "tsv"),
                                                     ("ASK", "xml"), ("ASK", "json")])
def test_rdflib_sparqlstore_tables(live_url: str, form: str, return_format: str, method: str) -> None:
    """SELECT in each of rdflib's table formats; ASK in XML and JSON (CSV and TSV are defined for SELECT only, and
    rdflib's readers of them take no boolean)."""
    store = SPARQLStore(f"{live_url}/sparql", returnFormat=return_format, method=method)
    result = Graph(store=store).query(QUERIES[form])
    if form == "ASK":
        assert bool(result.askAnswer) is expected(live_url, form)
    else:
        rows = frozenset(tuple(str(v) for v in row) for row in result)  # type: ignore[union-attr]
        assert rows == expected(live_url, form)


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_rdflib_sparqlstore_graphs(live_url: str, form: str, method: str) -> None:
    """Graph answers with SPARQLStore's default return format (its Accept takes RDF/XML for them)."""
    store = SPARQLStore(f"{live_url}/sparql", method=method)
    result = Graph(store=store).query(QUERIES[form])
    assert _graph_rows(result.graph) == expected(live_url, form)  # type: ignore[arg-type]


@pytest.mark.parametrize("path", ["/id/country/FRA", "/id/framework/pfp", "/id/membership/nato-FRA", "/ontology", "/.well-known/void"])
def test_rdflib_parses_resources_by_url(live_url: str, path: str) -> None:
    """`Graph().parse(url)`: rdflib sends its own Accept and reads the format from the answer's Content-Type."""
    graph = Graph().parse(f"{live_url}{path}")
    assert len(graph) > 5
    if path.startswith("/id/"):
        assert (URIRef(f"{NKG}{path[1:]}"), None, None) in graph


@pytest.fixture(scope="module")
def whole(live_url: str) -> Graph:
    return Graph().parse(f"{live_url}/dumps/natokg.nt")


@pytest.mark.parametrize("extension", ["ttl", "jsonld", "rdf", "n3", "nq", "trig"])
def test_rdflib_parses_dumps_by_url(live_url: str, whole: Graph, extension: str) -> None:
    if extension in ("nq", "trig"):  # dataset syntaxes: everything is in the default graph
        parsed = len(Dataset().parse(f"{live_url}/dumps/natokg.{extension}"))
    else:
        parsed = len(Graph().parse(f"{live_url}/dumps/natokg.{extension}"))
    assert parsed == len(whole) > 10_000
