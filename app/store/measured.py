"""Query texts known cheap because a worker measured them: the store never changes, so neither does their cost.

A query goes to a worker the first time: nobody can tell in advance how long an arbitrary query runs.
The worker reports the processor time it spent evaluating and writing the answer, and how many rows or
triples it wrote. A text that took at most `max_seconds` and was answered whole is remembered; sent again
(by the same client or another), it runs in the serving process at once, without the worker round trip
that costs more than the query itself. A SPARQL JSON answer is written by Oxigraph's own serialiser, in one
call, which writes the same bytes as the service's writer (app.sparql.results) for a whole answer; other
formats by the service's writer, as on a worker: the same bytes as its first answer, and as a remote store's. Its answer can only
fit again: the data is the same, and only texts well under the row cap are remembered (a query drawing
random rows may draw a few more the next time). Texts are kept least recently used first, within a
budget of characters, as the planner's readings are.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from .base import Answer

MAX_TEXTS = 4096


class MeasuredQueries:
    def __init__(self, *, max_seconds: float, total_chars: int) -> None:
        self._max_seconds = max_seconds
        self._total_chars = total_chars
        self._kept: OrderedDict[str, int] = OrderedDict()  # text -> rows or triples of its whole answer
        self._held = 0
        self._lock = threading.Lock()

    def cheap(self, text: str, max_rows: int) -> int | None:
        """The rows or triples of `text`'s answer if it was measured cheap and fits `max_rows` with room to spare."""
        if self._max_seconds <= 0:
            return None
        with self._lock:
            count = self._kept.get(text)
            if count is None:
                return None
            self._kept.move_to_end(text)
        return count if count * 2 <= max_rows else None

    def learn(self, text: str, answer: Answer) -> None:
        """Remember `text` if its worker answered it whole within the time allowed."""
        if (self._max_seconds <= 0 or answer.seconds is None or answer.seconds > self._max_seconds
                or answer.truncated or answer.count is None or len(text) > self._total_chars // 64):
            return
        with self._lock:
            if text in self._kept:
                return
            self._kept[text] = answer.count
            self._held += len(text)
            while len(self._kept) > MAX_TEXTS or self._held > self._total_chars:
                dropped, _ = self._kept.popitem(last=False)
                self._held -= len(dropped)
