"""The remote store: any SPARQL 1.1 Protocol endpoint (https://www.w3.org/TR/sparql11-protocol/) behind the store seam.

The query goes upstream as a form POST, its parameters bound by an inline VALUES block exactly as
for the embedded store (`QueryRequest.text`: an inline VALUES block, and the terms written into FILTER
expressions, where some engines do not see the block). With `sparql_default_graph` set, the
graph that holds natokg is sent as `default-graph-uri`, so that an engine's own graphs stay out.
The answer comes back as SPARQL JSON results or N-Triples, is parsed lazily (so reading stops at the
row cap and at the deadline) and is written again by the embedded store's writer, so both modes
answer alike. A read of a whole graph (dumps, the graph store) is checked against a count of its
triples and, when the upstream cut it (Virtuoso's ResultSetMaxRows), read again in ordered pages;
it is never answered partial. Upstream failures become problems, with the upstream's message:

    upstream status or failure                      our status
    connection refused, unknown host, broken link   502
    400 (the upstream could not parse the query)    400 malformed-query
    503                                             503 (its Retry-After passed on)
    504, or no complete answer by the deadline      504
    any other non-2xx, or an unreadable answer      502
    a whole graph that stays short of its count     502
"""

from __future__ import annotations

import asyncio
import io
import logging
import time
from collections.abc import Callable, Iterator
from typing import IO, Any, TypeVar

import httpx
import pyoxigraph as ox

from .. import __version__
from ..core.errors import MalformedQuery, ProblemError, UpstreamError
from ..core.formats import BY_NAME
from ..core.settings import Settings
from ..sparql.policy import inspect_query
from ..sparql.rewrite import GraphPages
from .base import WHOLE, Answer, QueryRequest, canonical, write_answer

log = logging.getLogger(__name__)

RESULTS_FORMAT = BY_NAME["json"]  # what we ask the upstream for SELECT and ASK
GRAPH_FORMAT = BY_NAME["nt"]  # ... and for CONSTRUCT and DESCRIBE
CONNECT_TIMEOUT = 10.0
MAX_MESSAGE = 2000  # characters of an upstream error message passed on to the client
NO_NAMED_GRAPH = "urn:natokg:no-named-graph"
PAGE = 5000  # triples per page of a whole graph read again in pages: under any upstream's usual cap (Virtuoso: 10,000)


Parsed = ox.QuerySolutions | ox.QueryBoolean | Iterator[ox.Triple]
T = TypeVar("T")


def _triples(result: Parsed) -> list[ox.Triple]:
    assert not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))
    return list(result)


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
        :raises UpstreamError: the upstream failed, was unreachable, did not answer in time, or kept
            a whole graph short.
        """
        limit = request.timeout or self._settings.query_timeout
        deadline = time.monotonic() + limit
        text = request.text
        returns_graph = inspect_query(request.query).form.returns_graph
        if returns_graph and request.max_rows == WHOLE:
            return self._whole_graph(request, text, deadline, limit)
        max_rows = request.max_rows or self._settings.max_rows
        return self._fetch(request, text, deadline, limit, returns_graph,
                           lambda result: write_answer(result, request.format, max_rows=max_rows, term=canonical))

    def _whole_graph(self, request: QueryRequest, text: str, deadline: float, limit: float) -> Answer:
        """Every triple of a graph query, checked against the upstream's count of them and read in pages if it cut them."""
        triples = self._fetch(request, text, deadline, limit, True, _triples)
        pages = GraphPages.of(text)
        if pages is None:
            return write_answer(triples, request.format, max_rows=WHOLE, term=canonical)
        count = self._count(request, pages.count, deadline, limit)
        if len(set(triples)) < count:
            log.warning("SPARQL store %s cut a whole graph at %d of %d triples; reading it in pages", self._name,
                        len(triples), count)
            triples = []
            while len(triples) < count:
                page = self._fetch(request, pages.page(PAGE, len(triples)), deadline, limit, True, _triples)
                triples += page
                if len(page) < PAGE:
                    break
        if len(set(triples)) != count:
            raise UpstreamError(f"The SPARQL store gave {len(set(triples))} of the graph's {count} triples; "
                                "a partial graph is not answered.", status=502)
        return write_answer(triples, request.format, max_rows=WHOLE, term=canonical)

    def _count(self, request: QueryRequest, query: str, deadline: float, limit: float) -> int:
        def first_number(result: Parsed) -> int | None:
            for row in result if isinstance(result, ox.QuerySolutions) else ():
                value = row[0]
                if isinstance(value, ox.Literal) and value.value.isdigit():
                    return int(value.value)
            return None

        count = self._fetch(request, query, deadline, limit, False, first_number)
        if count is None:
            raise UpstreamError("The SPARQL store did not count the graph's triples.", status=502)
        return count

    def _fetch(self, request: QueryRequest, text: str, deadline: float, limit: float, returns_graph: bool,
               consume: Callable[[Parsed], T]) -> T:
        """Post `text` upstream and `consume` its answer, parsed lazily while it arrives, within the deadline."""
        default_graphs, named_graphs = list(request.default_graphs), list(request.named_graphs)
        if not default_graphs and not named_graphs and self._settings.sparql_default_graph:
            # natokg's graph is the default graph, and it has no named graph: the protocol cannot say "none",
            # so a named graph nobody holds stands for it (else Virtuoso lists its own system graphs)
            default_graphs, named_graphs = [self._settings.sparql_default_graph], [NO_NAMED_GRAPH]
        form = {"query": text, "default-graph-uri": default_graphs,
                "named-graph-uri": named_graphs}  # httpx repeats a field per list item, and omits empty ones
        accept = GRAPH_FORMAT if returns_graph else RESULTS_FORMAT
        remaining = max(0.001, deadline - time.monotonic())
        request_timeout = httpx.Timeout(remaining, connect=min(remaining, CONNECT_TIMEOUT))
        try:
            with self._client.stream("POST", self._endpoint, data=form, headers={"Accept": accept.media_type},
                                     timeout=request_timeout) as response:
                body = io.BufferedReader(_Body(response.iter_bytes(), deadline))
                if response.status_code != 200:
                    raise _status_error(response, body.read1(MAX_MESSAGE * 4), self._name)
                return consume(self._parse(body, response.headers.get("content-type", ""), returns_graph))
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

    @staticmethod
    def _parse(body: IO[bytes], content_type: str, returns_graph: bool) -> Parsed:
        media = content_type.split(";")[0].strip()
        if returns_graph:
            rdf_format = ox.RdfFormat.from_media_type(media) if media else None
            if rdf_format is None:
                raise UpstreamError(f"The SPARQL store answered a graph query with {media or 'no media type'}.", status=502)
            return (quad.triple for quad in ox.parse(body, format=rdf_format))
        results_format = ox.QueryResultsFormat.from_media_type(media) if media else None
        if results_format is None:
            raise UpstreamError(f"The SPARQL store answered a query with {media or 'no media type'}.", status=502)
        return ox.parse_query_results(body, format=results_format)

    def close(self) -> None:
        self._client.close()


def _status_error(response: httpx.Response, start: bytes, name: str) -> ProblemError:
    """Map a non-200 upstream answer, of which `start` is the first bytes, to our problem (the module docstring's
    table); the upstream's own message goes along in the detail, since it usually says what went wrong."""
    status = response.status_code
    message = start.decode(response.encoding or "utf-8", errors="replace").strip()[:MAX_MESSAGE]
    log.warning("SPARQL store %s answered %d: %s", name, status, message)
    said = f" It said: {message}" if message else ""
    if status == 400:
        return MalformedQuery(message or "The SPARQL store could not parse the query.", upstream_status=status)
    if status == 503:
        retry = response.headers.get("retry-after")
        return UpstreamError(f"The SPARQL store is unavailable.{said}", status=503,
                             headers={"Retry-After": retry} if retry else None, upstream_status=status)
    if status == 504:
        return UpstreamError(f"The SPARQL store timed out.{said}", status=504, upstream_status=status)
    return UpstreamError(f"The SPARQL store answered with status {status}.{said}", status=502, upstream_status=status)
