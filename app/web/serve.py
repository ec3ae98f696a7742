"""`natokg serve`: validate and load once, then serve from one uvicorn process or from forked serving processes."""

from __future__ import annotations

import gc
import socket

import uvicorn

from ..core.settings import Settings
from ..kg.runtime import build_runtime
from .app import create_app
from .prefork import serve_forked


def serve(settings: Settings) -> int:
    """Serve until SIGTERM or SIGINT; the exit status.

    :raises app.kg.runtime.InvalidData: the data does not conform to the shapes.
    """
    runtime = build_runtime(settings)
    count = runtime.store.triple_count
    loaded = f"natokg: {count if count is not None else '?'} triples, {len(runtime.queries)} named queries"
    # What start-up built lives as long as the process: later garbage collections skip it (a full
    # collection with the app built is a spike in the tail latency), and forked processes keep sharing its pages.
    gc.collect()
    gc.freeze()
    if settings.processes == 1:
        print(f"{loaded}; listening on http://{settings.host}:{settings.port}", flush=True)
        uvicorn.run(create_app(settings, runtime=runtime), host=settings.host, port=settings.port, log_level="info",
                    access_log=settings.access_log)
        return 0
    listener = socket.create_server((settings.host, settings.port), backlog=2048)
    print(f"{loaded}; listening on http://{settings.host}:{listener.getsockname()[1]} with {settings.processes} processes", flush=True)
    shared = None if settings.sparql_endpoint else runtime  # a remote store: each process opens its own connections upstream
    return serve_forked(runtime, lambda: create_app(settings, runtime=shared), listener, processes=settings.processes)
