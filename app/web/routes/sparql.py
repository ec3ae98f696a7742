"""The SPARQL 1.1 Protocol query operation (https://www.w3.org/TR/sparql11-protocol/#query-operation)."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.errors import BadRequest, PayloadTooLarge, RefusedQuery, UnsupportedMediaType
from ...core.formats import FORM, GRAPH_FORMATS, HTML, RESULT_FORMATS, SPARQL_QUERY, SPARQL_UPDATE, Format, answer_format
from ...kg.runtime import Runtime
from ...linked_data.service_description import PREFIXES, describe_service, measure
from ...sparql.policy import DATASET_REFUSAL, check_query, graph_iri
from ...sparql.results import write_triples
from ...store.base import QueryRequest
from ..negotiation import requested
from ..openapi import SPARQL_GET, SPARQL_POST, answers
from ..responses import body_response
from ..state import runtime_of
from .query_page import query_page

router = APIRouter(tags=["SPARQL"])

# Characters an IRI may not hold (SPARQL's IRIREF): an endpoint IRI built from a Host header with one
# of these is not used, so request headers can never inject text into a query or a description.
_SAFE_IRI = re.compile(r"^https?://[^<>\"{}|^`\\\x00-\x20]+$")


def _endpoint_iri(request: Request) -> str:
    """The absolute IRI of this endpoint as the client reached it; the configured base if that is not a clean IRI."""
    reached = str(request.url_for("sparql_get"))
    return reached if _SAFE_IRI.match(reached) else f"{runtime_of(request).settings.base_iri}sparql"


def _single(params: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in params if k == name]
    if len(values) > 1:
        raise BadRequest(f"Parameter '{name}' was given {len(values)} times; give it once.", parameters=[name])
    return values[0] if values else None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The request body is {declared} bytes; the limit is {limit} bytes.", limit=limit)
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(f"The request body is over the limit of {limit} bytes.", limit=limit)
    return body


def _dataset(params: list[tuple[str, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The protocol's dataset: the IRIs of `default-graph-uri` and `named-graph-uri`, each checked.

    :raises InvalidParameter: naming the parameter whose value is not an absolute IRI.
    """
    return (tuple(graph_iri(v, k).value for k, v in params if k == "default-graph-uri"),
            tuple(graph_iri(v, k).value for k, v in params if k == "named-graph-uri"))


def _choose_format(request: Request, params: list[tuple[str, str]], offered: tuple[Format, ...], *, page: bool = False) -> Format:
    return answer_format(request.headers.get("accept"), offered, requested=requested(params), page=page)


async def _answer(request: Request, params: list[tuple[str, str]], query: str | None) -> Response:
    runtime: Runtime = runtime_of(request)
    settings = runtime.settings
    if _single(params, "update") is not None:
        raise RefusedQuery("SPARQL Update is not accepted: this endpoint is read-only.")
    if query is None:
        raise BadRequest("No query: give one in the 'query' parameter or as an application/sparql-query body.")
    allow_datasets = settings.sparql_endpoint is None or settings.allow_remote_datasets
    inspection = check_query(query, max_bytes=settings.max_query_bytes, max_nesting=settings.max_nesting,
                             allow_service=settings.allow_service, allow_datasets=allow_datasets)
    if not allow_datasets and any(k in ("default-graph-uri", "named-graph-uri") for k, _ in params):
        raise RefusedQuery(DATASET_REFUSAL)
    default_graphs, named_graphs = _dataset(params)
    offered = GRAPH_FORMATS if inspection.form.returns_graph else RESULT_FORMATS
    # A browser following a shared link (it prefers HTML) gets the query page, which runs the query.
    unformatted = request.method in ("GET", "HEAD") and not requested(params)
    fmt = _choose_format(request, params, offered, page=unformatted)
    if fmt is HTML:
        return query_page(request, runtime, query)
    if inspection.relative_iris:
        # Relative IRIs resolve against the endpoint (https://www.w3.org/TR/sparql11-query/#relIRIs);
        # the query's own BASE, if any, comes later and wins. Only then, so error positions stay exact.
        query = f"BASE <{_endpoint_iri(request)}>\n{query}"
    answer = await runtime.store.execute_async(QueryRequest(query, fmt, default_graphs=default_graphs, named_graphs=named_graphs))
    return body_response(answer.body, fmt, truncated=answer.truncated)


async def _service_description(request: Request, params: list[tuple[str, str]]) -> Response:
    runtime: Runtime = runtime_of(request)
    fmt = _choose_format(request, params, (*GRAPH_FORMATS, HTML))
    if fmt is HTML:
        return query_page(request, runtime, None)
    size = await run_in_threadpool(measure, runtime.store, runtime.queries)
    endpoint = _endpoint_iri(request)
    triples = describe_service(endpoint, void_description=f"{endpoint.removesuffix('sparql')}.well-known/void",
                               formats=(*RESULT_FORMATS, *GRAPH_FORMATS), size=size,
                               federated=runtime.settings.allow_service)
    return body_response(write_triples(triples, fmt, prefixes=PREFIXES), fmt)


@router.get("/sparql", summary="SPARQL query (GET), or the service description", response_class=Response, openapi_extra=SPARQL_GET,
            responses=answers((*RESULT_FORMATS, *GRAPH_FORMATS, HTML), errors=(400, 406, 413, 502, 503, 504)))
async def sparql_get(request: Request) -> Response:
    """Run a SPARQL 1.1 query given in `query`. Answers SELECT/ASK as JSON, XML, CSV or TSV and
    CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML, chosen by `Accept` or `format`.
    Without a query, describes the service (SPARQL 1.1 Service Description) in Turtle, JSON-LD,
    N-Triples or RDF/XML."""
    params = list(request.query_params.multi_items())
    if not any(name in ("query", "update") for name, _ in params):
        _dataset(params)  # checked, though a description has no dataset: a bad IRI is a 400 wherever it is sent
        return await _service_description(request, params)
    return await _answer(request, params, _single(params, "query"))


@router.post("/sparql", summary="SPARQL query (POST)", response_class=Response, openapi_extra=SPARQL_POST,
             responses=answers((*RESULT_FORMATS, *GRAPH_FORMATS), errors=(400, 406, 413, 415, 502, 503, 504)))
async def sparql_post(request: Request) -> Response:
    """Run a SPARQL 1.1 query sent as a form (`query=`) or directly as `application/sparql-query`."""
    settings = runtime_of(request).settings
    media, *media_params = (p.strip().lower() for p in request.headers.get("content-type", "").split(";"))
    charset = next((p.partition("=")[2].strip('" ') for p in media_params if p.startswith("charset=")), "utf-8")
    if charset not in ("utf-8", "utf8"):
        raise UnsupportedMediaType(f"The request body is {charset}; the SPARQL protocol takes UTF-8 only "
                                   "(https://www.w3.org/TR/sparql11-protocol/#query-via-post-direct).")
    params = list(request.query_params.multi_items())
    body = await _read_body(request, settings.max_query_bytes)
    if media == SPARQL_UPDATE:
        raise RefusedQuery("SPARQL Update is not accepted: this endpoint is read-only.")
    if media == FORM:
        try:
            form = parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=False)
        except UnicodeDecodeError:
            raise BadRequest("The form body is not UTF-8.") from None
        params += form
        return await _answer(request, params, _single(params, "query"))
    if media == SPARQL_QUERY:
        if _single(params, "query") is not None:
            raise BadRequest("A direct POST carries the query in its body, not also in a 'query' parameter.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("The query body is not UTF-8.") from None
        return await _answer(request, params, text)
    raise UnsupportedMediaType(f"POST a query as {FORM} or {SPARQL_QUERY}, not {media or 'no content type'}.")
