"""A fast lane for the commonest request: `GET /sparql?query=...` of a small, bounded query.

Going through FastAPI (routing, exception middleware, the response classes) costs more per request
than evaluating a lookup by IRI in the serving process (app.sparql.planner; the README's benchmark
section has the figures). This pure
ASGI layer, in front of FastAPI's own middleware stack (app.web.app.Service), answers such requests
itself, with the same checks, the same negotiation and the same headers as `app.web.routes.sparql`.
It takes only the plain case: any other parameter, a request with an `Origin` (CORS), a refusal, an
error, a browser asking for HTML or a query that needs a worker goes on to the application, so every problem body is still written
in one place.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import State
from starlette.types import ASGIApp, Receive, Scope, Send

from ..core.errors import ProblemError
from ..core.formats import FORMAT_PARAMETERS, GRAPH_FORMATS, HTML, RESULT_FORMATS, Format, answer_format
from ..core.memo import keep_recent
from ..core.settings import Settings
from ..sparql.policy import check_query
from ..store.base import AnswersInline

logger = logging.getLogger("natokg")
PATH = "/sparql"
_PLAIN_PARAMETERS = frozenset({"query", *FORMAT_PARAMETERS})


class SparqlFastLane:
    """Answers plain `GET /sparql` requests for bounded queries; passes everything else to `app`.

    `state` is the application's state, where the lifespan puts the runtime (settings and store).
    """

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self._state = state
        # (the runtime they were made for, the kept decisions, its store if it answers inline, else None)
        self._lane: tuple[Any, Decide, AnswersInline | None] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (scope["type"] == "http" and scope["method"] == "GET" and scope["path"] == PATH and scope["query_string"]
                and not any(key == b"origin" for key, _ in scope["headers"])):  # a cross-origin read: CORS answers it
            try:
                answer = self._answer(scope)
            except Exception:  # a fault of the lane's own: the application answers, and its handlers report faults
                logger.exception("the GET /sparql fast lane failed; the application answers instead")
                answer = None
            if answer is not None:
                body, fmt = answer
                await send({"type": "http.response.start", "status": 200, "headers": [
                    (b"content-length", str(len(body)).encode("latin-1")),
                    (b"content-type", fmt.content_type.encode("latin-1")),
                    (b"vary", b"Accept, Origin"),  # as app.web.cors says of every answer: CORS headers depend on Origin
                ]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    def _answer(self, scope: Scope) -> tuple[bytes, Format] | None:
        service = getattr(self._state, "service", None)
        runtime: Any = service.runtime if service is not None else None
        if runtime is None:  # not started yet
            return None
        if self._lane is None or self._lane[0] is not runtime:
            store = runtime.store
            self._lane = (runtime, _decider(runtime.settings), store if isinstance(store, AnswersInline) else None)
        _, decide, inline = self._lane
        if inline is None:  # a remote store: every query goes upstream
            return None
        query_string: bytes = scope["query_string"]
        accept = next((value for key, value in scope["headers"] if key == b"accept"), None)
        decision = decide(query_string, accept)
        if decision is None:
            return None
        query, fmt = decision
        try:
            answer = inline.answer_inline(query, fmt)
        except ProblemError:  # the application gives the same refusal, with its problem body
            return None
        return None if answer is None else (answer.body, fmt)


Decide = Callable[[bytes, bytes | None], tuple[str, Format] | None]
CACHED_REQUEST_BYTES = 4096


def _decider(settings: Settings) -> Decide:
    """The lane's reading of a request, from its query string and Accept header only, so it can be kept.

    It is None for every request the lane leaves to the application; else the query and the chosen format.
    """

    @keep_recent(max_chars=CACHED_REQUEST_BYTES)
    def decide(query_string: bytes, accept_header: bytes | None) -> tuple[str, Format] | None:
        # As Starlette reads a query string (latin-1, blank values kept), so both paths see the same parameters.
        params = parse_qsl(query_string.decode("latin-1"), keep_blank_values=True)
        values = dict(params)
        if len(values) != len(params) or "query" not in values or not values.keys() <= _PLAIN_PARAMETERS:
            return None
        accept = None if accept_header is None else accept_header.decode("latin-1")
        try:
            inspection = check_query(values["query"], max_bytes=settings.max_query_bytes, max_nesting=settings.max_nesting,
                                     allow_service=settings.allow_service)
            if inspection.relative_iris:
                return None
            offered = GRAPH_FORMATS if inspection.form.returns_graph else RESULT_FORMATS
            named = [value for name, value in params if name in FORMAT_PARAMETERS]
            fmt = answer_format(accept, offered, requested=named, page=not named)
        except ProblemError:  # the application gives the same refusal, with its problem body
            return None
        return None if fmt is HTML else (values["query"], fmt)  # a browser's query page comes from the application

    return decide
