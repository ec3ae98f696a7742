"""The worker pool's faults and fair shares, in process: a dead idle worker, slow queries, a client that leaves."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from app.core.errors import Abandoned, Busy
from app.store.asker import ASKER, Asker
from app.store.base import Answer
from app.store.fairness import SlowQueries
from app.store.workers import Job, WorkerPool


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
