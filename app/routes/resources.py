"""Dereferenceable IRIs: `/id/{type}/{key}` answers the resource's description in a negotiated RDF syntax."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from app.negotiation import GRAPH_FORMATS, body_response, by_name, negotiate
from app.problems import InvalidParameter, NotFound
from app.runtime import Runtime

router = APIRouter(tags=["Linked data"])
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@router.get("/id/{kind}/{key}", summary="Describe a resource")
async def describe(request: Request, kind: str, key: str, format: str | None = None) -> Response:
    """The description of any resource of the graph: its triples, the intervals and quotes it
    points to, and the triples that point at it. Turtle, N-Triples, JSON-LD or RDF/XML by `Accept`
    or by `format` (ttl, nt, jsonld, rdfxml)."""
    runtime: Runtime = request.app.state.runtime
    if not (_SEGMENT.match(kind) and _SEGMENT.match(key)):
        raise NotFound(f"No resource at {request.url.path}: keys are letters, digits, '.', '_' and '-'.")
    if format is not None:
        fmt = by_name(format, GRAPH_FORMATS)
        if fmt is None:
            raise InvalidParameter(f"Unknown value {format!r} for 'format'; use one of: {', '.join(f.name for f in GRAPH_FORMATS)}.", parameters=["format"])
    else:
        fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    iri = f"{runtime.settings.id_base}{kind}/{key}"
    query = runtime.queries["describe"]
    bindings = query.bind({"resource": iri}, iri_base=runtime.settings.id_base)
    answer = await run_in_threadpool(runtime.store.execute, query.text, fmt=fmt, bindings=bindings)
    if answer.count == 0:
        raise NotFound(f"The graph holds nothing about <{iri}>.")
    return body_response(answer.body, fmt, truncated=answer.truncated)

