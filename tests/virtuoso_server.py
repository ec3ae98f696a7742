"""A real Virtuoso (Debian's `virtuoso-opensource-7-bin`) on free 127.0.0.1 ports, for the remote-store contract.

A fresh database in a temporary directory, both of Virtuoso's ports (SQL and HTTP) bound to
127.0.0.1 only, loaded with the export into one graph (`GRAPH`) with `isql-vt`. Virtuoso's defaults
are kept where they are what an operator meets (`ResultSetMaxRows` 10,000), so the contract sees
them. Every wait is bounded; the process is killed if it does not stop when asked. Start and load
take about 4 s here.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import httpx

from tests.oxigraph_server import ServerError, free_port

GRAPH = "https://w3id.org/natokg/graph"
START_TIMEOUT = 60.0
LOAD_TIMEOUT = 120.0
STOP_TIMEOUT = 15.0
INI = """[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
ServerThreads = 10
CheckpointInterval = 0
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000
DirsAllowed = {dir}

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {dir}
ServerThreads = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
EnabledDavVSP = 0

[SPARQL]
ResultSetMaxRows = 10000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
"""


def missing() -> str | None:
    """Why Virtuoso cannot run here, or None."""
    for command in ("virtuoso-t", "isql-vt"):
        if shutil.which(command) is None:
            return f"`{command}` is missing: Debian's virtuoso-opensource-7-bin (.ci/run installs it)"
    return None


class VirtuosoServer:
    """`with VirtuosoServer(ntriples, workdir) as server:` serves the triples in `GRAPH` at `server.query_url`."""

    def __init__(self, ntriples: bytes, workdir: Path) -> None:
        why = missing()
        if why:
            raise ServerError(why)
        self._workdir = workdir
        self._ntriples = ntriples
        self._process: subprocess.Popen[bytes] | None = None
        self.http_port = 0
        self.sql_port = 0

    @property
    def query_url(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/sparql"

    def __enter__(self) -> VirtuosoServer:
        data = self._workdir / "data.nt"
        data.write_bytes(self._ntriples)
        for _ in range(3):  # a port taken between free_port() and the bind: try others
            self.http_port, self.sql_port = free_port(), free_port()
            ini = self._workdir / "virtuoso.ini"
            ini.write_text(INI.format(dir=self._workdir, sql_port=self.sql_port, http_port=self.http_port), encoding="utf-8")
            with (self._workdir / "stdout.log").open("wb") as log:
                self._process = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)],
                                                 cwd=self._workdir, stdout=log, stderr=subprocess.STDOUT)
            if self._wait_until_ready():
                self._load(data)
                return self
            self.stop()
        raise ServerError(f"virtuoso did not start: {self._log()[-2000:]}")

    def _load(self, data: Path) -> None:
        statement = f"DB.DBA.TTLP_MT(file_to_string_output('{data}'), '', '{GRAPH}', 0); checkpoint;"
        done = subprocess.run(["isql-vt", str(self.sql_port), "dba", "dba", f"exec={statement}"],
                              capture_output=True, timeout=LOAD_TIMEOUT, check=False)
        if done.returncode != 0 or b"Error" in done.stdout + done.stderr:
            raise ServerError(f"virtuoso did not load the data: {(done.stdout + done.stderr).decode(errors='replace')[-2000:]}")

    def _wait_until_ready(self) -> bool:
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                if httpx.post(self.query_url, data={"query": "ASK {}"}, timeout=2.0).status_code == 200:
                    return True
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        return False

    def _log(self) -> str:
        return "".join(path.read_text(errors="replace") for path in (self._workdir / "stdout.log", self._workdir / "virtuoso.log")
                       if path.exists())

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
