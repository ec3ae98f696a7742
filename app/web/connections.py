"""Connection limits: a deadline to send each request, and caps on open connections per address and in all.

uvicorn closes idle keep-alive connections but gives a client that sends its request head a byte at
a time (slowloris) all the time it likes, and accepts connections until the process runs out of
file descriptors, after which every new connection fails and nothing says why. Here each request
must arrive whole (head and body) within `read_timeout` seconds of its first byte (or of the
connection's opening), else the connection gets 408 and is closed; and a connection over the cap of
its address, or over the total, is closed at once, with a log line at most once a second saying how
many were refused. The counts are shared by all serving processes (`app.core.tally`).
"""

from __future__ import annotations

import asyncio
import logging
import resource
import time
from typing import Any, ClassVar

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..core.settings import Settings
from ..core.tally import Tally

log = logging.getLogger("natokg.connections")

RESERVED_DESCRIPTORS = 256  # kept for workers' pipes, the store, logs and files, beside client connections
TIMEOUT_ANSWER = b"HTTP/1.1 408 Request Timeout\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


def raise_descriptor_limit() -> int:
    """Raise this process's soft limit on open files to its hard limit (allowed without privileges); the new soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 1 << 20)
    if wanted > soft:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
            soft = wanted
        except (ValueError, OSError):
            pass
    return soft


class ConnectionLimits:
    """The caps and deadline of one server, with counts shared by its processes (a `Tally` made before they fork)."""

    def __init__(self, *, total: int, per_client: int, read_timeout: float, rows: int = 1) -> None:
        self.total = total
        self.per_client = per_client
        self.read_timeout = read_timeout
        self._tally = Tally(rows)
        self._refused = 0
        self._last_report = 0.0

    @classmethod
    def of(cls, settings: Settings, *, descriptors: int, rows: int) -> ConnectionLimits:
        """The settings' caps, the total lowered to fit under `descriptors` (the open-file limit)."""
        total = min(settings.max_connections, max(1, descriptors - RESERVED_DESCRIPTORS))
        if total < settings.max_connections:
            log.warning("natokg: at most %d connections at once (the open-file limit is %d)", total, descriptors)
        return cls(total=total, per_client=min(settings.max_connections_per_client, total),
                   read_timeout=settings.read_timeout, rows=rows)

    def admit(self, address: str) -> bool:
        """Count a new connection from `address`, or refuse it (False) when a cap is reached."""
        if self._tally.total() >= self.total or self._tally.count(address) >= self.per_client:
            self._refuse(address)
            return False
        self._tally.add(address, 1)
        return True

    def release(self, address: str) -> None:
        self._tally.add(address, -1)

    def _refuse(self, address: str) -> None:
        self._refused += 1
        now = time.monotonic()
        if now - self._last_report >= 1.0:
            log.warning("natokg: refused %d connection(s) over the limits (last from %s; %d per address, %d in all)",
                        self._refused, address, self.per_client, self.total)
            self._refused = 0
            self._last_report = now

    def protocol(self) -> type[asyncio.Protocol]:
        """uvicorn's HTTP protocol class, held to these limits."""
        return type("LimitedHttpProtocol", (LimitedHttpProtocol,), {"limits": self})


class LimitedHttpProtocol(HttpToolsProtocol):
    limits: ClassVar[ConnectionLimits]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._address = ""
        self._counted = False
        self._reading = False  # a request has begun and not yet arrived whole
        self._read_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else ""
        self._counted = self.limits.admit(self._address)
        if not self._counted:
            transport.abort()
            return
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        if self._counted:
            self._counted = False
            self.limits.release(self._address)
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # A request that arrived whole within one read (nearly all of them) never needs the timer.
        if self._reading and self._read_timer is None and not self.transport.is_closing():
            self._arm()

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._reading = True

    def on_message_complete(self) -> None:
        self._reading = False
        self._disarm()
        super().on_message_complete()

    def _arm(self) -> None:
        self._disarm()
        self._read_timer = self.loop.call_later(self.limits.read_timeout, self._too_slow)

    def _disarm(self) -> None:
        if self._read_timer is not None:
            self._read_timer.cancel()
            self._read_timer = None

    def _too_slow(self) -> None:
        self._read_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is None or self.cycle.response_complete:  # no answer under way: say why before closing
            self.transport.write(TIMEOUT_ANSWER)
        self.transport.close()
