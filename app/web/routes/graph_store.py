"""The SPARQL 1.1 Graph Store HTTP Protocol, read side (https://www.w3.org/TR/sparql11-http-rdf-update/).

`GET`/`HEAD /rdf-graph-store?default` or `?graph=IRI` (indirect graph identification, section 4.2)
answer a whole graph in a negotiated RDF syntax. The store is read-only: `PUT`, `POST`, `DELETE` and
`PATCH` answer 405 (app.web.methods names the methods it takes in `Allow`).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.errors import BadRequest, NotFound
from ...core.formats import GRAPH_FORMATS, negotiate
from ...kg.runtime import Runtime
from ...sparql.policy import graph_iri
from ...store.base import WHOLE, QueryRequest
from ..openapi import GRAPH_STORE, answers
from ..responses import body_response, file_response
from ..state import runtime_of, state_of

router = APIRouter(tags=["Graph Store"])
PATH = "/rdf-graph-store"


@router.get(PATH, summary="Read a graph (Graph Store Protocol)", response_class=Response, openapi_extra=GRAPH_STORE,
            responses=answers(GRAPH_FORMATS, errors=(400, 404, 406, 502, 503, 504)))
async def read_graph(request: Request) -> Response:
    """The whole default graph (`?default`) or one named graph (`?graph=IRI`), in Turtle,
    N-Triples, JSON-LD or RDF/XML by `Accept`. All of natokg's data is in the default graph.
    A graph is answered whole, whatever the row cap: reading one is a download, as `/dumps` is (from an on-disk
    store the default graph is sent from the dump's file, with its validators and byte ranges)."""
    runtime: Runtime = runtime_of(request)
    params = request.query_params
    graphs = params.getlist("graph")
    if ("default" in params) == bool(graphs) or len(graphs) > 1:
        raise BadRequest("Give either 'default' or one 'graph=IRI' "
                         "(https://www.w3.org/TR/sparql11-http-rdf-update/#indirect-graph-identification).",
                         parameters=["default", "graph"])
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    if graphs:
        graph = graph_iri(graphs[0], "graph")
        query = runtime.queries["named-graph"]
        answer = await runtime.store.execute_async(QueryRequest(query.text, fmt, {"graph": graph}, max_rows=WHOLE))
        if answer.count == 0:
            raise NotFound(f"The store holds no graph named <{graph.value}>.")
    else:
        files = state_of(request).publication.dump_files()
        if files is not None:  # an on-disk store: the default graph is its dump's file, in the same syntax
            dump = await run_in_threadpool(files.get, fmt)
            return file_response(request, dump.path, fmt, dump.validators, headers={"Vary": "Accept"})
        answer = await runtime.store.execute_async(QueryRequest(runtime.queries["default-graph"].text, fmt, max_rows=WHOLE))
    return body_response(answer.body, fmt, truncated=answer.truncated)
