"""Named queries as operations: every `queries/*.rq` file at `/api/queries/{name}`, its header as documentation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.errors import NotFound
from ...core.formats import FORMAT_PARAMETERS, GRAPH_FORMATS, RESULT_FORMATS, answer_format
from ...kg.runtime import Runtime
from ...rest import models as m
from ...sparql.querylib import NamedQuery
from ...store.base import QueryRequest
from ..negotiation import requested
from ..responses import body_response
from ..state import runtime_of

router = APIRouter(prefix="/api/queries", tags=["Named queries"])


def describe(query: NamedQuery, request: Request) -> m.QueryOperation:
    return m.QueryOperation(
        name=query.name, title=query.title, description=query.description, form=query.form.value,
        parameters=[m.QueryParameter(name=p.name, type=p.type, required=p.required, default=p.default, description=p.description)
                    for p in query.parameters],
        columns=list(query.columns), url=str(request.url_for("run_query", name=query.name)))


@router.get("", summary="List the named queries")
def list_queries(request: Request) -> list[m.QueryOperation]:
    """Every named query: what it answers, its parameters (name, type, required, default) and columns."""
    runtime: Runtime = runtime_of(request)
    return [describe(q, request) for q in runtime.queries]


@router.get("/{name}", summary="Run a named query", name="run_query", include_in_schema=False)  # app.web.openapi: one per query
async def run_query(request: Request, name: str) -> Response:
    """Run the named query with the parameters its header declares (validated, then bound: never pasted
    into the text). SELECT/ASK answer as SPARQL JSON (default), XML, CSV or TSV; CONSTRUCT as Turtle,
    N-Triples, JSON-LD or RDF/XML; chosen by `Accept` or by `format` (json, xml, csv, tsv, ttl...)."""
    runtime: Runtime = runtime_of(request)
    if name not in runtime.queries:
        raise NotFound(f"No named query {name!r}; GET /api/queries lists them.")
    query = runtime.queries[name]
    params = request.query_params.multi_items()
    raw = {name: value for name, value in params if name not in FORMAT_PARAMETERS}
    offered = GRAPH_FORMATS if query.form.returns_graph else RESULT_FORMATS
    fmt = answer_format(request.headers.get("accept"), offered, requested=requested(params))
    bindings = query.bind(raw, iri_base=runtime.settings.id_base)
    answer = None
    if runtime.answers_from_index(name):  # without reading every partner role, in a thread: 0.1-0.3 s at 5M triples
        answer = await run_in_threadpool(runtime.indexed_answer, query, bindings, fmt)
    if answer is None:
        answer = await runtime.store.execute_async(QueryRequest(query.text, fmt, bindings))
    return body_response(answer.body, fmt, truncated=answer.truncated)
