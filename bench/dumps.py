"""Whole-graph downloads at scale: the dumps, the graph store's default graph and the VoID description of
`natokg serve`, against `oxigraph serve-read-only`'s `GET /store?default` on the same triples.

Run after bench/scale.py with the same `--workdir`: it serves the roots, on-disk stores and Oxigraph stores
that run left there (a size without them is generated and built first). For each size it measures, on a
second start of natokg (the store reused), with the dumps and VoID statistics an earlier run may have kept
removed first:

* each download's first request (which writes natokg's file) and a second one, seconds and megabytes, the
  body read to its end by the client;
* the PSS of the whole process tree before the downloads and after them.

    python3 bench/dumps.py --triples 1000000 5000000 --workdir /tmp/natokg-scale

JSON goes to bench/results/dumps-<date>.json (not committed); a Markdown table to stdout.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from scale import NATOKG, PROJECT, free_port, launched, pss_mb, root_of, until_ok

DOWNLOADS = {  # name -> (path, Accept)
    "dump natokg.nt": ("/dumps/natokg.nt", "application/n-triples"),
    "dump natokg.ttl": ("/dumps/natokg.ttl", "text/turtle"),
    "dump natokg.jsonld": ("/dumps/natokg.jsonld", "application/ld+json"),
    "graph store ?default (Turtle)": ("/rdf-graph-store?default", "text/turtle"),
    "VoID (Turtle)": ("/.well-known/void", "text/turtle"),
}
OXIGRAPH = {  # the same downloads where Oxigraph server has them
    "dump natokg.nt": ("/store?default", "application/n-triples"),
    "dump natokg.ttl": ("/store?default", "text/turtle"),
    "graph store ?default (Turtle)": ("/store?default", "text/turtle"),
}


@dataclass
class Download:
    name: str
    status: list[int] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)  # the first request, then the second
    megabytes: float = 0.0


@dataclass
class Run:
    target: str
    size: int
    pss_before_mb: float
    pss_after_mb: float
    downloads: list[Download]


def fetch(client: httpx.Client, name: str, url: str, accept: str) -> Download:
    download = Download(name)
    for _ in range(2):
        started = time.perf_counter()
        size = 0
        try:
            with client.stream("GET", url, headers={"Accept": accept}) as response:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                download.status.append(response.status_code)
        except httpx.HTTPError:
            download.status.append(0)
        download.seconds.append(time.perf_counter() - started)
        download.megabytes = size / 1e6
    print(f"    {name:<32} {download.status} first {download.seconds[0]:8.2f} s  second {download.seconds[1]:8.2f} s  "
          f"{download.megabytes:9.1f} MB", flush=True)
    return download


def measure(target: str, size: int, pid: int, base: str, downloads: dict[str, tuple[str, str]], timeout: float) -> Run:
    before, _ = pss_mb(pid)
    with httpx.Client(timeout=timeout) as client:
        done = [fetch(client, name, f"{base}{path}", accept) for name, (path, accept) in downloads.items()]
    after, _ = pss_mb(pid)
    print(f"  {target} {size}: PSS {before:.0f} -> {after:.0f} MB", flush=True)
    return Run(target, size, before, after, done)


def run_natokg(size: int, workdir: Path, args: argparse.Namespace) -> Run:
    root, cache = root_of(size, workdir), workdir / f"cache-{size}"
    env = {"NATOKG_ROOT": str(root), "NATOKG_CACHE_DIR": str(cache), "NATOKG_VALIDATE_ON_START": "false", "NATOKG_STORE": "disk"}
    log = workdir / f"natokg-{size}-dumps.log"
    port = free_port()
    with launched([*NATOKG, "serve", "--port", str(port)], env=env, log=log) as process:  # builds the store if no run left one
        until_ok(f"http://127.0.0.1:{port}/health", process, time.monotonic(), args.start_deadline)
    for kept in cache.glob("store-*/derived"):  # what an earlier run wrote: this one times writing it
        shutil.rmtree(kept)
    port = free_port()
    with launched([*NATOKG, "serve", "--port", str(port)], env=env, log=log) as process:
        until_ok(f"http://127.0.0.1:{port}/health", process, time.monotonic(), args.start_deadline)
        return measure("natokg", size, process.pid, f"http://127.0.0.1:{port}", DOWNLOADS, args.request_timeout)


def run_oxigraph(size: int, workdir: Path, args: argparse.Namespace) -> Run | None:
    location = workdir / f"oxigraph-{size}"
    if not location.exists():
        print(f"  no {location}: run bench/scale.py first for Oxigraph's side", flush=True)
        return None
    port = free_port()
    oxigraph = shutil.which("oxigraph") or "oxigraph"
    with launched([oxigraph, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                  log=workdir / f"oxigraph-{size}-dumps.log") as process:
        until_ok(f"http://127.0.0.1:{port}/query?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D", process, time.monotonic(), args.start_deadline)
        return measure("oxigraph", size, process.pid, f"http://127.0.0.1:{port}", OXIGRAPH, args.request_timeout)


def table(runs: list[Run]) -> str:
    lines = ["| size | download | natokg first s | natokg second s | MB | oxigraph first s | oxigraph second s | MB |",
             "|---:|---|---:|---:|---:|---:|---:|---:|"]
    for size in dict.fromkeys(r.size for r in runs):
        ours = next(r for r in runs if r.size == size and r.target == "natokg")
        theirs = {d.name: d for r in runs if r.size == size and r.target == "oxigraph" for d in r.downloads}
        for d in ours.downloads:
            o = theirs.get(d.name)
            other = f"{o.seconds[0]:.2f} | {o.seconds[1]:.2f} | {o.megabytes:.1f}" if o else "- | - | -"
            failed = "" if set(d.status) == {200} else f" ({d.status})"
            lines.append(f"| {size:,} | {d.name}{failed} | {d.seconds[0]:.2f} | {d.seconds[1]:.2f} | {d.megabytes:.1f} | {other} |")
        for r in (r for r in runs if r.size == size):
            lines.append(f"| {size:,} | PSS of {r.target}'s process tree before / after, MB | {r.pss_before_mb:.0f} | "
                         f"{r.pss_after_mb:.0f} | | | | |")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/natokg-scale"))
    parser.add_argument("--request-timeout", type=float, default=600.0)
    parser.add_argument("--start-deadline", type=float, default=3600.0)
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()
    runs: list[Run] = []
    for size in args.triples:
        print(f"size {size}", flush=True)
        runs.append(run_natokg(size, args.workdir, args))
        oxigraph = run_oxigraph(size, args.workdir, args)
        if oxigraph is not None:
            runs.append(oxigraph)
    machine = f"{os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, {platform.platform()}"
    when = datetime.now(UTC).isoformat(timespec="seconds")
    output = args.output or PROJECT / "bench" / "results" / f"dumps-{when[:10]}.json"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps({"date": when, "machine": machine, "runs": [asdict(r) for r in runs]}, indent=2))
    print(f"\n{when}, {machine}\n\n{table(runs)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
