"""The error hierarchy and its single handler: RFC 9457 problem details (application/problem+json).

    ProblemError                 any error answered to a client
    ├── BadRequest               400: malformed query, bad parameter, refused feature
    ├── NotFound                 404: unknown resource or operation
    ├── NotAcceptable            406: no representation fits the Accept header
    ├── PayloadTooLarge          413: request body or query over the size limit
    ├── UnsupportedMediaType     415: request body type not understood
    ├── QueryTimeout             503: query stopped at the deadline
    └── UpstreamError            502/503/504: the remote store failed
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_TYPE_BASE = "https://w3id.org/natokg/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemError(Exception):
    status = 500
    slug = "internal"
    title = "Internal error"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers or {}
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": PROBLEM_TYPE_BASE + self.slug,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body


class BadRequest(ProblemError):
    status = 400
    slug = "bad-request"
    title = "Bad request"


class MalformedQuery(BadRequest):
    slug = "malformed-query"
    title = "Malformed SPARQL query"


class RefusedQuery(BadRequest):
    slug = "refused-query"
    title = "Query refused by policy"


class InvalidParameter(BadRequest):
    slug = "invalid-parameter"
    title = "Invalid parameter"


class NotFound(ProblemError):
    status = 404
    slug = "not-found"
    title = "Not found"


class MethodNotAllowed(ProblemError):
    status = 405
    slug = "method-not-allowed"
    title = "Method not allowed"


class NotAcceptable(ProblemError):
    status = 406
    slug = "not-acceptable"
    title = "Not acceptable"


class PayloadTooLarge(ProblemError):
    status = 413
    slug = "payload-too-large"
    title = "Payload too large"


class UnsupportedMediaType(ProblemError):
    status = 415
    slug = "unsupported-media-type"
    title = "Unsupported media type"


class QueryTimeout(ProblemError):
    status = 503
    slug = "query-timeout"
    title = "Query timed out"


class UpstreamError(ProblemError):
    status = 502
    slug = "upstream-error"
    title = "Upstream SPARQL store failed"

    def __init__(self, detail: str, *, status: int = 502, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.status = status


def problem_response(error: ProblemError, request: Request | None = None) -> JSONResponse:
    instance = str(request.url.path) if request is not None else None
    return JSONResponse(
        error.body(instance),
        status_code=error.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=error.headers,
    )


def install_handlers(app: FastAPI) -> None:
    """Route every error, ours and the framework's, through one problem+json handler."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        names = [".".join(str(p) for p in e.get("loc", ())[1:]) or str(e.get("loc")) for e in errors]
        detail = "; ".join(f"{n}: {e.get('msg')}" for n, e in zip(names, errors, strict=True))
        return problem_response(InvalidParameter(detail, parameters=names), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        mapping: dict[int, type[ProblemError]] = {404: NotFound, 405: MethodNotAllowed, 406: NotAcceptable}
        cls = mapping.get(exc.status_code)
        if cls is None:
            error = ProblemError(str(exc.detail))
            error.status = exc.status_code
            error.title = str(exc.detail)
        else:
            detail = f"No resource at {request.url.path}." if exc.status_code == 404 else str(exc.detail)
            error = cls(detail)
        error.headers = {**(exc.headers or {}), **error.headers}  # keep the framework's Allow on a 405 (RFC 9110 15.5.6)
        return problem_response(error, request)
