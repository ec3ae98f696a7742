"""The single error handler: every error, ours and the framework's, answered as an RFC 9457 problem.

The hierarchy is in `app.core.errors`. A `ProblemError` answers its own status; the framework's
validation errors become 400 `invalid-parameter`; its HTTP errors (404, 405...) keep their status, a 405
naming in `Allow` every method the path takes (an OPTIONS request is answered 204 with it instead);
anything else is a fault of the server: logged with its traceback, answered 500.
"""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from ..core.errors import (
    PROBLEM_MEDIA_TYPE,
    InternalError,
    InvalidParameter,
    MethodNotAllowed,
    NotAcceptable,
    NotFound,
    ProblemError,
)
from .methods import allowed_methods


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

    @app.exception_handler(Exception)
    async def _fault(request: Request, exc: Exception) -> JSONResponse:
        # Starlette's outermost middleware calls this for any exception nothing else handled, then
        # re-raises it, so the server logs the traceback.
        return problem_response(InternalError("The server failed to answer this request; the fault was logged."), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 405:
            return _method_not_allowed(request)
        mapping: dict[int, type[ProblemError]] = {404: NotFound, 406: NotAcceptable}
        cls = mapping.get(exc.status_code)
        if cls is None:
            error = ProblemError(str(exc.detail))
            error.status = exc.status_code
            error.title = str(exc.detail)
        else:
            detail = f"No resource at {request.url.path}." if exc.status_code == 404 else str(exc.detail)
            error = cls(detail)
        error.headers = {**(exc.headers or {}), **error.headers}
        return problem_response(error, request)


def _method_not_allowed(request: Request) -> Response:
    """The framework's 405, with the methods of every route at this path in `Allow` (RFC 9110 15.5.6); for
    OPTIONS, which no route declares, the answer itself: 204 with `Allow` (RFC 9110 9.3.7)."""
    allow = ", ".join(allowed_methods(request.app, request.scope))
    if request.method == "OPTIONS":
        return Response(status_code=204, headers={"Allow": allow})
    return problem_response(MethodNotAllowed(f"{request.method} is not allowed on {request.url.path}; it takes {allow}.",
                                             headers={"Allow": allow}), request)
