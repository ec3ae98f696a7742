"""Latency of the REST routes, one client, in process (the app behind Starlette's TestClient, its query
workers real): `python3 bench/rest.py ROOT` on a root written by `bench/generate.py`. Prints, per route,
the first request and the median and worst of six more, in milliseconds. `--cache-dir DIR` serves the
store the settings choose with that cache folder (on disk for a generated million triples), else memory."""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from fastapi.testclient import TestClient
from natokg.core.settings import Settings
from natokg.web.app import create_app

ROUTES = (
    "/api/countries/FRA", "/api/countries/UKR", "/api/partners/UKR", "/api/members/FRA", "/api/frameworks/pfp",
    "/api/members?at=2012-05-20", "/api/countries?limit=20", "/api/countries?limit=50&framework=pfp",
    "/api/partners?framework=pfp&at=1998-01-01&limit=50", "/api/partners?limit=50", "/api/members?limit=50",
    "/api/frameworks?limit=50", "/api/summits?limit=50", "/api/operations?limit=50", "/api/persons?limit=50",
    "/api/sources?limit=50", "/api/contributions?limit=50", "/api/organisations?limit=50", "/api/core-tasks",
    "/api/challenges", "/api/strategic-concepts", "/api/summits/chicago-2012", "/api/operations/kfor",
    "/api/countries?limit=50&offset=20000", "/api/search?q=ukr",
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("root", type=Path)
    parser.add_argument("--repeat", type=int, default=6)
    parser.add_argument("--cache-dir", type=Path, default=None)
    args = parser.parse_args()
    started = time.perf_counter()
    with TestClient(create_app(Settings(root=args.root, validate_on_start=False, cache_dir=args.cache_dir))) as client:
        print(f"started in {time.perf_counter() - started:.1f} s")
        print("| route | status | first ms | p50 ms | max ms |\n|---|---:|---:|---:|---:|")
        for route in ROUTES:
            times = []
            for _ in range(args.repeat + 1):
                began = time.perf_counter()
                status = client.get(route).status_code
                times.append((time.perf_counter() - began) * 1000)
            print(f"| `{route}` | {status} | {times[0]:.0f} | {statistics.median(times[1:]):.0f} | {max(times[1:]):.0f} |", flush=True)


if __name__ == "__main__":
    main()
