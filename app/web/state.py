"""The running application's state, typed: the runtime the lifespan opened, and what is built from it once.

Routes reach it through `state_of(request)` (or `runtime_of`) instead of untyped `request.app.state`
attributes. The search index and the linked-data publication (dumps, VoID statistics, the ontology)
are built on first use, under a lock, from the runtime: nothing at start-up reads the whole graph.
"""

from __future__ import annotations

import threading

from starlette.requests import Request

from ..kg.runtime import Runtime
from ..linked_data.publication import Publication
from ..rest.kinds import KINDS
from ..rest.labels import Catalogue
from ..rest.search import IndexedSearch, Search, SearchIndex


class MissingQueries(Exception):
    """Named queries the service answers with are not in queries/: it must not start."""


def required_queries() -> set[str]:
    """The named queries the REST API and the search read (beside any query file a kind of resource needs)."""
    lists = {f"api-{kind.path}-list" for kind in KINDS}
    facts = {f"api-{kind.path}" for kind in KINDS if kind.segment}
    return {"search-labels", "api-provenance", "api-quotes", "api-memberships", "api-suspensions", *lists, *facts}


class ServiceState:
    def __init__(self, runtime: Runtime) -> None:
        missing = sorted(name for name in required_queries() if name not in runtime.queries)
        if missing:
            raise MissingQueries(f"the named queries {', '.join(missing)} are missing from {runtime.settings.queries_dir}")
        self.runtime = runtime
        self.publication = Publication(runtime)
        self._lock = threading.Lock()
        self._search: Search | None = None

    def search_index(self) -> Search:
        """The search over every label: an embedded store's index (built with the store), or for a remote store an
        index of every label read from it on the first search (thread-safe)."""
        with self._lock:
            if self._search is None:
                runtime = self.runtime
                if runtime.lists is not None:
                    self._search = IndexedSearch(runtime.lists)
                else:
                    self._search = SearchIndex(Catalogue.load(runtime.store, runtime.queries, id_base=runtime.settings.id_base))
            return self._search

    def close(self) -> None:
        self.runtime.close()


def state_of(request: Request) -> ServiceState:
    state: ServiceState = request.app.state.service
    return state


def runtime_of(request: Request) -> Runtime:
    return state_of(request).runtime
