"""On-disk Oxigraph stores, one per content key: built once, then opened read-only by every later start.

Loading a large graph into memory in every process costs tens of seconds at each start and gigabytes
of memory; a RocksDB store on disk is opened in milliseconds at any size and its pages are shared
through the operating system's cache. The layout, in the cache folder:

    store-<key>/                        a complete store: the database, its list index (lists.sqlite) and its
                                        manifest (natokg-store.json); derived/ holds files written from it
                                        later, on first need (the dumps, the VoID statistics: app.linked_data;
                                        slow answers: app.store.answers), removed with it
    store-<key>.building-<pid>-<token>/ a build in progress, or one that crashed: never opened
    store-<key>.lock                    held while <key> is built, so concurrent starts build it once

A build is written under its temporary name and renamed into place only once complete and closed,
so a start sees either the whole store or none, and a crash mid-build leaves the previous store
serving. Every process that serves from a store holds a shared lock on its folder (kept across
forks); a store of the same deployment that no process holds is removed after a new one is in place.
"""

from __future__ import annotations

import contextlib
import fcntl
import gc
import io
import json
import os
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from . import lists

MANIFEST = "natokg-store.json"
DERIVED = "derived"  # the folder, in a store's, of files written from the store after its build
BATCH = 100_000  # quads parsed per bulk insertion: bounds the build's memory and paces its progress
SIDE_READER_BYTES = 8 * 2**20  # documents from this size on have a second process read part of the list index
# (its start, about half a second, is more than a smaller graph's whole index takes)
_HELD: dict[str, int] = {}  # folder -> descriptor holding its shared lock for the life of the process (and its children)

Progress = Callable[[str, float], None]
"""Told (stage, fraction of it done): "load", "optimize", "derive", "optimize" again, "index"."""


class BuildError(Exception):
    """A document does not parse, or the store could not be written: nothing was put in place."""


@dataclass(frozen=True)
class Contents:
    """What a store holds: Turtle documents and the CONSTRUCT queries that derive more triples from them, and the
    named queries its list index is read with (app.store.lists; none: no index).

    `key` names the contents (a digest of everything that decides them); `owner` names the deployment
    (its data root), whose older stores are removed once a newer one is in place.
    """

    key: str
    owner: str
    documents: Callable[[], Iterator[tuple[str, bytes]]]  # (name for messages, Turtle)
    size: int  # bytes of all documents together, for the progress
    derivations: Sequence[str] = ()
    index_queries: Mapping[str, str] = field(default_factory=dict)
    index_base: str = ""  # the IRIs whose labels the index files by kind and key


@dataclass(frozen=True)
class DiskStore:
    """A complete store on disk, and whether this start found it or built it."""

    path: Path
    triples: int
    reused: bool
    seconds: float  # spent finding or building it


def find_or_build(cache_dir: Path, contents: Contents, *, progress: Progress | None = None) -> DiskStore:
    """The complete store for `contents` under `cache_dir`, built (and switched to) if there is none yet.

    :raises BuildError: a document does not parse or the store could not be written.
    """
    started = time.monotonic()
    final = cache_dir / f"store-{contents.key}"
    while True:
        triples = _held(final)
        if triples is not None:
            return DiskStore(final, triples, True, time.monotonic() - started)
        cache_dir.mkdir(parents=True, exist_ok=True)
        with exclusive(cache_dir / f"store-{contents.key}.lock"):
            if _manifest(final) is None:  # nobody built it while this process waited for the lock
                _remove_unheld(cache_dir.glob(f"store-{contents.key}.building-*"))
                _build_into_place(final, contents, progress)
                built = _held(final)
                if built is not None:
                    _remove_unheld(p for p in _stores(cache_dir) if p != final and _owner(p) == contents.owner)
                    return DiskStore(final, built, False, time.monotonic() - started)


def _build_into_place(final: Path, contents: Contents, progress: Progress | None) -> None:
    building = final.with_name(f"{final.name}.building-{os.getpid()}-{secrets.token_hex(4)}")
    building.mkdir()
    guard = os.open(building, os.O_RDONLY)
    fcntl.flock(guard, fcntl.LOCK_EX)  # no other process's clean-up removes a build in progress
    try:
        triples = _build(building, contents, progress or (lambda stage, done: None))
        manifest = {"key": contents.key, "owner": contents.owner, "triples": triples,
                    "built": datetime.now(UTC).isoformat(timespec="seconds"), "pyoxigraph": ox.__version__}
        _write_synced(building / MANIFEST, json.dumps(manifest).encode())
        os.rename(building, final)  # the switch: one step, and only for a complete, closed store
        _sync_folder(final.parent)
    except BaseException:
        shutil.rmtree(building, ignore_errors=True)
        raise
    finally:
        os.close(guard)


def _build(path: Path, contents: Contents, progress: Progress) -> int:
    """Load the documents, add what the derivations derive from them, compact; the triple count."""
    store = ox.Store(str(path))
    try:
        done = 0
        for name, document in contents.documents():
            _load(store, name, document, done, contents.size, progress)
            done += len(document)
        progress("load", 1.0)
        if contents.derivations:
            # The bulk loads left the store in many overlapping files, which every lookup of the derivations reads:
            # at a million triples the three took 16 s one after another, 9 s once compacted (which takes 2.5 s).
            _optimize(store, progress)
        store.bulk_extend(_derive_all(store, contents.derivations, progress))
        _optimize(store, progress)
        if contents.index_queries:
            progress("index", 0.0)
            lists.build(store, contents.index_queries, path / lists.FILE, id_base=contents.index_base,
                        store_path=path if contents.size >= SIDE_READER_BYTES else None).close()
            progress("index", 1.0)
        return len(store)
    except OSError as error:
        raise BuildError(f"could not write the store in {path}: {error}") from error
    finally:
        del store
        gc.collect()  # the database is closed when its last reference goes: before the folder is renamed


def _optimize(store: ox.Store, progress: Progress) -> None:
    progress("optimize", 0.0)
    store.optimize()
    store.flush()
    progress("optimize", 1.0)


def _derive_all(store: ox.Store, derivations: Sequence[str], progress: Progress) -> list[ox.Quad]:
    """What all the derivations derive, each evaluated in a thread of its own: Oxigraph evaluates a query without
    Python's lock, so they share the machine's cores (on the compacted million triples, 9 s one after another, 7 s so).

    The threads are daemons: an interrupted build does not wait for a query to end before the process exits.
    """
    results: list[list[ox.Quad] | BaseException | None] = [None] * len(derivations)
    finished = threading.Semaphore(0)

    def derive(number: int) -> None:
        try:
            results[number] = derived_quads(store, derivations[number])
        except BaseException as error:  # re-raised by the building thread
            results[number] = error
        finally:
            finished.release()

    for number in range(len(derivations)):
        threading.Thread(target=derive, args=(number,), name=f"derive-{number}", daemon=True).start()
    for done in range(len(derivations)):
        finished.acquire()
        progress("derive", (done + 1) / len(derivations))
    derived: list[ox.Quad] = []
    for result in results:
        if isinstance(result, BaseException):
            raise result
        derived.extend(result or ())
    return derived


def derived_quads(store: ox.Store, derivation: str) -> list[ox.Quad]:
    """What one CONSTRUCT of the derivations derives from the loaded documents, as default-graph quads.

    Every derivation is run before any derived quad is added: each reads the documents only, never
    another one's output, so their order does not matter and Oxigraph's plans never see derived triples.
    """
    return [ox.Quad(t.subject, t.predicate, t.object) for t in store.query(derivation)]  # type: ignore[union-attr]


def _load(store: ox.Store, name: str, document: bytes, before: int, size: int, progress: Progress) -> None:
    """Parse one document into the store in batches, telling `progress` the share of all documents read so far."""
    reader = io.BytesIO(document)
    batch: list[ox.Quad] = []
    try:
        for quad in ox.parse(reader, format=ox.RdfFormat.TURTLE):
            batch.append(quad)
            if len(batch) >= BATCH:
                store.bulk_extend(batch)
                batch.clear()
                progress("load", (before + reader.tell()) / max(1, size))
    except SyntaxError as error:
        raise BuildError(f"{name}: {error}") from error
    store.bulk_extend(batch)


def _manifest(path: Path) -> dict[str, object] | None:
    """The manifest of a complete store at `path`, or None (no store, or not one of ours)."""
    try:
        manifest = json.loads((path / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return manifest if isinstance(manifest, dict) else None


def _held(path: Path) -> int | None:
    """Hold a shared lock on the complete store at `path` for the life of this process: its triple count, or None."""
    if _manifest(path) is None:
        return None
    if str(path) not in _HELD:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            return None
        fcntl.flock(fd, fcntl.LOCK_SH)  # waits while a clean-up removes it; then the manifest says whether it is still there
        _HELD[str(path)] = fd
    manifest = _manifest(path)
    if manifest is None:
        os.close(_HELD.pop(str(path)))
        return None
    triples = manifest.get("triples")
    return triples if isinstance(triples, int) else None


def _stores(cache_dir: Path) -> list[Path]:
    return [p for p in cache_dir.glob("store-*") if p.is_dir() and ".building-" not in p.name]


def _owner(path: Path) -> object:
    manifest = _manifest(path)
    return manifest.get("owner") if manifest else None


def _remove_unheld(paths: Iterator[Path] | list[Path]) -> None:
    """Remove each folder no process holds (a store not served, a crashed build); leave the others."""
    for path in list(paths):
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        try:
            shutil.rmtree(path, ignore_errors=True)
        finally:
            os.close(fd)


@contextlib.contextmanager
def exclusive(lock: Path) -> Iterator[None]:
    """Held by one thread of one process at a time: each call opens its own descriptor of `lock` (flock(2))."""
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def partial_file(folder: Path, *, prefix: str = "", suffix: str = "") -> Iterator[Path]:
    """A temporary name in `folder`, `.<prefix><pid>-<token><suffix>`, for a file written whole and then renamed into
    place by the caller, so that a reader sees it whole or not at all; whatever is still under the name at the
    end (a write that failed, or one not renamed) is removed."""
    partial = folder / f".{prefix}{os.getpid()}-{secrets.token_hex(4)}{suffix}"
    try:
        yield partial
    finally:
        partial.unlink(missing_ok=True)


def _write_synced(path: Path, body: bytes) -> None:
    with path.open("wb") as out:
        out.write(body)
        out.flush()
        os.fsync(out.fileno())


def _sync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
