"""The ontology at its own IRI (`/ontology`) and at its version IRI (`/ontology/{version}`): RDF by
content negotiation, suffix or `?format=`, and an HTML documentation page for browsers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.errors import NotFound
from ...core.formats import HTML
from ...core.vocab import ONTOLOGY_IRI, PREFIXES
from ...sparql.results import write_triples
from ..conditional import revalidated
from ..negotiation import RESOURCE_FORMATS, choose, split_suffix
from ..openapi import answers
from ..pages.html import page_response, site_of
from ..responses import body_response
from ..state import state_of

router = APIRouter(tags=["Linked data"])


async def _answer(request: Request, path: str, format: str | None, extension: str | None = None,
                  version: str | None = None) -> Response:
    # rdflib (0.1 s) is imported by the first request for the ontology, not by every start
    from rdflib import URIRef
    from rdflib.namespace import OWL

    from ..pages.ontology import render_ontology, to_triples

    document, everything = await run_in_threadpool(state_of(request).publication.ontology)
    if version is not None and document.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI) != URIRef(f"{ONTOLOGY_IRI}/{version}"):
        raise NotFound(f"No version {version!r} of the ontology; the current version IRI is "
                       f"{document.value(URIRef(ONTOLOGY_IRI), OWL.versionIRI)}.")
    suffix = next((f for f in RESOURCE_FORMATS if f.extension == extension), None)
    if extension is not None and suffix is None:
        raise NotFound(f"No resource at {request.url.path}.")
    choice = choose(request, suffix=suffix)
    site = site_of(request)
    headers = {"Content-Location": site.url(f"{path}.{choice.fmt.extension}")} if choice.negotiated else {}
    if choice.fmt is HTML:
        alternates = {f: site.url(f"{path}.{f.extension}") for f in RESOURCE_FORMATS if f is not HTML}
        response = page_response(render_ontology(document, everything, site, alternates=alternates), site, headers=headers)
    else:
        response = body_response(write_triples(to_triples(document), choice.fmt, prefixes=PREFIXES), choice.fmt, headers=headers)
    return revalidated(request, response, state_of(request).publication.last_modified)


@router.get("/ontology", summary="The natokg ontology", response_class=Response,
            responses=answers(RESOURCE_FORMATS, errors=(400, 406), revalidates=True))
async def ontology(request: Request, format: str | None = None) -> Response:
    """The ontology (classes, properties, their English and French labels and comments, metadata): an HTML
    documentation page for browsers, or Turtle, N-Triples, JSON-LD or RDF/XML by `Accept` or `format`."""
    return await _answer(request, "/ontology", format)


@router.get("/ontology.{extension}", summary="The natokg ontology in one syntax", response_class=Response,
            responses=answers(RESOURCE_FORMATS, errors=(404,), revalidates=True))
async def ontology_file(request: Request,
                        extension: Annotated[str, Path(json_schema_extra={"enum": [f.extension for f in RESOURCE_FORMATS]})]) -> Response:
    """The ontology in the syntax its suffix names: `.ttl`, `.nt`, `.jsonld`, `.rdf` or `.html`."""
    return await _answer(request, "/ontology", None, extension)


@router.get("/ontology/{version}", summary="A version of the natokg ontology", response_class=Response,
            responses=answers(RESOURCE_FORMATS, errors=(400, 404, 406), revalidates=True))
async def ontology_version(request: Request, version: str, format: str | None = None) -> Response:
    """The ontology at its version IRI (e.g. `/ontology/0.1.0`); 404 for a version this service does not hold."""
    version, suffix = split_suffix(version)
    return await _answer(request, f"/ontology/{version}", format, suffix.extension if suffix else None, version=version)
