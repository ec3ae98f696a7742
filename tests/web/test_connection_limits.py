"""Connection limits of `natokg serve`: slowloris clients are cut off, and the service keeps answering everyone else.

The attacker is 127.0.0.2 (loopback), the normal client 127.0.0.1. The server runs under the common
limit of 1024 open files, which it cannot raise (soft = hard). About 10 s; the test process itself
needs about 2,600 descriptors and raises its own soft limit for them.
"""

from __future__ import annotations

import contextlib
import resource
import socket
import time
from pathlib import Path

import httpx
import pytest

from tests.natokg_server import serving, wait_for

ATTACKERS = 2500


def _common_descriptor_limit() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


@pytest.fixture(autouse=True)
def enough_descriptors() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < ATTACKERS + 200:
        pytest.skip(f"this test needs {ATTACKERS + 200} open files; the hard limit here is {hard}")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, ATTACKERS + 200), hard))


def test_slowloris_leaves_health_and_normal_clients_answering(tmp_path: Path) -> None:
    env = {"NATOKG_READ_TIMEOUT": "3"}
    with serving("--processes", "2", env=env, log=tmp_path / "serve.log", preexec=_common_descriptor_limit) as served:
        attackers: list[socket.socket] = []
        try:
            for _ in range(ATTACKERS):
                sock = socket.socket()
                sock.setblocking(False)
                sock.bind(("127.0.0.2", 0))
                with contextlib.suppress(BlockingIOError):
                    sock.connect(("127.0.0.1", served.port))
                attackers.append(sock)
            time.sleep(0.5)
            for sock in attackers:  # one byte of a request head each, as slowloris sends
                with contextlib.suppress(OSError):
                    sock.send(b"G")
            with httpx.Client(base_url=served.base, timeout=10) as client:
                for _ in range(20):
                    assert client.get("/health").json()["status"] == "ok"
                    assert client.get("/api/countries/FRA").status_code == 200
                    with httpx.Client(base_url=served.base, timeout=10) as fresh:  # new connections are taken too
                        assert fresh.get("/health").status_code == 200
            # those over the address's cap were closed at once; the rest get 408 at the read deadline
            closed_at_once = sum(1 for sock in attackers if _closed(sock))
            assert closed_at_once >= ATTACKERS - 256 - 10
            wait_for(lambda: all(_closed(sock) for sock in attackers), 15, "every slowloris connection is closed")
        finally:
            for sock in attackers:
                sock.close()
        assert "refused" in served.output() and "connection(s) over the limits" in served.output()
        assert "at most" in served.output()  # it says the descriptor limit lowered the total cap


def _closed(sock: socket.socket) -> bool:
    """True once the server has closed (or reset) the connection."""
    try:
        data = sock.recv(4096, socket.MSG_PEEK)
    except BlockingIOError:
        return False
    except OSError:
        return True
    return data == b"" or data.startswith(b"HTTP/1.1 408")
