"""`natokg serve --processes N`, run as an operator runs it: forked serving processes on one port."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.oxigraph_server import free_port

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/natokg/id/country/FRA> ?p ?o }"  # answered in the serving process
SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # answered by a query worker


def children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except FileNotFoundError:
        return set()


def descendants(pid: int) -> set[int]:
    found = children(pid)
    for child in list(found):
        found |= descendants(child)
    return found


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie waiting to be reaped."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    return "\nState:\tZ" not in status


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {what}")


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    command = shutil.which("natokg")
    assert command, "the natokg console script is installed by `pip install -e .`"
    port = free_port()
    process = subprocess.Popen([command, "serve", "--port", str(port), "--processes", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        try:
            return httpx.get(f"{base}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, 120, "the service answers /health")
        yield process, base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_processes_share_the_port_and_a_dead_one_is_replaced(served: tuple[subprocess.Popen[bytes], str]) -> None:
    process, base = served
    wait_for(lambda: len(children(process.pid)) == 2, 30, "two serving processes")
    first = children(process.pid)
    with httpx.Client(base_url=base, timeout=30) as client:
        for query in (LOOKUP, SCAN):
            assert client.get("/sparql", params={"query": query}).status_code == 200
        for _ in range(6):  # a worker's answer of megabytes, read whole under uvicorn's event loop (uvloop)
            answer = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"})
            assert answer.status_code == 200 and len(answer.content) > 1_000_000, answer.text[:300]
        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: len(children(process.pid)) == 2 and victim not in children(process.pid), 30,
                 "the killed serving process is replaced")
        for _ in range(20):  # new connections each time: both processes take their share
            with httpx.Client(base_url=base, timeout=30) as fresh:
                assert fresh.get("/sparql", params={"query": SCAN}).json()["results"]["bindings"][0]["n"]["value"].isdigit()
    assert process.poll() is None


def test_sigterm_stops_every_process_and_worker(served: tuple[subprocess.Popen[bytes], str]) -> None:
    process, base = served
    httpx.get(f"{base}/sparql", params={"query": SCAN}, timeout=30).raise_for_status()
    wait_for(lambda: all(children(c) for c in children(process.pid)), 30, "each serving process has its query workers")
    everyone = descendants(process.pid)
    assert len(everyone) >= 4  # two serving processes, each with its query workers
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    wait_for(lambda: not any(alive(pid) for pid in everyone), 15, "no process outlives the service")
