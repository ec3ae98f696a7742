"""Abandoned work stops: a request's query is stopped when its client closes the connection.

`AskerScope` wraps the application and sets `app.store.asker.ASKER` for each HTTP request. The
worker pool calls `watch()` only once a query has waited on a worker for a moment, so a request
answered without one, or quickly, costs no task: the watcher then reads the connection's ASGI messages, keeps any body the application
has not read yet for it, and marks the asker gone on `http.disconnect` (uvicorn sends that when the
client closes the connection); the pool then kills the query's worker and replaces it.
"""

from __future__ import annotations

import asyncio
import threading
from collections import deque
from contextlib import suppress

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..store.asker import ASKER, Asker


class ConnectionAsker(Asker):
    def __init__(self, address: str | None, receive: Receive, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(address)
        self._receive = receive
        self._loop = loop
        self._loop_thread = threading.get_ident()
        self._kept: deque[Message] = deque()  # body the watcher read before the application did
        self._watcher: asyncio.Task[None] | None = None

    async def receive(self) -> Message:
        """What the application reads: first what the watcher kept for it, then the connection."""
        if self._kept:
            return self._kept.popleft()
        if self.left:
            return {"type": "http.disconnect"}
        return await self._receive()

    def watch(self) -> None:
        if threading.get_ident() == self._loop_thread:
            self._start()
        else:
            self._loop.call_soon_threadsafe(self._start)

    def unwatch(self) -> None:
        if threading.get_ident() == self._loop_thread:
            self._stop()
        else:
            with suppress(RuntimeError):  # a closed loop has nothing left to stop
                self._loop.call_soon_threadsafe(self._stop)

    def _start(self) -> None:
        if self._watcher is None and not self.left:
            self._watcher = self._loop.create_task(self._listen())

    def _stop(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            self._watcher = None

    async def _listen(self) -> None:
        while True:
            message = await self._receive()
            if message["type"] == "http.disconnect":
                self.mark_gone()
                return
            self._kept.append(message)


class AskerScope:
    """ASGI wrapper: each HTTP request runs with its `ConnectionAsker` in `ASKER`."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        asker = ConnectionAsker(client[0] if client else None, receive, asyncio.get_running_loop())
        token = ASKER.set(asker)
        try:
            await self.app(scope, asker.receive, send)
        finally:
            asker.unwatch()
            ASKER.reset(token)
