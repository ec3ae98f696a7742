"""The worker pool's faults and fair shares, in process: a dead idle worker, slow queries, a client that leaves."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import Abandoned, Busy
from app.store.asker import ASKER, Asker
from app.store.base import Answer
from app.store.fairness import SlowQueries
from app.store.workers import REFUSAL_PAUSE, Job, WorkerPool


def _sleeps(state: object, job: Job) -> Answer:
    """An evaluator whose query text is the number of seconds it takes."""
    time.sleep(float(job.query))
    return Answer("boolean", b"true")


def job(seconds: float) -> Job:
    return Job(str(seconds), "json", 10)


@pytest.fixture
def pool() -> Iterator[WorkerPool]:
    slow = SlowQueries(after=0.2, places=1, per_client=1)
    pool = WorkerPool(None, _sleeps, size=3, slow=slow)
    try:
        yield pool
    finally:
        pool.close()


def run_as(pool: WorkerPool, address: str | None, seconds: float, *, timeout: float = 20,
           asker: Asker | None = None) -> Answer | BaseException:
    """Run a job as the client at `address`, in this thread; its answer or its error."""
    ASKER.set(asker or (Asker(address) if address else None))
    try:
        return pool.run(job(seconds), timeout=timeout)
    except BaseException as error:  # returned for the test to look at
        return error


def in_thread(function, *args, **kwargs) -> tuple[threading.Thread, list]:  # type: ignore[no-untyped-def]
    result: list = []
    thread = threading.Thread(target=lambda: result.append(function(*args, **kwargs)))
    thread.start()
    return thread, result


@pytest.mark.parametrize("size", [1, 3])
def test_idle_workers_found_dead_are_replaced_and_the_query_answered(caplog: pytest.LogCaptureFixture, size: int) -> None:
    pool = WorkerPool(None, _sleeps, size=size)
    try:
        victims = pool.pids()
        for victim in victims:  # every one of them, as an out-of-memory killer might
            os.kill(victim, signal.SIGKILL)
        time.sleep(0.2)
        assert pool.run(job(0), timeout=10).body == b"true"  # not a 4xx, not even a 503: it went to a fresh worker
        assert not victims & pool.pids() and len(pool.pids()) == size
        assert any("died while idle" in r.getMessage() and r.levelname == "ERROR" for r in caplog.records)
    finally:
        pool.close()


def test_a_worker_stops_on_sigterm() -> None:
    pool = WorkerPool(None, _sleeps, size=1)
    try:
        [worker] = pool.pids()
        os.kill(worker, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and os.waitpid(worker, os.WNOHANG) == (0, 0):
            time.sleep(0.05)
        assert time.monotonic() < deadline, "the worker ignored SIGTERM"
    finally:
        pool.close()


def test_one_slow_query_per_client_the_next_is_stopped_with_retry_after(pool: WorkerPool) -> None:
    first, first_result = in_thread(run_as, pool, "10.0.0.1", 1.5)
    time.sleep(0.4)  # it is slow now, and holds the one place
    before = pool.pids()
    started = time.monotonic()
    second = run_as(pool, "10.0.0.1", 1.5)
    assert isinstance(second, Busy) and second.status == 503 and second.headers["Retry-After"]
    assert 0.15 < time.monotonic() - started < 1.0  # stopped when it turned slow, not at its end
    assert len(before - pool.pids()) == 1  # its worker was killed (and replaced)
    # sent again at once, it is known slow: refused before it takes a worker
    started = time.monotonic()
    assert isinstance(run_as(pool, "10.0.0.1", 1.5), Busy)
    assert time.monotonic() - started < 0.15
    first.join()
    assert isinstance(first_result[0], Answer)
    # the place is free again: the same query runs to its end
    assert isinstance(run_as(pool, "10.0.0.1", 0.5), Answer)


def test_fast_queries_are_not_held_back_by_slow_ones(pool: WorkerPool) -> None:
    slow, _ = in_thread(run_as, pool, "10.0.0.1", 1.5)
    time.sleep(0.3)
    other = run_as(pool, "10.0.0.2", 1.0)  # another client's slow query: no place left in this process
    assert isinstance(other, Busy) and "Every place" in other.detail
    started = time.monotonic()
    for _ in range(5):
        assert isinstance(run_as(pool, "10.0.0.3", 0.01), Answer)
    assert time.monotonic() - started < 1.0
    slow.join()


def test_a_client_that_leaves_stops_its_query(pool: WorkerPool) -> None:
    asker = Asker("10.0.0.1")
    thread, result = in_thread(run_as, pool, None, 5, asker=asker)
    time.sleep(0.1)
    before = pool.pids()
    asker.left = True
    thread.join(timeout=2)
    assert not thread.is_alive() and isinstance(result[0], Abandoned)
    assert len(before - pool.pids()) == 1  # the worker running it was killed and replaced


def test_waiting_in_line_is_not_being_slow() -> None:
    """Fast queries queued behind each other wait longer than the slow threshold, yet none is refused."""
    pool = WorkerPool(None, _sleeps, size=1, slow=SlowQueries(after=0.2, places=1, per_client=1))
    try:
        runs = [in_thread(run_as, pool, f"10.0.1.{i}", 0.1) for i in range(6)]
        for thread, _ in runs:
            thread.join()
        assert all(isinstance(result[0], Answer) for _, result in runs), [result[0] for _, result in runs]
    finally:
        pool.close()


def _niceness(pid: int) -> int:
    return os.getpriority(os.PRIO_PROCESS, pid)


def test_a_slow_query_runs_at_a_lower_priority_until_it_is_answered() -> None:
    pool = WorkerPool(None, _sleeps, size=2, slow=SlowQueries(after=0.2, places=1, per_client=1, nice=7))
    base = _niceness(0)
    try:
        assert {_niceness(pid) for pid in pool.pids()} == {base}
        thread, result = in_thread(run_as, pool, "10.0.0.1", 1.0)
        time.sleep(0.1)
        assert {_niceness(pid) for pid in pool.pids()} == {base}  # not slow yet
        time.sleep(0.4)
        assert sorted(_niceness(pid) for pid in pool.pids()) == [base, base + 7]
        assert isinstance(run_as(pool, "10.0.0.2", 0.01), Answer)  # a fast query meanwhile, on the other worker
        thread.join()
        assert isinstance(result[0], Answer)
        pids = pool.pids()
        assert {_niceness(pid) for pid in pids} == {base} and len(pids) == 2
    finally:
        pool.close()


_WITHOUT_SYS_NICE = """
import os, sys, time
sys.path.insert(0, {root!r})
from tests.store.test_worker_pool import _sleeps, job
from app.store.fairness import SlowQueries
from app.store.workers import WorkerPool
pool = WorkerPool(None, _sleeps, size=2, slow=SlowQueries(after=0.1, places=1, per_client=1, nice=5))
before = pool.pids()
pool.run(job(0.4), timeout=10)
after = pool.pids()
base = os.getpriority(os.PRIO_PROCESS, 0)
print(len(before - after), {{os.getpriority(os.PRIO_PROCESS, pid) for pid in after}} == {{base}} and len(after))
pool.close()
"""


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="setpriv (util-linux) is missing: cannot drop CAP_SYS_NICE")
def test_where_a_niceness_cannot_be_lowered_again_the_slow_querys_worker_is_replaced() -> None:
    """Without CAP_SYS_NICE (an unprivileged service) a demoted worker cannot get its priority back: a fresh one comes."""
    root = str(Path(__file__).resolve().parents[2])
    # dropped from the bounding and inheritable sets, the capability is gone after the exec even for root
    command = ["setpriv", "--inh-caps=-sys_nice", "--bounding-set=-sys_nice", sys.executable, "-c",
               _WITHOUT_SYS_NICE.format(root=root)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=root)
    if done.returncode != 0 and "setpriv" in done.stderr:
        pytest.skip(f"setpriv could not drop CAP_SYS_NICE here: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "2"]


def test_a_query_refused_at_once_on_the_event_loop_is_answered_after_a_pause(pool: WorkerPool) -> None:
    """A client resending a known slow query at once gets its 503 after REFUSAL_PAUSE, holding no worker meanwhile."""
    first, _ = in_thread(run_as, pool, "10.0.0.1", 1.5)
    time.sleep(0.4)
    assert isinstance(run_as(pool, "10.0.0.1", 1.5), Busy)  # stopped when it turned slow: now known slow
    before = pool.pids()

    async def resend() -> tuple[BaseException | None, float, Answer]:
        ASKER.set(Asker("10.0.0.1"))
        started = time.monotonic()
        try:
            await pool.run_async(job(1.5), timeout=20)
            refused = None
        except Busy as error:
            refused = error
        waited = time.monotonic() - started
        ASKER.set(Asker("10.0.0.2"))
        return refused, waited, await pool.run_async(job(0.01), timeout=20)  # another client meanwhile: a worker

    refused, waited, other = asyncio.run(resend())
    assert isinstance(refused, Busy) and refused.headers["Retry-After"]
    assert REFUSAL_PAUSE <= waited < REFUSAL_PAUSE + 0.5
    assert isinstance(other, Answer) and pool.pids() == before  # the refused query never took a worker
    first.join()


def _fragments_the_heap(state: object, job: Job) -> Answer:
    """An evaluator that leaves its heap as a large query does: 300 MB allocated in small blocks, one in 64 kept
    (as caches and interned terms are), the rest freed; the answer is 2 MB."""
    blocks = [bytes(1500) for _ in range(200_000)]
    _KEPT[:] = blocks[::64]
    del blocks
    return Answer("boolean", b" " * 2**21)


_KEPT: list[bytes] = []


def _anonymous_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith("Anonymous:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no Anonymous: line")


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="reads a worker's memory from Linux's /proc")
def test_a_worker_hands_back_the_memory_a_large_answer_freed() -> None:
    """glibc keeps freed heap for later allocations: without handing it back, this worker holds about 300 MB."""
    pool = WorkerPool(None, _fragments_the_heap, size=1)
    try:
        [worker] = pool.pids()
        before = _anonymous_mb(worker)
        answer = pool.run(Job("", "json", 10), timeout=20)
        assert isinstance(answer, Answer) and len(answer.body) == 2**21
        deadline = time.monotonic() + 5
        while _anonymous_mb(worker) > before + 60 and time.monotonic() < deadline:  # it trims after sending
            time.sleep(0.05)
        assert _anonymous_mb(worker) < before + 60
    finally:
        pool.close()
