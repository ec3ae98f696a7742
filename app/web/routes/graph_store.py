"""The SPARQL 1.1 Graph Store HTTP Protocol, read side (https://www.w3.org/TR/sparql11-http-rdf-update/).

`GET`/`HEAD /rdf-graph-store?default` or `?graph=IRI` (indirect graph identification, section 4.2)
answer a whole graph in a negotiated RDF syntax. The store is read-only, so `PUT`, `POST`,
`DELETE` and `PATCH` answer 405 with `Allow: GET, HEAD`.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
from fastapi import APIRouter, Request
from starlette.responses import Response

from ...core.errors import BadRequest, InvalidParameter, MethodNotAllowed, NotFound
from ...core.formats import GRAPH_FORMATS, negotiate
from ...kg.runtime import Runtime
from ...store.base import WHOLE, QueryRequest
from ..responses import body_response
from ..state import runtime_of

router = APIRouter(tags=["Graph Store"])
PATH = "/rdf-graph-store"
ALLOW = "GET, HEAD"
_ABSOLUTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def _graph_iri(raw: str) -> ox.NamedNode:
    """The named graph's IRI, checked (absolute, and nothing that is not allowed in an IRI).

    :raises InvalidParameter: for anything else.
    """
    try:
        if _ABSOLUTE.match(raw):
            return ox.NamedNode(raw)
    except ValueError:
        pass
    raise InvalidParameter(f"'graph' must be an absolute IRI; got {raw!r}.", parameters=["graph"])


@router.get(PATH, summary="Read a graph (Graph Store Protocol)")
@router.head(PATH, include_in_schema=False)
async def read_graph(request: Request) -> Response:
    """The whole default graph (`?default`) or one named graph (`?graph=IRI`), in Turtle,
    N-Triples, JSON-LD or RDF/XML by `Accept`. All of natokg's data is in the default graph.
    A graph is answered whole, whatever the row cap: reading one is a download, as `/dumps` is."""
    runtime: Runtime = runtime_of(request)
    params = request.query_params
    graphs = params.getlist("graph")
    if ("default" in params) == bool(graphs) or len(graphs) > 1:
        raise BadRequest("Give either 'default' or one 'graph=IRI' "
                         "(https://www.w3.org/TR/sparql11-http-rdf-update/#indirect-graph-identification).",
                         parameters=["default", "graph"])
    fmt = negotiate(request.headers.get("accept"), GRAPH_FORMATS)
    if graphs:
        graph = _graph_iri(graphs[0])
        query = runtime.queries["named-graph"]
        answer = await runtime.store.execute_async(QueryRequest(query.text, fmt, {"graph": graph}, max_rows=WHOLE))
        if answer.count == 0:
            raise NotFound(f"The store holds no graph named <{graph.value}>.")
    else:
        answer = await runtime.store.execute_async(QueryRequest(runtime.queries["default-graph"].text, fmt, max_rows=WHOLE))
    return body_response(answer.body, fmt, truncated=answer.truncated)


@router.api_route(PATH, methods=["PUT", "POST", "DELETE", "PATCH"], include_in_schema=False)
async def write_graph(request: Request) -> Response:
    """Writes are not accepted: the graph store is read-only."""
    raise MethodNotAllowed(f"{request.method} is not allowed: this graph store is read-only.", headers={"Allow": ALLOW})
