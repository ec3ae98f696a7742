"""The error hierarchy, answered as RFC 9457 problem details (application/problem+json) by `app.web.problems`.

    ProblemError                 any error answered to a client
    ├── BadRequest               400: malformed or unsupported query, bad parameter, refused feature
    ├── NotFound                 404: unknown resource or operation
    ├── NotAcceptable            406: no representation fits the Accept header
    ├── PayloadTooLarge          413: request body or query over the size limit
    ├── UnsupportedMediaType     415: request body type not understood
    ├── QueryTimeout             503: query stopped at the deadline
    ├── EngineFailed             503: the query worker died under the query
    ├── Unavailable              503: a download cannot be made here (its file cannot be written)
    ├── RangeNotSatisfiable      416: a byte range past the end of a download
    ├── Busy                     503: too many slow queries at once, from this client or in all
    ├── Abandoned                499: the client left before its answer (never sent; nobody reads it)
    ├── InternalError            500: a fault of the server, logged
    └── UpstreamError            502/503/504: the remote store failed
"""

from __future__ import annotations

from typing import Any

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


class UnsupportedQuery(BadRequest):
    slug = "unsupported-query"
    title = "Query the engine cannot evaluate"


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


class EngineFailed(ProblemError):
    status = 503
    slug = "query-engine-failed"
    title = "Query engine failed"


class Unavailable(ProblemError):
    status = 503
    slug = "unavailable"
    title = "Unavailable here"


class RangeNotSatisfiable(ProblemError):
    status = 416
    slug = "range-not-satisfiable"
    title = "Range not satisfiable"


class Busy(ProblemError):
    status = 503
    slug = "busy"
    title = "Too many slow queries"


class Abandoned(ProblemError):
    status = 499  # nginx's "client closed request": the answer is for the log, the client has gone
    slug = "abandoned"
    title = "Client closed request"


class InternalError(ProblemError):
    status = 500
    slug = "internal"
    title = "Internal error"


class UpstreamError(ProblemError):
    status = 502
    slug = "upstream-error"
    title = "Upstream SPARQL store failed"

    def __init__(self, detail: str, *, status: int = 502, **extra: Any) -> None:
        super().__init__(detail, **extra)
        self.status = status
