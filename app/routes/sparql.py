"""The SPARQL 1.1 Protocol query operation (https://www.w3.org/TR/sparql11-protocol/#query-operation)."""

from __future__ import annotations

from urllib.parse import parse_qsl

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.negotiation import GRAPH_FORMATS, RESULT_FORMATS, Format, body_response, by_name, negotiate
from app.policy import check_query
from app.problems import BadRequest, InvalidParameter, PayloadTooLarge, RefusedQuery, UnsupportedMediaType
from app.runtime import Runtime

router = APIRouter(tags=["SPARQL"])

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
KNOWN = {"query", "default-graph-uri", "named-graph-uri", "format", "output", "update", "using-graph-uri", "using-named-graph-uri"}


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


def _choose_format(request: Request, params: list[tuple[str, str]], returns_graph: bool) -> Format:
    offered = GRAPH_FORMATS if returns_graph else RESULT_FORMATS
    requested = _single(params, "format") or _single(params, "output")
    if requested is None:
        return negotiate(request.headers.get("accept"), offered)
    fmt = by_name(requested, offered)
    if fmt is None:
        names = ", ".join(f.name for f in offered)
        raise InvalidParameter(f"Unknown value {requested!r} for 'format'; this query can answer in: {names}.", parameters=["format"])
    return fmt


async def _answer(request: Request, params: list[tuple[str, str]], query: str | None) -> Response:
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    if _single(params, "update") is not None:
        raise RefusedQuery("SPARQL Update is not accepted: this endpoint is read-only.")
    if query is None:
        raise BadRequest("No query: give one in the 'query' parameter or as an application/sparql-query body.")
    inspection = check_query(query, max_bytes=settings.max_query_bytes, max_nesting=settings.max_nesting,
                             allow_service=settings.allow_service)
    fmt = _choose_format(request, params, inspection.form.returns_graph)
    answer = await run_in_threadpool(
        runtime.store.execute,
        query,
        fmt=fmt,
        default_graphs=tuple(v for k, v in params if k == "default-graph-uri"),
        named_graphs=tuple(v for k, v in params if k == "named-graph-uri"),
    )
    return body_response(answer.body, fmt, truncated=answer.truncated)


@router.get("/sparql", summary="SPARQL query (GET)")
async def sparql_get(request: Request) -> Response:
    """Run a SPARQL 1.1 query given in `query`. Answers SELECT/ASK as JSON, XML, CSV or TSV and
    CONSTRUCT/DESCRIBE as Turtle, N-Triples, JSON-LD or RDF/XML, chosen by `Accept` or `format`."""
    params = list(request.query_params.multi_items())
    return await _answer(request, params, _single(params, "query"))


@router.post("/sparql", summary="SPARQL query (POST)")
async def sparql_post(request: Request) -> Response:
    """Run a SPARQL 1.1 query sent as a form (`query=`) or directly as `application/sparql-query`."""
    settings = request.app.state.runtime.settings
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
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
