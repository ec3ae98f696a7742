"""How a worker's outcome reaches the client: the query's own faults are 4xx, the server's are 5xx."""

from __future__ import annotations

import os
import signal

import pytest

from app.core.errors import EngineFailed, InternalError, MalformedQuery, UnsupportedQuery
from app.store.base import Answer
from app.store.workers import Job, WorkerPool

JOB = Job("ASK {}", "json", 10)


def _raises(exc: BaseException):  # type: ignore[no-untyped-def]
    def evaluate(state: object, job: Job) -> Answer:
        raise exc
    return evaluate


@pytest.mark.parametrize(("raised", "expected", "status"), [
    (SyntaxError("error at 1:3"), MalformedQuery, 400),
    (RuntimeError("The custom function <http://example/f> is not supported"), UnsupportedQuery, 400),
    (ValueError("a bug of ours"), InternalError, 500),
])
def test_an_engine_failure_is_classified(raised: BaseException, expected: type, status: int, caplog: pytest.LogCaptureFixture) -> None:
    pool = WorkerPool(None, _raises(raised), size=1)
    try:
        with pytest.raises(expected) as caught:
            pool.run(JOB, timeout=10)
    finally:
        pool.close()
    assert caught.value.status == status
    if status == 500:  # the server's fault is logged with the worker's traceback, and the client is told it is not theirs
        assert any("ValueError: a bug of ours" in r.getMessage() for r in caplog.records)
        assert "server" in caught.value.detail


def _dies(state: object, job: Job) -> Answer:
    os.kill(os.getpid(), signal.SIGKILL)
    raise AssertionError("unreachable")


def test_a_worker_killed_under_a_query_is_a_503_and_is_replaced() -> None:
    pool = WorkerPool(None, _dies, size=1)
    try:
        with pytest.raises(EngineFailed) as caught:
            pool.run(JOB, timeout=10)
        assert caught.value.status == 503 and caught.value.headers.get("Retry-After") == "1"
        with pytest.raises(EngineFailed):  # a fresh worker took its place, and dies the same way
            pool.run(JOB, timeout=10)
    finally:
        pool.close()
