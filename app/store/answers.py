"""Answers kept beside an on-disk store: a slow query is evaluated once per store, then read back from a file.

An on-disk store never changes once built (a changed source builds a new one beside it, app.store.disk), so
the answer to a query text, in one format, cut at one row cap, is the same every time it is asked, unless
the text draws on something besides the store: RAND, NOW, UUID, STRUUID, BNODE (fresh each evaluation) or
SERVICE (another endpoint's data). Such texts are never kept. An answer that took a query worker at least
`after` seconds of processor time is written to `derived/answers/` in the store's folder (a temporary name,
then renamed: a reader sees it whole or not at all), and every serving process of every later start reads it
from there instead of evaluating it again. A whole-list named query at 5M triples costs 10-30 s to evaluate;
read back, a few milliseconds.

The folder holds at most `max_bytes`: when a new answer would take it past that, the answers read least
recently go first (a read sets the file's time), except those kept ahead (`natokg load --answers`: `pinned`,
`<key>.ahead.answer`), which an operator asked for and a client's queries must not push out; they count towards
`max_bytes`, and are kept from a fifth of `after` (`AHEAD_SHARE`). Two processes that ask the same slow query at
once both evaluate it, and the second rename replaces the first file with the same bytes. A folder that cannot be
written keeps nothing new (the queries are evaluated as before) and still serves what it holds.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from contextlib import suppress
from pathlib import Path

from ..core import formats
from ..sparql import results
from ..sparql.lexer import tokens
from . import base
from .base import Answer
from .disk import partial_file
from .workers import Job

log = logging.getLogger("natokg.store")

FOLDER = "answers"
SUFFIX = ".answer"
AHEAD = ".ahead" + SUFFIX  # kept ahead: never removed to make room
PARTIAL = ".partial"
STALE_PARTIAL = 600.0  # seconds
# Kept ahead (`natokg load --answers`), an answer is worth keeping from this share of `after`: no client waits for
# that evaluation, and one that took 0.1-0.2 s there (at 5M `api-sources`, `index-labels`, `derive-member-of`: 0.15-0.43 s
# at a client's request) would otherwise be evaluated at every request, or at its first, kept only when it passed `after`.
AHEAD_SHARE = 0.2
# Functions whose value is new at every evaluation, and the keyword that reads another endpoint: a text that
# uses one has no answer to keep.
UNSTABLE = frozenset({"RAND", "NOW", "UUID", "STRUUID", "BNODE", "SERVICE"})


def _writers() -> str:
    """A digest of the code that writes answers: a kept answer written by another version of it is another answer
    (the store's own key holds natokg's version, which a checkout between releases does not change)."""
    digest = hashlib.sha256()
    for module in (formats, results, base):
        digest.update(Path(module.__file__ or "").read_bytes())
    return digest.hexdigest()


WRITERS = _writers()


def keepable(query: str) -> bool:
    """Whether the answer to `query` depends on the store alone (no function drawing a new value, no SERVICE)."""
    return not any(t.kind == "word" and t.text.upper() in UNSTABLE for t in tokens(query))


class KeptAnswers:
    """The kept answers of one on-disk store, in `folder` (its `derived/answers/`)."""

    def __init__(self, folder: Path, *, max_bytes: int, after: float) -> None:
        self.folder = folder
        self.max_bytes = max_bytes
        self.after = after

    def _path(self, job: Job, *, ahead: bool = False) -> Path:
        key = json.dumps([WRITERS, job.query, job.format_name, job.max_rows, job.default_graphs, job.named_graphs])
        return self.folder / f"{hashlib.sha256(key.encode()).hexdigest()[:40]}{AHEAD if ahead else SUFFIX}"

    def get(self, job: Job) -> Answer | None:
        """The kept answer to `job`, if there is one (read whole: answers are cut at the row cap)."""
        if self.max_bytes <= 0:
            return None
        for path in (self._path(job, ahead=True), self._path(job)):
            try:
                with path.open("rb") as kept:
                    head = json.loads(kept.readline())
                    body = kept.read()
                break
            except (OSError, ValueError):
                continue  # none (or removed meanwhile, or not ours)
        else:
            return None
        with suppress(OSError):  # a folder that cannot be written (a read-only image) still serves what it holds
            os.utime(path)  # read now: the last to go when the folder is full
        if not isinstance(head, dict) or head.get("bytes") != len(body):
            return None
        return Answer(head["kind"], body, bool(head["truncated"]), head["count"])

    def wants(self, job: Job, answer: Answer, *, ahead: bool = False) -> bool:
        """Whether `answer` is worth keeping: slow enough to evaluate (`ahead`, from AHEAD_SHARE of `after`), small
        enough for the folder, stable."""
        seconds = answer.seconds or 0.0
        after = self.after * AHEAD_SHARE if ahead else self.after
        return (self.max_bytes > 0 and seconds >= after and len(answer.body) <= self.max_bytes // 4
                and keepable(job.query))

    def pin(self, job: Job) -> bool:
        """Keep the answer to `job` kept before as one kept ahead (never removed to make room); False if there is
        none to pin (or the folder cannot be written)."""
        try:
            os.rename(self._path(job), self._path(job, ahead=True))
        except OSError:
            return self._path(job, ahead=True).exists()
        return True

    def put(self, job: Job, answer: Answer, *, ahead: bool = False) -> bool:
        """Keep `answer` to `job` if `wants` says so (`ahead`: never removed to make room); False when it was not kept
        (not wanted, or the folder cannot be written)."""
        if not self.wants(job, answer, ahead=ahead):
            return False
        head = json.dumps({"kind": answer.kind, "truncated": answer.truncated, "count": answer.count,
                           "bytes": len(answer.body), "seconds": round(answer.seconds or 0.0, 3)}).encode() + b"\n"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._make_room(len(head) + len(answer.body))
            with partial_file(self.folder, suffix=PARTIAL) as partial:
                with partial.open("wb") as out:
                    out.write(head)
                    out.write(answer.body)
                os.rename(partial, self._path(job, ahead=ahead))
            if ahead:
                with suppress(OSError):  # kept before by a client's query: one file for the answer
                    self._path(job).unlink()
        except OSError as exc:
            log.warning("natokg: an answer could not be kept in %s: %s", self.folder, exc)
            return False
        return True

    def _make_room(self, size: int) -> None:
        """Remove the answers read least recently until `size` more bytes fit within `max_bytes` (or none is left but
        those kept ahead, which stay)."""
        kept: list[tuple[float, int, Path]] = []
        held_ahead = 0
        now = time.time()
        for path in self.folder.iterdir():
            with suppress(OSError):  # removed by another process meanwhile
                status = path.stat()
                if path.name.endswith(AHEAD):
                    held_ahead += status.st_size
                elif path.name.endswith(SUFFIX):
                    kept.append((status.st_mtime, status.st_size, path))
                elif path.name.endswith(PARTIAL) and now - status.st_mtime > STALE_PARTIAL:
                    path.unlink()  # left by a process that died writing it (a write takes milliseconds)
        held = held_ahead + sum(length for _, length, _ in kept)
        for _, length, path in sorted(kept):
            if held + size <= self.max_bytes:
                break
            with suppress(OSError):
                path.unlink()
            held -= length
