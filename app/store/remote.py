"""The remote store: any SPARQL 1.1 Protocol endpoint (https://www.w3.org/TR/sparql11-protocol/) behind the store seam.

The query goes upstream as a form POST, its parameters bound by an inline VALUES block exactly as
for the embedded store (app.sparql.querylib.inline_values). The answer comes back as SPARQL JSON results
or N-Triples, is parsed lazily (so reading stops at the row cap and at the deadline) and is written
again by the embedded store's writer, so both modes answer alike. Upstream failures become problems:

    upstream status or failure                      our status
    connection refused, unknown host, broken link   502
    400 (the upstream could not parse the query)    400 malformed-query, with the upstream's message
    503                                             503 (its Retry-After passed on)
    504, or no complete answer by the deadline      504
    any other non-2xx, or an unreadable answer      502
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Iterator
from typing import IO, Any

import httpx
import pyoxigraph as ox

from .. import __version__
from ..core.errors import MalformedQuery, ProblemError, UpstreamError
from ..core.formats import BY_NAME, Format
from ..core.settings import Settings
from ..sparql.policy import inspect_query
from .base import Answer, QueryRequest, write_answer

log = logging.getLogger(__name__)

RESULTS_FORMAT = BY_NAME["json"]  # what we ask the upstream for SELECT and ASK
GRAPH_FORMAT = BY_NAME["nt"]  # ... and for CONSTRUCT and DESCRIBE
CONNECT_TIMEOUT = 10.0
MAX_MESSAGE = 2000  # characters of an upstream error message passed on to the client


class _DeadlinePassed(Exception):
    pass


class _Body(io.RawIOBase):
    """The upstream answer as a file that pyoxigraph's parsers read lazily, stopping at the deadline.

    httpx's timeouts bound each read, not the whole answer; a store that trickles bytes is stopped here
    (at most one read timeout past the deadline).
    """

    def __init__(self, chunks: Iterator[bytes], deadline: float) -> None:
        super().__init__()
        self._chunks = chunks
        self._deadline = deadline
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if not self._pending:
            if time.monotonic() > self._deadline:
                raise _DeadlinePassed
            self._pending = next(self._chunks, b"")
        size = min(len(buffer), len(self._pending))
        buffer[:size] = self._pending[:size]
        self._pending = self._pending[size:]
        return size


class RemoteStore:
    """A SPARQL 1.1 query endpoint, queried over HTTP with one pooled, thread-safe client."""

    def __init__(self, settings: Settings, *, transport: httpx.BaseTransport | None = None) -> None:
        if not settings.sparql_endpoint:
            raise ValueError("RemoteStore needs settings.sparql_endpoint")
        self._settings = settings
        self._endpoint = settings.sparql_endpoint
        url = httpx.URL(self._endpoint)
        self._name = f"{url.scheme}://{url.host}:{url.port or ''}{url.path}"  # for logs: no credentials, no query string
        self._client = httpx.Client(
            transport=transport,
            follow_redirects=False,  # a redirect would send the query somewhere nobody configured
            headers={"User-Agent": f"natokg/{__version__}"},
        )

    @property
    def triple_count(self) -> None:
        return None  # counting would cost the upstream a query

    def start(self) -> None:
        pass  # the client connects on first use

    async def execute_async(self, request: QueryRequest) -> Answer:
        """As `execute`, in a thread: httpx's blocking client is shared by every request."""
        return await asyncio.to_thread(self.execute, request)

    def execute(self, request: QueryRequest) -> Answer:
        """Run the query upstream and write its answer in the request's format, cut at its row cap.

        :raises MalformedQuery: the upstream could not parse the query (400).
        :raises UpstreamError: the upstream failed, was unreachable, or did not answer in time.
        """
        fmt = request.format
        limit = request.timeout or self._settings.query_timeout
        max_rows = request.max_rows
        deadline = time.monotonic() + limit
        returns_graph = inspect_query(request.query).form.returns_graph
        form = {"query": request.text, "default-graph-uri": list(request.default_graphs),
                "named-graph-uri": list(request.named_graphs)}  # httpx repeats a field per list item, and omits empty ones
        accept = GRAPH_FORMAT if returns_graph else RESULTS_FORMAT
        request_timeout = httpx.Timeout(limit, connect=min(limit, CONNECT_TIMEOUT))
        try:
            with self._client.stream("POST", self._endpoint, data=form, headers={"Accept": accept.media_type},
                                     timeout=request_timeout) as response:
                body = io.BufferedReader(_Body(response.iter_bytes(), deadline))
                if response.status_code != 200:
                    raise _status_error(response, body.read1(MAX_MESSAGE * 4), self._name)
                return self._parse(body, response.headers.get("content-type", ""), returns_graph, fmt,
                                   max_rows or self._settings.max_rows)
        except ProblemError:
            raise
        except (httpx.TimeoutException, _DeadlinePassed):
            log.warning("SPARQL store %s did not answer within %g s", self._name, limit)
            raise UpstreamError(f"The SPARQL store did not answer within {limit:g} s.", status=504,
                                deadline_seconds=limit) from None
        except httpx.ConnectError as exc:
            log.warning("SPARQL store %s unreachable: %s", self._name, exc)
            raise UpstreamError("The SPARQL store could not be reached.", status=502) from None
        except httpx.HTTPError as exc:
            log.warning("SPARQL store %s failed: %s", self._name, exc)
            raise UpstreamError(f"The connection to the SPARQL store failed: {type(exc).__name__}.", status=502) from None
        except SyntaxError as exc:
            log.warning("SPARQL store %s sent an unreadable answer: %s", self._name, exc)
            raise UpstreamError("The SPARQL store sent an answer that does not parse.", status=502) from None

    def _parse(self, body: IO[bytes], content_type: str, returns_graph: bool, fmt: Format, max_rows: int) -> Answer:
        media = content_type.split(";")[0].strip()
        if returns_graph:
            rdf_format = ox.RdfFormat.from_media_type(media) if media else None
            if rdf_format is None:
                raise UpstreamError(f"The SPARQL store answered a graph query with {media or 'no media type'}.", status=502)
            return write_answer((quad.triple for quad in ox.parse(body, format=rdf_format)), fmt, max_rows=max_rows)
        results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
        if results_format is None:
            raise UpstreamError(f"The SPARQL store answered a query with {media or 'no media type'}.", status=502)
        result = ox.parse_query_results(body, format=results_format)
        return write_answer(result, fmt, max_rows=max_rows)

    def close(self) -> None:
        self._client.close()


def _status_error(response: httpx.Response, start: bytes, name: str) -> ProblemError:
    """Map a non-200 upstream answer, of which `start` is the first bytes, to our problem (the module docstring's table)."""
    status = response.status_code
    message = start.decode(response.encoding or "utf-8", errors="replace").strip()[:MAX_MESSAGE]
    log.warning("SPARQL store %s answered %d: %s", name, status, message)
    if status == 400:
        return MalformedQuery(message or "The SPARQL store could not parse the query.", upstream_status=status)
    if status == 503:
        retry = response.headers.get("retry-after")
        return UpstreamError("The SPARQL store is unavailable.", status=503, headers={"Retry-After": retry} if retry else None,
                             upstream_status=status)
    if status == 504:
        return UpstreamError("The SPARQL store timed out.", status=504, upstream_status=status)
    return UpstreamError(f"The SPARQL store answered with status {status}.", status=502, upstream_status=status)
