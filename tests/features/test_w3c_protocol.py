"""W3C SPARQL 1.1 Protocol tests (sparql11/protocol/manifest.ttl), encoded by hand against the real app.

The manifest's tests are prose (HTTP requests and expected responses described in RDF), so each is
written out here as one case whose id is the test's IRI; `test_every_manifest_entry_is_encoded`
keeps this file and the manifest in step. Requests go to `/sparql` where the manifest says
`/sparql/`. natokg is a read-only endpoint: the update-protocol tests must be refused with a 4xx
problem and leave the data as it was (the quad count is compared before and after, and the
manifest's follow-up ASK must find nothing). natokg's store does not hold the test data
(protocol/data*.nt, nor any named graph): where a test depends on it, its docstring says how the
assertion was adapted.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote
from xml.etree import ElementTree

import httpx
import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.errors import PROBLEM_MEDIA_TYPE
from tests.w3c import MISSING, W3C_BASE, entries, manifest, suite

MANIFEST = f"{W3C_BASE}protocol/manifest#"
KASEI = "http://kasei.us/2009/09/sparql/data/"
DATA0, DATA1, DATA2, DATA3 = (f"{KASEI}data{n}.rdf" for n in range(4))
FORM = "application/x-www-form-urlencoded"
QUERY = "application/sparql-query"
UPDATE = "application/sparql-update"
SRX = "{http://www.w3.org/2005/sparql-results#}"
RDF_SYNTAXES = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
                "application/rdf+xml": ox.RdfFormat.RDF_XML}
QUADS = "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
NAMED_GRAPHS = "SELECT ?g WHERE { GRAPH ?g { } }"
ANY_TRIPLE = "ASK { ?s ?p ?o }"
NO_TRIPLE = "ASK { FILTER NOT EXISTS { ?s ?p ?o } }"

Case = Callable[[TestClient], None]
CASES: dict[str, Case] = {}


def case(function: Case) -> Case:
    """Register a test case under its manifest name (the function's name without the leading underscore)."""
    CASES[function.__name__.lstrip("_")] = function
    return function


def q(text: str) -> str:
    return quote(text, safe="")


def send(client: TestClient, method: str, target: str, body: str | None = None, content_type: str | None = None,
         *, encoding: str = "utf-8", accept: str | None = None) -> httpx.Response:
    headers = {}
    if content_type:
        headers["Content-Type"] = content_type
    if accept:
        headers["Accept"] = accept
    content = body.encode(encoding) if body is not None else None
    return client.request(method, target, content=content, headers=headers)


def boolean(response: httpx.Response) -> bool:
    """The answer of an ASK, from whichever boolean format the endpoint chose (mf:expectedFormat "boolean")."""
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        value = response.json()["boolean"]
        assert isinstance(value, bool)
        return value
    assert media == "application/sparql-results+xml", media
    element = ElementTree.fromstring(response.content).find(f"{SRX}boolean")
    assert element is not None and element.text in ("true", "false")
    return element.text == "true"


def tabular(response: httpx.Response) -> list[dict[str, str]]:
    """Rows of a SELECT answer in JSON, XML, CSV or TSV (mf:expectedFormat "tabular"), as plain strings."""
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    if media == "text/csv":  # lossy by design (https://www.w3.org/TR/sparql11-results-csv-tsv/): plain strings
        header, *lines = list(csv.reader(io.StringIO(response.text)))
        return [{n: v for n, v in zip(header, line, strict=True) if v} for line in lines]
    formats = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
               "application/sparql-results+xml": ox.QueryResultsFormat.XML,
               "text/tab-separated-values": ox.QueryResultsFormat.TSV}
    assert media in formats, media
    solutions = ox.parse_query_results(response.content, format=formats[media])
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[i].value for i, n in enumerate(names) if s[i] is not None} for s in solutions]


def rdf(response: httpx.Response) -> list[ox.Triple]:
    """The triples of a CONSTRUCT or DESCRIBE answer in RDF/XML, Turtle or N-Triples (mf:expectedFormat "RDF")."""
    assert response.status_code == 200, response.text
    media = response.headers["content-type"].split(";")[0]
    assert media in RDF_SYNTAXES, media
    return [quad.triple for quad in ox.parse(response.content, format=RDF_SYNTAXES[media])]


def refused(response: httpx.Response, status: int | None = None) -> dict[str, Any]:
    """A 4xx answer with an RFC 9457 problem body; its body."""
    assert 400 <= response.status_code < 500, f"{response.status_code} {response.text}"
    if status is not None:
        assert response.status_code == status, f"{response.status_code} {response.text}"
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    problem: dict[str, Any] = response.json()
    assert problem["status"] == response.status_code and problem["detail"]
    return problem


def ask(client: TestClient, query: str, **params: str | list[str]) -> bool:
    return boolean(client.post("/sparql", params=params, content=query.encode(), headers={"Content-Type": QUERY}))


def named_graphs(client: TestClient, query: str = NAMED_GRAPHS, **params: str | list[str]) -> set[str]:
    response = client.post("/sparql", params=params, content=query.encode(), headers={"Content-Type": QUERY})
    return {row["g"] for row in tabular(response)}


def quad_count(client: TestClient) -> int:
    return int(tabular(send(client, "POST", "/sparql", QUADS, QUERY))[0]["n"])


def read_only(client: TestClient, request: Callable[[], httpx.Response], follow_up: str | None = None) -> None:
    """The update must be refused with a 4xx problem, the data unchanged, and its effect not visible."""
    before = quad_count(client)
    refused(request())
    assert quad_count(client) == before
    if follow_up is not None:
        assert ask(client, follow_up) is False


# --- query operation -------------------------------------------------------------------------------


@case
def _query_post_form(client: TestClient) -> None:
    """ASK {} by URL-encoded POST, dataset in the URL: true, as a boolean result."""
    assert boolean(send(client, "POST", f"/sparql?default-graph-uri={q(DATA0)}", "query=ASK%20%7B%7D", FORM)) is True


@case
def _query_get(client: TestClient) -> None:
    """ASK {} by GET with a protocol default graph: true."""
    assert boolean(send(client, "GET", f"/sparql?query=ASK%20%7B%7D&default-graph-uri={q(DATA0)}")) is True


@case
def _query_post_direct(client: TestClient) -> None:
    """ASK {} by direct POST: true."""
    assert boolean(send(client, "POST", "/sparql", "ASK {}", QUERY)) is True


DEFAULT_GRAPHS_ASK = f"ASK {{ <{DATA1}> a ?type . <{DATA2}> a ?type . }}"
NAMED_GRAPHS_ASK = f"ASK {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}"


@case
def _query_dataset_default_graphs_get(client: TestClient) -> None:
    """Protocol default graphs by GET. Adapted: natokg does not hold data1/data2, so the manifest's ASK is
    answered (boolean) but false; that the parameters are honoured is shown instead by a natokg triple
    being visible without them and not with them (the default graph becomes the empty merge)."""
    target = f"/sparql?query={q(DEFAULT_GRAPHS_ASK)}&default-graph-uri={q(DATA1)}&default-graph-uri={q(DATA2)}"
    assert boolean(send(client, "GET", target)) is False
    assert boolean(send(client, "GET", f"/sparql?query={q(ANY_TRIPLE)}")) is True
    with_dataset = f"/sparql?query={q(ANY_TRIPLE)}&default-graph-uri={q(DATA1)}&default-graph-uri={q(DATA2)}"
    assert boolean(send(client, "GET", with_dataset)) is False


@case
def _query_dataset_default_graphs_post(client: TestClient) -> None:
    """Protocol default graphs by direct POST. Adapted as for the GET variant."""
    target = f"/sparql?default-graph-uri={q(DATA1)}&default-graph-uri={q(DATA2)}"
    assert boolean(send(client, "POST", target, DEFAULT_GRAPHS_ASK, QUERY)) is False
    assert ask(client, ANY_TRIPLE) is True
    assert ask(client, ANY_TRIPLE, **{"default-graph-uri": [DATA1, DATA2]}) is False


@case
def _query_dataset_named_graphs_post(client: TestClient) -> None:
    """Protocol named graphs by direct POST. Adapted: the manifest's ASK is false without the test data;
    `GRAPH ?g {}` shows the dataset's named graphs are exactly the two given."""
    target = f"/sparql?named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}"
    assert boolean(send(client, "POST", target, NAMED_GRAPHS_ASK, QUERY)) is False
    assert named_graphs(client, **{"named-graph-uri": [DATA1, DATA2]}) == {DATA1, DATA2}


@case
def _query_dataset_named_graphs_get(client: TestClient) -> None:
    """Protocol named graphs by GET. Adapted as for the POST variant."""
    target = f"/sparql?query={q(NAMED_GRAPHS_ASK)}&named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}"
    assert boolean(send(client, "GET", target)) is False
    rows = tabular(send(client, "GET", f"/sparql?query={q(NAMED_GRAPHS)}&named-graph-uri={q(DATA1)}&named-graph-uri={q(DATA2)}"))
    assert {row["g"] for row in rows} == {DATA1, DATA2}


@case
def _query_dataset_full(client: TestClient) -> None:
    """Protocol default and named graphs together. Adapted: the manifest's ASK is false without the test
    data; the named graphs are exactly data1 and data2, and the default graph (data3) is empty here."""
    params = {"default-graph-uri": DATA3, "named-graph-uri": [DATA1, DATA2]}
    query = f"ASK {{ <{DATA3}> a ?type GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}"
    assert ask(client, query, **params) is False
    assert named_graphs(client, **params) == {DATA1, DATA2}
    assert ask(client, ANY_TRIPLE, **params) is False


@case
def _query_multiple_dataset(client: TestClient) -> None:
    """A dataset both in the query (FROM) and in the protocol: the protocol's wins. Adapted: the named
    graphs seen are the protocol's (data1, data2), not the query's FROM NAMED <data3>."""
    query = f"ASK FROM <{DATA3}> {{ GRAPH ?g1 {{ <{DATA1}> a ?type }} GRAPH ?g2 {{ <{DATA2}> a ?type }} }}"
    assert ask(client, query, **{"named-graph-uri": [DATA1, DATA2]}) is False
    from_named = f"SELECT ?g FROM NAMED <{DATA3}> WHERE {{ GRAPH ?g {{ }} }}"
    assert named_graphs(client, from_named) == {DATA3}
    assert named_graphs(client, from_named, **{"named-graph-uri": [DATA1, DATA2]}) == {DATA1, DATA2}


@case
def _query_content_type_select(client: TestClient) -> None:
    """SELECT answers in a tabular format (JSON by default), and in each of XML, JSON, CSV, TSV by Accept."""
    target = f"/sparql?default-graph-uri={q(DATA0)}"
    assert tabular(send(client, "POST", target, "SELECT (1 AS ?value) {}", QUERY)) == [{"value": "1"}]
    for media in ("application/sparql-results+xml", "application/sparql-results+json", "text/csv", "text/tab-separated-values"):
        response = send(client, "POST", target, "SELECT (1 AS ?value) {}", QUERY, accept=media)
        assert response.headers["content-type"].split(";")[0] == media
        assert tabular(response) == [{"value": "1"}]


@case
def _query_content_type_ask(client: TestClient) -> None:
    """ASK answers in a boolean format (JSON by default), and in XML or JSON by Accept."""
    target = f"/sparql?default-graph-uri={q(DATA0)}"
    assert boolean(send(client, "POST", target, "ASK {}", QUERY)) is True
    for media in ("application/sparql-results+xml", "application/sparql-results+json"):
        response = send(client, "POST", target, "ASK {}", QUERY, accept=media)
        assert response.headers["content-type"].split(";")[0] == media
        assert boolean(response) is True


@case
def _query_content_type_describe(client: TestClient) -> None:
    """DESCRIBE answers in an RDF syntax (Turtle by default), and in RDF/XML, Turtle or N-Triples by Accept.
    The described IRI is not in natokg: the graph is empty, but well-formed."""
    target = f"/sparql?default-graph-uri={q(DATA0)}"
    assert rdf(send(client, "POST", target, "DESCRIBE <http://example.org/>", QUERY)) == []
    for media in RDF_SYNTAXES:
        response = send(client, "POST", target, "DESCRIBE <http://example.org/>", QUERY, accept=media)
        assert response.headers["content-type"].split(";")[0] == media
        assert rdf(response) == []


@case
def _query_content_type_construct(client: TestClient) -> None:
    """CONSTRUCT answers in an RDF syntax; its relative IRIs resolve against the endpoint's IRI."""
    triples = rdf(send(client, "POST", f"/sparql?default-graph-uri={q(DATA0)}", "CONSTRUCT { <s> <p> 1 } WHERE {}", QUERY))
    base = "http://testserver/"
    assert triples == [ox.Triple(ox.NamedNode(f"{base}s"), ox.NamedNode(f"{base}p"),
                                 ox.Literal("1", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))]
    for media in RDF_SYNTAXES:
        response = send(client, "POST", "/sparql", "CONSTRUCT { <s> <p> 1 } WHERE {}", QUERY, accept=media)
        assert response.headers["content-type"].split(";")[0] == media
        assert len(rdf(response)) == 1


# --- malformed query requests ---------------------------------------------------------------------


@case
def _bad_query_method(client: TestClient) -> None:
    """PUT is not a query method: 405, naming the methods that are (RFC 9110: `Allow`)."""
    response = send(client, "PUT", f"/sparql?query=ASK%20%7B%7D&default-graph-uri={q(DATA0)}", content_type=FORM)
    refused(response, 405)
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["allow"].split(",")}


@case
def _bad_multiple_queries(client: TestClient) -> None:
    """Two `query` parameters: 400."""
    refused(send(client, "GET", "/sparql?query=ASK%20%7B%7D&query=SELECT%20%2A%20%7B%7D"), 400)


@case
def _bad_query_wrong_media_type(client: TestClient) -> None:
    """A query POSTed as text/plain: 415."""
    refused(send(client, "POST", "/sparql", "ASK {}", "text/plain"), 415)


@case
def _bad_query_missing_form_type(client: TestClient) -> None:
    """A form body without its media type: 415."""
    refused(send(client, "POST", "/sparql", "query=ASK%20%7B%7D"), 415)


@case
def _bad_query_missing_direct_type(client: TestClient) -> None:
    """A query body without its media type: 415."""
    refused(send(client, "POST", "/sparql", "ASK {}"), 415)


@case
def _bad_query_non_utf8(client: TestClient) -> None:
    """A direct POST in UTF-16: 415 (the protocol takes UTF-8 only)."""
    refused(send(client, "POST", "/sparql", "ASK {}", f"{QUERY}; charset=UTF-16", encoding="utf-16"), 415)


@case
def _bad_query_syntax(client: TestClient) -> None:
    """`ASK {` does not parse: 400, a malformed-query problem."""
    problem = refused(send(client, "GET", "/sparql?query=ASK%20%7B"), 400)
    assert problem["type"].endswith("/malformed-query")


# --- update operation: a read-only endpoint refuses every update, and nothing changes -------------


def _dataset_update(target: str, update: str, follow_up: str) -> Case:
    def run(client: TestClient) -> None:
        read_only(client, lambda: send(client, "POST", target, update, UPDATE), follow_up)
    run.__doc__ = "An update with a protocol dataset: refused (read-only), data unchanged, its result not visible."
    return run


_PREFIXES = "PREFIX dc: <http://purl.org/dc/terms/>\nPREFIX foaf: <http://xmlns.com/foaf/0.1/>\n"
_INSERT_DOCS = f"""INSERT DATA {{
    GRAPH <{DATA1}> {{ <{DATA1}> a foaf:Document }}
    GRAPH <{DATA2}> {{ <{DATA2}> a foaf:Document }}
    GRAPH <{DATA3}> {{ <{DATA3}> a foaf:Document }}
}} ;"""
CASES["update_dataset_default_graph"] = _dataset_update(
    f"/sparql?using-graph-uri={q(DATA1)}",
    f"{_PREFIXES}CLEAR ALL ;\nINSERT DATA {{ GRAPH <{DATA1}> {{ <{DATA1}> a foaf:Document }} }} ;\n"
    "INSERT { GRAPH <http://example.org/protocol-update-dataset-test/> { ?s a dc:BibliographicResource } }\n"
    "WHERE { ?s a foaf:Document }",
    f"ASK {{ GRAPH <http://example.org/protocol-update-dataset-test/> {{ <{DATA1}> a ?type }} }}",
)
CASES["update_dataset_default_graphs"] = _dataset_update(
    f"/sparql?using-graph-uri={q(DATA1)}&using-graph-uri={q(DATA2)}",
    f"{_PREFIXES}DROP ALL ;\n{_INSERT_DOCS}\n"
    "INSERT { GRAPH <http://example.org/protocol-update-dataset-graphs-test/> { ?s a dc:BibliographicResource } }\n"
    "WHERE { ?s a foaf:Document }",
    "ASK { GRAPH <http://example.org/protocol-update-dataset-graphs-test/> { ?s ?p ?o } }",
)
CASES["update_dataset_named_graphs"] = _dataset_update(
    f"/sparql?using-named-graph-uri={q(DATA1)}&using-named-graph-uri={q(DATA2)}",
    f"{_PREFIXES}DROP ALL ;\n{_INSERT_DOCS}\n"
    "INSERT { GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> { ?s a dc:BibliographicResource } }\n"
    "WHERE { GRAPH ?g { ?s a foaf:Document } }",
    "ASK { GRAPH <http://example.org/protocol-update-dataset-named-graphs-test/> { ?s ?p ?o } }",
)
CASES["update_dataset_full"] = _dataset_update(
    f"/sparql?using-graph-uri={q(DATA1)}&using-named-graph-uri={q(DATA2)}",
    f"{_PREFIXES}DROP ALL ;\n{_INSERT_DOCS}\n"
    "INSERT { GRAPH <http://example.org/protocol-update-dataset-full-test/> { ?s <http://example.org/in> ?in } }\n"
    'WHERE { { GRAPH ?g { ?s a foaf:Document } BIND(?g AS ?in) } UNION { ?s a foaf:Document . BIND("default" AS ?in) } }',
    "ASK { GRAPH <http://example.org/protocol-update-dataset-full-test/> { ?s ?p ?o } }",
)


@case
def _update_post_form(client: TestClient) -> None:
    """`update=CLEAR ALL` by form POST: refused, and every triple is still there."""
    read_only(client, lambda: send(client, "POST", "/sparql", "update=CLEAR+ALL", FORM), NO_TRIPLE)


@case
def _update_post_direct(client: TestClient) -> None:
    """`CLEAR ALL` by direct POST: refused, and every triple is still there."""
    read_only(client, lambda: send(client, "POST", "/sparql", "CLEAR ALL", UPDATE))
    assert ask(client, ANY_TRIPLE) is True


@case
def _update_base_uri(client: TestClient) -> None:
    """An update with a relative IRI: refused; the graph it would write does not exist. (The base IRI
    the manifest probes is checked on the query side by query_content_type_construct.)"""
    update = ("CLEAR SILENT GRAPH <http://example.org/protocol-base-test/> ;\nINSERT DATA { "
              "GRAPH <http://example.org/protocol-base-test/> { <http://example.org/s> <http://example.org/p> <test> } }")
    read_only(client, lambda: send(client, "POST", "/sparql", update, UPDATE),
              "ASK { GRAPH <http://example.org/protocol-base-test/> { ?s ?p ?o } }")


@case
def _bad_update_get(client: TestClient) -> None:
    """`update=CLEAR ALL` by GET: 4xx, nothing cleared."""
    read_only(client, lambda: send(client, "GET", "/sparql?update=CLEAR%20ALL"))


@case
def _bad_multiple_updates(client: TestClient) -> None:
    """Two `update` parameters: 4xx, nothing cleared."""
    read_only(client, lambda: send(client, "POST", "/sparql", "update=CLEAR%20NAMED&update=CLEAR%20DEFAULT", FORM))


@case
def _bad_update_wrong_media_type(client: TestClient) -> None:
    """An update POSTed as text/plain: 415."""
    read_only(client, lambda: send(client, "POST", "/sparql", "CLEAR NAMED", "text/plain"))
    refused(send(client, "POST", "/sparql", "CLEAR NAMED", "text/plain"), 415)


@case
def _bad_update_missing_form_type(client: TestClient) -> None:
    """A form update without its media type: 415."""
    read_only(client, lambda: send(client, "POST", "/sparql", "update=CLEAR%20NAMED"))
    refused(send(client, "POST", "/sparql", "update=CLEAR%20NAMED"), 415)


@case
def _bad_update_non_utf8(client: TestClient) -> None:
    """A direct update in UTF-16: 4xx."""
    read_only(client, lambda: send(client, "POST", "/sparql", "CLEAR NAMED", f"{UPDATE}; charset=UTF-16", encoding="utf-16"))


@case
def _bad_update_syntax(client: TestClient) -> None:
    """`CLEAR XYZ` does not parse: 4xx."""
    read_only(client, lambda: send(client, "POST", "/sparql", "update=CLEAR%20XYZ", FORM))


@case
def _bad_update_dataset_conflict(client: TestClient) -> None:
    """`using-named-graph-uri` together with WITH in the update: 4xx."""
    update = ("PREFIX foaf:  <http://xmlns.com/foaf/0.1/>\nWITH <http://example/addresses>\n"
              "DELETE { ?person foaf:givenName 'Bill' }\nINSERT { ?person foaf:givenName 'William' }\n"
              "WHERE { ?person foaf:givenName 'Bill' }")
    read_only(client, lambda: send(client, "POST", f"/sparql?using-named-graph-uri={q('http://example/people')}", update, UPDATE))


# --- the runner ---------------------------------------------------------------------------------------


def _params() -> list[Any]:
    if suite("protocol") is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=MISSING), id="missing")]
    return [pytest.param(name, id=f"{MANIFEST}{name}") for name in CASES]


@pytest.mark.parametrize("name", _params())
def test_protocol(client: TestClient, name: str) -> None:
    CASES[name](client)


def test_every_manifest_entry_is_encoded() -> None:
    """Each protocol test of the manifest has exactly one case here, and there is no case it does not list."""
    folder = suite("protocol")
    if folder is None:
        pytest.skip(MISSING)
    listed = {str(entry).removeprefix(MANIFEST) for entry in entries(manifest(folder))}
    assert listed == set(CASES)


def test_results_json_is_valid_json(client: TestClient) -> None:
    """The JSON results of the protocol tests are JSON documents with the SPARQL results shape."""
    document = json.loads(send(client, "GET", "/sparql?query=SELECT%20%2A%20%7B%7D").content)
    assert document["head"]["vars"] == [] and document["results"]["bindings"] == [{}]
