"""`natokg serve --processes N`: N serving processes on one listening socket, forked from one loaded store.

Uvicorn's own multi-process mode spawns fresh interpreters, each of which would validate and load
the data again. Forking after the load shares the store copy-on-write and readies each process in
milliseconds. The parent closes its query workers before forking, and each serving process forks
its own, so no pipe is ever shared. The parent only supervises: a serving process that dies is
replaced, and SIGTERM or SIGINT stops them all, each shutting down its workers.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
import traceback
from collections.abc import Callable
from contextlib import suppress
from types import FrameType

import uvicorn
from starlette.types import ASGIApp

from app.runtime import Runtime

RESTART_PAUSE = 1.0  # a process that dies within this many seconds of starting waits this long to be replaced


def serve_forked(runtime: Runtime, make_app: Callable[[], ASGIApp], listener: socket.socket, *, processes: int) -> int:
    """Serve `make_app()` on the bound `listener` from `processes` forked processes until SIGTERM or SIGINT."""
    settings = runtime.settings
    runtime.store.close()  # each serving process starts its own query workers
    children: dict[int, float] = {}
    stopping = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def start() -> None:
        pid = os.fork()
        if pid == 0:  # a serving process: uvicorn installs its own SIGTERM/SIGINT handling
            code = 0
            try:
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                # libuv (under uvloop) otherwise accepts every pending connection in the process that woke
                # first; one at a time lets the others take their share (as Node's cluster does).
                os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
                start_workers = getattr(runtime.store, "start", None)  # the embedded store's own query workers
                if start_workers is not None:
                    start_workers()
                config = uvicorn.Config(make_app(), log_level="info", access_log=settings.access_log)
                uvicorn.Server(config).run(sockets=[listener])
            except BaseException:
                traceback.print_exc()
                code = 1
            finally:
                os._exit(code)
        children[pid] = time.monotonic()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    for _ in range(processes):
        start()
    while children:
        pid, status = os.wait()
        started = children.pop(pid, None)
        if started is None or stopping:
            continue
        print(f"natokg: serving process {pid} ended ({_exit_status(status)}); starting another", file=sys.stderr, flush=True)
        if time.monotonic() - started < RESTART_PAUSE:
            time.sleep(RESTART_PAUSE)  # no tight loop when every start fails
        if not stopping:
            start()
    listener.close()
    return 0


def _exit_status(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"killed by signal {os.WTERMSIG(status)}"
    return f"exit code {os.waitstatus_to_exitcode(status)}"
