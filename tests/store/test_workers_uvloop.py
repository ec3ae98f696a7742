"""Worker answers larger than a pipe's buffer, read under uvloop (the loop `natokg serve` runs on).

uvloop's `add_reader` leaves the descriptor non-blocking, so reading a large answer could stop half
way (BlockingIOError) and the worker was wrongly treated as crashed. Tests otherwise run on asyncio's
own loop (TestClient), which never showed it.
"""

from __future__ import annotations

import pytest

from app.store.base import Answer
from app.store.workers import Job, WorkerPool

uvloop = pytest.importorskip("uvloop", reason="uvloop is not installed (it comes with uvicorn[standard], a dependency)")

BIG = 4 * 1024 * 1024  # far more than a pipe holds (64 KiB on Linux)


def big_answer(state: object, job: Job) -> Answer:
    return Answer("solutions", b"x" * BIG)


def test_large_answers_are_read_whole_under_uvloop() -> None:
    pool = WorkerPool(None, big_answer, size=2)

    async def many() -> list[int]:
        return [len((await pool.run_async(Job("ASK {}", "json", 10), timeout=30)).body) for _ in range(20)]

    try:
        assert uvloop.run(many()) == [BIG] * 20
        assert len(pool.run(Job("ASK {}", "json", 10), timeout=30).body) == BIG  # the same pipes, read blocking again
    finally:
        pool.close()
