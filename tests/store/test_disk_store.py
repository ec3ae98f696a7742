"""The on-disk store: built once per version of the sources, reused by later starts, switched to a new one
only when a build is complete, and opened read-only by every serving process and query worker."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from app.core.settings import PROJECT_ROOT, Settings
from app.kg.runtime import build_runtime
from app.kg.sources import SourceFileError
from app.store.base import select
from app.store.embedded import EmbeddedStore
from tests.natokg_server import descendants, serving, wait_for

NEW_FACT = '<https://w3id.org/natokg/id/country/FRA> <http://www.w3.org/2000/01/rdf-schema#comment> "added by a test" .\n'
ASK_NEW_FACT = 'SELECT ?c WHERE { <https://w3id.org/natokg/id/country/FRA> <http://www.w3.org/2000/01/rdf-schema#comment> ?c }'



def _settings(root: Path, cache: Path) -> Settings:
    return Settings(root=root, cache_dir=cache, workers=1, validate_on_start=False, store="disk")


def _env(root: Path, cache: Path) -> dict[str, str]:
    return {**os.environ, "NATOKG_ROOT": str(root), "NATOKG_CACHE_DIR": str(cache), "NATOKG_VALIDATE_ON_START": "false",
            "NATOKG_STORE": "disk"}


def _load(root: Path, cache: Path) -> subprocess.CompletedProcess[str]:
    """`natokg load`, as an operator runs it (stderr is not a terminal here: plain progress lines)."""
    return subprocess.run([sys.executable, "-m", "app.cli", "load"], env=_env(root, cache), cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def _stores(cache: Path) -> list[Path]:
    """The complete stores in the cache folder (builds in progress or crashed are named `.building-`)."""
    return sorted(p for p in cache.glob("store-*") if p.is_dir() and ".building-" not in p.name)


def _snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    """Each file of the folder with its size and modification time: any write shows."""
    return {p.name: (p.stat().st_size, p.stat().st_mtime_ns) for p in folder.iterdir()}


@contextlib.contextmanager
def _started(root: Path, cache: Path, settings: Settings | None = None) -> Iterator[EmbeddedStore]:
    """The embedded store of a runtime built as a start builds it, closed when the block ends."""
    runtime = build_runtime(settings or _settings(root, cache))
    try:
        assert isinstance(runtime.store, EmbeddedStore)
        yield runtime.store
    finally:
        runtime.close()


def test_the_first_start_builds_the_store_and_the_next_one_reuses_it(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    with _started(root, cache) as store:
        assert store.origin.startswith("store built") and store.path is not None
        path, triples = store.path, store.triple_count
    assert _stores(cache) == [path]
    before, inode = _snapshot(path), path.stat().st_ino
    with _started(root, cache) as store:
        assert store.origin == f"store reused: {path} ({triples} triples)"
        [row] = select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")  # in a query worker, opened there
        assert int(row["n"].value) == triples
    assert _snapshot(path) == before and path.stat().st_ino == inode, "the store was not rewritten"


def test_a_changed_source_builds_a_new_store_that_answers_the_new_fact(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = _load(root, cache)
    assert first.returncode == 0, first.stderr
    assert "load: 100%" in first.stderr and "optimize: 100%" in first.stderr  # plain progress lines off a terminal
    assert "natokg: store built in" in first.stdout
    [old] = _stores(cache)
    assert str(old) in first.stdout
    again = _load(root, cache)
    assert again.returncode == 0 and f"natokg: store reused: {old}" in again.stdout

    with (root / "data" / "members.ttl").open("a", encoding="utf-8") as data:
        data.write(NEW_FACT)
    changed = _load(root, cache)
    assert changed.returncode == 0, changed.stderr
    [new] = _stores(cache)  # the old one, which no process serves any more, was removed after the switch
    assert new != old and not old.exists()
    with _started(root, cache) as store:
        assert store.origin.startswith(f"store reused: {new}")
        assert [row["c"].value for row in select(store, ASK_NEW_FACT)] == ["added by a test"]


def test_a_build_killed_midway_leaves_the_old_store_in_place(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _load(root, cache).returncode == 0
    [old] = _stores(cache)
    before = _snapshot(old)
    big = root / "data" / "zz-big.ttl"  # long enough to load that the build is caught midway
    with big.open("w", encoding="utf-8") as out:
        for i in range(400_000):
            out.write(f'<https://w3id.org/natokg/id/thing/{i}> <http://www.w3.org/2000/01/rdf-schema#label> "thing {i}" .\n')
    process = subprocess.Popen([sys.executable, "-m", "app.cli", "load"], env=_env(root, cache), cwd=PROJECT_ROOT,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: any(cache.glob("store-*.building-*")), 120, "the build starts")
        process.send_signal(signal.SIGKILL)
    finally:
        process.wait()
    assert process.returncode == -signal.SIGKILL
    assert _stores(cache) == [old] and _snapshot(old) == before, "the killed build switched nothing"

    big.unlink()  # the sources the old store holds: it serves again, and the half-built one is never opened
    with _started(root, cache) as store:
        assert store.path == old
        assert store.origin.startswith("store reused")


def test_a_build_that_fails_leaves_nothing_behind(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _load(root, cache).returncode == 0
    [old] = _stores(cache)
    (root / "data" / "zz-broken.ttl").write_text(NEW_FACT + "<https://w3id.org/natokg/id/x> <http://x/p> .\n", encoding="utf-8")
    with pytest.raises(SourceFileError, match=r"zz-broken\.ttl"):
        build_runtime(_settings(root, cache))
    assert _stores(cache) == [old]
    assert not list(cache.glob("store-*.building-*")), "the failed build's folder is removed"
    failed = _load(root, cache)
    assert failed.returncode == 1 and "zz-broken.ttl" in failed.stderr and "Traceback" not in failed.stderr


def test_serving_processes_and_workers_open_the_store_read_only(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    assert _load(root, cache).returncode == 0
    [path] = _stores(cache)
    before = _snapshot(path)
    with serving("--processes", "2", env=_env(root, cache), log=tmp_path / "serve.log") as served:
        assert f"natokg: store reused: {path} (" in served.output()
        count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"  # a scan: evaluated by a query worker
        for _ in range(4):  # both serving processes, over fresh connections
            with httpx.Client() as client:
                answer = client.get(f"{served.base}/sparql", params={"query": count}, headers={"Accept": "application/sparql-results+json"})
            assert answer.status_code == 200
        refused = httpx.post(f"{served.base}/sparql", data={"update": "INSERT DATA { <http://x/s> <http://x/p> <http://x/o> }"})
        assert refused.status_code == 400
        holders = _holders(served.process.pid, path)
        assert holders & served.workers(), "query workers opened the store themselves"
        assert served.process.pid not in holders, "the parent never opens the database: each process opens its own after the fork"
        for pid in holders:
            for fd in _fds_into(pid, path):
                assert _access_mode(pid, fd) == os.O_RDONLY, f"process {pid} holds {os.readlink(f'/proc/{pid}/fd/{fd}')} writable"
    time.sleep(0.2)
    assert _snapshot(path) == before, "serving wrote nothing into the store"


def _fds_into(pid: int, folder: Path) -> list[int]:
    found = []
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target == str(folder) or target.startswith(f"{folder}/"):
            found.append(int(fd.name))
    return found


def _holders(parent: int, folder: Path) -> set[int]:
    """The processes of the tree that hold a file of the store open (not just the folder's lock)."""
    return {pid for pid in {parent, *descendants(parent)} if any(
        os.readlink(f"/proc/{pid}/fd/{fd}") != str(folder) for fd in _fds_into(pid, folder))}


def _access_mode(pid: int, fd: int) -> int:
    flags = next(line for line in Path(f"/proc/{pid}/fdinfo/{fd}").read_text().splitlines() if line.startswith("flags:"))
    return int(flags.split()[1], 8) & os.O_ACCMODE


def test_auto_keeps_small_sources_in_memory_and_large_ones_on_disk(root: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    small = Settings(root=root, cache_dir=cache, workers=1, validate_on_start=False, store="auto")
    with _started(root, cache, small) as store:
        assert store.path is None and store.origin == "loaded into memory"
    assert _stores(cache) == []
    large = small.model_copy(update={"memory_max_bytes": 0})  # every source is larger than that
    with _started(root, cache, large) as store:
        assert store.path is not None and store.origin.startswith("store built")
        assert select(store, ASK_NEW_FACT) == []  # it answers
    assert len(_stores(cache)) == 1
    loaded = subprocess.run([sys.executable, "-m", "app.cli", "load", "--answers"], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=300, check=False, env={**_env(root, tmp_path / "other"), "NATOKG_STORE": "auto"})
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded into memory" in loaded.stdout and "NATOKG_STORE=disk keeps a store on disk" in loaded.stdout
    assert "a store in memory keeps no files beside it" in loaded.stdout
