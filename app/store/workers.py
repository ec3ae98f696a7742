"""Query evaluation in worker processes that can be killed at the deadline.

Neither Python SPARQL engine can cancel a running query, and threads cannot be killed, so each
query runs in a forked process that already holds the store (copy-on-write). A query that runs
past its deadline is stopped by killing its worker; a fresh worker is forked from the parent,
which keeps the loaded store, so the replacement is ready at once.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import threading
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from ..core.errors import EngineFailed, InternalError, MalformedQuery, QueryTimeout, UnsupportedQuery
from .base import Answer, QueryRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    """A `QueryRequest` as it crosses the pipe to a worker: bindings inlined, the format by name, limits resolved."""

    query: str
    format_name: str
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()

    @classmethod
    def of(cls, request: QueryRequest, *, max_rows: int) -> Job:
        return cls(request.text, request.format.name, request.max_rows or max_rows, request.default_graphs, request.named_graphs)


Evaluator = Callable[[Any, Job], Answer]


def _outcome(evaluate: Evaluator, state: Any, job: Job) -> tuple[str, Any]:
    """The evaluation's result, or its failure classified: the query's own fault, or the engine's.

    pyoxigraph raises SyntaxError for a query that does not parse and RuntimeError for one it parses
    but cannot evaluate (an unknown function, say): both are the client's. Anything else is a fault of
    the server, reported as such with its traceback for the log.
    """
    try:
        return ("ok", evaluate(state, job))
    except SyntaxError as exc:
        return ("syntax", str(exc))
    except RuntimeError as exc:
        return ("unsupported", str(exc))
    except Exception:
        return ("fault", traceback.format_exc())


def _worker_main(conn: Connection, state: Any, evaluate: Evaluator) -> None:
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        conn.send(_outcome(evaluate, state, job))


def run_here(evaluate: Evaluator, state: Any, job: Job) -> Answer:
    """Evaluate `job` in this process, with the errors a worker would report: only for jobs known to be short."""
    return _result(*_outcome(evaluate, state, job))


class _Worker:
    def __init__(self, ctx: Any, state: Any, evaluate: Evaluator) -> None:
        self.conn, child = ctx.Pipe()
        self.process: BaseProcess = ctx.Process(target=_worker_main, args=(child, state, evaluate), daemon=True)
        self.process.start()
        child.close()

    def stop(self, *, kill: bool) -> None:
        if kill:
            self.process.kill()
        else:
            try:
                self.conn.send(None)
            except OSError:
                self.process.kill()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.conn.close()


def _past_deadline(timeout: float) -> QueryTimeout:
    return QueryTimeout(f"The query ran past the {timeout:g} s deadline and was stopped.",
                        headers={"Retry-After": "1"}, deadline_seconds=timeout)


async def _readable(conn: Connection, timeout: float) -> None:
    """Wait on the event loop until the worker's pipe has an answer (or closed), at most `timeout` s."""
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def signal() -> None:
        if not ready.done():
            ready.set_result(None)

    descriptor = conn.fileno()
    loop.add_reader(descriptor, signal)
    try:
        await asyncio.wait_for(ready, timeout)
    except TimeoutError:
        raise _past_deadline(timeout) from None
    finally:
        loop.remove_reader(descriptor)
        # uvloop leaves the descriptor non-blocking: an answer bigger than the pipe's buffer would then
        # be read half and fail. The worker is already writing it, so a blocking read waits only for that.
        os.set_blocking(descriptor, True)


def _result(status: str, payload: Any) -> Answer:
    if status == "ok":
        answer: Answer = payload
        return answer
    if status == "syntax":
        raise MalformedQuery(str(payload))
    if status == "unsupported":
        raise UnsupportedQuery(f"The query engine cannot evaluate this query: {payload}")
    log.error("the query engine failed:\n%s", payload)
    raise InternalError("The query engine failed on this query; the fault is the server's and was logged.")


class WorkerPool:
    """A fixed number of forked evaluators; `run` blocks the calling thread until an answer or the deadline."""

    def __init__(self, state: Any, evaluate: Evaluator, *, size: int) -> None:
        self._ctx = multiprocessing.get_context("fork")
        self._state = state
        self._evaluate = evaluate
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._add()

    def _add(self) -> None:
        worker = _Worker(self._ctx, self._state, self._evaluate)
        with self._lock:
            self._all.add(worker)
        self._idle.put(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop(kill=True)
        if not self._closed:
            self._add()

    def run(self, job: Job, *, timeout: float) -> Answer:
        """Evaluate `job`, waiting at most `timeout` seconds in all (queueing included).

        :raises QueryTimeout: past the deadline; the worker is killed and replaced.
        :raises MalformedQuery: the engine could not parse the query.
        :raises UnsupportedQuery: the engine parsed the query but cannot evaluate it.
        :raises EngineFailed: the worker died under the query (it is replaced).
        :raises InternalError: the engine failed otherwise (logged).
        """
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise QueryTimeout(f"No query worker became free within {timeout:g} s.", headers={"Retry-After": "1"}) from None
        with self._leased(worker):
            worker.conn.send(job)
            if not worker.conn.poll(max(0.0, deadline - time.monotonic())):
                raise _past_deadline(timeout)
            status, payload = worker.conn.recv()
        return _result(status, payload)

    async def run_async(self, job: Job, *, timeout: float) -> Answer:
        """As `run`, but awaits the worker's answer on the event loop instead of holding a thread.

        A cancelled request (the client went away) kills its worker, which stops the query too.
        """
        try:
            worker = self._idle.get_nowait()
        except queue.Empty:  # every worker busy: wait for one in a thread, as `run` does
            return await asyncio.to_thread(self.run, job, timeout=timeout)
        with self._leased(worker):
            worker.conn.send(job)
            await _readable(worker.conn, timeout)
            status, payload = worker.conn.recv()
        return _result(status, payload)

    @contextmanager
    def _leased(self, worker: _Worker) -> Iterator[None]:
        """Give the worker back after a clean exchange; kill and replace it after anything else."""
        try:
            yield
        except (EOFError, OSError):
            self._replace(worker)
            log.error("a query worker died while evaluating a query; it was replaced")
            raise EngineFailed("The query worker stopped while evaluating the query; it was replaced. Try again.",
                               headers={"Retry-After": "1"}) from None
        except BaseException:  # past the deadline, or the request was cancelled: stop the query
            self._replace(worker)
            raise
        self._idle.put(worker)

    def close(self) -> None:
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop(kill=False)
