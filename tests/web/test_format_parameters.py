"""`format=`, `output=` and `results=` as other endpoints and their clients send them (Virtuoso, Fuseki, SPARQLWrapper):
short names and media types for both families, a name of the other family read as its counterpart, repeated
values that agree, lists of media types, and a fall back to `Accept` when the values cannot be used."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

SELECT = "SELECT ?s WHERE { ?s a <https://w3id.org/natokg/ontology#PartnershipFramework> } LIMIT 2"
CONSTRUCT = "CONSTRUCT { ?s a ?c } WHERE { ?s a ?c } LIMIT 2"

RESULT_VALUES = {
    "application/sparql-results+json": ["json", "JSON", "js", "application/sparql-results+json", "application/json", "json-ld",
                                        "application/javascript", "text/json"],
    "application/sparql-results+xml": ["xml", "application/sparql-results+xml", "application/xml", "text/xml", "rdf", "rdf+xml",
                                       "application/rdf+xml"],
    "text/csv": ["csv", "text/csv", "text", "text/plain"],
    "text/tab-separated-values": ["tsv", "text/tab-separated-values", "tab-separated-values", "text/tsv"],
}
GRAPH_VALUES = {
    "text/turtle": ["turtle", "ttl", "text/turtle", "application/turtle", "application/x-turtle"],
    "application/n-triples": ["nt", "ntriples", "n-triples", "application/n-triples", "text/plain", "text/ntriples"],
    "application/ld+json": ["json-ld", "jsonld", "ld+json", "application/ld+json", "json", "application/sparql-results+json",
                            "application/ld+json,application/x-json+ld"],
    "application/rdf+xml": ["rdf+xml", "rdfxml", "rdf", "application/rdf+xml", "xml", "application/xml", "owl"],
    "text/n3": ["n3", "text/n3", "text/rdf+n3", "notation3"],
    "application/n-quads": ["nq", "nquads", "application/n-quads"],
    "application/trig": ["trig", "application/trig"],
}


def media(response: object) -> str:
    assert response.status_code == 200, response.text  # type: ignore[attr-defined]
    return response.headers["content-type"].split(";")[0]  # type: ignore[attr-defined, no-any-return]


@pytest.mark.parametrize(("expected", "value"), [(m, v) for m, values in RESULT_VALUES.items() for v in values])
@pytest.mark.parametrize("parameter", ["format", "output", "results"])
def test_table_aliases(client: TestClient, parameter: str, expected: str, value: str) -> None:
    assert media(client.get("/sparql", params={"query": SELECT, parameter: value})) == expected


@pytest.mark.parametrize(("expected", "value"), [(m, v) for m, values in GRAPH_VALUES.items() for v in values])
@pytest.mark.parametrize("parameter", ["format", "output", "results"])
def test_graph_aliases(client: TestClient, parameter: str, expected: str, value: str) -> None:
    assert media(client.get("/sparql", params={"query": CONSTRUCT, parameter: value})) == expected


def test_sparqlwrapper_sends_each_parameter_twice(client: TestClient) -> None:
    """What SPARQLWrapper sends for TSV and JSON-LD: every parameter, each with a short name and a media type."""
    tsv = [("query", SELECT)] + [(p, v) for p in ("format", "output", "results") for v in ("tsv", "text/tab-separated-values")]
    assert media(client.get("/sparql", params=tsv)) == "text/tab-separated-values"
    jsonld = [("query", CONSTRUCT)] + [(p, v) for p in ("format", "output", "results")
                                       for v in ("json-ld", "application/ld+json,application/x-json+ld")]
    assert media(client.get("/sparql", params=jsonld)) == "application/ld+json"
    blank = [("query", SELECT), ("format", "json-ld"), ("format", "")]  # SELECT as JSON-LD: the second value is blank
    assert media(client.get("/sparql", params=blank)) == "application/sparql-results+json"


@pytest.mark.parametrize(("params", "accept", "expected"), [
    ([("format", "csv"), ("format", "tsv")], "application/sparql-results+xml", "application/sparql-results+xml"),  # disagree
    ([("format", "turtle")], "text/csv", "text/csv"),  # a graph format with no table counterpart
    ([("output", "json"), ("results", "csv")], None, "application/sparql-results+json"),  # disagree, no Accept: the default
])
def test_values_that_cannot_be_used_leave_the_choice_to_accept(
    client: TestClient, params: list[tuple[str, str]], accept: str | None, expected: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    assert media(client.get("/sparql", params=[("query", SELECT), *params], headers=headers)) == expected


def test_form_posts_and_named_queries_read_them_too(client: TestClient) -> None:
    assert media(client.post("/sparql", data={"query": CONSTRUCT, "output": "json-ld"})) == "application/ld+json"
    assert media(client.get("/api/queries/class-counts", params={"results": "text/tab-separated-values"})) == "text/tab-separated-values"


def test_unknown_extra_parameters_are_ignored(client: TestClient) -> None:
    assert media(client.get("/sparql", params={"query": SELECT, "timeout": "0", "debug": "on", "format": "csv"})) == "text/csv"


@pytest.mark.parametrize("value", ["yaml", "application/x-unknown", "yaml,toml"])
def test_a_value_that_names_no_format_is_a_400(client: TestClient, value: str) -> None:
    response = client.get("/sparql", params={"query": SELECT, "format": value})
    assert response.status_code == 400 and response.json()["parameters"] == ["format"]
