"""A serving process's first request, sent by itself before it says it is ready.

FastAPI (0.16x) builds the parameters of the routes of an included router when a request first walks them,
and each serving process builds its own: the first request a process was handed waited for it (0.3-0.6 s
here; at 5M triples `/api/countries/FRA` took 0.27-0.99 s once per process, then 7-9 ms). A request that no
route matches walks every route, so one sent through the application before the process says it is ready
builds them all: the process is ready when its routes are (in a thread beside the serving loop instead, the
warm-up held the routes' lock while the first requests waited for it all the same).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from starlette.types import ASGIApp, Message

log = logging.getLogger("natokg")

PATH = "/.natokg-warm-up"  # matched by no route: the answer is a 404
TIMEOUT = 30.0  # seconds: a warm-up that hangs must not keep the process from serving


async def warm_routes(app: ASGIApp) -> int | None:
    """Send `GET PATH` through `app` and drop the answer; its status (None if the application raised)."""
    scope: dict[str, Any] = {
        "type": "http", "asgi": {"version": "3.0", "spec_version": "2.4"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": PATH, "raw_path": PATH.encode(), "root_path": "", "query_string": b"", "headers": [],
        "client": None, "server": None, "state": {},
    }
    sent = False
    status: int | None = None

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # no disconnect: the application finishes its answer
        raise AssertionError("unreachable")

    async def send(message: Message) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = int(message["status"])

    try:
        await asyncio.wait_for(app(scope, receive, send), timeout=TIMEOUT)
    except Exception:  # a warm-up that fails changes nothing: the first client's request builds the routes instead
        log.exception("natokg: the serving process could not warm its routes")
        return None
    return status
