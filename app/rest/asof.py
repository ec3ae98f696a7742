"""Dates recorded at day, month or year precision, and the rule for "held on day D" (as-of lookups).

A recorded date keeps the precision its source gives (xsd:date, xsd:gYearMonth, xsd:gYear). The rule:

* a period starting at "1994" (year precision) has certainly begun only on days in 1995 or later;
  during 1994 it *may* have begun: those days are **uncertain**. Month precision works the same way
  by month ("1995-02" has certainly begun from 1995-03-01).
* an end date is the last day held (inclusive): an end at "2003-12" is certainly still held on days
  before December 2003, uncertain during December 2003, and no longer held from January 2004.
* no start recorded: uncertain unless the end has certainly passed; no end recorded: ongoing.

So a year-only date is never read as 1 January (nor as 31 December).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import Enum


class Held(Enum):
    YES = "yes"
    NO = "no"
    UNCERTAIN = "uncertain"


@dataclass(frozen=True)
class PartialDate:
    """A date known to the day, the month or the year: '1999-03-12', '1995-02' or '1994'."""

    value: str

    @property
    def precision(self) -> str:
        return {10: "day", 7: "month", 4: "year"}.get(len(self.value), "day")

    def _prefix(self, day: date) -> str:
        return day.isoformat()[: len(self.value)]

    def before(self, day: date) -> bool:
        """The whole recorded period lies before `day`."""
        return self._prefix(day) > self.value

    def after(self, day: date) -> bool:
        """The whole recorded period lies after `day`."""
        return self._prefix(day) < self.value

    def contains(self, day: date) -> bool:
        return self._prefix(day) == self.value

    @property
    def year(self) -> int:
        return int(self.value[:4])


def held_on(day: date, start: PartialDate | None, end: PartialDate | None) -> Held:
    """Whether a role recorded from `start` to `end` (inclusive, either possibly missing) was held on `day`."""
    if start is not None and start.after(day):
        return Held.NO
    if end is not None and end.before(day):
        return Held.NO
    started = start is not None and (start.before(day) or (start.precision == "day" and start.contains(day)))
    ongoing = end is None or end.after(day) or (end.precision == "day" and end.contains(day))
    return Held.YES if started and ongoing else Held.UNCERTAIN
