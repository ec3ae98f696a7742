"""Cross-origin reads (https://fetch.spec.whatwg.org/#http-cors-protocol): Starlette's CORSMiddleware around the
whole service, the GET /sparql fast lane included, so every answer carries the same CORS headers.

Web pages of the allowed origins (`NATOKG_CORS_ORIGINS`, default `*`) may read every route with GET, HEAD and
POST; a preflight is answered `204` naming those methods and the request headers clients send, and the
response headers they read are exposed. Nothing is shared with credentials. A preflight the policy refuses
(another origin, method or header) is a 400 problem that says which.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response
from starlette.types import ASGIApp

from ..core.errors import BadRequest
from .problems import problem_response

ALLOWED_METHODS = ("GET", "HEAD", "POST", "OPTIONS")
ALLOWED_HEADERS = ("Accept", "Accept-Language", "Content-Type", "If-None-Match", "If-Modified-Since")
EXPOSED_HEADERS = ("Link", "X-Total-Count", "X-Natokg-Truncated", "ETag", "Last-Modified", "Content-Location",
                   "Content-Language", "Content-Disposition", "Retry-After", "Allow")
MAX_AGE = 86400  # seconds a browser may keep a preflight's answer


class Cors(CORSMiddleware):
    """Starlette's CORS middleware with the service's policy; preflights answered 204, refusals as problems."""

    def __init__(self, app: ASGIApp, *, origins: list[str]) -> None:
        super().__init__(app, allow_origins=origins, allow_methods=ALLOWED_METHODS, allow_headers=ALLOWED_HEADERS,
                         expose_headers=EXPOSED_HEADERS, max_age=MAX_AGE)

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        headers = {k: v for k, v in answer.headers.items() if k not in ("content-length", "content-type")}
        if answer.status_code < 400:
            return Response(status_code=204, headers=headers)
        refused = bytes(answer.body).decode("latin-1").removeprefix("Disallowed CORS ")
        error = BadRequest(f"This cross-origin request is not allowed ({refused}): the service takes "
                           f"{', '.join(ALLOWED_METHODS)} with the headers {', '.join(ALLOWED_HEADERS)}"
                           f"{'' if self.allow_all_origins else ' from the configured origins'}.")
        response = problem_response(error)
        response.headers.update(headers)
        return response
