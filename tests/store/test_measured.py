"""Query texts a worker measured cheap run in the serving process when sent again (app.store.measured)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import pytest
from fastapi.testclient import TestClient

from app.core.errors import QueryTimeout
from app.core.formats import BY_NAME
from app.store.base import Answer, QueryRequest
from app.store.measured import MeasuredQueries

# a FILTER: outside the planner's grammar, so only a measure can tell it is cheap
LABELS = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?label WHERE { <https://w3id.org/natokg/id/country/%s> rdfs:label ?label FILTER (LANG(?label) IN ("en", "fr")) }"""
# every pair of triples about one subject read: tens of milliseconds here, well past the 5 ms on any machine
SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?a ?e ?f FILTER (CONTAINS(LCASE(STR(?f)), '%s')) }"


@contextmanager
def workers_stopped(store) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Every query worker of this process stopped (SIGSTOP): only what runs in this process is answered."""
    pids = store._workers().pids()
    for pid in pids:
        os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        for pid in pids:
            with suppress(ProcessLookupError):  # killed and replaced past a deadline meanwhile
                os.kill(pid, signal.SIGCONT)


def test_a_cheap_query_sent_again_is_answered_without_a_worker(client: TestClient) -> None:
    store = client.app.state.service.runtime.store  # type: ignore[attr-defined]
    request = QueryRequest(LABELS % "FRA", BY_NAME["json"], timeout=2)
    first = store.execute(request)  # measured by a worker
    assert first.seconds is not None and first.seconds < 0.005 and first.count == 2
    with workers_stopped(store):
        started = time.monotonic()
        again = store.execute(request)
        assert time.monotonic() - started < 1
    assert (again.kind, again.body, again.count) == (first.kind, first.body, first.count)  # the same answer, byte for byte
    other = QueryRequest(LABELS % "DEU", BY_NAME["json"], timeout=1)  # never sent before: it needs a worker
    with workers_stopped(store), pytest.raises(QueryTimeout):
        store.execute(other)


def test_a_costly_query_keeps_going_to_a_worker(client: TestClient) -> None:
    store = client.app.state.service.runtime.store  # type: ignore[attr-defined]
    first = store.execute(QueryRequest(SCAN % "zz-never", BY_NAME["json"], timeout=30))
    assert first.seconds is not None and first.seconds > 0.005
    with workers_stopped(store), pytest.raises(QueryTimeout):
        store.execute(QueryRequest(SCAN % "zz-never", BY_NAME["json"], timeout=1))


def _answer(seconds: float, count: int, *, truncated: bool = False) -> Answer:
    return Answer("solutions", b"", truncated, count, seconds)


def test_only_whole_quick_answers_well_under_the_row_cap_are_remembered() -> None:
    measured = MeasuredQueries(max_seconds=0.005, total_chars=64 * 100)
    measured.learn("quick", _answer(0.001, 10))
    measured.learn("slow", _answer(0.02, 10))
    measured.learn("cut", _answer(0.001, 10, truncated=True))
    measured.learn("many", _answer(0.001, 600))
    assert measured.cheap("quick", 1000) == 10 and measured.cheap("slow", 1000) is measured.cheap("cut", 1000) is None
    assert measured.cheap("many", 1000) is None and measured.cheap("many", 1200) == 600  # twice its rows must fit
    assert measured.cheap("quick", 10) is None
    measured.learn("x" * 101, _answer(0.001, 1))  # longer than a 64th of the budget: never kept
    assert measured.cheap("x" * 101, 1000) is None
    off = MeasuredQueries(max_seconds=0, total_chars=6400)
    off.learn("quick", _answer(0.001, 10))
    assert off.cheap("quick", 1000) is None


def test_remembered_texts_stay_within_their_budget_of_characters() -> None:
    measured = MeasuredQueries(max_seconds=0.005, total_chars=64 * 10)  # 640 characters, texts up to 10
    texts = [f"{i:010d}" for i in range(100)]
    for text in texts:
        measured.learn(text, _answer(0.001, 1))
    kept = [text for text in texts if measured.cheap(text, 100) is not None]
    assert kept == texts[-64:]  # the least recently learned went first


@pytest.mark.parametrize("fmt", ["json", "xml", "csv", "tsv"])
def test_an_answer_run_here_is_the_workers_answer_byte_for_byte(client: TestClient, fmt: str) -> None:
    store = client.app.state.service.runtime.store  # type: ignore[attr-defined]
    text = (LABELS % "UKR").replace('("en", "fr")', f'("en", "fr", "{fmt}")')  # a text of its own for each format
    first = store.execute(QueryRequest(text, BY_NAME[fmt], timeout=5))
    with workers_stopped(store):
        again = store.execute(QueryRequest(text, BY_NAME[fmt], timeout=2))
    assert (again.kind, again.body, again.count, again.truncated) == (first.kind, first.body, first.count, first.truncated)
