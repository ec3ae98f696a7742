"""A real `oxigraph serve-read-only` on a free 127.0.0.1 port, for the remote-store tests (DESIGN.md section 2).

The data is bulk-loaded offline (`oxigraph load`) into a temporary directory before the server
starts, and the server is read-only, so no test can change what the other mode is compared with.
Every wait is bounded, and the process is killed if it does not stop when asked.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx

START_TIMEOUT = 30.0
STOP_TIMEOUT = 10.0
LOAD_TIMEOUT = 120.0


class ServerError(RuntimeError):
    """The server could not be started or did not answer."""


def free_port() -> int:
    """A port nobody listens on right now (the kernel's choice, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class OxigraphServer:
    """`with OxigraphServer(nquads, workdir) as server:` serves the quads at `server.query_url`."""

    def __init__(self, nquads: bytes, workdir: Path) -> None:
        executable = shutil.which("oxigraph")
        if executable is None:
            raise ServerError("the `oxigraph` command is missing: install the test extra (pip install -e '.[test]')")
        self._executable = executable
        self._workdir = workdir
        self._nquads = nquads
        self._process: subprocess.Popen[bytes] | None = None
        self._log = workdir / "oxigraph.log"
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    def __enter__(self) -> OxigraphServer:
        store = self._workdir / "store"
        data = self._workdir / "data.nq"
        data.write_bytes(self._nquads)
        subprocess.run([self._executable, "load", "--location", str(store), "--file", str(data)],
                       check=True, capture_output=True, timeout=LOAD_TIMEOUT)
        for _ in range(3):  # a port taken between free_port() and the bind: try another
            self.port = free_port()
            with self._log.open("wb") as log:
                self._process = subprocess.Popen(
                    [self._executable, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{self.port}"],
                    stdout=log, stderr=subprocess.STDOUT,
                )
            if self._wait_until_ready():
                return self
            self.stop()
        raise ServerError(f"oxigraph did not start: {self._log.read_text(errors='replace')[-2000:]}")

    def _wait_until_ready(self) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                response = httpx.post(self.query_url, data={"query": "ASK {}"}, timeout=1.0)
                if response.status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        return False

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=STOP_TIMEOUT)
        self._process = None

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
