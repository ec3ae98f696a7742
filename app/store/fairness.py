"""Fair shares of the query workers: a bounded number of slow queries, per client address and in all.

Neither the planner nor Oxigraph can say in advance how long an arbitrary query runs, so a query is
known slow by its elapsed time: past `after` seconds it needs a slow-query place. Each serving process
has `places` of them (fewer than its workers, so a fast query always finds a worker), and one client
address holds at most `per_client` across all serving processes (a shared `Tally`). A query that turns
slow when no place is free is stopped at once (its worker killed and replaced) and answered 503 with
`Retry-After`; its text is remembered, so the same query sent again while the places are taken is
answered 503 at once, without taking a worker from anybody.

A query that holds a place runs at a lower priority (its worker's niceness raised by `nice`): on a
machine whose processors are all busy, the fast queries and the serving processes come first, and the
slow one runs on what they leave. Once it is answered its worker gets its priority back, or, where the
system does not let a process lower a niceness again, is replaced by a fresh one.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from ..core.errors import Busy
from ..core.tally import Tally

REMEMBERED = 1024  # query texts known slow, most recent first
RETRY_AFTER = "2"


class SlowQueries:
    def __init__(self, *, after: float, places: int, per_client: int, nice: int = 0, tally: Tally | None = None) -> None:
        self.after = after
        self.nice = nice
        self._places = places
        self._per_client = per_client
        self._tally = tally or Tally()
        self._running = 0
        self._lock = threading.Lock()
        self._known: OrderedDict[int, None] = OrderedDict()

    def claim(self, address: str | None) -> bool:
        """Take a slow-query place for a query of `address` (None: the server's own), if one is free."""
        with self._lock:
            if self._running >= self._places:
                return False
            if address is not None and self._tally.count(address) >= self._per_client:
                return False
            self._running += 1
            if address is not None:
                self._tally.add(address, 1)
            return True

    def release(self, address: str | None) -> None:
        with self._lock:
            self._running -= 1
            if address is not None:
                self._tally.add(address, -1)

    def known_slow(self, text: str) -> bool:
        with self._lock:
            return hash(text) in self._known

    def remember(self, text: str) -> None:
        with self._lock:
            self._known[hash(text)] = None
            self._known.move_to_end(hash(text), last=False)
            while len(self._known) > REMEMBERED:
                self._known.popitem()

    def busy(self, address: str | None, *, stopped: bool) -> Busy:
        """The 503 for a query refused a place: `stopped` after it ran `after` seconds, or at once (known slow)."""
        mine = address is not None and self._tally.count(address) >= self._per_client
        why = (f"This client already runs {self._per_client} slow quer{'y' if self._per_client == 1 else 'ies'}"
               if mine else "Every place for slow queries is taken")
        what = f"this query ran past {self.after:g} s and was stopped" if stopped else "this query ran slow before"
        return Busy(f"{why}; {what}. Try again later.", headers={"Retry-After": RETRY_AFTER})
