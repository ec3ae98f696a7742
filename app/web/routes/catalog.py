"""The dataset described for machines: VoID at `/.well-known/void` (RFC 8615 well-known location) and
DCAT at `/catalog` (also `/.well-known/dcat`), in Turtle, JSON-LD, N-Triples or RDF/XML."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.formats import GRAPH_FORMATS
from ...core.vocab import PREFIXES
from ...linked_data.dcat import dcat_triples
from ...linked_data.void import void_triples
from ...sparql.results import write_triples
from ..conditional import revalidated
from ..negotiation import choose
from ..openapi import answers
from ..responses import body_response
from ..state import runtime_of, state_of

router = APIRouter(tags=["Linked data"])


@router.get("/.well-known/void", summary="VoID description of the dataset", response_class=Response,
            responses=answers(GRAPH_FORMATS, errors=(400, 406), revalidates=True))
async def void(request: Request, format: str | None = None) -> Response:
    """The dataset's VoID description: triple and entity counts, class and property partitions (SPARQL
    COUNTs over the graph), example resources, the SPARQL endpoint, the dumps and the URI space.
    Turtle by default; JSON-LD, N-Triples or RDF/XML by `Accept` or `format`."""
    choice = choose(request, GRAPH_FORMATS)
    stats = await run_in_threadpool(state_of(request).publication.statistics)
    triples = void_triples(stats, runtime_of(request).settings, service_base=str(request.base_url))
    response = body_response(write_triples(triples, choice.fmt, prefixes=PREFIXES), choice.fmt)
    return revalidated(request, response, state_of(request).publication.last_modified)


@router.get("/catalog", summary="DCAT record of the dataset", response_class=Response,
            responses=answers(GRAPH_FORMATS, errors=(400, 406), revalidates=True))
@router.get("/.well-known/dcat", summary="DCAT record of the dataset (well-known address)", response_class=Response,
            responses=answers(GRAPH_FORMATS, errors=(400, 406), revalidates=True))
async def catalog(request: Request, format: str | None = None) -> Response:
    """The DCAT catalog: the dataset with its license (CC BY 4.0), one distribution per dump (IANA media
    types, download URLs) and the SPARQL endpoint as a data service. Turtle by default; JSON-LD,
    N-Triples or RDF/XML by `Accept` or `format`."""
    choice = choose(request, GRAPH_FORMATS)
    modified = state_of(request).publication.last_modified.date()
    triples = dcat_triples(runtime_of(request).settings, service_base=str(request.base_url), modified=modified)
    response = body_response(write_triples(triples, choice.fmt, prefixes=PREFIXES), choice.fmt)
    return revalidated(request, response, state_of(request).publication.last_modified)
