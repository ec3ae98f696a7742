"""Load and faults: natokg under a 64-client mix, with and without clients of slow queries, beside Oxigraph
server in the same run, and the same mix from a few connections (`--light`, 4) with and without them; then
each fault of the reliability section provoked and counted.

    python3 bench/faults.py                       # this checkout
    python3 bench/faults.py --root /tmp/before    # another checkout of natokg (its own code and data), for a before/after

Everything runs on 127.0.0.1 (the slow clients bind 127.0.0.2 and 127.0.0.3); every load is bounded in
time and every server is stopped at the end. wrk (Debian) drives the mixes; the faults are provoked with
plain sockets. Results print as Markdown tables and go to bench/results/faults-latest.json.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from tests.natokg_server import Served, children, close_wait, serving, wait_for  # noqa: E402

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
LOOKUP = "SELECT ?p ?o WHERE { <https://w3id.org/natokg/id/country/FRA> ?p ?o }"
JOIN = """PREFIX org: <http://www.w3.org/ns/org#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?label WHERE { ?m org:organization <https://w3id.org/natokg/id/organisation/nato> ; org:member ?country .
  ?country rdfs:label ?label FILTER (LANG(?label) = "en") }"""
ACCEPT = "application/sparql-results+json"
_WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s)\s*$", re.M)
_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def sparql_requests(path: str) -> list[tuple[str, str, str | None]]:
    """(method, path, form body) of the SPARQL part of the mix: lookups and joins, GET and POST."""
    return [("GET", f"{path}?{urlencode({'query': LOOKUP})}", None), ("GET", f"{path}?{urlencode({'query': JOIN})}", None),
            ("POST", path, urlencode({"query": LOOKUP})), ("POST", path, urlencode({"query": JOIN}))]


def natokg_mix() -> list[tuple[str, str, str | None]]:
    """REST lookups, linked data pages and SPARQL: what the report's 64 clients sent."""
    return [*sparql_requests("/sparql"), ("GET", "/api/countries/FRA", None), ("GET", "/api/members?at=2000-01-01", None),
            ("GET", "/api/frameworks/pfp", None), ("GET", "/id/country/FRA", None), ("GET", "/id/framework/pfp.ttl", None)]


def wrk(base: str, requests: list[tuple[str, str, str | None]], *, seconds: int, connections: int, workdir: Path) -> dict[str, float]:
    """Drive `base` with wrk, one request of the list after the other; throughput, p50/p99 in ms, errors."""
    entries = ",\n".join(
        f"{{method=[[{m}]], path=[[{p}]], body={('[[' + b + ']]') if b else 'nil'}}}" for m, p, b in requests)
    script = workdir / "mix.lua"
    script.write_text(
        f"requests = {{\n{entries}\n}}\ni = 0\n"
        "request = function()\n  i = i + 1\n  local r = requests[(i % #requests) + 1]\n"
        "  local headers = {}\n  headers['Accept'] = '" + ACCEPT + ", text/turtle;q=0.9, */*;q=0.1'\n"
        "  if r.body then headers['Content-Type'] = 'application/x-www-form-urlencoded' end\n"
        "  return wrk.format(r.method, r.path, headers, r.body)\nend\n")
    output = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s",
                             "-s", str(script), base], capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    done = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)[0]) \
        if "Socket errors" in output else 0
    latency = {m.group(1): float(m.group(2)) * _UNITS[m.group(3)] for m in _WRK_LATENCY.finditer(output)}
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))  # type: ignore[union-attr]
    return {"requests": done, "errors": errors, "rps": rate, "p50": latency.get("50", float("nan")),
            "p99": latency.get("99", float("nan"))}


@contextlib.contextmanager
def slow_clients(base: str, addresses: tuple[str, ...] = ("127.0.0.2", "127.0.0.3")) -> Iterator[dict[str, int]]:
    """Two clients, each resending a cartesian query at once whatever the answer, on two connections each."""
    counts = {"200": 0, "503": 0, "other": 0}
    stop = threading.Event()

    def client(address: str) -> None:
        with httpx.Client(base_url=base, timeout=60, transport=httpx.HTTPTransport(local_address=address)) as http:
            while not stop.is_set():
                try:
                    status = str(http.get("/sparql", params={"query": CARTESIAN}).status_code)
                except httpx.HTTPError:
                    status = "other"
                counts[status if status in counts else "other"] += 1

    threads = [threading.Thread(target=client, args=(a,), daemon=True) for a in addresses for _ in range(2)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    try:
        yield counts
    finally:
        stop.set()


@contextlib.contextmanager
def oxigraph_server(root: Path, workdir: Path) -> Iterator[str]:
    import pyoxigraph as ox

    store = ox.Store()
    for folder in ("ontology", "data"):
        for path in sorted((root / folder).glob("*.ttl")):
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    data = workdir / "data.nt"
    store.dump(str(data), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    location = workdir / "oxigraph"
    subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(data)], check=True, capture_output=True)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(["oxigraph", "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _answers(f"{base}/query"), 30, "oxigraph answers")
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


# --- the faults -----------------------------------------------------------------------------------------------------

def hung_keep_alive(served: Served, count: int = 1000) -> dict[str, float]:
    """Idle keep-alive connections while a worker is replaced: does the server's close reach them?"""
    idle = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
        sock.recv(4096)
        idle.append(sock)
    victim = min(w for s in served.serving_processes() for w in children(s))
    os.kill(victim, signal.SIGKILL)
    for _ in range(4):  # worker-bound queries on fresh connections, so each serving process forks its replacement now
        httpx.get(f"{served.base}/sparql", params={"query": JOIN}, timeout=30)
    time.sleep(8)  # past uvicorn's keep-alive timeout (5 s)
    closed = sum(1 for sock in idle if _closed_by_server(sock))
    half_closed = len(close_wait(served.port))
    hung = 0
    for sock in idle[:50]:  # the next request on connections the client believes open
        sock.setblocking(True)
        sock.settimeout(3)
        try:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            sock.recv(1)
        except TimeoutError:
            hung += 1
        except OSError:
            pass
    for sock in idle:
        sock.close()
    return {"closes reaching clients": closed / count, "hung next requests (of 50)": hung, "CLOSE-WAIT on the server": half_closed}


def _closed_by_server(sock: socket.socket) -> bool:
    """Read what is left of the answer; True if the connection then ends (FIN or reset)."""
    sock.setblocking(False)
    try:
        while sock.recv(65536):
            pass
        return True
    except BlockingIOError:
        return False
    except OSError:
        return True


def orphans(served: Served) -> dict[str, float]:
    victim = min(served.serving_processes())
    workers = children(victim)
    os.kill(victim, signal.SIGKILL)
    time.sleep(5)
    return {"workers alive 5 s after kill -9 of their serving process": sum(1 for w in workers if _alive(w))}


def _alive(pid: int) -> bool:
    try:
        return "\nState:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def abandoned(served: Served) -> dict[str, float]:
    def leave() -> None:
        with socket.create_connection(("127.0.0.1", served.port)) as sock:
            sock.sendall(f"GET /sparql?query={quote(CARTESIAN)} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            time.sleep(0.5)

    leavers = [threading.Thread(target=leave) for _ in range(4)]
    for thread in leavers:
        thread.start()
    for thread in leavers:
        thread.join()
    latencies = []
    with httpx.Client(base_url=served.base, timeout=60) as client:
        for _ in range(8):
            started = time.monotonic()
            client.get("/api/countries/FRA?lang=fr")
            client.get("/sparql", params={"query": JOIN})
            latencies.append(time.monotonic() - started)
    return {"worst REST+join after 4 clients left mid-query (s)": max(latencies)}


def killed_worker(served: Served) -> dict[str, str]:
    statuses = {}
    with httpx.Client(base_url=served.base, timeout=60) as client:
        def kill_soon() -> None:
            time.sleep(0.5)
            for serving in served.serving_processes():
                for worker in children(serving):
                    with contextlib.suppress(ProcessLookupError):
                        if float(Path(f"/proc/{worker}/stat").read_text().split()[13]) > 10:  # the one burning CPU
                            os.kill(worker, signal.SIGKILL)

        killer = threading.Thread(target=kill_soon)
        killer.start()
        statuses["kill -9 of the worker running the query"] = str(client.get("/sparql", params={"query": CARTESIAN}).status_code)
        killer.join()
        time.sleep(1)
        for serving in served.serving_processes():
            for worker in children(serving):
                os.kill(worker, signal.SIGKILL)
        time.sleep(0.5)
        fresh = [httpx.get(f"{served.base}/sparql", params={"query": JOIN}, timeout=60).status_code for _ in range(4)]
        statuses["first requests after kill -9 of idle workers"] = ",".join(map(str, fresh))
    return statuses


def slowloris(root: Path, workdir: Path, count: int = 2500) -> dict[str, float]:
    def common_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, count + 500), hard))
    with serving("--processes", "2", log=workdir / "slowloris.log", cwd=root, preexec=common_limit,
                 env={"NATOKG_ROOT": str(root)}) as served:
        attackers = []
        for _ in range(count):
            sock = socket.socket()
            sock.setblocking(False)
            sock.bind(("127.0.0.2", 0))
            with contextlib.suppress(BlockingIOError):
                sock.connect(("127.0.0.1", served.port))
            attackers.append(sock)
        time.sleep(1)
        for sock in attackers:
            with contextlib.suppress(OSError):
                sock.send(b"G")
        answered = 0
        for _ in range(20):
            with contextlib.suppress(httpx.HTTPError):
                answered += httpx.get(f"{served.base}/health", timeout=5).status_code == 200
        time.sleep(12)
        still_open = 0
        for sock in attackers:
            try:
                data = sock.recv(64, socket.MSG_PEEK)
                still_open += bool(data) and not data.startswith(b"HTTP/1.1 408")
            except BlockingIOError:  # nothing to read and not closed
                still_open += 1
            except OSError:  # reset
                pass
            sock.close()
        logged = "refused" in served.output() or "Too many open files" in served.output()
    return {"/health answered (of 20) under 2,500 slowloris connections": answered,
            "slowloris connections still open after 13 s": still_open, "logged": int(logged)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", type=Path, default=PROJECT, help="the natokg checkout to run (its code and its data)")
    parser.add_argument("--seconds", type=int, default=20, help="seconds per load run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--light", type=int, default=4, help="connections of the mix that leaves the machine room to spare")
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-faults", action="store_true")
    parser.add_argument("--output", type=Path, default=PROJECT / "bench" / "results" / "faults-latest.json")
    args = parser.parse_args()
    if not shutil.which("wrk") and not args.skip_load:
        parser.error("wrk is missing: apt-get install wrk")
    results: dict[str, dict[str, object]] = {}
    env = {"NATOKG_ROOT": str(args.root)}
    with tempfile.TemporaryDirectory(prefix="natokg-faults-") as tmp:
        workdir = Path(tmp)
        if not args.skip_load:
            with oxigraph_server(args.root, workdir) as oxigraph:
                results["oxigraph sparql"] = wrk(oxigraph, sparql_requests("/query"), seconds=args.seconds,
                                                 connections=args.connections, workdir=workdir)
            with serving(log=workdir / "load.log", cwd=args.root, env=env) as served:
                results["natokg sparql"] = wrk(served.base, sparql_requests("/sparql"), seconds=args.seconds,
                                               connections=args.connections, workdir=workdir)
                results["natokg mix"] = wrk(served.base, natokg_mix(), seconds=args.seconds, connections=args.connections,
                                            workdir=workdir)
                with slow_clients(served.base) as counts:
                    results["natokg mix, 2 slow clients"] = wrk(served.base, natokg_mix(), seconds=args.seconds,
                                                                connections=args.connections, workdir=workdir)
                results["natokg mix, 2 slow clients"]["slow clients' answers"] = dict(counts)  # type: ignore[assignment]
                # the same mix from a few connections, which leave the processors room: what one user of a shared
                # service sees while two others send cartesian products (queueing at 64 connections hides it)
                light = f"natokg mix, {args.light} connections"
                results[light] = wrk(served.base, natokg_mix(), seconds=args.seconds, connections=args.light, workdir=workdir)
                with slow_clients(served.base) as counts:
                    results[f"{light}, 2 slow clients"] = wrk(served.base, natokg_mix(), seconds=args.seconds,
                                                              connections=args.light, workdir=workdir)
                results[f"{light}, 2 slow clients"]["slow clients' answers"] = dict(counts)  # type: ignore[assignment]
            for name, row in results.items():
                print(f"{name:<28} " + "  ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}" for k, v in row.items()),
                      flush=True)
            ratio = results["natokg sparql"]["rps"] / results["oxigraph sparql"]["rps"]  # type: ignore[operator]
            print(f"SPARQL throughput natokg/oxigraph: {ratio:.2f}", flush=True)
        faults = () if args.skip_faults else (("hung keep-alive", hung_keep_alive), ("orphans", orphans),
                                              ("abandoned", abandoned), ("killed worker", killed_worker))
        for name, fault in faults:
            # 1,000 connections from one address: over the default cap per address, which is not what this measures
            with serving("--processes", "2", log=workdir / f"{name}.log", cwd=args.root,
                         env={**env, "NATOKG_MAX_CONNECTIONS_PER_CLIENT": "4000"}) as served:
                results[name] = fault(served)  # type: ignore[assignment]
            print(name, results[name], flush=True)
        if not args.skip_faults:
            results["slowloris"] = slowloris(args.root, workdir)  # type: ignore[assignment]
            print("slowloris", results["slowloris"], flush=True)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
