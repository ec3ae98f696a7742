"""The real app, served by uvicorn on loopback, as headless Chromium renders it: a resource page with its
French label, and the offline Swagger UI with its operations."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.settings import PROJECT_ROOT
from tests.browser import Browser

CHROMIUM = shutil.which("chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None,
                       reason="headless Chromium is not installed (apt-get install -y chromium; .ci/run does it)"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path_factory.mktemp("uvicorn") / "server.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "app.web.app:create_app", "--host", "127.0.0.1", "--port", str(port)],
        cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"uvicorn did not start; see {log.name}")
            time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def chromium(profile: Path, *args: str) -> str:
    assert CHROMIUM is not None
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
               "--window-size=1280,1400", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_resource_page_renders_with_its_french_label(base_url: str, tmp_path: Path) -> None:
    dom = chromium(tmp_path / "profile", "--dump-dom", f"{base_url}/id/country/FRA")
    assert "<title>France · natokg</title>" in dom
    assert '<p class="label" lang="fr"><span class="tag">fr</span> France</p>' in dom
    assert '<span class="fr" lang="fr">Pays</span>' in dom
    assert "1949-08-24" in dom
    shot = tmp_path / "fra.png"
    chromium(tmp_path / "profile", f"--screenshot={shot}", f"{base_url}/id/country/FRA")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_swagger_ui_renders_offline(base_url: str, tmp_path: Path) -> None:
    # Virtual time lets the page fetch /openapi.json and render before the DOM is dumped.
    dom = chromium(tmp_path / "profile", "--virtual-time-budget=20000", "--dump-dom", f"{base_url}/docs")
    assert '<div class="swagger-ui">' in dom  # Swagger UI rendered its container ...
    assert "opblock-summary-path" in dom  # ... and the operations of our OpenAPI 3.1 document
    assert "/id/{kind}/{key}" in dom and "/.well-known/void" in dom
    assert "Unable to render this definition" not in dom
    shot = tmp_path / "docs.png"
    chromium(tmp_path / "profile", "--virtual-time-budget=20000", f"--screenshot={shot}", f"{base_url}/docs")
    assert shot.stat().st_size > 10_000


def test_the_query_editor_shows_the_problem_of_a_malformed_query(base_url: str, tmp_path: Path) -> None:
    """A shared link with a malformed query: the editor runs it and shows the endpoint's problem, not a crash
    (the editor's other behaviour: tests/web/test_editor_browser.py)."""
    with Browser(tmp_path / "profile") as browser:
        page = browser.open(str(httpx.URL(f"{base_url}/sparql", params={"query": "SELECT * WHERE { ?s"})))
        page.wait_for("document.querySelector('.yasr') && document.querySelector('.yasr').innerText.includes('Malformed SPARQL query')")
        assert '"status":400' in page.evaluate("document.querySelector('.yasr').innerText")
        assert page.errors == []
