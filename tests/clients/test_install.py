"""A real install: the wheel built from this checkout, installed in a fresh virtual environment outside it (as
`pipx install` or a release on PyPI gives a user), serves the whole graph from any folder; `NATOKG_ROOT` still
selects another data folder, and a data folder that is not one stops `natokg serve` with a message naming it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import venv
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from app.core.settings import PROJECT_ROOT, SOURCE_FOLDERS
from tests.live_service import free_port
from tests.roots import copy_root

SOURCES = ("pyproject.toml", "README.md", "app", *SOURCE_FOLDERS)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`pip wheel` of a copy of the checkout (a build in place would leave build/ and *.egg-info in it)."""
    tree, dist = tmp_path_factory.mktemp("tree"), tmp_path_factory.mktemp("dist")
    for name in SOURCES:
        source = PROJECT_ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy(source, tree / name)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dist), str(tree)],
                   check=True, capture_output=True, timeout=300)
    [built] = dist.glob("natokg-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment (no system packages) with the wheel and its dependencies; its bin/ folder."""
    env = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=True, clear=True).create(env)
    subprocess.run([env / "bin" / "python", "-m", "pip", "install", "-q", str(wheel)], check=True, capture_output=True,
                   timeout=600, env=_clean_env())
    return env / "bin"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NATOKG_", "PYTHON", "VIRTUAL_ENV"))}
    return {**env, **extra}


def test_the_wheel_carries_the_package_and_its_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert not any(name.startswith("app/") for name in names)  # installed as natokg, not as a generic `app`
    for module in PROJECT_ROOT.joinpath("app").rglob("*.py"):
        assert f"natokg/{module.relative_to(PROJECT_ROOT / 'app').as_posix()}" in names, module
    for folder in SOURCE_FOLDERS:
        for path in (PROJECT_ROOT / folder).glob("*.ttl" if folder != "queries" else "*.rq"):
            assert f"natokg/{folder}/{path.name}" in names, path
    assert {"natokg/web/static/editor.js", "natokg/web/static/natokg.css", "natokg/web/static/map.js"} <= names
    # the pages' front-end packages, built into app/web/static/vendor/ by `npm run --prefix frontend build`
    for asset in (PROJECT_ROOT / "app" / "web" / "static" / "vendor").iterdir():
        assert f"natokg/web/static/vendor/{asset.name}" in names, asset
    assert "natokg/web/static/vendor/countries-110m.json" in names and "natokg/web/static/vendor/yasgui.min.js" in names


@contextmanager
def natokg_serve(bin_dir: Path, cwd: Path, log: Path, **env: str) -> Iterator[str]:
    """The installed `natokg serve`, run from `cwd`, until the block ends."""
    port = free_port()
    with log.open("w") as out:
        process = subprocess.Popen([bin_dir / "natokg", "serve", "--port", str(port), "--processes", "1"], cwd=cwd,
                                   env=_clean_env(**env), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                assert process.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            process.wait(timeout=30)


def test_natokg_serve_from_any_folder_serves_the_whole_graph(installed: Path, client: TestClient, tmp_path: Path) -> None:
    runtime = client.app.state.service.runtime  # type: ignore[attr-defined]  # the checkout's own service
    with natokg_serve(installed, tmp_path, tmp_path / "serve.log", NATOKG_CACHE_DIR=str(tmp_path / "cache")) as url:
        health = httpx.get(f"{url}/health").json()
        assert health["triples"] == runtime.store.triple_count and health["queries"] == len(runtime.queries)
        assert health["warnings"] == 0  # the shapes came along and the data was validated against them
        assert httpx.get(f"{url}/static/editor.js").status_code == 200
        members = httpx.get(f"{url}/api/queries/members-on-date", params={"date": "2012-05-20", "format": "csv"})
        assert len(members.text.splitlines()) == 1 + 28
        assert "Partenariat pour la paix" in httpx.get(f"{url}/id/framework/pfp", headers={"Accept": "text/turtle"}).text
    not_app = subprocess.run([installed / "python", "-c", "import app"], cwd=tmp_path, env=_clean_env(), capture_output=True)
    assert not_app.returncode != 0  # no generic top-level package was installed


def test_natokg_root_selects_another_folder(installed: Path, client: TestClient, tmp_path: Path) -> None:
    root = copy_root(tmp_path / "root")
    (root / "data" / "wikidata.ttl").unlink()  # a smaller graph, so that the answer shows which folder was read
    with natokg_serve(installed, tmp_path, tmp_path / "serve.log", NATOKG_ROOT=str(root), NATOKG_CACHE_DIR=str(tmp_path / "cache")) as url:
        triples = httpx.get(f"{url}/health").json()["triples"]
    assert 0 < triples < client.app.state.service.runtime.store.triple_count  # type: ignore[attr-defined]


@pytest.mark.parametrize("broken", ["missing", "empty"])
def test_a_data_folder_that_is_not_one_stops_serve_naming_it(installed: Path, tmp_path: Path, broken: str) -> None:
    root = tmp_path / "root"
    if broken == "empty":
        root.mkdir()
    done = subprocess.run([installed / "natokg", "serve", "--port", str(free_port()), "--processes", "1"], cwd=tmp_path,
                          env=_clean_env(NATOKG_ROOT=str(root)), capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    assert str(root / "ontology") in done.stderr
