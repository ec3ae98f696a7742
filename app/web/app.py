"""The application factory: `create_app(settings)` builds the whole service; nothing happens at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

from .. import __version__
from ..core.errors import ProblemError
from ..core.settings import CANONICAL_ID_BASE, Settings
from ..kg.runtime import Runtime, build_runtime
from ..sparql.querylib import QueryLibrary
from .abandon import AskerScope
from .cors import Cors
from .fastlane import SparqlFastLane
from .methods import add_head_routes
from .openapi import complete
from .problems import install_handlers
from .routes import api, catalog, dumps, graph_store, health, home, map, ontology, queries_api, resources, search, sparql
from .state import ServiceState


class Service(FastAPI):
    """natokg's application: FastAPI behind CORS (app.web.cors) and, outside both, the GET /sparql fast lane.

    As a middleware the lane would run inside FastAPI's error, telemetry and body-limit layers, whose
    cost per request is more than a lookup's evaluation. A fault of the lane's own is logged and the
    application answers instead (app.web.fastlane). The lane answers only requests without an `Origin`
    (a browser's cross-origin read goes through CORS like every other) and only from the serving process,
    never a worker, so it needs neither CORS's layer nor the asker that stops abandoned queries
    (app.web.abandon): each of those cost a tenth of a lookup's time.
    """

    def __init__(self, *, cors_origins: list[str], **options: Any) -> None:
        super().__init__(**options)
        # Inside the lane, each request learns who asked (app.web.abandon), so that a query whose client left is stopped.
        self._front = SparqlFastLane(AskerScope(Cors(super().__call__, origins=cors_origins)), self.state)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._front(scope, receive, send)

    def openapi(self) -> dict[str, Any]:
        """FastAPI's document, completed (app.web.openapi) with the keys the loaded graph holds; kept once they are known."""
        if self.openapi_schema:
            return self.openapi_schema
        service: ServiceState | None = getattr(self.state, "service", None)
        try:
            catalogue = service.search_index() if service is not None else None
        except ProblemError:  # a remote store that is down: those parameters stay plain strings until it answers
            catalogue = None
        runtime = service.runtime if service is not None else None
        schema = complete(super().openapi(), catalogue=catalogue, queries=runtime.queries if runtime else QueryLibrary({}),
                          iri_base=runtime.settings.id_base if runtime else CANONICAL_ID_BASE)
        if catalogue is None:
            self.openapi_schema = None
        return schema


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the service. The lifespan validates and loads the data (or adopts a prepared `runtime`)
    and closes the store's workers on shutdown."""
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = ServiceState(runtime or build_runtime(settings))
        app.state.service = service
        try:
            yield
        finally:
            service.close()

    app = Service(
        cors_origins=settings.cors_origins,
        title="natokg",
        version=__version__,
        description="An open knowledge graph of NATO's partnerships: SPARQL 1.1 endpoint, linked data and REST lookups.",
        lifespan=lifespan,
        docs_url=None,  # served by app.web.routes.home with bundled assets (no CDN)
        redoc_url=None,  # likewise, ReDoc
    )
    install_handlers(app)
    for module in (sparql, graph_store, resources, health, ontology, dumps, catalog, home, map):
        _add_routes(app, module.router)
    app.mount(home.DOCS_ASSETS_PATH, StaticFiles(directory=home.DOCS_ASSETS_DIR), name="docs-assets")
    app.mount("/static", StaticFiles(directory=home.STATIC_DIR), name="static")
    for module in (api, search, queries_api):
        _add_routes(app, module.router)
    return app


def _add_routes(app: FastAPI, router: APIRouter) -> None:
    """The routes of `router` (and their HEAD twins, app.web.methods), as built when the module defined them.

    `app.include_router` would have FastAPI (0.16x) build each route a second time, for this application, on the
    first request that walks it: 0.3-0.6 s that the first request each serving process was handed waited for. Our
    routers set nothing an application would add to (no dependencies, responses or response class of its own), so
    their routes serve as they are.
    """
    add_head_routes(router)
    app.router.routes.extend(router.routes)
