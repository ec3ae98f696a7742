"""Query evaluation in worker processes that can be killed at the deadline.

Neither Python SPARQL engine can cancel a running query, and threads cannot be killed, so each
query runs in a forked process that already holds the store (an in-memory one copy-on-write; an
on-disk one it opens read-only itself, `app.store.handle`). A query that runs
past its deadline, whose client left, or that turns slow when no slow-query place is free
(`app.store.fairness`) is stopped by killing its worker; a fresh worker is forked from the serving
process, which keeps the loaded store, so the replacement is ready at once.

A worker keeps nothing of the process it was forked from but the store and its own pipe: it swaps
every other socket it inherited (client connections, the listening socket, other workers' pipes)
for /dev/null, so a connection the server closes is closed for the client too; it stops on SIGTERM;
and a thread watches its pipe, so it exits as soon as the serving process is gone, even mid-query.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import select
import signal
import stat
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from ..core.errors import Abandoned, Busy, EngineFailed, InternalError, MalformedQuery, QueryTimeout, UnsupportedQuery
from ..core.tally import Tally
from .asker import ASKER, Asker
from .base import Answer, QueryRequest
from .fairness import SlowQueries

log = logging.getLogger(__name__)

POLL = 0.05  # seconds between looks at the client and the clock while a blocking caller waits
WATCH_AFTER = 0.25  # seconds a query waits (for a worker or its answer) before its client's connection is watched
# Seconds a query refused at once (it ran slow before and the places are taken) waits before its 503 is sent: a
# client that resends at once whatever the answer then costs a request a second per connection, not hundreds.
REFUSAL_PAUSE = 1.0


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
        started = time.thread_time()
        answer = evaluate(state, job)
        return ("ok", replace(answer, seconds=time.thread_time() - started))
    except SyntaxError as exc:
        return ("syntax", str(exc))
    except RuntimeError as exc:
        return ("unsupported", str(exc))
    except Exception:
        return ("fault", traceback.format_exc())


def _detach(conn: Connection) -> None:
    """First thing in a new worker: keep only its own pipe, stop on SIGTERM, die with the serving process."""
    signal.set_wakeup_fd(-1)  # the serving process's event loop wrote signals there
    for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGCHLD):
        signal.signal(signum, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the serving process stops its workers
    own = conn.fileno()
    null = os.open(os.devnull, os.O_RDWR)
    with suppress(FileNotFoundError):  # /proc: Linux; elsewhere the worker keeps what it inherited
        for name in os.listdir("/proc/self/fd"):
            fd = int(name)
            if fd in (own, null):
                continue
            with suppress(OSError):
                if stat.S_ISSOCK(os.fstat(fd).st_mode):
                    os.dup2(null, fd)  # not close: the number stays taken, so a stale object closing it later harms nothing
    os.close(null)
    threading.Thread(target=_exit_when_orphaned, args=(own,), name="lifeline", daemon=True).start()


def _exit_when_orphaned(fd: int) -> None:
    """Exit the moment the other end of the pipe closes: the serving process is gone (or let the worker go)."""
    poller = select.poll()
    poller.register(fd, select.POLLRDHUP)
    while True:
        if any(events & (select.POLLRDHUP | select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, events in poller.poll()):
            os._exit(0)


def _worker_main(conn: Connection, state: Any, evaluate: Evaluator, prepare: Callable[[Any], object] | None) -> None:
    _detach(conn)
    if prepare is not None:  # e.g. open the on-disk store now, not on the first query sent
        with suppress(Exception):  # a failure shows again, with its error, on the first query
            prepare(state)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        outcome = _outcome(evaluate, state, job)
        conn.send(outcome)
        answer = outcome[1] if outcome[0] == "ok" else None
        large = answer is not None and (len(answer.body) >= TRIM_AFTER_BYTES or (answer.seconds or 0) >= TRIM_AFTER_SECONDS)
        del outcome, answer
        if large:
            give_back_memory()


# an answer from this size, or of this much processor time, on leaves enough freed heap behind to hand back (a
# count over the whole graph answers a few bytes after building large tables); trimming then costs milliseconds
TRIM_AFTER_BYTES = 2**20
TRIM_AFTER_SECONDS = 0.1
_MALLOC_TRIM: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)  # glibc only


def give_back_memory() -> None:
    """Hand the heap a large answer freed back to the system. glibc keeps freed memory for later allocations, so a
    worker held on to what its largest answer needed: at a million triples 100-170 MB more per worker after a
    whole list had been read, sorted and written or the graph counted (the process tree 127 -> 521 MB PSS after seven
    such named queries at a million triples; trimmed after each, 127 -> 301-330 MB)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def run_here(evaluate: Evaluator, state: Any, job: Job) -> Answer:
    """Evaluate `job` in this process, with the errors a worker would report: only for jobs known to be short."""
    return _result(*_outcome(evaluate, state, job))


class _Worker:
    def __init__(self, ctx: Any, state: Any, evaluate: Evaluator, prepare: Callable[[Any], object] | None = None) -> None:
        self.conn, child = ctx.Pipe()
        self.process: BaseProcess = ctx.Process(target=_worker_main, args=(child, state, evaluate, prepare), daemon=True)
        self.process.start()
        child.close()
        self.niced = False  # running a slow query at a lower priority

    def demote(self, nice: int) -> None:
        """Lower the worker's priority by `nice` while it runs a slow query (raising a niceness is always allowed)."""
        if nice and not self.niced and self.process.pid is not None:
            with suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, self.process.pid, os.getpriority(os.PRIO_PROCESS, 0) + nice)
                self.niced = True

    def restore(self) -> bool:
        """Give the worker its serving process's priority back; False where the system does not allow it."""
        if not self.niced:
            return True
        try:
            os.setpriority(os.PRIO_PROCESS, self.process.pid or 0, os.getpriority(os.PRIO_PROCESS, 0))
        except OSError:
            return False
        self.niced = False
        return True

    def stop(self, *, kill: bool) -> None:
        if kill:
            with suppress(OSError):
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


def _no_worker(timeout: float) -> QueryTimeout:
    return QueryTimeout(f"No query worker became free within {timeout:g} s.", headers={"Retry-After": "1"})


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


class _Run:
    """One query's stay in the pool: its deadline, its client, and its slow-query place once it needs one."""

    def __init__(self, job: Job, timeout: float, slow: SlowQueries | None) -> None:
        self.job = job
        self.timeout = timeout
        self.asker: Asker | None = ASKER.get()
        self.address = self.asker.address if self.asker else None
        self.arrived = time.monotonic()
        self.deadline = self.arrived + timeout
        self.watching = False
        self.evaluating_since: float | None = None  # set when a worker takes the job: waiting in line is not being slow
        self.worker: _Worker | None = None  # the worker evaluating the job
        self._slow = slow
        self.placed = False
        if slow is not None and slow.known_slow(job.query):  # it ran slow before: it needs a place from the start
            self._place(stopped=False)

    def _place(self, *, stopped: bool) -> None:
        assert self._slow is not None
        if not self._slow.claim(self.address):
            self._slow.remember(self.job.query)
            raise self._slow.busy(self.address, stopped=stopped)
        self.placed = True
        self.demote()

    def demote(self) -> None:
        """A query with a slow-query place runs at the slow queries' lower priority."""
        if self.placed and self.worker is not None and self._slow is not None:
            self.worker.demote(self._slow.nice)

    def next_look(self) -> float:
        """Seconds to wait for the answer before looking at the clock again (never past the deadline)."""
        now = time.monotonic()
        if now >= self.deadline:
            raise _past_deadline(self.timeout)
        wait = self.deadline - now
        if self._slow is not None and not self.placed and self.evaluating_since is not None:
            turns_slow = self.evaluating_since + self._slow.after
            if now >= turns_slow:
                self._place(stopped=True)
            else:
                wait = min(wait, turns_slow - now)
        return wait

    def check_client(self) -> None:
        """Raise Abandoned if the client has left; start watching it once the query has waited a moment.

        Most queries are answered before `WATCH_AFTER`: they never pay for watching the connection.
        """
        if self.asker is None:
            return
        if self.asker.left:
            raise Abandoned("The client closed the connection; its query was stopped.")
        if not self.watching and time.monotonic() - self.arrived >= WATCH_AFTER:
            self.watching = True
            self.asker.watch()

    def next_watch(self) -> float:
        """Seconds until the client is to be watched (infinite once it is, or when there is none)."""
        if self.asker is None or self.watching:
            return float("inf")
        return max(0.0, self.arrived + WATCH_AFTER - time.monotonic())

    def end(self) -> None:
        if self.placed and self._slow is not None:
            self._slow.release(self.address)
            self.placed = False
        if self.watching and self.asker is not None:
            self.asker.unwatch()


class WorkerPool:
    """A fixed number of forked evaluators, leased one query at a time (blocking with `run`, awaited with `run_async`)."""

    def __init__(self, state: Any, evaluate: Evaluator, *, size: int, slow: SlowQueries | None = None,
                 busy: Tally | None = None, prepare: Callable[[Any], object] | None = None) -> None:
        """`busy`, if given, counts this process's workers that are evaluating, for the parent to see; `prepare`, if
        given, is called with `state` in each worker as it starts."""
        self._ctx = multiprocessing.get_context("fork")
        self._busy = busy
        self._state = state
        self._evaluate = evaluate
        self._prepare = prepare
        self._slow = slow
        self._idle: deque[_Worker] = deque()
        self._waiting: deque[asyncio.Future[_Worker]] = deque()  # callers awaiting a worker on an event loop
        self._all: set[_Worker] = set()
        self._free = threading.Condition()
        self._closed = False
        self._size = size
        for _ in range(size):
            self._add()

    # --- the workers --------------------------------------------------------------------------------------------

    def _add(self) -> None:
        worker = _Worker(self._ctx, self._state, self._evaluate, self._prepare)
        with self._free:
            self._all.add(worker)
        self._release(worker)

    def _replace(self, worker: _Worker) -> None:
        with self._free:
            self._all.discard(worker)
        worker.stop(kill=True)
        if not self._closed:
            self._add()

    def _release(self, worker: _Worker) -> None:
        """Give the worker to the first caller awaiting one on an event loop, else back to the idle ones."""
        try:
            here: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:  # a thread with no event loop
            here = None
        with self._free:
            while self._waiting:
                future = self._waiting.popleft()
                if future.done():
                    continue
                if future.get_loop() is here:  # on the waiter's own loop: hand it over now, no wake-up needed
                    future.set_result(worker)
                    return
                try:
                    future.get_loop().call_soon_threadsafe(self._hand, future, worker)
                    return
                except RuntimeError:  # that loop is closed
                    continue
            self._idle.append(worker)
            self._free.notify()

    def _hand(self, future: asyncio.Future[_Worker], worker: _Worker) -> None:
        if future.done():  # its caller gave up meanwhile
            self._release(worker)
        else:
            future.set_result(worker)

    def _take(self, run: _Run) -> _Worker:
        """An idle worker, waiting in this thread at most until the deadline."""
        with self._free:
            while not self._idle:
                run.check_client()
                remaining = run.deadline - time.monotonic()
                if remaining <= 0:
                    raise _no_worker(run.timeout)
                self._free.wait(min(remaining, POLL))
            return self._idle.popleft()

    async def _take_async(self, run: _Run) -> _Worker:
        """An idle worker, awaited on the event loop at most until the deadline."""
        with self._free:
            if self._idle:
                return self._idle.popleft()
            future: asyncio.Future[_Worker] = asyncio.get_running_loop().create_future()
            self._waiting.append(future)
        try:
            while not future.done():
                remaining = run.deadline - time.monotonic()
                if remaining <= 0:
                    raise _no_worker(run.timeout)
                await _first(future, run, min(remaining, run.next_watch()))
                if not future.done():
                    run.check_client()
            return future.result()
        except BaseException:
            if future.done() and not future.cancelled():
                self._release(future.result())
            else:
                future.cancel()
            raise

    def _send(self, worker: _Worker, run: _Run) -> bool:
        """Hand the job to `worker`; False if the worker had died while idle (it is replaced; the job never started)."""
        if worker.process.is_alive():
            try:
                worker.conn.send(run.job)
                run.evaluating_since = time.monotonic()
                run.worker = worker
                run.demote()
                return True
            except OSError:
                pass
        log.error("a query worker had died while idle (%s); it was replaced and the query went to another",
                  _ended(worker.process))
        self._replace(worker)
        return False

    # --- running a query ----------------------------------------------------------------------------------------

    def run(self, job: Job, *, timeout: float) -> Answer:
        """Evaluate `job`, waiting at most `timeout` seconds in all (queueing included), in this thread.

        :raises QueryTimeout: past the deadline; the worker is killed and replaced.
        :raises Busy: the query turned slow with no slow-query place free; its worker is killed and replaced.
        :raises Abandoned: the client left; the worker is killed and replaced.
        :raises MalformedQuery: the engine could not parse the query.
        :raises UnsupportedQuery: the engine parsed the query but cannot evaluate it.
        :raises EngineFailed: the worker died under the query (it is replaced).
        :raises InternalError: the engine failed otherwise (logged).
        """
        run = _Run(job, timeout, self._slow)
        try:
            for _ in range(self._size + 1):  # another try only when a worker was found dead before the job reached it
                worker = self._take(run)
                if not self._send(worker, run):
                    continue
                with self._leased(worker):
                    while not worker.conn.poll(min(run.next_look(), POLL)):
                        run.check_client()
                    status, payload = worker.conn.recv()
                return _result(status, payload)
            raise _died()
        finally:
            run.end()

    async def run_async(self, job: Job, *, timeout: float) -> Answer:
        """As `run`, but awaits a worker and its answer on the event loop instead of holding a thread."""
        try:
            run = _Run(job, timeout, self._slow)
        except Busy:
            await asyncio.sleep(REFUSAL_PAUSE)  # no worker, no thread held: only the connection waits
            raise
        try:
            for _ in range(self._size + 1):  # as in `run`: every idle worker may have died, each is replaced by a fresh one
                worker = await self._take_async(run)
                if not self._send(worker, run):
                    continue
                with self._leased(worker):
                    await self._answered(worker, run)
                    status, payload = worker.conn.recv()
                return _result(status, payload)
            raise _died()
        finally:
            run.end()

    async def _answered(self, worker: _Worker, run: _Run) -> None:
        """Wait on the event loop until the worker's pipe has an answer (or closed)."""
        loop = asyncio.get_running_loop()
        ready: asyncio.Future[None] = loop.create_future()

        def readable() -> None:
            if not ready.done():
                ready.set_result(None)

        descriptor = worker.conn.fileno()
        loop.add_reader(descriptor, readable)
        try:
            while not ready.done():
                await _first(ready, run, min(run.next_look(), run.next_watch()))
                if not ready.done():
                    run.check_client()
        finally:
            loop.remove_reader(descriptor)
            # uvloop leaves the descriptor non-blocking: an answer bigger than the pipe's buffer would then
            # be read half and fail. The worker is already writing it, so a blocking read waits only for that.
            os.set_blocking(descriptor, True)

    @contextmanager
    def _leased(self, worker: _Worker) -> Iterator[None]:
        """Give the worker back after a clean exchange; kill and replace it after anything else."""
        if self._busy is not None:
            self._busy.add("", 1)
        try:
            yield
        except (EOFError, OSError):
            log.error("a query worker died while evaluating a query (%s); it was replaced", _ended(worker.process))
            self._replace(worker)
            raise _died() from None
        except BaseException:  # past the deadline, slow with no place, client gone, or cancelled: stop the query
            self._replace(worker)
            raise
        finally:
            if self._busy is not None:
                self._busy.add("", -1)
        if worker.restore():
            self._release(worker)
        else:  # its niceness cannot be lowered again here: a fresh worker takes its place
            self._replace(worker)

    def pids(self) -> set[int]:
        """The process ids of the workers now (for supervision and tests)."""
        with self._free:
            return {worker.process.pid for worker in self._all if worker.process.pid is not None}

    def close(self) -> None:
        self._closed = True
        with self._free:
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for worker in workers:
            worker.stop(kill=False)


async def _first(future: asyncio.Future[Any], run: _Run, timeout: float) -> None:
    """Wait until `future` is done, `timeout` seconds pass, or the client leaves (once it is watched); no task made."""
    if future.done():
        return
    loop = asyncio.get_running_loop()
    wake: asyncio.Future[None] = loop.create_future()

    def fire(*_: object) -> None:
        if not wake.done():
            wake.set_result(None)

    future.add_done_callback(fire)
    timer = loop.call_later(timeout, fire) if timeout != float("inf") else None
    asker = run.asker if run.watching else None
    if asker is not None:
        asker.on_leave(fire)
        if asker.left:
            fire()
    try:
        await wake
    finally:
        future.remove_done_callback(fire)
        if timer is not None:
            timer.cancel()
        if asker is not None:
            asker.forget(fire)


def _died() -> EngineFailed:
    return EngineFailed("The query worker stopped while evaluating the query; it was replaced. Try again.",
                        headers={"Retry-After": "1"})


def _ended(process: BaseProcess) -> str:
    process.join(timeout=1)
    code = process.exitcode
    if code is None:
        return "still running"
    return f"killed by signal {-code}" if code < 0 else f"exit code {code}"
