"""Counts per key (a client's address) shared by the processes of one server, in memory they all map.

A tally is made before the serving processes are forked, with one row per process. Each process
writes only its own row (`take_row` after the fork), so no lock is needed and a process that dies
holding one (kill -9) blocks nobody: its replacement takes the row over and clears it. Readers add
up the rows; a count read while another process changes its row may be one off for that instant,
which limits meant to hold under load can afford. Keys are hashed into a fixed number of slots: two
addresses that share a slot share a count, which only ever makes a limit stricter.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import weakref
import zlib

SLOTS = 4096
_INT = ctypes.sizeof(ctypes.c_int32)
_tallies: weakref.WeakSet[Tally] = weakref.WeakSet()  # every tally of this process, so that take_row reaches them all
_row = 0  # this process's row in every tally (0 until a forked serving process takes its own)


def take_row(row: int) -> None:
    """Make this process the writer of `row` in every tally, cleared of whatever a dead predecessor left."""
    global _row
    _row = row
    for tally in list(_tallies):
        tally.clear(row)


class Tally:
    """`rows` rows of `SLOTS` counters and a total each, in anonymous shared memory that forked processes inherit."""

    def __init__(self, rows: int = 1) -> None:
        self._width = SLOTS + 1  # the last cell of a row is the row's total
        self._rows = rows
        self._cells = multiprocessing.get_context("fork").RawArray(ctypes.c_int32, rows * self._width)
        _tallies.add(self)

    def clear(self, row: int) -> None:
        if row < self._rows:
            ctypes.memset(ctypes.addressof(self._cells) + row * self._width * _INT, 0, self._width * _INT)

    def _slot(self, key: str) -> int:
        return zlib.crc32(key.encode("utf-8", "replace")) % SLOTS

    def add(self, key: str, amount: int) -> None:
        """Change this process's count for `key` (and its total) by `amount`."""
        base = min(_row, self._rows - 1) * self._width
        self._cells[base + self._slot(key)] += amount
        self._cells[base + SLOTS] += amount

    def count(self, key: str) -> int:
        """The count for `key`, all processes together."""
        slot = self._slot(key)
        return sum(self._cells[row * self._width + slot] for row in range(self._rows))

    def row_total(self, row: int) -> int:
        """Everything one process counted."""
        return int(self._cells[row * self._width + SLOTS]) if row < self._rows else 0

    def total(self) -> int:
        """Everything counted, all processes together."""
        return sum(self._cells[row * self._width + SLOTS] for row in range(self._rows))
