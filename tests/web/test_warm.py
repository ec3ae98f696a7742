"""A serving process sends itself one request that no route matches as soon as it serves (app.web.warm), so that
FastAPI builds every route's parameters then rather than while its first client waits."""

from __future__ import annotations

import asyncio

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from app.core.settings import Settings
from app.web import warm
from app.web.app import create_app
from app.web.warm import PATH, warm_routes


def _unbuilt(app: FastAPI) -> list[object]:
    """The included routers whose routes FastAPI has not built yet (it builds them when a request first walks them)."""
    return [route for route in app.router.routes if hasattr(route, "effective_candidates")
            and getattr(route, "_effective_candidates_version", None) is None]


def test_the_warm_up_walks_every_route_and_changes_no_answer() -> None:
    app = create_app(Settings(workers=1, store="memory"))
    with TestClient(app) as client:
        before = client.get("/api/countries/FRA").json()
        fresh = create_app(Settings(workers=1, store="memory"))
        with TestClient(fresh) as other:
            assert _unbuilt(fresh), "FastAPI builds an included router's routes on the first request that walks them"
            assert other.portal.call(warm_routes, fresh) == 404
            assert _unbuilt(fresh) == []
            assert other.get("/api/countries/FRA").json() == before
            assert other.get(PATH).status_code == 404  # the path is none of the service's



def test_a_warm_up_that_fails_or_hangs_keeps_nothing_from_serving(monkeypatch: pytest.MonkeyPatch) -> None:
    async def failing(scope: Scope, receive: Receive, send: Send) -> None:
        raise RuntimeError("broken")

    async def hanging(scope: Scope, receive: Receive, send: Send) -> None:
        await receive()
        await receive()  # waits for a disconnect that never comes

    monkeypatch.setattr(warm, "TIMEOUT", 0.2)
    assert asyncio.run(warm_routes(failing)) is None
    assert asyncio.run(warm_routes(hanging)) is None
