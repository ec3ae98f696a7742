"""`natokg serve` run as an operator runs it, on a free 127.0.0.1 port, and what a test reads of its processes.

The command is `python -m app.cli` from this checkout: the console script `natokg` calls the same
`main`, but an editable install may point it at another checkout. Every wait is bounded; the whole
process group is killed when the block ends.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from app.core.settings import PROJECT_ROOT
from tests.oxigraph_server import free_port

NATOKG = [sys.executable, "-m", "app.cli"]
CLOSE_WAIT = "08"  # the TCP state's code in /proc/net/tcp


def wait_for(condition: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise AssertionError(f"not within {timeout} s: {what}")


def children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except (FileNotFoundError, ProcessLookupError):
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


def in_group(group: int) -> set[int]:
    """Live processes of process group `group` (a `natokg serve` started in its own session)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, IndexError, ValueError):
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) == group and fields[0] != "Z":
                    found.add(int(entry.name))
    return found


def socket_inodes(pid: int) -> set[int]:
    """The inodes of the sockets process `pid` holds open."""
    found = set()
    with contextlib.suppress(OSError):
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            with contextlib.suppress(OSError):
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    found.add(int(target[len("socket:["):-1]))
    return found


def tcp_connections(port: int) -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of every IPv4 TCP socket whose local or remote port is `port`."""
    rows = []
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote = int(fields[1].split(":")[1], 16), int(fields[2].split(":")[1], 16)
        if port in (local, remote):
            rows.append((local, remote, fields[3], int(fields[9])))
    return rows


def close_wait(port: int) -> list[tuple[int, int, str, int]]:
    """The server's ends of connections to `port` that the client closed and the server never did."""
    return [row for row in tcp_connections(port) if row[0] == port and row[2] == CLOSE_WAIT]


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    base: str
    port: int
    log: Path

    def serving_processes(self) -> set[int]:
        return children(self.process.pid)

    def workers(self, serving: int | None = None) -> set[int]:
        return {w for s in ([serving] if serving else self.serving_processes()) for w in children(s)}

    def output(self) -> str:
        return self.log.read_text(errors="replace")


@contextlib.contextmanager
def serving(*options: str, env: dict[str, str] | None = None, log: Path,
            ready_within: float = 120, cwd: Path = PROJECT_ROOT,
            preexec: Callable[[], None] | None = None) -> Iterator[Served]:
    """`natokg serve` on a free port until the block ends; its output goes to `log`."""
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen([*NATOKG, "serve", "--port", str(port), *options], env={**os.environ, **(env or {})},
                                   cwd=cwd, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=preexec)
    base = f"http://127.0.0.1:{port}"

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"natokg serve stopped: {log.read_text(errors='replace')[-3000:]}")
        if "listening on" not in log.read_text(errors="replace"):  # said once every serving process is ready
            return False
        try:
            return httpx.get(f"{base}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    try:
        wait_for(ready, ready_within, "the service answers /health")
        yield Served(process, base, port, log)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        for pid in in_group(process.pid):  # a worker a test left behind (it would have been the bug under test)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
