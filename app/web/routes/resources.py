"""Dereferenceable IRIs: `/id/{type}/{key}` answers an HTML page or the RDF description, by content
negotiation, by a file-name suffix (`/id/country/FRA.ttl`) or by `?format=`."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.errors import NotFound
from ...core.formats import HTML
from ...kg.runtime import Runtime
from ...linked_data.describe import describe_rdf, resource_data
from ..conditional import revalidated
from ..negotiation import RESOURCE_FORMATS, choose, split_suffix
from ..openapi import answers
from ..pages.html import page_response, site_of
from ..pages.profile import profile_data
from ..pages.resource import render_resource
from ..responses import body_response
from ..state import runtime_of, state_of

router = APIRouter(tags=["Linked data"])
_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")


@router.get("/id/{kind}/{key}", summary="Describe a resource", response_class=Response,
            responses=answers(RESOURCE_FORMATS, errors=(400, 404, 406), revalidates=True))
async def describe(request: Request, kind: str, key: str, format: str | None = None) -> Response:
    """The description of any resource of the graph: its triples, the intervals and quotes it points to,
    and the triples that point at it. An HTML page for browsers; Turtle, N-Triples, JSON-LD or RDF/XML
    by `Accept`, by a suffix (`.html`, `.ttl`, `.nt`, `.jsonld`, `.rdf`) or by `format`
    (html, ttl, nt, jsonld, rdfxml). Unknown resources answer 404; an Accept that allows none of
    these, 406. Every answer has an `ETag` and `Last-Modified`: send `If-None-Match` or
    `If-Modified-Since` to revalidate a copy (`304`)."""
    runtime: Runtime = runtime_of(request)
    if not (_SEGMENT.match(kind) and _SEGMENT.match(key)):
        raise NotFound(f"No resource at {request.url.path}: keys are letters, digits, '.', '_' and '-'.")
    key, suffix = split_suffix(key)
    choice = choose(request, suffix=suffix)
    iri = f"{runtime.settings.id_base}{kind}/{key}"
    site = site_of(request)
    page_url = site.url(f"/id/{kind}/{key}")
    headers = {"Content-Location": f"{page_url}.{choice.fmt.extension}"} if choice.negotiated else {}
    if choice.fmt is HTML:
        data = await run_in_threadpool(resource_data, runtime, iri)
        profile = await run_in_threadpool(profile_data, runtime, iri, site, triples=data.triples, labels=data.labels,
                                          crowded=data.crowded)
        alternates = {f: f"{page_url}.{f.extension}" for f in RESOURCE_FORMATS if f is not HTML}
        response = page_response(render_resource(data, site, alternates=alternates, profile=profile), site, headers=headers)
    else:
        answer = await run_in_threadpool(describe_rdf, runtime, iri, choice.fmt)
        response = body_response(answer.body, choice.fmt, truncated=answer.truncated, headers=headers)
    return revalidated(request, response, state_of(request).publication.last_modified)
