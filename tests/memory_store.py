"""An in-process implementation of the store seam, over a pyoxigraph store the test fills with quads.

The shipped data has no named graphs; tests of what the service says about named graphs (the
Graph Store Protocol, the service description) need some, without forking query workers.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

import pyoxigraph as ox

from app.core.formats import Format
from app.core.settings import Settings
from app.kg.runtime import Runtime
from app.sparql.querylib import QueryLibrary, inline_values
from app.store.embedded import Term, write_answer
from app.store.workers import Answer


class MemoryStore:
    def __init__(self, quads: Iterable[ox.Quad], settings: Settings) -> None:
        self._store = ox.Store()
        self._store.extend(quads)
        self._settings = settings

    def execute(
        self,
        query: str,
        *,
        fmt: Format,
        bindings: Mapping[str, Term] | None = None,
        max_rows: int | None = None,
        timeout: float | None = None,
        default_graphs: tuple[str, ...] = (),
        named_graphs: tuple[str, ...] = (),
    ) -> Answer:
        result = self._store.query(
            inline_values(query, bindings or {}),
            default_graph=[ox.NamedNode(g) for g in default_graphs] or None,
            named_graphs=[ox.NamedNode(g) for g in named_graphs] or None,
        )
        return write_answer(result, fmt, max_rows=max_rows or self._settings.max_rows)

    def close(self) -> None:
        pass


def memory_runtime(quads: Iterable[ox.Quad], settings: Settings | None = None) -> Runtime:
    """A runtime over `quads`, with the project's named queries, for `create_app(runtime=...)`."""
    settings = settings or Settings(validate_on_start=False)
    queries = QueryLibrary.load(settings.queries_dir, id_base=settings.id_base)
    return Runtime(settings=settings, store=MemoryStore(quads, settings), queries=queries, report=None, started=time.time())
