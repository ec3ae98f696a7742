"""Benchmark natokg's /sparql against a bare `oxigraph serve` and `rdflib-endpoint` on the same data.

Each target runs as its own server process on 127.0.0.1; a bounded load client (a fixed number of
threads, a fixed number of requests or seconds per cell) sends the same queries to each and
records throughput and latency percentiles. Ratios are taken within one run, never against
numbers from another machine. Usage:

    python3 bench/run.py                      # shipped data, 100k and 1M triples
    python3 bench/run.py --sizes shipped,100000 --seconds 5

The load client is wrk when installed (`apt-get install wrk`): a Python client costs about as much
per request as the servers under test and would hide their differences.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import generate

PROJECT = Path(__file__).resolve().parent.parent
QUERIES = {
    "lookup": "SELECT ?p ?o WHERE { <https://w3id.org/natokg/id/country/FRA> ?p ?o }",
    "join": """PREFIX org: <http://www.w3.org/ns/org#> PREFIX time: <http://www.w3.org/2006/time#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?country ?label ?joined WHERE {
  ?m org:organization <https://w3id.org/natokg/id/organisation/nato> ; org:member ?country ;
     org:memberDuring/time:hasBeginning/time:inXSDDate ?joined .
  ?country rdfs:label ?label . FILTER (LANG(?label) = "en") }""",
    "aggregate": "SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class",
    "text": """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?s ?label WHERE { ?s rdfs:label ?label . FILTER (CONTAINS(LCASE(STR(?label)), "sweden")) }""",
    "describe": "DESCRIBE <https://w3id.org/natokg/id/country/FRA>",
}


ACCEPT = "application/sparql-results+json, text/turtle;q=0.9"
# The same lookup as "lookup", but each request asks for another subject, cycling through up to
# VARIED_SUBJECTS of them: more than natokg keeps parsed queries for (1024), so this row measures
# the uncached path, where "lookup" repeats one query text as many clients do.
VARIED = "lookup-varied"
VARIED_SUBJECTS = 4096


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_ready(url: str, deadline: float, process: subprocess.Popen[bytes] | None = None) -> float:
    started = time.monotonic()
    while time.monotonic() - started < deadline:
        if process is not None and process.poll() is not None:  # a server that died will never answer
            raise RuntimeError(f"the server for {url} exited ({process.returncode}) before it answered")
        try:
            if httpx.get(url, params={"query": "ASK { ?s ?p ?o }"}, timeout=2).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise TimeoutError(f"{url} not ready within {deadline} s")


@contextmanager
def server(command: list[str], endpoint: str, *, env: dict[str, str] | None = None, ready_within: float = 600,
           cwd: Path | None = None) -> Iterator[float]:
    with tempfile.TemporaryFile() as log:  # a file, not a pipe: a pipe nobody reads would stall a talkative server
        process = subprocess.Popen(command, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL, stderr=log,
                                   start_new_session=True, cwd=cwd)
        try:
            try:
                ready = wait_ready(endpoint, ready_within, process)
            except RuntimeError as error:
                log.seek(0)
                raise RuntimeError(f"{error}: {log.read().decode(errors='replace')[-2000:]}") from None
            yield ready
        finally:
            stop(process, grace=10)


def stop(process: subprocess.Popen[bytes], *, grace: float) -> None:
    """End a server started in its own session, with its whole process group: SIGTERM, then SIGKILL after `grace` s."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

@dataclass
class Cell:
    target: str
    size: str
    query: str
    requests: int
    errors: int
    throughput: float
    p50_ms: float
    p99_ms: float


_WRK_LATENCY = re.compile(r"^\s+(50|99)(?:\.0+)?%\s+([0-9.]+)(us|ms|s)\s*$", re.M)
_WRK_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def varied_lookups(subjects: list[str]) -> list[str]:
    return [QUERIES["lookup"].replace("<https://w3id.org/natokg/id/country/FRA>", f"<{s}>") for s in subjects]


def load_wrk(endpoint: str, queries: list[str], *, seconds: float, threads: int, workdir: Path) -> tuple[int, int, float, dict[str, float]]:
    """Drive the endpoint with wrk (a C load client, so the client does not dominate the numbers).

    One query is one URL; several are sent in turn by a Lua script, one per request.
    """
    url = f"{endpoint}?{urlencode({'query': queries[0]})}"
    for query in queries[:3]:  # warm-up
        httpx.get(f"{endpoint}?{urlencode({'query': query})}", headers={"Accept": ACCEPT}, timeout=60)
    script: list[str] = []
    if len(queries) > 1:
        path = httpx.URL(endpoint).raw_path.decode()
        lua = workdir / "varied.lua"
        paths = ",\n".join(f"[[{path}?{urlencode({'query': q})}]]" for q in queries)
        lua.write_text(f"paths = {{\n{paths}\n}}\ni = 0\nrequest = function()\n  i = i + 1\n"
                       "  return wrk.format(nil, paths[(i % #paths) + 1])\nend\n")
        script = ["-s", str(lua)]
    command = ["wrk", "-t1", f"-c{threads}", f"-d{max(1, int(seconds))}s", "--latency", "--timeout", "60s", *script,
               "-H", f"Accept: {ACCEPT}", url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 120).stdout
    done = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(n) for n in re.findall(r"Socket errors: .*?timeout (\d+)", output))
    rate = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = {m.group(1): float(m.group(2)) * _WRK_UNITS[m.group(3)] for m in _WRK_LATENCY.finditer(output)}
    return done - errors, errors, rate if not errors else (done - errors) / seconds, percentiles


def load(endpoint: str, queries: list[str], *, requests: int, seconds: float, threads: int) -> tuple[int, int, float, list[float]]:
    latencies: list[float] = []
    errors = 0
    lock = threading.Lock()
    remaining = [requests]
    stop_at = time.monotonic() + seconds

    def worker() -> None:
        nonlocal errors
        with httpx.Client(timeout=60) as client:
            while True:
                with lock:
                    if remaining[0] <= 0 or time.monotonic() > stop_at:
                        return
                    remaining[0] -= 1
                    query = queries[remaining[0] % len(queries)]
                started = time.perf_counter()
                response = client.post(endpoint, data={"query": query}, headers={"Accept": ACCEPT})
                elapsed = time.perf_counter() - started
                with lock:
                    if response.status_code == 200:
                        latencies.append(elapsed)
                    else:
                        errors += 1

    with httpx.Client(timeout=60) as client:  # warm-up
        for query in (queries * 3)[:3]:
            client.post(endpoint, data={"query": query})
    started = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    return len(latencies), errors, time.perf_counter() - started, latencies


def measure(target: str, size: str, endpoint: str, subjects: list[str], workdir: Path, args: argparse.Namespace) -> list[Cell]:
    cells = []
    workload = {name: [query] for name, query in QUERIES.items()}
    workload = {"lookup": workload.pop("lookup"), VARIED: varied_lookups(subjects), **workload}
    if args.client == "wrk" and args.warmup > 0:  # unrecorded: a server just started is still settling (page faults after fork, caches)
        load_wrk(endpoint, workload["lookup"], seconds=args.warmup, threads=args.threads, workdir=workdir)
    for name, queries in workload.items():
        if args.client == "wrk":
            done, errors, rate, percentiles = load_wrk(endpoint, queries, seconds=args.seconds, threads=args.threads, workdir=workdir)
            p50, p99 = (percentiles.get(k, float("nan")) * 1000 if done else float("nan") for k in ("50", "99"))
            cells.append(Cell(target, size, name, done, errors, rate if done else 0.0, p50, p99))
        else:
            done, errors, wall, latencies = load(endpoint, queries, requests=args.requests, seconds=args.seconds, threads=args.threads)
            ordered = sorted(latencies) or [float("nan")]
            cells.append(Cell(target, size, name, done, errors, done / wall if wall else 0.0,
                              statistics.median(ordered) * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000))
        cell = cells[-1]
        print(f"  {target:<15} {size:>8} {name:<9} {cell.throughput:9.1f} req/s  p50 {cell.p50_ms:8.2f} ms  p99 {cell.p99_ms:8.2f} ms",
              flush=True)
    return cells


def ntriples_of(root: Path, out: Path) -> tuple[int, list[str]]:
    """Write the graph as N-Triples; return its size and up to VARIED_SUBJECTS of its subject IRIs, spread evenly."""
    store = ox.Store()
    for folder in ("ontology", "data"):
        for path in sorted((root / folder).glob("*.ttl")):
            store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
    store.dump(str(out), format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    subjects = sorted({q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)})
    step = max(1, len(subjects) // VARIED_SUBJECTS)
    return len(store), subjects[::step][:VARIED_SUBJECTS]


def run_size(size: str, workdir: Path, args: argparse.Namespace) -> tuple[list[Cell], dict[str, float]]:
    root = PROJECT if size == "shipped" else generate(workdir / f"root-{size}", PROJECT, int(size))
    nt = workdir / f"{size}.nt"
    triples, subjects = ntriples_of(root, nt)
    label = "shipped" if size == "shipped" else f"{triples // 1000}k"
    print(f"{label}: {triples} triples", flush=True)
    cells: list[Cell] = []
    startup: dict[str, float] = {}

    port = free_port()
    env = {"NATOKG_ROOT": str(root), "NATOKG_PORT": str(port), "NATOKG_VALIDATE_ON_START": "true" if size == "shipped" else "false"}
    if args.natokg_processes is not None:  # else natokg's default: one serving process per CPU
        env["NATOKG_PROCESSES"] = str(args.natokg_processes)
    with server([shutil.which("natokg") or "natokg", "serve"], f"http://127.0.0.1:{port}/sparql", env=env) as ready:
        startup["natokg"] = ready
        cells += measure("natokg", label, f"http://127.0.0.1:{port}/sparql", subjects, workdir, args)

    if args.baseline:  # the same data and settings, served by natokg's code at another commit
        checkout = workdir / "baseline"
        if not checkout.exists():
            subprocess.run(["git", "-C", str(PROJECT), "worktree", "add", "--detach", str(checkout), args.baseline],
                           check=True, capture_output=True)
        # the same ontology, data and shapes; the named queries of that commit, which its code knows how to read
        baseline_root = workdir / f"baseline-root-{label}"
        baseline_root.mkdir(exist_ok=True)
        for folder, source in (("ontology", root), ("data", root), ("shapes", root), ("queries", checkout)):
            link = baseline_root / folder
            if not link.exists():
                link.symlink_to((source / folder).resolve(), target_is_directory=True)
        port = free_port()
        with server([sys.executable, "-m", "app.cli", "serve"], f"http://127.0.0.1:{port}/sparql",
                    env={**env, "NATOKG_PORT": str(port), "NATOKG_ROOT": str(baseline_root)}, cwd=checkout) as ready:
            startup["natokg-baseline"] = ready
            cells += measure("natokg-baseline", label, f"http://127.0.0.1:{port}/sparql", subjects, workdir, args)

    location = workdir / f"oxigraph-{size}"
    subprocess.run(["oxigraph", "load", "--location", str(location), "--file", str(nt)], check=True, capture_output=True)
    port = free_port()
    with server(["oxigraph", "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                f"http://127.0.0.1:{port}/query") as ready:
        startup["oxigraph"] = ready
        cells += measure("oxigraph", label, f"http://127.0.0.1:{port}/query", subjects, workdir, args)

    if triples <= args.rdflib_max:
        port = free_port()
        with server([shutil.which("rdflib-endpoint") or "rdflib-endpoint", "serve", str(nt), "--host", "127.0.0.1", "--port", str(port)],
                    f"http://127.0.0.1:{port}/", ready_within=1800) as ready:
            startup["rdflib-endpoint"] = ready
            cells += measure("rdflib-endpoint", label, f"http://127.0.0.1:{port}/", subjects, workdir, args)
    return cells, startup


def table(cells: list[Cell]) -> str:
    """The results as a Markdown table; the last column says how far the 20x throughput target is reachable at all here."""
    by = {(c.target, c.size, c.query): c for c in cells}
    lines = ["| size | query | natokg req/s | natokg p50 ms | natokg p99 ms | oxigraph req/s | oxigraph p50 ms "
             "| p50 ratio natokg/oxigraph | rdflib-endpoint req/s | throughput ratio natokg/rdflib "
             "| throughput ratio oxigraph/rdflib |",
             "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in dict.fromkeys(c.size for c in cells):
        for query in ("lookup", VARIED, *list(QUERIES)[1:]):
            n, o, r = by.get(("natokg", size, query)), by.get(("oxigraph", size, query)), by.get(("rdflib-endpoint", size, query))
            if n is None:
                continue
            ratio = f"{n.p50_ms / o.p50_ms:.2f}" if o else "-"
            rdf = ("failed" if not r.requests else f"{r.throughput:.1f}") if r else "not run"
            answered = r is not None and r.requests > 0 and r.throughput > 0
            speedup = f"{n.throughput / r.throughput:.1f}" if answered else "-"
            ceiling = f"{o.throughput / r.throughput:.1f}" if o and answered else "-"
            oxigraph = f"{o.throughput:.1f} | {o.p50_ms:.2f}" if o else "- | -"
            natokg = f"{n.throughput:.1f} | {n.p50_ms:.2f} | {n.p99_ms:.2f}"
            lines.append(f"| {size} | {query} | {natokg} | {oxigraph} | {ratio} | {rdf} | {speedup} | {ceiling} |")
    return "\n".join(lines)


def baseline_table(cells: list[Cell], commit: str) -> str:
    """This code against the baseline commit's, served the same data in the same run: p50 and throughput ratios."""
    by = {(c.target, c.size, c.query): c for c in cells}
    lines = [f"| size | query | natokg p50 ms | baseline ({commit}) p50 ms | p50 ratio | throughput ratio |",
             "|---|---|---:|---:|---:|---:|"]
    for size in dict.fromkeys(c.size for c in cells):
        for query in ("lookup", VARIED, *list(QUERIES)[1:]):
            n, b = by.get(("natokg", size, query)), by.get(("natokg-baseline", size, query))
            if n and b and b.p50_ms and b.throughput:
                lines.append(f"| {size} | {query} | {n.p50_ms:.2f} | {b.p50_ms:.2f} | {n.p50_ms / b.p50_ms:.2f} | "
                             f"{n.throughput / b.throughput:.2f} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="shipped,100000,1000000")
    parser.add_argument("--requests", type=int, default=200, help="requests per cell at most")
    parser.add_argument("--seconds", type=float, default=15.0, help="seconds per cell at most")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of unrecorded lookups against each server first (wrk)")
    parser.add_argument("--threads", type=int, default=2, help="concurrent client connections")
    parser.add_argument("--client", choices=["wrk", "python"], default="wrk" if shutil.which("wrk") else "python",
                        help="load client: wrk (Debian package, the default when installed) or a Python httpx client")
    parser.add_argument("--natokg-processes", type=int, help="natokg's serving processes (NATOKG_PROCESSES; default natokg's own)")
    parser.add_argument("--rdflib-max", type=int, default=1_200_000, help="largest graph to give rdflib-endpoint")
    parser.add_argument("--output", type=Path, default=PROJECT / "bench" / "results" / "latest.json")
    parser.add_argument("--baseline", metavar="COMMIT",
                        help="also serve the same data with natokg's code at COMMIT (a git worktree), for a regression ratio")
    args = parser.parse_args()
    cells: list[Cell] = []
    startups: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="natokg-bench-") as tmp:
        for size in args.sizes.split(","):
            size_cells, startup = run_size(size.strip(), Path(tmp), args)
            cells += size_cells
            startups[size] = startup
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps({"cells": [asdict(c) for c in cells], "startup_seconds": startups}, indent=2))
    print()
    print(table(cells))
    print()
    if args.baseline:
        print(baseline_table(cells, args.baseline))
        print()
    for size, startup in startups.items():
        print(f"start-up until the first answer ({size}): " + ", ".join(f"{k} {v:.2f} s" for k, v in startup.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
