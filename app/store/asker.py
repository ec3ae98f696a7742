"""Who asked for the query being run: their address (for fair shares) and whether they have gone away.

The web layer sets `ASKER` for each request; the worker pool reads it, in the request's own task or in
the thread that runs a blocking lookup for it (the context goes with it). A query nobody asked for
(start-up reads, the command line) has no asker, so no per-client limit and no one to leave.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar


class Asker:
    """The client of one request. `watch()` starts noticing that it left; `left` says whether it has.

    This base class never notices anything: the web layer's asker listens to the connection. Making
    one costs next to nothing, since every request has one and most never wait on a worker.
    """

    def __init__(self, address: str | None) -> None:
        self.address = address
        self.left = False
        self._on_leave: list[Callable[[], None]] = []

    def watch(self) -> None:
        """Start noticing a disconnect (callable from any thread)."""

    def unwatch(self) -> None:
        """Stop noticing: the query is over."""

    def on_leave(self, callback: Callable[[], None]) -> None:
        """Call `callback` (on the event loop) when the client leaves."""
        self._on_leave.append(callback)

    def forget(self, callback: Callable[[], None]) -> None:
        if callback in self._on_leave:
            self._on_leave.remove(callback)

    def mark_gone(self) -> None:
        """Record that the client left (on the event loop)."""
        self.left = True
        for callback in list(self._on_leave):
            callback()


ASKER: ContextVar[Asker | None] = ContextVar("natokg_asker", default=None)
