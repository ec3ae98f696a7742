"""A serving process sends itself one request that no route matches as soon as it serves (app.web.warm), so that
FastAPI builds every route's parameters then rather than while its first client waits."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.web.app import create_app
from app.web.warm import PATH, warm_routes


def _unbuilt(app: object) -> list[object]:
    """The included routers whose routes FastAPI has not built yet (it builds them when a request first walks them)."""
    routes = getattr(getattr(app, "router"), "routes")
    return [route for route in routes if hasattr(route, "effective_candidates")
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
