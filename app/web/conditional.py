"""Conditional GET (RFC 9110 section 13): a response with its validators, or a 304 Not Modified."""

from __future__ import annotations

from datetime import datetime

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response

from ..core.validators import Validators


def conditional_response(request_headers: Headers, validators: Validators, response: Response) -> Response:
    """`response` with the validators added, or an empty 304 carrying the same validators and caching headers."""
    if validators.not_modified(request_headers):
        kept = {k: v for k, v in response.headers.items() if k.lower() in ("vary", "cache-control", "content-location")}
        return Response(status_code=304, headers={**kept, **validators.headers()})
    response.headers.update(validators.headers())
    return response


def revalidated(request: Request, response: Response, last_modified: datetime) -> Response:
    """A representation built in full (a page, a description): its ETag is the hash of its bytes, so a client
    holding the same bytes gets 304; its Last-Modified is when the data last changed."""
    return conditional_response(request.headers, Validators.of(bytes(response.body), last_modified), response)
