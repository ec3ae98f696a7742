"""An in-process implementation of the store seam, over a pyoxigraph store the test fills with quads.

The shipped data has no named graphs; tests of what the service says about named graphs (the
Graph Store Protocol, the service description) need some, without forking query workers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable

import pyoxigraph as ox

from app.core.settings import Settings
from app.kg.runtime import Runtime
from app.sparql.querylib import QueryLibrary
from app.store.base import Answer, QueryRequest
from app.store.embedded import evaluate
from app.store.workers import Job


class MemoryStore:
    def __init__(self, quads: Iterable[ox.Quad], settings: Settings) -> None:
        self._store = ox.Store()
        self._store.extend(quads)
        self._settings = settings

    @property
    def triple_count(self) -> int:
        return len(self._store)

    def execute(self, request: QueryRequest) -> Answer:
        """The embedded store's own evaluation (dataset included), in this process."""
        return evaluate(self._store, Job.of(request, max_rows=self._settings.max_rows))

    async def execute_async(self, request: QueryRequest) -> Answer:
        return self.execute(request)

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass


def memory_runtime(quads: Iterable[ox.Quad], settings: Settings | None = None) -> Runtime:
    """A runtime over `quads`, with the project's named queries, for `create_app(runtime=...)`."""
    settings = settings or Settings(validate_on_start=False)
    queries = QueryLibrary.load(settings.queries_dir, id_base=settings.id_base)
    return Runtime(settings=settings, store=MemoryStore(quads, settings), queries=queries, report=None, started=time.time())
