"""The seed-fact tests, run again with the app in remote-store mode: the same facts from `oxigraph serve`.

The test functions of test_seed_facts.py are collected here a second time; this module's `client`
fixture puts the remote-mode app behind them, so a new seed-fact test runs in both modes unasked.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.features.test_seed_facts import *  # noqa: F403

pytestmark = pytest.mark.remote


@pytest.fixture(scope="session")
def client(remote_client: TestClient) -> TestClient:
    return remote_client
