"""A pyoxigraph store as each process must hold it: opened in that process, never inherited across a fork.

An in-memory store is plain memory, shared copy-on-write by forked processes. An on-disk store is a
RocksDB database whose handle owns threads, locks and open files: a forked child that used (or even
dropped) its parent's handle could deadlock or corrupt it. So an on-disk store is opened read-only
on first use in each process, and a handle a child inherited is kept unused and undropped until the
process exits (processes here end with `os._exit`, which runs no destructor).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pyoxigraph as ox

_INHERITED: list[ox.Store] = []  # handles opened by a parent process: never used, never dropped


class ProcessLock:
    """A lock of this process: in a process forked while another thread held it (which will never release it
    here), the first use makes a fresh one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pid = os.getpid()

    def __enter__(self) -> ProcessLock:
        if self._pid != os.getpid():
            self._lock, self._pid = threading.Lock(), os.getpid()
        self._lock.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class OpenedStore:
    """The store of this process: the in-memory one given, or the on-disk one at `path` opened read-only here."""

    def __init__(self, *, path: Path | None = None, memory: ox.Store | None = None) -> None:
        assert (path is None) != (memory is None), "either an on-disk path or an in-memory store"
        self.path = path
        self._memory = memory
        self._opened: ox.Store | None = None
        self._pid = 0
        self._lock = ProcessLock()

    def get(self) -> ox.Store:
        """The store, opened read-only on the first call in this process (serving process or query worker)."""
        if self._memory is not None:
            return self._memory
        with self._lock:
            if self._pid != os.getpid():
                if self._opened is not None:
                    _INHERITED.append(self._opened)
                assert self.path is not None
                self._opened = ox.Store.read_only(str(self.path))
                self._pid = os.getpid()
            assert self._opened is not None
            return self._opened

    def release(self) -> None:
        """Close the on-disk store if this process opened it (before a fork, so no child inherits an open handle)."""
        with self._lock:
            if self._opened is not None and self._pid == os.getpid():
                self._opened = None  # the last reference: pyoxigraph closes the database
                self._pid = 0
