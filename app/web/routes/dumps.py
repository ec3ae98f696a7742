"""Full dumps of the graph, ontology and data: `/dumps/natokg.{ttl,nt,nq,jsonld,rdf}`, with strong ETags,
Last-Modified and `304 Not Modified` on revalidation (RFC 9110 section 13)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.errors import NotFound
from ...linked_data.dumps import DUMP_FORMATS, Dump, DumpFile, dump_format
from ..conditional import conditional_response
from ..openapi import answers
from ..responses import file_response
from ..state import state_of

router = APIRouter(tags=["Linked data"])


@router.get("/dumps/natokg.{extension}", summary="Download the whole graph", response_class=Response,
            responses=answers(DUMP_FORMATS, errors=(404,), revalidates=True))
async def dump(request: Request,
               extension: Annotated[str, Path(json_schema_extra={"enum": [f.extension for f in DUMP_FORMATS]})]) -> Response:
    """The whole graph (ontology and data) as Turtle (`.ttl`), N-Triples (`.nt`), JSON-LD (`.jsonld`), RDF/XML
    (`.rdf`), N3 (`.n3`), or N-Quads (`.nq`) and TriG (`.trig`) with everything in the default graph. Send
    `If-None-Match` or `If-Modified-Since` to revalidate a copy: an unchanged dump answers `304` with no body.
    From an on-disk store a dump is a file, written on the first request for its syntax (which waits for it),
    and `Range` resumes an interrupted download (`206`)."""
    fmt = dump_format(extension)
    if fmt is None:
        raise NotFound(f"No dump {request.url.path}; dumps: {', '.join(f'natokg.{f.extension}' for f in DUMP_FORMATS)}.")
    dumps = await run_in_threadpool(state_of(request).publication.dumps)
    built: Dump | DumpFile = await run_in_threadpool(dumps.get, fmt)
    headers = {"Content-Disposition": f'inline; filename="{built.filename}"', "Cache-Control": "public, max-age=3600, must-revalidate"}
    if isinstance(built, DumpFile):  # an on-disk store's: sent from its file, in byte ranges if asked
        return file_response(request, built.path, fmt, built.validators, headers=headers)
    return conditional_response(request.headers, built.validators, Response(built.body, media_type=fmt.content_type, headers=headers))
