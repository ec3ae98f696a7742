"""Slow answers kept beside an on-disk store (app.store.answers): evaluated once, then read back by every serving
process of every later start, as long as the query depends on the store alone."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.store.answers import AHEAD, FOLDER, KeptAnswers, keepable
from app.store.base import Answer
from app.store.workers import Job
from app.web.app import create_app
from tests.disk_stores import derived
from tests.disk_stores import disk_settings as on_disk

# an unbounded pattern, so it goes to a query worker (answers a serving process evaluates itself are never kept)
ORDERED = "SELECT ?s WHERE { ?s a ?class } ORDER BY ?s LIMIT 3"
DRAWN = "SELECT ?s (RAND() AS ?r) WHERE { ?s a ?class } ORDER BY ?s LIMIT 3"


def disk_settings(cache: Path, **changes: object) -> Settings:
    """Every answer a worker gives is slow enough to keep (the shipped data answers in milliseconds)."""
    return on_disk(cache, **{"answer_cache_after": 0.0, **changes})


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("kept-answers")


@pytest.fixture(scope="module")
def disk(cache: Path) -> Iterator[TestClient]:
    with TestClient(create_app(disk_settings(cache))) as client:
        yield client


def answers(cache: Path) -> Path:
    return derived(cache) / FOLDER


def kept(cache: Path) -> set[Path]:
    folder = answers(cache)
    return set(folder.glob("*.answer")) if folder.exists() else set()


def test_a_named_query_is_kept_and_read_back_by_a_later_start(disk: TestClient, client: TestClient, cache: Path) -> None:
    before = kept(cache)
    first = disk.get("/api/queries/api-countries")
    assert first.status_code == 200
    [new] = kept(cache) - before
    head, _, body = new.read_bytes().partition(b"\n")
    assert body == first.content  # the bytes sent, as the worker wrote them
    assert json.loads(head)["count"] == len(first.json()["results"]["bindings"]) > 30
    assert first.content == client.get("/api/queries/api-countries").content  # what the store in memory answers
    # a later start reads the file, never evaluates again: a file changed under it is what it sends
    marker = b'{"head":{"vars":["kept"]},"results":{"bindings":[]}}'
    new.write_bytes(json.dumps({"kind": "solutions", "truncated": False, "count": 0, "bytes": len(marker)}).encode()
                    + b"\n" + marker)
    with TestClient(create_app(disk_settings(cache))) as again:
        assert again.get("/api/queries/api-countries").content == marker
        assert again.get("/api/queries/api-countries", params={"format": "csv"}).text.startswith("item,field,value")  # its own file
    assert len(kept(cache) - before) == 2


def test_a_cut_answer_stays_cut_when_read_back(cache: Path) -> None:
    before = kept(cache)
    with TestClient(create_app(disk_settings(cache, max_rows=5))) as cut:  # another row cap: another answer
        first = cut.get("/api/queries/api-countries")
    assert first.headers["x-natokg-truncated"] == "true" and len(first.json()["results"]["bindings"]) == 5
    assert len(kept(cache) - before) == 1
    with TestClient(create_app(disk_settings(cache, max_rows=5))) as again:
        second = again.get("/api/queries/api-countries")
    assert second.content == first.content and second.headers["x-natokg-truncated"] == "true"


def test_a_query_that_draws_new_values_is_never_kept(disk: TestClient, cache: Path) -> None:
    before = kept(cache)
    drawn = [disk.get("/sparql", params={"query": DRAWN}, headers={"Accept": "application/sparql-results+json"}).json()
             for _ in range(3)]
    assert kept(cache) == before
    assert len({json.dumps(d["results"]["bindings"]) for d in drawn}) > 1  # drawn again each time
    assert disk.get("/sparql", params={"query": ORDERED}).status_code == 200
    assert len(kept(cache) - before) == 1  # the same pattern without RAND is


@pytest.mark.parametrize(("query", "stable"), [
    (ORDERED, True),
    (DRAWN, False),
    ("SELECT (NOW() AS ?now) {}", False),
    ("SELECT (uuid() AS ?u) {}", False),
    ("SELECT (STRUUID() AS ?u) {}", False),
    ("CONSTRUCT { ?s <http://example.org/p> ?b } WHERE { ?s a ?c BIND(BNODE() AS ?b) }", False),
    ("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }", False),
    # the words inside a string, an IRI, a variable or a prefixed name are no calls
    ('SELECT ?rand ?now { ?rand <http://example.org/NOW> "RAND() and NOW()" ; ex:UUID ?now }', True),
])
def test_only_a_query_that_depends_on_the_store_alone_is_keepable(query: str, stable: bool) -> None:
    assert keepable(query) is stable


def test_a_fast_answer_is_not_kept_by_default(tmp_path: Path) -> None:
    with TestClient(create_app(disk_settings(tmp_path, answer_cache_after=0.25))) as fresh:
        assert fresh.get("/api/queries/api-countries").status_code == 200
    assert kept(tmp_path) == set()


def test_a_folder_that_cannot_be_written_keeps_nothing_and_answers_as_before(tmp_path: Path, client: TestClient) -> None:
    with TestClient(create_app(disk_settings(tmp_path))) as fresh:
        folder = answers(tmp_path)
        folder.parent.mkdir(exist_ok=True)
        folder.write_text("a file where the folder should be")
        response = fresh.get("/api/queries/api-countries")
    assert response.status_code == 200
    assert response.content == client.get("/api/queries/api-countries").content


def job(n: int) -> Job:
    return Job(f"SELECT * {{ ?s ?p {n} }}", "json", 10_000)


def answer(size: int, seconds: float = 1.0) -> Answer:
    return Answer("solutions", b"x" * size, False, 1, seconds)


def test_the_answers_read_least_recently_go_first_when_the_folder_is_full(tmp_path: Path) -> None:
    answers = KeptAnswers(tmp_path, max_bytes=4000, after=0.5)
    for n in range(4):
        assert answers.put(job(n), answer(900))
    files = {n: answers._path(job(n)) for n in range(4)}
    for n, path in files.items():  # written an hour apart, the first first
        os.utime(path, (time.time() - 3600 * (5 - n),) * 2)
    assert answers.get(job(0)) == Answer("solutions", b"x" * 900, False, 1)  # read now: the most recent
    assert answers.put(job(4), answer(900))  # 5 x 900 bytes and their heads do not fit in 4000
    assert not files[1].exists()  # the one read least recently
    assert all(files[n].exists() for n in (0, 2, 3))
    assert answers.get(job(1)) is None and answers.get(job(4)) is not None


def test_the_answers_kept_ahead_stay_when_the_folder_is_full(tmp_path: Path) -> None:
    """What `natokg load --answers` kept is never removed to make room for a client's answers (a slider sweeping the
    map's days); it counts towards the folder's size, so a client's answers have the rest."""
    answers = KeptAnswers(tmp_path, max_bytes=4000, after=0.5)
    assert answers.put(job(0), answer(900), ahead=True)
    assert answers.put(job(1), answer(900))
    assert answers.pin(job(1))  # kept by a client's query, then asked ahead
    assert not answers.pin(job(9))  # nothing to pin
    ahead = {answers._path(job(n), ahead=True) for n in (0, 1)}
    assert {p for p in tmp_path.iterdir()} == ahead
    for path in ahead:  # read long ago
        os.utime(path, (time.time() - 36_000,) * 2)
    for n in range(2, 8):
        assert answers.put(job(n), answer(900))
    assert all(path.exists() for path in ahead)
    assert answers.get(job(0)) is not None and answers.get(job(1)) is not None
    # 2 x 900 ahead leave room for two of the others, the latest
    assert [n for n in range(2, 8) if answers.get(job(n)) is not None] == [6, 7]
    assert answers.put(job(7), answer(900), ahead=True)  # asked ahead once a client had it kept: one file
    assert not answers._path(job(7)).exists() and answers._path(job(7), ahead=True).exists()


def test_what_is_not_worth_keeping_is_not_kept(tmp_path: Path) -> None:
    answers = KeptAnswers(tmp_path, max_bytes=4000, after=0.5)
    assert not answers.put(job(0), answer(100, seconds=0.4))  # fast
    assert not answers.put(job(1), answer(1001))  # more than a quarter of the folder
    assert not answers.put(Job("SELECT (RAND() AS ?r) {}", "json", 10), answer(10))
    assert not KeptAnswers(tmp_path, max_bytes=0, after=0).put(job(2), answer(10))  # NATOKG_ANSWER_CACHE_MB=0
    assert list(tmp_path.iterdir()) == []
    assert answers.put(job(3), answer(100))
    assert answers.get(Job(job(3).query, "csv", 10_000)) is None  # another format, another answer
    assert answers.get(Job(job(3).query, "json", 10)) is None  # another row cap


def test_an_answer_asked_ahead_is_kept_from_a_fifth_of_the_time(tmp_path: Path) -> None:
    """`natokg load --answers` keeps what took a fifth of `after` or more: no client waits for it there, and a client
    would otherwise wait for it at every request."""
    answers = KeptAnswers(tmp_path, max_bytes=4000, after=0.5)
    assert not answers.put(job(0), answer(100, seconds=0.2))  # a client's: under `after`
    assert answers.put(job(0), answer(100, seconds=0.2), ahead=True)
    assert not answers.put(job(1), answer(100, seconds=0.09), ahead=True)  # under a fifth
    assert answers.get(job(0)) is not None and answers.get(job(1)) is None


def test_a_damaged_file_or_a_crashed_write_is_never_read(tmp_path: Path) -> None:
    answers = KeptAnswers(tmp_path, max_bytes=4000, after=0.5)
    assert answers.put(job(0), answer(100))
    path = answers._path(job(0))
    path.write_bytes(path.read_bytes()[:-1])  # cut short
    assert answers.get(job(0)) is None
    stale, fresh = tmp_path / ".123-abcd.partial", tmp_path / ".124-abcd.partial"
    stale.write_bytes(b"half")
    fresh.write_bytes(b"half")
    os.utime(stale, (time.time() - 3600,) * 2)
    assert answers.put(job(1), answer(100))
    assert not stale.exists() and fresh.exists()  # a writer that died long ago, one that may be writing now


def test_natokg_load_keeps_the_named_queries_answers_ahead(tmp_path: Path) -> None:
    import subprocess
    import sys

    from app.core.settings import PROJECT_ROOT

    env = {**os.environ, "NATOKG_CACHE_DIR": str(tmp_path), "NATOKG_VALIDATE_ON_START": "false", "NATOKG_STORE": "disk",
           "NATOKG_ANSWER_CACHE_AFTER": "0"}

    def load() -> str:
        done = subprocess.run([sys.executable, "-m", "app.cli", "load", "--answers"], env=env, cwd=PROJECT_ROOT,
                              capture_output=True, text=True, timeout=300, check=False)
        assert done.returncode == 0, done.stderr
        return done.stdout

    first = load()
    assert "natokg:   api-countries: " in first and ", kept" in first
    assert "partners-on-date" not in first  # it needs a day
    written = kept(tmp_path)
    assert len(written) >= 30 and all(path.name.endswith(AHEAD) for path in written)  # never removed to make room
    assert "kept before" in load() and kept(tmp_path) == written
    with TestClient(create_app(disk_settings(tmp_path))) as served:
        response = served.get("/api/queries/api-countries")
    assert kept(tmp_path) == written  # read, not evaluated and written again
    assert any(p.read_bytes().endswith(response.content) for p in written)


def test_an_answer_written_by_other_code_is_another_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import app.store.answers

    answers = KeptAnswers(tmp_path, max_bytes=4000, after=0.5)
    assert answers.put(job(0), answer(100))
    assert answers.get(job(0)) is not None
    monkeypatch.setattr(app.store.answers, "WRITERS", "the writers of another checkout")
    assert answers.get(job(0)) is None


def test_an_answer_in_a_folder_that_cannot_be_written_is_still_read(tmp_path: Path) -> None:
    """A store and its answers prepared ahead (`natokg load --answers`) and shipped read-only serve what they hold."""
    import subprocess

    answers = KeptAnswers(tmp_path, max_bytes=4000, after=0.5)
    assert answers.put(job(0), answer(100))
    path = answers._path(job(0))
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False).returncode != 0:
        pytest.skip("chattr +i (an immutable file, which even root cannot touch) is not available here")
    try:
        with pytest.raises(PermissionError):
            os.utime(path)
        assert answers.get(job(0)) == Answer("solutions", b"x" * 100, False, 1)
    finally:
        subprocess.run(["chattr", "-i", str(path)], check=True)
