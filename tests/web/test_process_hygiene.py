"""Process hygiene of `natokg serve`, under load: each kind of process killed, then no orphan, no half-closed
connection, no hung keep-alive client.

The load is bounded (a few threads, until the block ends); everything is on 127.0.0.1. About 25 s in all.
"""

from __future__ import annotations

import contextlib
import http.client
import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.natokg_server import (
    Served,
    alive,
    close_wait,
    descendants,
    in_group,
    serving,
    socket_inodes,
    tcp_connections,
    wait_for,
)

WORKER_BOUND = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
KEEP_ALIVE = 5  # uvicorn's default: an idle keep-alive connection is closed by the server after this many seconds


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    with serving("--processes", "2", env={"NATOKG_WORKERS": "2"}, log=tmp_path / "serve.log") as running:
        wait_for(lambda: len(running.serving_processes()) == 2 and all(running.workers(s) for s in running.serving_processes()),
                 30, "two serving processes with their workers")
        yield running


@contextlib.contextmanager
def load(base: str, threads: int = 4) -> Iterator[list[int]]:
    """Worker-bound queries from `threads` clients until the block ends; yields the statuses seen."""
    statuses: list[int] = []
    stop = threading.Event()

    def client() -> None:
        with httpx.Client(base_url=base, timeout=30) as http:
            while not stop.is_set():
                with contextlib.suppress(httpx.HTTPError):
                    statuses.append(http.get("/sparql", params={"query": WORKER_BOUND}).status_code)

    running = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for thread in running:
        thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        for thread in running:
            thread.join(timeout=60)


def idle_connections(port: int, count: int) -> list[http.client.HTTPConnection]:
    """`count` keep-alive connections that each made one request and now sit idle."""
    connections = []
    for _ in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/health")
        assert connection.getresponse().read()
        connections.append(connection)
    return connections


def tcp_inodes(port: int) -> set[int]:
    return {row[3] for row in tcp_connections(port)}


def test_a_replaced_worker_holds_no_client_connection(served: Served) -> None:
    """A worker forked while clients are connected gets none of their sockets: the server's close reaches them."""
    idle = idle_connections(served.port, 40)
    try:
        with load(served.base):
            victim = min(served.workers())
            os.kill(victim, signal.SIGKILL)
            wait_for(lambda: len(served.workers()) == 4 and victim not in served.workers(), 30, "the worker is replaced")
            time.sleep(0.5)
        for worker in served.workers():
            assert not socket_inodes(worker) & tcp_inodes(served.port), f"worker {worker} holds a client connection"
            assert len(socket_inodes(worker)) == 1  # its own pipe only
        # the server closes the idle connections after its keep-alive timeout: each client sees the close, none hangs
        for connection in idle:
            assert connection.sock is not None
            connection.sock.settimeout(KEEP_ALIVE + 10)
            assert connection.sock.recv(1) == b"", "the server's close reached the client"
        wait_for(lambda: not close_wait(served.port), 10, "no half-closed (CLOSE-WAIT) connection is left on the server")
    finally:
        for connection in idle:
            connection.close()


def test_killing_each_kind_of_process_under_load_leaves_no_orphan(served: Served) -> None:
    parent = served.process.pid
    with load(served.base) as statuses:
        # a worker: SIGTERM stops it (it no longer ignores it), and it is replaced
        worker = min(served.workers())
        os.kill(worker, signal.SIGTERM)
        wait_for(lambda: not alive(worker) and len(served.workers()) == 4, 30, "a worker stops on SIGTERM and is replaced")
        # a serving process: its workers go with it, and it is replaced
        victim = min(served.serving_processes())
        its_workers = served.workers(victim)
        os.kill(victim, signal.SIGKILL)
        wait_for(lambda: not any(alive(pid) for pid in its_workers), 10, "the killed serving process's workers are gone")
        wait_for(lambda: len(served.serving_processes()) == 2 and all(served.workers(s) for s in served.serving_processes()),
                 30, "the serving process is replaced")
        time.sleep(1)
    assert statuses.count(200) > 10
    # the parent: every serving process and worker goes with it
    everyone = descendants(parent)
    assert len(everyone) == 6
    with load(served.base):
        os.kill(parent, signal.SIGKILL)
        served.process.wait(timeout=30)
        wait_for(lambda: not any(alive(pid) for pid in everyone), 30, "no serving process or worker outlives the parent")
    assert not in_group(parent)
    wait_for(lambda: not close_wait(served.port), 15, "no half-closed connection is left")


def test_sigterm_under_load_stops_everything(served: Served) -> None:
    everyone = descendants(served.process.pid)
    with load(served.base):
        time.sleep(0.5)
        served.process.send_signal(signal.SIGTERM)
        assert served.process.wait(timeout=30) == 0
    wait_for(lambda: not any(alive(pid) for pid in everyone), 15, "no process outlives the service")
    with socket.socket() as probe:  # and nothing listens on the port any more (TIME_WAIT of clients' connections aside)
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", served.port))
