"""What OpenAPI says about the service, kept true: each route's statuses and content types, the parameters and
bodies of the SPARQL protocol and the graph store (which read the request themselves), and the values a
parameter takes, some of them read from the loaded data.

Routes declare their answers with `answers(...)`; `complete(schema, ...)` then goes over the generated
document once: every 4xx and 5xx is an RFC 9457 problem, FastAPI's 422 (which the service never sends: a
validation error is a 400) is replaced, and parameters that name a format or a key of the graph list the
values the service takes. Two string formats are not JSON Schema's own: `sparql-query` (a SPARQL 1.1
query, https://www.w3.org/TR/sparql11-query/#grammar) and `iri` (an absolute IRI, RFC 3987).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ..core.formats import FORM, FORMAT_PARAMETERS, FORMATS, GRAPH_FORMATS, RESULT_FORMATS, SPARQL_QUERY, Format, Kind
from ..rest.kinds import FILTERS
from ..rest.search import Search
from ..sparql.querylib import Parameter, QueryLibrary

PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "An RFC 9457 problem: what was wrong, for people (`detail`) and programs (`type`, `status`).",
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "parameters": {"type": "array", "items": {"type": "string"}, "description": "the parameters at fault"},
    },
}
PROBLEM_CONTENT = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}

DESCRIPTIONS = {
    200: "The answer, in the format chosen by `format` or `Accept`.",
    304: "Not modified: the copy the client holds (`If-None-Match`, `If-Modified-Since`) is current; no body.",
    400: "Bad request: a parameter, the query or the body is wrong; the problem names it.",
    404: "Nothing at this address.",
    406: "Not acceptable: `Accept` allows none of the formats offered here.",
    413: "The query or the request body is over the size limit.",
    415: "The request body is of a type the service does not read.",
    502: "The remote SPARQL store failed (remote mode only).",
    503: "The query ran out of time (`Retry-After` may say when to try again), or the store is unavailable.",
    504: "The remote SPARQL store did not answer in time (remote mode only).",
}

# The values of `format=`, `output=` and `results=` listed: each format's name and media type, and the empty value,
# which leaves the choice to `Accept`. The service takes more (every alias of the one table: README, "Formats").
FORMAT_VALUES = ["", *(f.name for f in FORMATS if f.kind is not Kind.RECORD),
                 *(f.media_type for f in FORMATS if f.kind is not Kind.RECORD)]
FORMAT_SCHEMA = {"$ref": "#/components/schemas/FormatName"}


def media_types(formats: Iterable[Format]) -> dict[str, dict[str, Any]]:
    return {f.media_type: {} for f in formats}


def answers(ok: Iterable[Format] | None = None, *, errors: Iterable[int] = (), revalidates: bool = False) -> dict[int | str, Any]:
    """A route's documented responses: 200 in the formats `ok` (none: the route's model), 304 when it
    `revalidates`, and the problems of `errors`."""
    responses: dict[int | str, Any] = {}
    if ok is not None:
        responses[200] = {"description": DESCRIPTIONS[200], "content": media_types(ok)}
    if revalidates:
        responses[304] = {"description": DESCRIPTIONS[304]}
    for status in errors:
        responses[status] = {"description": DESCRIPTIONS[status]}
    return responses


def _array_of_iris(name: str, meaning: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": f"{meaning}, as `{name}` of the SPARQL 1.1 Protocol: replaces the query's FROM and FROM NAMED.",
            "schema": {"type": "array", "items": {"type": "string", "format": "iri"}}}


QUERY_SCHEMA = {"type": "string", "format": "sparql-query", "description": "A SPARQL 1.1 query (SELECT, ASK, CONSTRUCT or DESCRIBE)."}
DATASET_PARAMETERS = [_array_of_iris("default-graph-uri", "A graph merged into the default graph"),
                      _array_of_iris("named-graph-uri", "A named graph of the dataset")]
FORMAT_PARAMETER_SPECS = [{"name": name, "in": "query", "required": False, "schema": FORMAT_SCHEMA,
                           "description": "The answer's format by name or media type (json, xml, csv, tsv, ttl, nt, jsonld, "
                                          "rdfxml...), as Virtuoso, Fuseki and SPARQLWrapper send it; else `Accept` decides."}
                          for name in FORMAT_PARAMETERS]

SPARQL_GET: dict[str, Any] = {"parameters": [
    {"name": "query", "in": "query", "required": False, "schema": QUERY_SCHEMA,
     "description": "The query. Without it, the answer is the SPARQL service description."},
    *DATASET_PARAMETERS, *FORMAT_PARAMETER_SPECS,
]}
SPARQL_POST: dict[str, Any] = {
    "parameters": [*DATASET_PARAMETERS, *FORMAT_PARAMETER_SPECS],
    "requestBody": {"required": True, "content": {
        FORM: {"schema": {"type": "object", "required": ["query"], "properties": {
            "query": QUERY_SCHEMA,
            "default-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}},
            "named-graph-uri": {"type": "array", "items": {"type": "string", "format": "iri"}},
            **{name: FORMAT_SCHEMA for name in FORMAT_PARAMETERS},
        }}, "encoding": {"default-graph-uri": {"style": "form", "explode": True},
                         "named-graph-uri": {"style": "form", "explode": True}}},
        SPARQL_QUERY: {"schema": QUERY_SCHEMA},
    }},
}
GRAPH_STORE: dict[str, Any] = {"parameters": [
    {"name": "default", "in": "query", "required": False, "allowEmptyValue": True, "schema": {"type": "string"},
     "description": "Read the default graph (its value is not read). Give exactly one of `default` and `graph`."},
    {"name": "graph", "in": "query", "required": False, "schema": {"type": "string", "format": "iri"},
     "description": "Read the named graph with this IRI. Give exactly one of `default` and `graph`."},
]}


def complete(schema: dict[str, Any], *, catalogue: Search | None, queries: QueryLibrary,
             iri_base: str) -> dict[str, Any]:
    """Make the generated document say what the service does (the module docstring): `catalogue` gives the keys
    and kinds the graph holds, for the parameters that take them (None: those stay plain strings); every query
    of `queries` is an operation of its own, with its parameters (`iri_base`: the IRIs they take)."""
    schema.setdefault("paths", {}).update(_named_queries(queries, iri_base))
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schema["components"]["schemas"]["FormatName"] = {"type": "string", "enum": FORMAT_VALUES,
                                                     "description": "A format's name, file extension or media type."}
    schema["components"]["schemas"].pop("HTTPValidationError", None)
    schema["components"]["schemas"].pop("ValidationError", None)
    enums = _enums(catalogue) if catalogue else {}
    for path, operations in schema.get("paths", {}).items():
        named_query = path.startswith("/api/queries/")  # its parameters are the query's own (IRIs, dates...)
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.pop("422", None)
            if operation.get("parameters") or operation.get("requestBody"):
                responses.setdefault("400", {"description": DESCRIPTIONS[400]})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["content"] = PROBLEM_CONTENT
            for parameter in operation.get("parameters", []):
                _narrow(parameter, {} if named_query else enums)
    return schema


def _named_queries(queries: QueryLibrary, iri_base: str) -> dict[str, Any]:
    """`/api/queries/{name}` for each named query: its header's parameters (validated as `Parameter.convert` does)
    and the formats of its form."""
    paths = {}
    for query in queries:
        parameters = [{"name": p.name, "in": "query", "required": p.required, "description": p.description,
                       "schema": _parameter_schema(p, iri_base)} for p in query.parameters]
        offered = GRAPH_FORMATS if query.form.returns_graph else RESULT_FORMATS
        paths[f"/api/queries/{query.name}"] = {"get": {
            "tags": ["Named queries"], "summary": query.title, "description": query.description,
            "operationId": f"run_query_{query.name.replace('-', '_')}",
            "parameters": [*parameters, _format_of(offered)],
            "responses": {str(status): response for status, response in
                          answers(offered, errors=(400, 406, 502, 503, 504)).items()},
        }}
    return paths


def _format_of(offered: Iterable[Format]) -> dict[str, Any]:
    """`format=` with the names and media types of `offered` only (the others are taken too, and fall back to `Accept`)."""
    names = [f.name for f in offered] + [f.media_type for f in offered]
    return {**FORMAT_PARAMETER_SPECS[0], "schema": {"type": "string", "enum": ["", *names]}}


def _parameter_schema(parameter: Parameter, iri_base: str) -> dict[str, Any]:
    schema = parameter.json_schema(iri_base=iri_base)
    if parameter.required:
        return schema
    # Left empty, an optional parameter is not bound (or takes its default), as when it is left out.
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}],
            **({"default": parameter.default} if parameter.default is not None else {})}


MAX_ENUM = 500


def _enums(index: Search) -> Mapping[str, list[str]]:
    """The keys each key filter takes (empty: no filter), and the kinds search takes, as the loaded graph has them."""
    keys = {spec.name: index.keys(spec.keys, at_most=MAX_ENUM + 1) for spec in FILTERS.values() if spec.keys}
    # A list of every key is documentation only while it is short: a large graph's keys stay a plain string.
    enums = {name: ["", *values] for name, values in keys.items() if len(values) <= MAX_ENUM}
    enums["type"] = sorted(index.kinds)
    return enums


def _narrow(parameter: dict[str, Any], enums: Mapping[str, list[str]]) -> None:
    name, schema = parameter["name"], parameter.get("schema", {})
    if parameter["in"] != "query":
        return
    # A parameter that may be left out is `anyOf: [string, null]` in FastAPI's schema; the enum replaces it.
    if name in FORMAT_PARAMETERS:
        parameter["schema"] = FORMAT_SCHEMA
    elif name in enums:
        parameter["schema"] = {"type": "string", "enum": enums[name], **({"title": schema["title"]} if "title" in schema else {})}
