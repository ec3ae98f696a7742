"""Who asked for the query being run: their address (for fair shares) and whether they have gone away.

The web layer sets `ASKER` for each request; the worker pool reads it, in the request's own task or in
the thread that runs a blocking lookup for it (the context goes with it). A query nobody asked for
(start-up reads, the command line) has no asker, so no per-client limit and no one to leave.
"""

from __future__ import annotations

import asyncio
import threading
from contextvars import ContextVar


class Asker:
    """The client of one request. `watch()` starts noticing that it left; `gone` is set when it has.

    This base class never notices anything: the web layer's asker listens to the connection.
    """

    def __init__(self, address: str | None) -> None:
        self.address = address
        self.gone = threading.Event()  # for a blocking wait in a thread
        self._gone_here = asyncio.Event()  # for a wait on the event loop

    def watch(self) -> None:
        """Start noticing a disconnect (callable from any thread)."""

    def unwatch(self) -> None:
        """Stop noticing: the query is over."""

    def mark_gone(self) -> None:
        """Record that the client left (on the event loop)."""
        self.gone.set()
        self._gone_here.set()

    async def wait_gone(self) -> None:
        """Return once the client has gone (on the event loop)."""
        await self._gone_here.wait()


ASKER: ContextVar[Asker | None] = ContextVar("natokg_asker", default=None)
