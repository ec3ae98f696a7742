"""`natokg serve`: claim the port, validate and load once, then serve from one uvicorn process or from
forked serving processes (`app.web.prefork`). Any failure before serving ends the command with one
message naming the cause and a non-zero exit, leaving no process behind."""

from __future__ import annotations

import gc
import socket
import sys
from contextlib import suppress

import anyio
import uvicorn
from starlette.types import ASGIApp

from ..core.progress import ProgressBar
from ..core.settings import Settings
from ..kg.runtime import build_runtime
from ..store.embedded import EmbeddedStore
from .app import create_app
from .connections import ConnectionLimits, raise_descriptor_limit
from .prefork import Supervisor

BACKLOG = 2048


def serve(settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT; the exit status (1 when start-up failed).

    :raises app.kg.runtime.InvalidData: the data does not conform to the shapes.
    :raises app.kg.sources.SourceFileError: a folder is missing or empty, or a file does not parse.
    """
    try:  # first, so that a port in use is said at once rather than after the data is loaded
        listener = socket.create_server((settings.host, settings.port), backlog=BACKLOG)
    except OSError as error:
        print(f"natokg: cannot listen on {settings.host}:{settings.port}: {error.strerror or error}; not starting.",
              file=sys.stderr, flush=True)
        return 1
    with listener:
        limits = ConnectionLimits.of(settings, descriptors=raise_descriptor_limit(), rows=settings.processes)
        runtime = build_runtime(settings, progress=ProgressBar())
        try:
            if isinstance(runtime.store, EmbeddedStore):
                print(f"natokg: {runtime.store.origin}", flush=True)
            count = runtime.store.triple_count
            address = f"http://{settings.host}:{listener.getsockname()[1]}"
            loaded = f"natokg: {count if count is not None else '?'} triples, {len(runtime.queries)} named queries"
            alone = settings.processes == 1
            # a remote store: each serving process opens its own connections upstream
            app = create_app(settings, runtime=runtime if alone or not settings.sparql_endpoint else None)
            # anyio loads its event loop backend (Starlette's thread pool) on first use: now, once, rather than while
            # the first request to a synchronous route waits (45 ms here)
            anyio.run(anyio.sleep, 0)
            # What start-up built lives as long as the process: later garbage collections skip it (a full
            # collection with the app built is a spike in the tail latency), and forked processes keep sharing its pages.
            gc.collect()
            gc.freeze()
            if alone:
                return _serve_alone(settings, app, listener, limits, f"{loaded}; listening on {address}")
            free = runtime.store.has_free_worker if isinstance(runtime.store, EmbeddedStore) else None
            supervisor = Supervisor(runtime, app, listener, processes=settings.processes,
                                    limits=limits, announce=f"{loaded}; listening on {address} with {settings.processes} processes",
                                    has_free_worker=free)
            return supervisor.run()
        finally:
            runtime.close()


def _serve_alone(settings: Settings, app: ASGIApp, listener: socket.socket, limits: ConnectionLimits, announce: str) -> int:
    """One uvicorn process on the claimed socket, held to the connection limits."""
    config = uvicorn.Config(app, log_level="info", access_log=settings.access_log,
                            http=limits.protocol())
    server = _AnnouncingServer(config, announce)
    with suppress(SystemExit):  # uvicorn's way of saying the application did not start (it logged why)
        server.run(sockets=[listener])
    if not server.started:
        print("natokg: the application failed to start (see above); stopped.", file=sys.stderr, flush=True)
        return 1
    return 0


class _AnnouncingServer(uvicorn.Server):
    """uvicorn's server, saying where it listens once the application has started."""

    def __init__(self, config: uvicorn.Config, announce: str) -> None:
        super().__init__(config)
        self._announce = announce

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if not self.should_exit:
            print(self._announce, flush=True)
