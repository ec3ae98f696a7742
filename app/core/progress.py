"""A progress bar for long steps of the command line, on stderr: redrawn in place on a terminal, plain
lines otherwise (a log file or CI output gets a readable record, not carriage returns)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
LINE_EVERY = 5.0  # seconds between plain lines within a stage, when not on a terminal


class ProgressBar:
    """Called with (stage, fraction done); draws the stage's bar, or prints a line per stage and every few seconds."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._stage = ""
        self._finished = ""
        self._last = 0.0
        self._started: float | None = None  # the first report, not the bar's making: a step may come first

    def __call__(self, stage: str, done: float) -> None:
        done = min(max(done, 0.0), 1.0)
        if stage == self._finished:
            return  # told again that a finished stage is finished
        now = time.monotonic()
        if self._started is None:
            self._started = now
        elapsed = now - self._started
        if self._tty:
            filled = int(done * WIDTH)
            opening = "\n" if self._stage not in ("", stage) else "\r"  # an unfinished stage keeps its last line
            self._stream.write(f"{opening}{stage:<9} [{'#' * filled}{'.' * (WIDTH - filled)}] {done:6.1%} {elapsed:6.1f} s")
            if done >= 1.0:
                self._stream.write("\n")
        elif stage != self._stage or now - self._last >= LINE_EVERY or done >= 1.0:
            self._stream.write(f"{stage}: {done:.0%} ({elapsed:.1f} s)\n")
            self._last = now
        self._stream.flush()
        self._stage = "" if done >= 1.0 else stage
        if done >= 1.0:
            self._finished = stage
