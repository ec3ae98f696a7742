"""Abandoned queries stop, and slow queries get a bounded share, through the real `natokg serve` on 127.0.0.1.

Clients of other addresses are 127.0.0.2 and 127.0.0.3 (loopback: no packet leaves the machine).
Bounds on time are generous, to catch the 28 s waits these faults caused, not to measure. About 20 s.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

from tests.natokg_server import Served, alive, serving, wait_for

# Cartesian: runs far past any test's patience unless stopped.
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
JOIN = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?label WHERE { ?m org:organization <https://w3id.org/natokg/id/organisation/nato> ; org:member ?country .
  ?country rdfs:label ?label FILTER (LANG(?label) = "en") }"""


def leave_mid_query(port: int, query: str, after: float) -> None:
    """Send a query, then close the connection before its answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(f"GET /sparql?query={quote(query)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        time.sleep(after)


@pytest.fixture
def served(tmp_path: Path) -> Iterator[Served]:
    # every worker may run a slow query, so that only the client's leaving can stop these
    env = {"NATOKG_WORKERS": "2", "NATOKG_SLOW_QUERIES": "2", "NATOKG_SLOW_QUERIES_PER_CLIENT": "8"}
    with serving("--processes", "2", env=env, log=tmp_path / "serve.log") as running:
        wait_for(lambda: len(running.workers()) == 4, 30, "four workers")
        yield running


def test_a_client_that_leaves_stops_its_query(served: Served) -> None:
    before = served.workers()
    leavers = [threading.Thread(target=leave_mid_query, args=(served.port, SLOW, 0.5)) for _ in range(4)]
    for thread in leavers:
        thread.start()
    for thread in leavers:
        thread.join()
    # the workers that ran the four queries are killed and replaced at once, not at the 30 s deadline
    wait_for(lambda: not any(alive(pid) for pid in before), 5, "the abandoned queries' workers are killed")
    wait_for(lambda: len(served.workers()) == 4, 10, "and replaced")
    started = time.monotonic()
    with httpx.Client(base_url=served.base, timeout=30) as client:
        for _ in range(8):
            assert client.get("/sparql", params={"query": JOIN}).status_code == 200
    assert time.monotonic() - started < 5


def test_two_clients_of_slow_queries_leave_room_for_everyone_else(tmp_path: Path) -> None:
    with serving("--processes", "2", env={"NATOKG_WORKERS": "2"}, log=tmp_path / "serve.log") as served:
        stop = threading.Event()
        slow_answers: list[httpx.Response] = []

        def slow_client(address: str) -> None:
            with httpx.Client(base_url=served.base, timeout=40, transport=httpx.HTTPTransport(local_address=address)) as client:
                while not stop.is_set():  # resends at once, as the clients of the report did
                    try:
                        slow_answers.append(client.get("/sparql", params={"query": SLOW}))
                    except httpx.HTTPError:  # the server stopped at the end of the test
                        return

        def slow_connections(address: str) -> list[threading.Thread]:
            return [threading.Thread(target=slow_client, args=(address,), daemon=True) for _ in range(3)]

        threads = slow_connections("127.0.0.2") + slow_connections("127.0.0.3")
        for thread in threads:
            thread.start()
        try:
            time.sleep(1)
            latencies = []
            with httpx.Client(base_url=served.base, timeout=30) as client:
                for _ in range(40):
                    for connection in (client, httpx.Client(base_url=served.base, timeout=30)):  # kept and fresh connections
                        started = time.monotonic()
                        assert connection.get("/sparql", params={"query": JOIN}).status_code == 200
                        latencies.append(time.monotonic() - started)
                        if connection is not client:
                            connection.close()
        finally:
            stop.set()
        # nothing waited behind the slow queries (before: 28.5 s); the bound is generous on purpose
        assert max(latencies) < 3, sorted(latencies)[-5:]
        refused = [a for a in slow_answers if a.status_code == 503]
        assert refused, "each slow client runs at most one slow query at once: the others are refused"
        assert all(a.headers.get("retry-after") and a.json()["type"].endswith("/busy") for a in refused)
        assert all(a.status_code in (200, 503) for a in slow_answers)


def test_new_connections_go_to_a_process_with_a_free_worker(tmp_path: Path) -> None:
    """Both workers of one serving process run slow queries: new connections are dealt to the other one."""
    env = {"NATOKG_WORKERS": "2", "NATOKG_SLOW_QUERIES": "2", "NATOKG_SLOW_QUERIES_PER_CLIENT": "8", "NATOKG_QUERY_TIMEOUT": "15"}
    with serving("--processes", "2", env=env, log=tmp_path / "serve.log") as served:
        port = served.port
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(3)]  # dealt A, B, A
        try:
            for sock in (held[0], held[2]):
                sock.sendall(f"GET /sparql?query={quote(SLOW)} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            busy = [s for s in served.serving_processes() if len(served.workers(s)) == 2]
            wait_for(lambda: any(_cpu(w) > 20 for s in busy for w in served.workers(s)), 10, "the slow queries run")
            started = time.monotonic()
            for _ in range(6):
                with httpx.Client(base_url=served.base, timeout=30) as fresh:
                    assert fresh.get("/sparql", params={"query": JOIN}).status_code == 200
            assert time.monotonic() - started < 5  # none waited behind the slow queries (they run for 15 s)
        finally:
            for sock in held:
                sock.close()


def _cpu(pid: int) -> int:
    """Clock ticks a process has spent in user mode."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[11])
    except (OSError, IndexError, ValueError):
        return 0
