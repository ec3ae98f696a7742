"""The application factory: `create_app(settings)` builds the whole service; nothing happens at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from app import __version__
from app.core.settings import Settings
from app.kg.runtime import Runtime, build_runtime
from app.web.abandon import AskerScope
from app.web.fastlane import SparqlFastLane
from app.web.problems import install_handlers
from app.web.routes import api, catalog, dumps, graph_store, health, home, ontology, queries_api, resources, search, sparql
from app.web.state import ServiceState


class Service(FastAPI):
    """natokg's application: FastAPI, with the GET /sparql fast lane in front of FastAPI's own middleware stack.

    As a middleware the lane would run inside FastAPI's error, telemetry and body-limit layers, whose
    cost per request is more than a lookup's evaluation. A fault of the lane's own is logged and the
    application answers instead (app.web.fastlane). Outermost, each request learns who asked
    (app.web.abandon), so that a query whose client left is stopped.
    """

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._entry = AskerScope(SparqlFastLane(super().__call__, self.state))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._entry(scope, receive, send)


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None) -> FastAPI:
    """Build the service. The lifespan validates and loads the data (or adopts a prepared `runtime`)
    and closes the store's workers on shutdown."""
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service = ServiceState(runtime or build_runtime(settings))
        if not settings.sparql_endpoint:
            # Labels and sources for the REST API are read now; with a remote store on first use instead,
            # so that the service starts while the store is down.
            await run_in_threadpool(service.catalogue)
        app.state.service = service
        try:
            yield
        finally:
            service.close()

    app = Service(
        title="natokg",
        version=__version__,
        description="An open knowledge graph of NATO's partnerships: SPARQL 1.1 endpoint, linked data and REST lookups.",
        lifespan=lifespan,
        docs_url=None,  # served by app.web.routes.home with bundled assets (no CDN)
        redoc_url=None,  # likewise, ReDoc
    )
    install_handlers(app)
    app.include_router(sparql.router)
    app.include_router(graph_store.router)
    app.include_router(resources.router)
    app.include_router(health.router)
    app.include_router(ontology.router)
    app.include_router(dumps.router)
    app.include_router(catalog.router)
    app.include_router(home.router)
    app.mount(home.DOCS_ASSETS_PATH, StaticFiles(directory=home.DOCS_ASSETS_DIR), name="docs-assets")
    app.mount("/static", StaticFiles(directory=home.STATIC_DIR), name="static")
    app.include_router(api.router)
    app.include_router(search.router)
    app.include_router(queries_api.router)
    return app
