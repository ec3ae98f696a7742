"""The embedded store: an Oxigraph store in this machine (on disk, or in memory), queried in killable worker processes.

Bounded queries (`app.sparql.planner`) run in the serving process itself, without a worker round trip, and so
do the service's own SELECTs that its callers know to be bounded (`app.store.base.select(..., bounded=True)`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from ..core.formats import BY_NAME, Format
from ..core.memo import keep_recent
from ..core.settings import Settings
from ..core.tally import Tally
from ..sparql.lexer import CACHED_QUERY_CHARS, CACHED_QUERY_TOTAL
from ..sparql.planner import plan, within_budget
from ..sparql.results import prefix_arguments, write_boolean, write_triples
from .answers import FOLDER, KeptAnswers
from .base import Answer, QueryRequest, write_answer
from .disk import DERIVED, derived_quads
from .fairness import SlowQueries
from .handle import OpenedStore
from .lists import ListIndex
from .measured import MeasuredQueries
from .workers import Job, WorkerPool, run_here


def evaluate(store: ox.Store, job: Job) -> Answer:
    """Run one job against a pyoxigraph store (in a worker process)."""
    fmt = BY_NAME[job.format_name]
    if job.default_graphs or job.named_graphs:
        # A protocol dataset replaces the query's FROM and FROM NAMED whole, and a part it leaves out is
        # empty, as in the query text (https://www.w3.org/TR/sparql11-protocol/#dataset): both are given.
        result = store.query(job.query, default_graph=[ox.NamedNode(g) for g in job.default_graphs],
                             named_graphs=[ox.NamedNode(g) for g in job.named_graphs])
    else:
        result = store.query(job.query)
    return write_answer(result, fmt, max_rows=job.max_rows)


def evaluate_whole(store: ox.Store, job: Job) -> Answer:
    """Run a job known to return at most `job.max_rows` rows (app.sparql.planner), written by Oxigraph's own serialisers.

    Nothing needs cutting, so the answer is written in one call instead of row by row in Python.
    """
    fmt = BY_NAME[job.format_name]
    result = store.query(job.query)
    if isinstance(result, ox.QueryBoolean):
        return Answer("boolean", write_boolean(bool(result), fmt))
    if isinstance(result, ox.QuerySolutions):
        assert isinstance(fmt.oxigraph, ox.QueryResultsFormat)
        body = result.serialize(format=fmt.oxigraph)
        assert body is not None  # no output file was given, so the bytes are returned
        return Answer("solutions", body, count=None)
    triples = list(dict.fromkeys(result))  # each triple once, as write_answer writes a graph
    return Answer("graph", write_triples(triples, fmt), count=len(triples))


def evaluate_opened(opened: OpenedStore, job: Job) -> Answer:
    """`evaluate` against the store as this process holds it (a query worker opens an on-disk store on its first job)."""
    return evaluate(opened.get(), job)


def load_in_memory(documents: list[bytes], *, derivations: Sequence[str] = ()) -> ox.Store:
    """An in-memory store of the Turtle `documents`, with what each CONSTRUCT of `derivations` derives from them."""
    store = ox.Store()
    for document in documents:
        store.bulk_load(document, format=ox.RdfFormat.TURTLE)
    store.extend([quad for derivation in derivations for quad in derived_quads(store, derivation)])
    return store


class EmbeddedStore:
    """An Oxigraph store (in memory, or on disk opened read-only in each process), queried in killable
    worker processes (bounded queries in this one)."""

    def __init__(self, opened: OpenedStore, settings: Settings, *, triples: int, origin: str = "",
                 lists: ListIndex | None = None) -> None:
        """Serve `opened`, which holds `triples` triples; `origin` says where it came from (for the start-up line);
        `lists` is its list index (app.store.lists), if it has one."""
        self.lists = lists
        self._settings = settings
        self._opened = opened
        self._triples = triples
        self.origin = origin
        # Made before any serving process is forked, so that they all count one client's slow queries together.
        self._slow = SlowQueries(after=settings.slow_query_after, places=settings.slow_query_places,
                                 per_client=settings.slow_queries_per_client, nice=settings.slow_query_nice,
                                 tally=Tally(rows=settings.processes))
        self._busy = Tally(rows=settings.processes)  # workers evaluating, per serving process
        self._pool: WorkerPool | None = None
        self._workers()
        # The store never changes once loaded, so whether a query text is bounded within a budget never
        # does either: the answer is kept, like the planner's reading of the text.
        self._bounded = keep_recent(max_chars=CACHED_QUERY_CHARS, total_chars=CACHED_QUERY_TOTAL)(self._is_bounded)
        self._measured = MeasuredQueries(max_seconds=settings.inline_measured_ms / 1000, total_chars=CACHED_QUERY_TOTAL)
        # slow answers of an on-disk store, evaluated once and read back after (app.store.answers)
        self.kept = (KeptAnswers(folder / FOLDER, max_bytes=settings.answer_cache_mb * 2**20, after=settings.answer_cache_after)
                     if (folder := self.derived_files) is not None else None)

    @property
    def path(self) -> Path | None:
        """The on-disk store's folder; None in memory."""
        return self._opened.path

    @property
    def derived_files(self) -> Path | None:
        """`derived/` in the on-disk store's folder (app.store.disk): files derived from the store, removed with it."""
        return self._opened.path / DERIVED if self._opened.path is not None else None

    def dump_here(self, output: Path | BinaryIO, fmt: Format, *, prefixes: Mapping[str, str] | None = None) -> None:
        """The default graph written to `output` by Oxigraph's serialiser as it reads it (app.store.base.DumpsHere);
        Oxigraph lets go of the GIL meanwhile, so the event loop and other threads go on."""
        assert isinstance(fmt.oxigraph, ox.RdfFormat), f"{fmt.name} is not an RDF syntax"
        self._opened.get().dump(str(output) if isinstance(output, Path) else output, fmt.oxigraph, from_graph=ox.DefaultGraph(),
                                **prefix_arguments(fmt.oxigraph, prefixes))

    @property
    def _store(self) -> ox.Store:
        """The pyoxigraph store as this process holds it (tests read it to check the planner's bounds)."""
        return self._opened.get()

    @property
    def triple_count(self) -> int:
        return self._triples

    def execute(self, request: QueryRequest) -> Answer:
        job = Job.of(request, max_rows=self._settings.max_rows)
        answer = self._inline(job) or self._kept(job)
        if answer is None:
            answer = self._workers().run(job, timeout=request.timeout or self._settings.query_timeout)
            self._learn(job, answer)
        return answer

    async def execute_async(self, request: QueryRequest) -> Answer:
        """As `execute`, awaited on the event loop without holding a thread."""
        job = Job.of(request, max_rows=self._settings.max_rows)
        answer = self._inline(job) or self._kept(job)
        if answer is None:
            answer = await self._workers().run_async(job, timeout=request.timeout or self._settings.query_timeout)
            self._learn(job, answer)
        return answer

    def _kept(self, job: Job) -> Answer | None:
        return self.kept.get(job) if self.kept is not None else None

    def _learn(self, job: Job, answer: Answer) -> None:
        if not (job.default_graphs or job.named_graphs):
            self._measured.learn(job.query, answer)
        if self.kept is not None:
            self.kept.put(job, answer)

    def kept_or(self, request: QueryRequest, answer: Callable[[], Answer]) -> Answer:
        """The answer to `request` kept beside the store, else `answer()`: the same answer reached another way (the
        list index's: app.kg.runtime), kept as a worker's is when it took as long (its processor time in this
        thread), so that a day the map asked before is read back rather than chosen again."""
        job = Job.of(request, max_rows=self._settings.max_rows)
        if (found := self._kept(job)) is not None:
            return found
        started = time.thread_time()
        made = answer()
        made = replace(made, seconds=time.thread_time() - started)
        if self.kept is not None:
            self.kept.put(job, made)
        return made

    def keep_ahead(self, request: QueryRequest) -> tuple[Answer, str]:
        """Evaluate `request` in this thread, without a deadline, and keep its answer if it is slow enough
        (`natokg load --answers`): what a serving process would evaluate on a worker and keep, with the same key and
        bytes, never removed to make room for a client's. Says what became of it: "kept", "kept before", "not kept" (fast,
        large or unstable: app.store.answers)."""
        job = Job.of(request, max_rows=self._settings.max_rows)
        if (answer := self._inline(job)) is not None:
            return answer, "not kept"
        if (answer := self._kept(job)) is not None:
            assert self.kept is not None
            self.kept.pin(job)  # asked ahead: no client's query pushes it out now
            return answer, "kept before"
        answer = run_here(evaluate, self._opened.get(), job)
        return answer, "kept" if self.kept is not None and self.kept.put(job, answer, ahead=True) else "not kept"

    def select_here(self, request: QueryRequest) -> list[dict[str, Any]]:
        """One of our own bounded SELECTs evaluated in this thread (app.store.base.select); Oxigraph lets go of the
        GIL while it evaluates, so other threads and the event loop go on meanwhile."""
        job = Job.of(request, max_rows=self._settings.max_rows)
        result = self._opened.get().query(job.query)
        assert isinstance(result, ox.QuerySolutions), "select_here is for SELECT queries"
        names = [v.value for v in result.variables]
        rows: list[dict[str, Any]] = []
        for solution in result:
            if len(rows) >= job.max_rows:
                break
            rows.append({name: solution[i] for i, name in enumerate(names) if solution[i] is not None})
        return rows

    def quads_here(self, subject: ox.NamedNode | ox.BlankNode | None, object: ox.NamedNode | ox.BlankNode | None) -> Iterator[ox.Quad]:
        """The default graph's quads with this subject and/or object, read from the store's indexes in this thread
        (app.store.base.LooksUpHere): each costs one step of an index scan, so a caller that stops early pays for
        what it read."""
        return iter(self._opened.get().quads_for_pattern(subject, None, object, ox.DefaultGraph()))

    def answer_inline(self, query: str, fmt: Format) -> Answer | None:
        """The answer to `query` when it is bounded enough to run here (app.sparql.planner, or measured cheap on a
        worker before: app.store.measured), else None."""
        return self._inline(Job(query, fmt.name, self._settings.max_rows))

    def _inline(self, job: Job) -> Answer | None:
        if job.default_graphs or job.named_graphs:
            return None
        budget = min(self._settings.inline_budget, job.max_rows)
        if budget > 0 and self._bounded(job.query, budget):
            return run_here(evaluate_whole, self._opened.get(), job)
        count = self._measured.cheap(job.query, job.max_rows)
        if count is None:
            return None
        if job.format_name != "json":  # the service's writer, as on a worker
            return run_here(evaluate, self._opened.get(), job)
        answer = run_here(evaluate_whole, self._opened.get(), job)  # whole, and the same bytes in one call
        return answer if answer.count is not None else replace(answer, count=count)

    def _is_bounded(self, query: str, budget: int) -> bool:
        planned = plan(query)
        return planned is not None and within_budget(self._opened.get(), planned, budget)

    def _workers(self) -> WorkerPool:
        """The query workers, started again after `close` (as in a process forked by `app.web.prefork`)."""
        if self._pool is None:
            self._pool = WorkerPool(self._opened, evaluate_opened, size=self._settings.workers, slow=self._slow, busy=self._busy,
                                    prepare=OpenedStore.get)
        return self._pool

    def has_free_worker(self, row: int) -> bool:
        """Whether the serving process of `row` (app.core.tally) has a worker not evaluating (read by the parent)."""
        return self._busy.row_total(row) < self._settings.workers

    def start(self) -> None:
        """Open the store and its list index in this process and start the query workers (each opens the store as it
        starts) now rather than on the first request that needs them: at 5M triples on disk opening takes 0.1 s
        or more, which the first request a serving process or a replaced worker was sent waited for."""
        self._workers()
        self._opened.get()
        if self.lists is not None:
            self.lists.open()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        self._opened.release()  # before a fork (app.web.prefork): each process opens its own
