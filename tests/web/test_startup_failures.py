"""`natokg serve` fails fast: each start-up failure ends the command with one message naming its cause, a
non-zero exit and no process left behind; never a loop of restarts. About 15 s (each case starts the CLI)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from app.core.settings import PROJECT_ROOT
from tests.natokg_server import NATOKG, in_group
from tests.oxigraph_server import free_port
from tests.roots import copy_root


def start(*options: str, root: Path | None = None, port: int | None = None, cache: Path) -> tuple[int, str, float]:
    """Run `natokg serve` until it exits by itself (at most 120 s): exit status, output, seconds taken."""
    env = {**os.environ, "NATOKG_CACHE_DIR": str(cache)}
    if root is not None:
        env["NATOKG_ROOT"] = str(root)
    started = time.monotonic()
    process = subprocess.Popen([*NATOKG, "serve", "--port", str(port or free_port()), *options], env=env, cwd=PROJECT_ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    took = time.monotonic() - started
    time.sleep(0.2)
    assert not in_group(process.pid), "every child process is gone"
    return process.returncode, output.decode(errors="replace"), took


@pytest.mark.parametrize("processes", ["1", "2"])
def test_a_missing_root_folder_is_named(tmp_path: Path, processes: str) -> None:
    missing = tmp_path / "nowhere"
    code, output, _ = start("--processes", processes, root=missing, cache=tmp_path / "cache")
    assert code == 1
    assert str(missing) in output and "not a folder" in output
    assert "Traceback" not in output


def test_an_empty_data_folder_is_named(tmp_path: Path) -> None:
    root = copy_root(tmp_path / "root")
    for path in (root / "data").glob("*.ttl"):
        path.unlink()
    code, output, _ = start("--processes", "2", root=root, cache=tmp_path / "cache")
    assert code == 1
    assert f"the folder {root / 'data'} holds no *.ttl file" in output
    assert "Traceback" not in output


def test_invalid_data_names_the_file(tmp_path: Path) -> None:
    root = copy_root(tmp_path / "root")
    broken = root / "data" / "broken.ttl"
    broken.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b \n", encoding="utf-8")
    code, output, _ = start("--processes", "2", root=root, cache=tmp_path / "cache")
    assert code == 1
    assert str(broken) in output
    assert "Traceback" not in output


def test_a_port_in_use_is_named_at_once(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, output, took = start("--processes", "2", port=port, cache=tmp_path / "cache")
    assert code == 1
    assert f"cannot listen on 127.0.0.1:{port}" in output and "in use" in output
    assert "Traceback" not in output
    assert took < 30  # said before the data is loaded, not after


@pytest.mark.parametrize("processes", ["1", "2"])
def test_an_application_that_cannot_start_stops_the_server(tmp_path: Path, processes: str) -> None:
    """The data loads, but the web application's own start-up fails (a query it reads at start is missing):
    with serving processes, the first one to die before serving stops them all, instead of restarting them."""
    root = copy_root(tmp_path / "root")
    (root / "queries" / "search-labels.rq").unlink()
    code, output, _ = start("--processes", processes, root=root, cache=tmp_path / "cache")
    assert code == 1
    assert "search-labels" in output  # the cause, in the failing process's traceback
    assert ("failed during start-up" if processes == "2" else "failed to start") in output
    assert output.count("starting another") == 0
