"""The time checks of `natokg stats`: day-precise dates that no quote states, and open periods that say nothing.

A day-precise date of a fact should be stated by one of the passages the fact is derived from, in
any usual English or French form ("24 August 1949", "August 24, 1949", "24 Aug. 1949", "1949-08-24",
"24/08/1949", "24 août 1949", "1er août", "10-11 January 1994"...), or the fact carries an
`nkg:dateNote` saying why not. An open period must say whether it is ongoing as of a source's date
or ended on a day nobody gives (data/README.md, "Time").
"""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

MONTHS = {
    "january": 1, "jan": 1, "janvier": 1, "janv": 1,
    "february": 2, "feb": 2, "fevrier": 2, "fevr": 2, "fev": 2,
    "march": 3, "mar": 3, "mars": 3,
    "april": 4, "apr": 4, "avril": 4, "avr": 4,
    "may": 5, "mai": 5,
    "june": 6, "jun": 6, "juin": 6,
    "july": 7, "jul": 7, "juillet": 7, "juil": 7,
    "august": 8, "aug": 8, "aout": 8,
    "september": 9, "sep": 9, "sept": 9, "septembre": 9,
    "october": 10, "oct": 10, "octobre": 10,
    "november": 11, "nov": 11, "novembre": 11,
    "december": 12, "dec": 12, "decembre": 12,
}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_ORDINAL = r"(?:st|nd|rd|th|er)?"
_DAY_MONTH = re.compile(  # 24 August, 24th of August, 10-11 January, 1er aout
    rf"\b(\d{{1,2}}){_ORDINAL}(?:\s*(?:-|–|and|et|to|au)\s*(\d{{1,2}}){_ORDINAL})?\s+(?:of\s+)?({_MONTH})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}){_ORDINAL}(?:\s*(?:-|–|and|to)\s*(\d{{1,2}}){_ORDINAL})?\b")  # August 24
_NUMERIC = re.compile(r"\b(\d{1,2})[./](\d{1,2})[./](\d{4})\b")  # 24/08/1949, 24.8.1949, 8/24/1949
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")


def _normal(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().replace(".", " ").replace("\u00a0", " ")


def days_stated(text: str) -> set[date]:
    """Every day the text states in full, with its year given in the same text when it is not beside the day."""
    normal = _normal(text)
    years = {int(y) for y in re.findall(r"\b(1[89]\d\d|20\d\d)\b", normal)}
    found: set[date] = set()

    def add(year: int, month: int, day: int) -> None:
        with contextlib.suppress(ValueError):
            found.add(date(year, month, day))

    for match in _DAY_MONTH.finditer(normal):
        for day in filter(None, (match[1], match[2])):
            for year in years:
                add(year, MONTHS[match[3]], int(day))
    for match in _MONTH_DAY.finditer(normal):
        for day in filter(None, (match[2], match[3])):
            for year in years:
                add(year, MONTHS[match[1]], int(day))
    for match in _NUMERIC.finditer(text):
        add(int(match[3]), int(match[2]), int(match[1]))
        add(int(match[3]), int(match[1]), int(match[2]))
    for match in _ISO.finditer(text):
        add(int(match[1]), int(match[2]), int(match[3]))
    return found


@dataclass(frozen=True)
class UnstatedDay:
    fact: str
    day: str


def unstated_days(rows: list[dict[str, Any]]) -> tuple[int, int, list[UnstatedDay]]:
    """From the rows of `check-stated-days.rq`: (day-precise dates, of them explained by a date note, unexplained ones)."""
    quotes: dict[tuple[str, str], list[str]] = defaultdict(list)
    noted: set[str] = set()
    for row in rows:
        key = (row["fact"].value, row["day"].value)
        quotes[key]
        if "quote" in row:
            quotes[key].append(row["quote"].value)
        if "note" in row:
            noted.add(row["fact"].value)
    unexplained = []
    explained_by_note = 0
    for (fact, day), texts in sorted(quotes.items()):
        wanted = date.fromisoformat(day)
        if any(wanted in days_stated(text) for text in texts):
            continue
        if fact in noted:
            explained_by_note += 1
            continue
        unexplained.append(UnstatedDay(fact, day))
    return len(quotes), explained_by_note, unexplained
