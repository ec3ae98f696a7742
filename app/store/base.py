"""The store seam's contract: a query request, its answer, the `Store` protocol and the one answer writer.

Routes and lookups never know which store runs: they build a `QueryRequest` and call `execute`
(or `execute_async` on the event loop). Two implementations keep it: the embedded Oxigraph store
(`app.store.embedded`) and any SPARQL 1.1 endpoint (`app.store.remote`); `app.store.open` chooses
once, at start-up. A store that can answer small bounded queries in the calling process, without a
worker round trip, also implements `AnswersInline`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Protocol, runtime_checkable

import pyoxigraph as ox

from ..core.formats import BY_NAME, Format
from ..sparql.querylib import Binding
from ..sparql.results import write_boolean, write_solutions, write_triples
from ..sparql.rewrite import bound

INTERNAL_ROW_LIMIT = 1_000_000  # our own SELECTs are bounded by the data, not by the user-facing cap
WHOLE = 2**62  # a row cap no answer reaches: for reads of whole graphs (dumps, the graph store)


@dataclass(frozen=True)
class QueryRequest:
    """One query to run: its text, the variables it binds, the format of the answer and its limits.

    `max_rows` and `timeout` left at None take the settings' values; `default_graphs` and
    `named_graphs` are the protocol's dataset (`default-graph-uri`, `named-graph-uri`).
    """

    query: str
    format: Format
    bindings: Mapping[str, Binding] = field(default_factory=dict)
    max_rows: int | None = None
    timeout: float | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @property
    def text(self) -> str:
        """The query with its bindings inlined (a VALUES block, and the terms written into FILTERs,
        app.sparql.rewrite): what the engine runs, in either store."""
        return bound(self.query, self.bindings)


@dataclass(frozen=True)
class Answer:
    kind: str  # "solutions", "boolean" or "graph"
    body: bytes
    truncated: bool = False
    count: int | None = 0  # rows or triples in the body; None when the writer did not count them
    seconds: float | None = None  # processor time a query worker spent evaluating and writing it


class Store(Protocol):
    """What every store offers the rest of the service."""

    @property
    def triple_count(self) -> int | None:
        """Triples held, when the store knows it cheaply (None for a remote store)."""
        ...

    def execute(self, request: QueryRequest) -> Answer:
        """Run the request's query and write its answer in its format, cut at its row cap.

        :raises app.core.errors.ProblemError: the query is malformed, ran out of time, or the store failed.
        """
        ...

    async def execute_async(self, request: QueryRequest) -> Answer:
        """As `execute`, awaited on the event loop."""
        ...

    def start(self) -> None:
        """Get ready to answer at once (start query workers, open connections); called again after `close`."""
        ...

    def close(self) -> None: ...


@runtime_checkable
class AnswersInline(Protocol):
    """A store that answers small bounded queries in the calling process (the GET /sparql fast lane uses it)."""

    def answer_inline(self, query: str, fmt: Format) -> Answer | None:
        """The answer when `query` is provably small, else None (the caller then goes through `execute`)."""
        ...


@runtime_checkable
class KeepsAnswers(Protocol):
    """A store that keeps slow answers beside it (app.store.answers): the embedded store on disk."""

    def kept_or(self, request: QueryRequest, answer: Callable[[], Answer]) -> Answer:
        """The answer to `request` kept before, else `answer()` (the same answer reached without the store, such as
        the list index's), kept as a slow answer is."""
        ...


XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
_CANONICAL_BOOLEANS = {"1": "true", "0": "false"}


def canonical(term: Any) -> Any:
    """A term in its canonical lexical form where engines differ: Virtuoso writes the boolean true as "1"."""
    if isinstance(term, ox.Literal) and term.datatype == XSD_BOOLEAN and term.value in _CANONICAL_BOOLEANS:
        return ox.Literal(_CANONICAL_BOOLEANS[term.value], datatype=XSD_BOOLEAN)
    return term


def write_answer(result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple], fmt: Format, *, max_rows: int,
                 term: Callable[[Any], Any] | None = None) -> Answer:
    """Cut a query result at `max_rows` and write it in `fmt`: the one writer of both stores, so they answer alike.

    `term`, when given, rewrites every value first (the remote store makes an upstream's terms canonical)."""
    if isinstance(result, ox.QueryBoolean):
        return Answer("boolean", write_boolean(bool(result), fmt))
    truncated = False
    if isinstance(result, ox.QuerySolutions):
        variables = [v.value for v in result.variables]
        rows: list[list[Any]] = []
        for solution in result:
            if len(rows) >= max_rows:
                truncated = True
                break
            rows.append([solution[i] if term is None else term(solution[i]) for i in range(len(variables))])
        return Answer("solutions", write_solutions(variables, rows, fmt, truncated=truncated), truncated, len(rows))
    # a graph holds each triple once (a CONSTRUCT makes a triple once per solution that builds it)
    triples: dict[ox.Triple, None] = {}
    for triple in result:
        if len(triples) >= max_rows:
            truncated = True
            break
        triples[triple if term is None else ox.Triple(triple.subject, triple.predicate, term(triple.object))] = None
    return Answer("graph", write_triples(triples, fmt), truncated, len(triples))


@runtime_checkable
class LooksUpHere(Protocol):
    """A store whose default graph can be read by index lookups in the calling thread (a local Oxigraph store)."""

    def quads_here(self, subject: ox.NamedNode | ox.BlankNode | None, object: ox.NamedNode | ox.BlankNode | None) -> Iterator[ox.Quad]:
        """The default graph's quads with this subject and/or object (None: any), lazily, in the store's index order."""
        ...


@runtime_checkable
class DumpsHere(Protocol):
    """A store whose default graph the engine's own serialiser writes whole to a file, in the calling thread."""

    @property
    def derived_files(self) -> Path | None:
        """A folder for files derived from the store, which live and go with it (an on-disk store's); None: none
        (a store in memory)."""
        ...

    @property
    def triple_count(self) -> int | None: ...

    def dump_here(self, output: Path | BinaryIO, fmt: Format, *, prefixes: Mapping[str, str] | None = None) -> None:
        """Write the default graph in `fmt` to `output`, streamed (memory does not grow with the graph)."""
        ...


@runtime_checkable
class SelectsHere(Protocol):
    """A store that can evaluate one of our own SELECTs in the calling thread, its rows as terms (no worker, no JSON)."""

    def select_here(self, request: QueryRequest) -> list[dict[str, Any]]:
        ...


def select(store: Store, query: str, bindings: Mapping[str, Binding] | None = None, *,
           max_rows: int = INTERNAL_ROW_LIMIT, bounded: bool = False) -> list[dict[str, Any]]:
    """Run one of our own SELECTs and return its rows as {variable: pyoxigraph term} (unbound ones absent).

    `bounded`: the caller knows the query's cost is bounded by what it asks for (one resource, one page of a
    list), not by the size of the graph; a store that can then evaluates it in this thread instead of
    a query worker, and hands the terms over without writing and reading them as SPARQL JSON. A query in
    this thread cannot be stopped at a deadline: only bounded ones come here.
    """
    request = QueryRequest(query, BY_NAME["json"], bindings or {}, max_rows=max_rows)
    if bounded and isinstance(store, SelectsHere):
        return store.select_here(request)
    answer = store.execute(request)
    solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[i] for i, n in enumerate(names) if s[i] is not None} for s in solutions]
