"""Shared fixtures: the real app on the shipped data, started once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.settings import PROJECT_ROOT, Settings
from app.store.base import select
from app.web.app import create_app
from tests.live_service import serving
from tests.oxigraph_server import OxigraphServer
from tests.roots import copy_root

SEED = PROJECT_ROOT.parent / "shared" / "seeds" / "investir-dans-des-partenariats-solides.fr.txt"
FIXTURES = Path(__file__).parent / "fixtures"
@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A copy of the checkout's sources in this test's folder."""
    return copy_root(tmp_path / "root")


@pytest.fixture(scope="session")
def settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def seed_text() -> str:
    if not SEED.exists():
        pytest.skip(f"the seed article is not beside the checkout ({SEED}); it lives in ../shared/seeds")
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def oxigraph_endpoint(client: TestClient, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The query URL of a real `oxigraph serve-read-only` on 127.0.0.1 holding a copy of the embedded store.

    The copy is read from the running embedded app, not from data/ again, so the two modes hold the
    same quads even if a file changes during the session.
    """
    rows = select(client.app.state.service.runtime.store, "SELECT * WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }")
    quads = [ox.Quad(r["s"], r["p"], r["o"], r.get("g", ox.DefaultGraph())) for r in rows]
    nquads = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    assert nquads is not None
    with OxigraphServer(nquads, tmp_path_factory.mktemp("oxigraph")) as server:
        yield server.query_url


@pytest.fixture(scope="session")
def remote_settings(settings: Settings, oxigraph_endpoint: str) -> Settings:
    return Settings(**{**settings.model_dump(), "sparql_endpoint": oxigraph_endpoint})


@pytest.fixture(scope="session")
def remote_client(remote_settings: Settings) -> Iterator[TestClient]:
    """The real app in remote-store mode, in front of `oxigraph_endpoint`."""
    with TestClient(create_app(remote_settings)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`natokg serve` of this checkout with two serving processes, on a free loopback port (started on first use)."""
    with serving(tmp_path_factory.mktemp("natokg-serve") / "server.log", processes=2) as url:
        yield url
