"""`natokg serve --processes N`, run as an operator runs it: forked serving processes on one port."""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.settings import MAX_DEFAULT_PROCESSES, PROJECT_ROOT
from tests.natokg_server import NATOKG, alive, children, descendants, socket_inodes, wait_for
from tests.oxigraph_server import free_port

LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/natokg/id/country/FRA> ?p ?o }"  # answered in the serving process
SCAN = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # answered by a query worker






@contextlib.contextmanager
def serving(*options: str, env: dict[str, str] | None = None) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """`natokg serve` on a free port, run as an operator runs it, until the block ends."""
    port = free_port()
    process = subprocess.Popen([*NATOKG, "serve", "--port", str(port), *options], env=env, cwd=PROJECT_ROOT,
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


@pytest.fixture
def served() -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    with serving("--processes", "2") as running:
        yield running


def test_the_default_is_one_serving_process_per_cpu() -> None:
    cpus = min(len(os.sched_getaffinity(0)), MAX_DEFAULT_PROCESSES)
    env = {key: value for key, value in os.environ.items() if key != "NATOKG_PROCESSES"} | {"NATOKG_WORKERS": "1"}
    with serving(env=env) as (process, base):
        httpx.get(f"{base}/sparql", params={"query": SCAN}, timeout=30).raise_for_status()
        # N serving processes each with its one query worker; or, with one CPU, one process and its worker
        serving_processes = cpus if cpus > 1 else 0
        wait_for(lambda: sum(1 for child in children(process.pid) if children(child)) == serving_processes, 30,
                 f"{serving_processes} serving processes with their query workers")
        assert len(children(process.pid)) == (cpus if cpus > 1 else 1)


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



def server_end(server_port: int, client_port: int) -> int:
    """The inode of the server's end of the loopback TCP connection from `client_port` (from /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port, remote_port = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if (local_port, remote_port) == (server_port, client_port):
            return int(fields[9])
    raise AssertionError(f"no connection from port {client_port} to {server_port}")


def test_connections_are_handed_to_the_processes_in_turn(served: tuple[subprocess.Popen[bytes], str]) -> None:
    """The parent accepts and deals connections out in turn: a client's consecutive connections alternate
    between the two processes, as the kernel's choice of whichever process woke first did not ensure."""
    process, base = served
    wait_for(lambda: len(children(process.pid)) == 2, 30, "two serving processes")
    port = int(base.rsplit(":", 1)[1])
    connections: list[http.client.HTTPConnection] = []

    def owner() -> int:
        """Open a connection, send one request on it, keep it open, and say which serving process holds it."""
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/health")
        assert connection.getresponse().read()
        connections.append(connection)  # kept open: its server end stays with the process that took it
        inode = server_end(port, connection.sock.getsockname()[1])
        holders = [pid for pid in children(process.pid) if inode in socket_inodes(pid)]
        assert len(holders) == 1, holders  # one serving process holds it; the parent has let go of its copy
        assert inode not in socket_inodes(process.pid)
        return holders[0]

    try:
        # /health answers once one process is ready; the parent deals only to ready processes, so wait for both
        seen: set[int] = set()
        wait_for(lambda: seen.add(owner()) or len(seen) == 2, 60, "both serving processes take connections")
        owners = [owner() for _ in range(6)]
        assert owners[0::2] == [owners[0]] * 3 and owners[1::2] == [owners[1]] * 3 and owners[0] != owners[1], owners
    finally:
        for connection in connections:
            connection.close()


def test_serving_processes_stop_when_the_parent_dies(served: tuple[subprocess.Popen[bytes], str]) -> None:
    process, base = served
    httpx.get(f"{base}/sparql", params={"query": SCAN}, timeout=30).raise_for_status()
    wait_for(lambda: all(children(c) for c in children(process.pid)), 30, "each serving process has its query workers")
    everyone = descendants(process.pid)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    wait_for(lambda: not any(alive(pid) for pid in everyone), 30, "no serving process or worker outlives the parent")


def test_sigterm_stops_every_process_and_worker(served: tuple[subprocess.Popen[bytes], str]) -> None:
    process, base = served
    httpx.get(f"{base}/sparql", params={"query": SCAN}, timeout=30).raise_for_status()
    wait_for(lambda: all(children(c) for c in children(process.pid)), 30, "each serving process has its query workers")
    everyone = descendants(process.pid)
    assert len(everyone) >= 4  # two serving processes, each with its query workers
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    wait_for(lambda: not any(alive(pid) for pid in everyone), 15, "no process outlives the service")
