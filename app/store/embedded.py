"""The store seam: one small protocol, an embedded Oxigraph implementation and a remote SPARQL 1.1 one.

Routes never know which one runs; `open_store` chooses once, at start-up.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

import pyoxigraph as ox

from app.core.formats import BY_NAME, Format
from app.core.memo import keep_recent
from app.core.settings import Settings
from app.sparql.planner import plan, within_budget
from app.sparql.policy import CACHED_QUERY_CHARS
from app.sparql.querylib import inline_values
from app.sparql.results import QUERY_RESULTS_FORMATS, write_boolean, write_solutions, write_triples
from app.store.workers import Answer, Job, WorkerPool, run_here

Term = ox.NamedNode | ox.Literal | ox.BlankNode


class Store(Protocol):
    def execute(
        self,
        query: str,
        *,
        fmt: Format,
        bindings: Mapping[str, Term] | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> Answer:
        """Run a SPARQL query and serialise its answer in `fmt`, cut at `max_rows` rows or triples."""
        ...

    def close(self) -> None: ...


def evaluate(store: ox.Store, job: Job) -> Answer:
    """Run one job against a pyoxigraph store (in a worker process)."""
    fmt = BY_NAME[job.format_name]
    result = store.query(
        job.query,
        default_graph=[ox.NamedNode(g) for g in job.default_graphs] or None,
        named_graphs=[ox.NamedNode(g) for g in job.named_graphs] or None,
    )
    return write_answer(result, fmt, max_rows=job.max_rows)


def write_answer(result: ox.QueryBoolean | ox.QuerySolutions | Iterable[ox.Triple], fmt: Format, *, max_rows: int) -> Answer:
    """Cut a query result at `max_rows` and write it in `fmt`: the one writer of both stores, so they answer alike."""
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
            rows.append([solution[i] for i in range(len(variables))])
        return Answer("solutions", write_solutions(variables, rows, fmt, truncated=truncated), truncated, len(rows))
    triples: list[ox.Triple] = []
    for triple in result:
        if len(triples) >= max_rows:
            truncated = True
            break
        triples.append(triple)
    return Answer("graph", write_triples(triples, fmt), truncated, len(triples))


def evaluate_whole(store: ox.Store, job: Job) -> Answer:
    """Run a job known to return at most `job.max_rows` rows (app.sparql.planner), written by Oxigraph's own serialisers.

    Nothing needs cutting, so the answer is written in one call instead of row by row in Python.
    """
    fmt = BY_NAME[job.format_name]
    result = store.query(job.query)
    if isinstance(result, ox.QueryBoolean):
        return Answer("boolean", write_boolean(bool(result), fmt))
    if isinstance(result, ox.QuerySolutions):
        body = result.serialize(format=QUERY_RESULTS_FORMATS[fmt.name])
        assert body is not None  # no output file was given, so the bytes are returned
        return Answer("solutions", body, count=None)
    triples = list(result)
    return Answer("graph", write_triples(triples, fmt), count=len(triples))


class EmbeddedStore:
    """An in-memory Oxigraph store, queried in killable worker processes (bounded queries in this one)."""

    def __init__(self, documents: list[bytes], settings: Settings, *, derivations: Sequence[str] = ()) -> None:
        """Load the Turtle `documents`, then add what each CONSTRUCT of `derivations` derives from them.

        Every derivation reads the loaded documents only, never another one's output, so their order
        does not matter. (It did for speed: once the org:memberOf shortcuts were in the store, Oxigraph
        planned the membership-label join badly, and start-up at 1M triples took minutes instead of seconds.)
        """
        self._settings = settings
        self._store = ox.Store()
        for document in documents:
            self._store.bulk_load(document, format=ox.RdfFormat.TURTLE)
        derived = [ox.Quad(t.subject, t.predicate, t.object)
                   for derivation in derivations for t in self._store.query(derivation)]  # type: ignore[union-attr]
        self._store.extend(derived)
        self.triple_count = len(self._store)
        self._pool: WorkerPool | None = WorkerPool(self._store, evaluate, size=settings.workers)
        # The store never changes once loaded, so whether a query text is bounded within a budget never
        # does either: the answer is kept, like the planner's reading of the text.
        self._bounded = keep_recent(max_chars=CACHED_QUERY_CHARS)(self._is_bounded)

    def execute(
        self,
        query: str,
        *,
        fmt: Format,
        bindings: Mapping[str, Term] | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> Answer:
        job = self._job(query, fmt, bindings, max_rows, default_graphs, named_graphs)
        return self._inline(job) or self._workers().run(job, timeout=timeout or self._settings.query_timeout)

    async def execute_async(
        self,
        query: str,
        *,
        fmt: Format,
        bindings: Mapping[str, Term] | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> Answer:
        """As `execute`, awaited on the event loop without holding a thread (a hop costs ~0.5 ms)."""
        job = self._job(query, fmt, bindings, max_rows, default_graphs, named_graphs)
        return self._inline(job) or await self._workers().run_async(job, timeout=timeout or self._settings.query_timeout)

    def answer_inline(self, query: str, fmt: Format) -> Answer | None:
        """The answer to `query` when it is small and bounded enough to run here (app.sparql.planner), else None."""
        return self._inline(self._job(query, fmt, None, None, (), ()))

    def _inline(self, job: Job) -> Answer | None:
        budget = min(self._settings.inline_budget, job.max_rows)
        if budget <= 0 or job.default_graphs or job.named_graphs:
            return None
        if not self._bounded(job.query, budget):
            return None
        return run_here(evaluate_whole, self._store, job)

    def _is_bounded(self, query: str, budget: int) -> bool:
        planned = plan(query)
        return planned is not None and within_budget(self._store, planned, budget)

    def _job(self, query: str, fmt: Format, bindings: Mapping[str, Term] | None, max_rows: int | None,
             default_graphs: tuple[str, ...], named_graphs: tuple[str, ...]) -> Job:
        text = inline_values(query, bindings or {})
        return Job(text, fmt.name, max_rows or self._settings.max_rows, default_graphs, named_graphs)

    def _workers(self) -> WorkerPool:
        """The query workers, started again after `close` (as in a process forked by `app.web.prefork`)."""
        if self._pool is None:
            self._pool = WorkerPool(self._store, evaluate, size=self._settings.workers)
        return self._pool

    def start(self) -> None:
        """Start the query workers now rather than on the first query that needs one."""
        self._workers()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


INTERNAL_ROW_LIMIT = 1_000_000
WHOLE = 2**62  # a row cap no answer reaches: for reads of whole graphs (dumps, the graph store)


def select(
    store: Store, query: str, bindings: Mapping[str, Term] | None = None, *, max_rows: int = INTERNAL_ROW_LIMIT
) -> list[dict[str, Any]]:
    """Run one of our own SELECTs and return its rows as {variable: pyoxigraph term} (unbound ones absent).

    Our queries are bounded by the data, so the user-facing row cap does not apply to them.
    """
    answer = store.execute(query, fmt=BY_NAME["json"], bindings=bindings, max_rows=max_rows)
    solutions = ox.parse_query_results(answer.body, format=ox.QueryResultsFormat.JSON)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[i] for i, n in enumerate(names) if s[i] is not None} for s in solutions]


async def execute_async(store: Store, query: str, **options: Any) -> Answer:
    """Await `store.execute`: natively where the store can (the embedded pool), else in a thread."""
    native = getattr(store, "execute_async", None)
    if native is not None:
        answer: Answer = await native(query, **options)
        return answer
    return await asyncio.to_thread(functools.partial(store.execute, query, **options))


def open_store(documents: list[bytes] | None, settings: Settings, *, derivations: Sequence[str] = ()) -> Store:
    """The store the settings ask for: embedded (loaded with the Turtle `documents` and what the
    `derivations` derive from them) or remote (which holds its data already)."""
    if settings.sparql_endpoint:
        from app.store.remote import RemoteStore

        return RemoteStore(settings)
    assert documents is not None
    return EmbeddedStore(documents, settings, derivations=derivations)
