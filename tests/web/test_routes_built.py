"""The application's routes are built when `create_app` returns (app.web.app): no request waits for FastAPI to
build them. (An included router's routes FastAPI 0.16x builds again for each application, on the first request
that walks them: 0.3-0.6 s that the first client of each serving process waited for.)"""

from __future__ import annotations

from typing import Any

import fastapi.dependencies.utils
import pytest
from fastapi.testclient import TestClient

from app.core.settings import Settings
from app.web.app import create_app


def test_the_first_requests_build_no_route_parameters(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    analyze = fastapi.dependencies.utils.analyze_param

    def counted(*args: Any, **kwargs: Any) -> Any:
        built.append(str(kwargs.get("param_name", args[0] if args else "?")))
        return analyze(*args, **kwargs)

    app = create_app(Settings(workers=1, store="memory"))
    monkeypatch.setattr(fastapi.dependencies.utils, "analyze_param", counted)
    with TestClient(app) as client:
        assert client.get("/api/countries/FRA").json()["iso"] == "FRA"
        assert client.head("/api/partners", params={"at": "2000-01-01"}).status_code == 200
        assert client.get("/api/queries/members-on-date", params={"date": "2000-01-01"}).status_code == 200
        assert client.get("/no-such-path").status_code == 404
    assert built == []


def test_two_applications_answer_alike_from_the_same_routes() -> None:
    first, second = (create_app(Settings(workers=1, store="memory")) for _ in range(2))
    assert [getattr(r, "path", None) for r in first.routes] == [getattr(r, "path", None) for r in second.routes]
    with TestClient(first) as one, TestClient(second) as other:
        for path in ("/api/countries/UKR", "/api/frameworks", "/health"):
            assert one.get(path).json() == other.get(path).json()
        assert one.get("/openapi.json").json() == other.get("/openapi.json").json()
