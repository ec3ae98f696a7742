"""Start-up, memory and latency of `natokg serve` at scale, against `oxigraph serve-read-only` on the same triples.

For each size given, this generates a natokg root (bench/generate.py; kept in the work folder, so a
second run reuses it), then measures, with the store folder emptied first:

* the first start-up (the on-disk store is built) and the second (it is reused): seconds from
  launching `natokg serve` to the first 200 of /health (natokg's modules byte-compiled first, as an
  installed package's are);
* the PSS of the whole process tree (the sum of `Pss:` in /proc/<pid>/smaps_rollup over the parent and
  every descendant) after a warm-up of requests, and again after the timed requests;
* p50 and p99 of REST routes, named queries and SPARQL queries: one client, sequential, N requests each
  (a route that is slow stops after a time budget: the count says how many were timed), and the time of
  each one's first request (natokg keeps slow answers beside its store: the first is the one evaluated);
* `partners-on-date` and `members-on-date` on 36 days no other request asks (1 July 1990-2025), each day once:
  p50 and p99 of these first requests, what a client moving the map's slider waits for;
* with --keep-answers, `natokg load --answers` between the two starts (each named query without a
  required parameter evaluated once and its slow answer kept), its time and what it said of each query;
* the same SPARQL queries, start-up and PSS for `oxigraph serve-read-only` over the triples natokg
  serves (its store dumped and loaded with `oxigraph load`).

The data is generated without validation at start (as bench/run.py serves generated sizes): the
shapes' check of a synthetic million triples measures pyshacl, not the store. Usage:

    python3 bench/scale.py --triples 1000000 5000000 --workdir /tmp/natokg-scale

JSON goes to bench/results/scale-<date>.json (not committed); a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlencode

import httpx
import pyoxigraph as ox

sys.path.insert(0, str(Path(__file__).resolve().parent))
from generate import copy_project, generate
from natokg.sparql.querylib import QueryLibrary
from natokg.sparql.rewrite import bound
from rest import ROUTES as REST_ROUTES
from run import QUERIES, stop

PROJECT = Path(__file__).resolve().parent.parent
NATOKG = [sys.executable, "-m", "app.cli"]
JSON = "application/sparql-results+json"

# Every named query of queries/, timed on natokg's API and, as natokg runs it, on Oxigraph's /query: its required
# parameters only (the date of the map page, a country of the shipped data, a graph the store does not hold),
# as a client first calls it. Without their optional `item`, `resource`... the api-*, index-* and derive-* queries
# read the whole graph: they are what the REST API, the list index and the build read, not lookups.
SAMPLES = {"date": "2000-01-01", "day": "2000-01-01", "resource": "https://w3id.org/natokg/id/country/UKR",
           "graph": "https://w3id.org/natokg/id/graph/none"}
LIBRARY = QueryLibrary.load(PROJECT / "queries")
QUERY_PARAMS = {query.name: {p.name: SAMPLES[p.name] for p in query.parameters if p.required} for query in LIBRARY}
ACCEPT = {query.name: "text/turtle" if query.form.returns_graph else JSON for query in LIBRARY}  # what each answers in

ROUTES = {  # name -> (path, Accept): every REST route of bench/rest.py, the pages, every named query
    "health": ("/health", "application/json"),
    **{route: (route, "application/json") for route in REST_ROUTES},
    "resource (turtle)": ("/id/country/FRA", "text/turtle"),
    "page /id/country/UKR": ("/id/country/UKR", "text/html"),
    "page /id/framework/pfp": ("/id/framework/pfp", "text/html"),
    "page /map": ("/map?at=2000-01-01", "text/html"),
    "page / (home)": ("/", "text/html"),
    **{f"query {name}": (f"/api/queries/{name}?{urlencode(params)}" if params else f"/api/queries/{name}", ACCEPT[name])
       for name, params in QUERY_PARAMS.items()},
}
SPARQL = {f"sparql {label}": QUERIES[name]  # the same texts as bench/run.py's, to natokg's /sparql and Oxigraph's /query
          for name, label in (("lookup", "lookup"), ("join", "join"), ("aggregate", "class counts"), ("describe", "describe"))}


@dataclass
class Timing:
    name: str
    requests: int
    errors: int
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    answer_bytes: int = 0  # the body of the last 200
    cut: bool = False  # natokg cut the answer at its row limit (X-Natokg-Truncated)
    first_ms: float | None = None  # the first request of the first warm-up pass (natokg: before any answer was kept)
    first_status: str | None = None


@dataclass
class Result:
    target: str
    size: int  # triples asked of the generator
    triples: int  # triples served (with the derived ones)
    first_start_s: float | None
    second_start_s: float
    pss_after_warmup_mb: float
    pss_after_requests_mb: float
    processes: int
    store_line: str = ""
    load_s: float | None = None  # oxigraph: `oxigraph load`
    timings: list[Timing] = field(default_factory=list)
    keep_answers_s: float | None = None  # natokg: `natokg load --answers` between the two starts (--keep-answers)
    keep_answers_lines: list[str] = field(default_factory=list)  # what it said of each named query


# --- processes ---------------------------------------------------------------------------------------------------

def tree(pid: int) -> list[int]:
    """`pid` and all its descendants."""
    found = [pid]
    for child in _children(pid):
        found += tree(child)
    return found


def _children(pid: int) -> list[int]:
    try:
        return [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def pss_mb(pid: int) -> tuple[float, int]:
    """The PSS of the process tree in MB (10^6 bytes), and how many processes it counts."""
    total, count = 0, 0
    for member in tree(pid):
        try:
            for line in Path(f"/proc/{member}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])  # kB
                    count += 1
                    break
        except OSError:
            continue
    return total * 1024 / 1e6, count


@contextmanager
def launched(command: list[str], *, env: dict[str, str] | None = None, log: Path, cwd: Path = PROJECT) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(command, env={**os.environ, **(env or {})}, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    try:
        yield process
    finally:
        stop(process, grace=30)


def until_ok(url: str, process: subprocess.Popen[bytes], started: float, deadline: float) -> float:
    """Seconds from `started` to the first 200 from `url`."""
    while time.monotonic() - started < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{process.args} exited with {process.returncode} before answering")
        try:
            if httpx.get(url, timeout=5).status_code == 200:
                return time.monotonic() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.02)
    raise TimeoutError(f"{url} not answering within {deadline} s")


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- requests ----------------------------------------------------------------------------------------------------

Call = tuple[str, str, str, dict[str, str] | None]  # name, URL, Accept, query parameters


def timed(client: httpx.Client, name: str, url: str, accept: str, *, requests: int, budget: float,
          params: dict[str, str] | None = None) -> Timing:
    """`requests` sequential GETs (fewer when they exceed `budget` seconds in all): p50 and p99 in ms."""
    return _timing(name, *_gets(client, [(url, params)] * requests, accept, budget=budget))


def _gets(client: httpx.Client, calls: list[tuple[str, dict[str, str] | None]], accept: str, *,
          budget: float) -> tuple[list[float], dict[str, int], int, bool]:
    """One GET per call (url, params), in turn, until they exceed `budget` seconds in all: the time of each in ms, the
    statuses counted, the size of the last 200's body and whether an answer was cut (X-Natokg-Truncated)."""
    took: list[float] = []
    statuses: dict[str, int] = {}
    spent = time.monotonic()
    answer_bytes, cut = 0, False
    for url, params in calls:
        started = time.perf_counter()
        try:
            response = client.get(url, params=params, headers={"Accept": accept})
            status = str(response.status_code)
            if response.status_code == 200:
                answer_bytes, cut = len(response.content), response.headers.get("x-natokg-truncated") == "true" or cut
        except httpx.HTTPError as error:
            status = type(error).__name__
        took.append((time.perf_counter() - started) * 1000)
        statuses[status] = statuses.get(status, 0) + 1
        if time.monotonic() - spent > budget:
            break
    return took, statuses, answer_bytes, cut


def _timing(name: str, took: list[float], statuses: dict[str, int], answer_bytes: int, cut: bool) -> Timing:
    ordered = sorted(took)
    p99 = ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]
    errors = sum(n for s, n in statuses.items() if s != "200")
    return Timing(name, len(took), errors, statistics.median(ordered), p99, statuses, answer_bytes, cut)


def timed_days(client: httpx.Client, name: str, calls: list[tuple[str, dict[str, str]]], accept: str, *,
               budget: float) -> Timing:
    """One GET per call (url, params), each a day no request asked before, so each is a first request: p50 and p99
    in ms over them (fewer when they exceed `budget` seconds in all); `first_ms` the first of them."""
    took, statuses, answer_bytes, cut = _gets(client, list(calls), accept, budget=budget)
    timing = _timing(name, took, statuses, answer_bytes, cut)
    timing.first_ms, timing.first_status = took[0], next(iter(statuses))
    return timing


# The named queries that ask about a day, each asked on days no other request asks (SAMPLES' is 2000-01-01): what a
# client moving the map's slider waits for, as no answer kept before can serve it.
NEW_DAYS = [f"{year}-07-01" for year in range(1990, 2026)]
DAY_QUERIES = ("partners-on-date", "members-on-date")


def new_day_calls(base: str, *, oxigraph: bool) -> dict[str, list[tuple[str, dict[str, str]]]]:
    """{timing name: [(url, params) for each of NEW_DAYS]}, natokg's named query or Oxigraph's /query of its text."""
    out = {}
    for name in DAY_QUERIES:
        query = LIBRARY[name]
        out[f"query {name} (new days)"] = [
            (f"{base}/query", {"query": bound(query.text, query.bind({"date": day}, iri_base="https://w3id.org/natokg/id/"))})
            if oxigraph else (f"{base}/api/queries/{name}", {"date": day}) for day in NEW_DAYS]
    return out


def natokg_requests(base: str) -> list[Call]:
    calls = [(name, f"{base}{path}", accept, None) for name, (path, accept) in ROUTES.items()]
    calls += [(name, f"{base}/sparql", JSON if not name.endswith("describe") else "text/turtle", {"query": text})
              for name, text in SPARQL.items()]
    return calls


def named_texts() -> dict[str, str]:
    """The named queries of QUERY_PARAMS as natokg runs them (parameters bound as in app.sparql.rewrite.bound)."""
    out = {}
    for name, params in QUERY_PARAMS.items():
        query = LIBRARY[name]
        out[f"query {name}"] = bound(query.text, query.bind(params, iri_base="https://w3id.org/natokg/id/"))
    return out


def oxigraph_requests(base: str) -> list[Call]:
    calls = [(name, f"{base}/query", JSON if not name.endswith("describe") else "text/turtle", {"query": text})
             for name, text in SPARQL.items()]
    return calls + [(name, f"{base}/query", ACCEPT[name.removeprefix("query ")], {"query": text})
                    for name, text in named_texts().items()]


def warm_and_time(pid: int, calls: list[Call], args: argparse.Namespace,
                  days: dict[str, list[tuple[str, dict[str, str]]]]) -> tuple[float, float, int, list[Timing]]:
    with httpx.Client(timeout=args.request_timeout) as client:
        first: dict[str, Timing] = {}
        for _ in range(args.warmup):
            for name, url, accept, params in calls:
                once = timed(client, name, url, accept, requests=1, budget=args.route_seconds, params=params)
                first.setdefault(name, once)
        after_warmup, processes = pss_mb(pid)
        timings = []
        for name, url, accept, params in calls:
            timing = timed(client, name, url, accept, requests=args.requests, budget=args.route_seconds, params=params)
            if name in first:
                timing.first_ms, timing.first_status = first[name].p50_ms, next(iter(first[name].statuses))
            print(f"    {name:<28} n={timing.requests:<3} p50 {timing.p50_ms:9.1f} ms  p99 {timing.p99_ms:9.1f} ms  "
                  f"{timing.answer_bytes / 1000:9.1f} kB{' cut' if timing.cut else ''}  {timing.statuses}", flush=True)
            timings.append(timing)
        for name, each in days.items():
            timing = timed_days(client, name, each, JSON, budget=args.route_seconds)
            print(f"    {name:<28} n={timing.requests:<3} p50 {timing.p50_ms:9.1f} ms  p99 {timing.p99_ms:9.1f} ms  "
                  f"{timing.statuses}", flush=True)
            timings.append(timing)
        after_requests, processes = pss_mb(pid)
    return after_warmup, after_requests, processes, timings


# --- one size ----------------------------------------------------------------------------------------------------

def root_of(size: int, workdir: Path) -> Path:
    root = workdir / f"root-{size}"
    marker = root / ".generated"
    if not marker.exists():
        print(f"generating {size} triples in {root}", flush=True)
        generate(root, PROJECT, size)
        marker.write_text("done")
    copy_project(root, PROJECT)  # the queries and data of this checkout, not those of the run that generated it
    return root


def run_natokg(size: int, root: Path, workdir: Path, args: argparse.Namespace) -> Result:
    cache = workdir / f"cache-{size}"
    shutil.rmtree(cache, ignore_errors=True)
    env = {"NATOKG_ROOT": str(root), "NATOKG_CACHE_DIR": str(cache), "NATOKG_VALIDATE_ON_START": "false",
           "NATOKG_STORE": "disk"}  # what this run measures, at any size
    if args.processes:
        env["NATOKG_PROCESSES"] = str(args.processes)
    starts: list[float] = []
    result: Result | None = None
    kept_s: float | None = None
    kept_lines: list[str] = []
    for attempt in ("first", "second"):
        if attempt == "second" and args.keep_answers:  # what an operator who asks for it runs before serving
            started = time.monotonic()
            done = subprocess.run([*NATOKG, "load", "--answers"], env={**os.environ, **env}, cwd=PROJECT,
                                  capture_output=True, text=True, check=True)
            kept_s = time.monotonic() - started
            kept_lines = [line.removeprefix("natokg:   ") for line in done.stdout.splitlines() if line.startswith("natokg:   ")]
            print(f"  natokg load --answers {kept_s:.1f} s: {sum(', kept' in line for line in kept_lines)} kept", flush=True)
        port = free_port()
        log = workdir / f"natokg-{size}-{attempt}.log"
        started = time.monotonic()
        with launched([*NATOKG, "serve", "--port", str(port)], env=env, log=log) as process:
            starts.append(until_ok(f"http://127.0.0.1:{port}/health", process, started, args.start_deadline))
            line = next((s for s in log.read_text(errors="replace").splitlines() if s.startswith("natokg: store")), "")
            print(f"  natokg {attempt} start-up {starts[-1]:.2f} s: {line}", flush=True)
            if attempt == "second":
                triples = httpx.get(f"http://127.0.0.1:{port}/health").json()["triples"]
                warm, after, processes, timings = warm_and_time(process.pid, natokg_requests(f"http://127.0.0.1:{port}"), args,
                                                               new_day_calls(f"http://127.0.0.1:{port}", oxigraph=False))
                result = Result("natokg", size, triples, starts[0], starts[1], warm, after, processes, line, None, timings,
                                kept_s, kept_lines)
    assert result is not None
    return result


def run_oxigraph(size: int, root: Path, workdir: Path, args: argparse.Namespace) -> Result:
    """Oxigraph's own server over the quads natokg serves (read from natokg's store, derived triples included)."""
    [store_dir] = [p for p in (workdir / f"cache-{size}").glob("store-*") if p.is_dir() and ".building-" not in p.name]
    dump = workdir / f"natokg-{size}.nq"
    ox.Store.read_only(str(store_dir)).dump(str(dump), format=ox.RdfFormat.N_QUADS)
    location = workdir / f"oxigraph-{size}"
    shutil.rmtree(location, ignore_errors=True)
    oxigraph = shutil.which("oxigraph") or "oxigraph"
    started = time.monotonic()
    subprocess.run([oxigraph, "load", "--location", str(location), "--file", str(dump)], check=True, capture_output=True)
    load_s = time.monotonic() - started
    port = free_port()
    started = time.monotonic()
    ask = f"http://127.0.0.1:{port}/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"
    with launched([oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                  log=workdir / f"oxigraph-{size}.log") as process:
        start = until_ok(ask, process, started, args.start_deadline)
        print(f"  oxigraph load {load_s:.1f} s, start-up {start:.2f} s", flush=True)
        warm, after, processes, timings = warm_and_time(process.pid, oxigraph_requests(f"http://127.0.0.1:{port}"), args,
                                                       new_day_calls(f"http://127.0.0.1:{port}", oxigraph=True))
    triples = sum(1 for _ in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
    dump.unlink()
    return Result("oxigraph", size, triples, None, start, warm, after, processes, "", load_s, timings)


# --- report ------------------------------------------------------------------------------------------------------

def table(results: list[Result]) -> str:
    lines = ["| size | target | triples served | first start s | second start s | PSS after warm-up MB "
             "| PSS after requests MB | processes |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        first = f"{r.first_start_s:.2f}" if r.first_start_s is not None else f"(load {r.load_s:.1f})"
        lines.append(f"| {r.size:,} | {r.target} | {r.triples:,} | {first} | {r.second_start_s:.2f} | "
                     f"{r.pss_after_warmup_mb:.0f} | {r.pss_after_requests_mb:.0f} | {r.processes} |")
    lines += ["", "| size | request | natokg first ms | natokg p50 ms | natokg p99 ms | n | answer kB | oxigraph p50 ms "
              "| oxigraph p99 ms | answer kB |",
              "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for size in dict.fromkeys(r.size for r in results):
        ours = next((r for r in results if r.size == size and r.target == "natokg"), None)
        theirs = {t.name: t for r in results if r.size == size and r.target == "oxigraph" for t in r.timings}
        for t in ours.timings if ours else []:
            o = theirs.get(t.name)
            failed = f" ({t.errors} not 200: {t.statuses})" if t.errors else ""
            other = f"{o.p50_ms:.1f} | {o.p99_ms:.1f} | {o.answer_bytes / 1000:.1f}" if o else "- | - | -"
            ours_kb = f"{t.answer_bytes / 1000:.1f}{' (cut)' if t.cut else ''}"
            first = "-" if t.first_ms is None else f"{t.first_ms:.1f}{'' if t.first_status == '200' else f' ({t.first_status})'}"
            lines.append(f"| {size:,} | {t.name}{failed} | {first} | {t.p50_ms:.1f} | {t.p99_ms:.1f} | {t.requests} | {ours_kb} "
                         f"| {other} |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, nargs="+", default=[1_000_000], help="sizes to generate (triples before derivation)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/natokg-scale"), help="generated roots, stores (kept between runs)")
    parser.add_argument("--requests", type=int, default=50, help="timed requests per route")
    parser.add_argument("--route-seconds", type=float, default=60.0, help="time budget per route (fewer requests past it)")
    parser.add_argument("--warmup", type=int, default=2, help="unrecorded passes over every route before the PSS and timings")
    parser.add_argument("--request-timeout", type=float, default=120.0)
    parser.add_argument("--start-deadline", type=float, default=3600.0)
    parser.add_argument("--processes", type=int, help="NATOKG_PROCESSES (default natokg's own: one per CPU)")
    parser.add_argument("--no-oxigraph", action="store_true")
    parser.add_argument("--keep-answers", action="store_true",
                        help="run `natokg load --answers` between natokg's two starts (the named queries' slow answers kept ahead)")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    # natokg's modules byte-compiled first, as `pip install` does (and as Python does on first import unless
    # PYTHONDONTWRITEBYTECODE is set, as it is on some machines): a start-up that compiled them would measure that.
    compileall.compile_dir(PROJECT / "app", quiet=1)
    results: list[Result] = []
    for size in args.triples:
        root = root_of(size, args.workdir)
        print(f"size {size}", flush=True)
        results.append(run_natokg(size, root, args.workdir, args))
        if not args.no_oxigraph:
            results.append(run_oxigraph(size, root, args.workdir, args))
    machine = f"{os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}"
    when = datetime.now(UTC).isoformat(timespec="seconds")
    output = args.output or PROJECT / "bench" / "results" / f"scale-{when[:10]}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"date": when, "machine": machine, "results": [asdict(r) for r in results]}, indent=2))
    print()
    print(f"{when}, {machine}")
    print()
    print(table(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
