"""Shared fixtures: the real app on the shipped data, started once per session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.main import create_app
from app.settings import PROJECT_ROOT, Settings

SEED = PROJECT_ROOT.parent / "shared" / "seeds" / "investir-dans-des-partenariats-solides.fr.txt"
FIXTURES = Path(__file__).parent / "fixtures"


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
        pytest.skip(f"the seed article is not beside the checkout ({SEED}); it lives in ../shared/seeds (issue 2)")
    return SEED.read_text(encoding="utf-8")
