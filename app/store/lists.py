"""The list index: the memberships, suspensions and countries of the graph in SQLite, so that the REST lists of
members, partners and countries filter, count and page at the cost of their answer, not of the graph.

A list over the triple store joins five to nine patterns per membership before it can count them: at a
million triples on disk, 45,000 partnerships take a second or more per pass, whatever the page. The index
holds one row per membership with everything a list filters or orders by (member, organisation, role,
recorded start and the four as-of bounds derived by queries/derive-time-bounds.rq), clustered in the
partners list's order, so a count is one pass over a B-tree range and a page stops at its last row.

It is built once from the store by three named queries (`index-memberships`, `index-suspensions`,
`index-countries`): beside an on-disk store (`lists.sqlite` in its folder, written before the folder is
renamed into place, so it switches with the store) or, for an in-memory store, in memory at start-up.
Each process opens its own read-only connection on first use (a SQLite connection must not cross a fork).

The rows it gives are those of `queries/api-{members,partners,countries}-list.rq`, which a remote store still
runs: the same filters, the same order, the same as-of rule applied to the same bounds (only the
comparison is written again here, in SQL). `tests/store/test_list_index.py` compares both on every day a
fact of the shipped data begins or ends, and the remote contract tests compare the REST answers.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

FILE = "lists.sqlite"
VERSION = 1  # of the schema below: part of the store's key
QUERIES = ("index-memberships", "index-suspensions", "index-countries")
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
TRUE, FALSE = ox.Literal("true", datatype=XSD_BOOLEAN), ox.Literal("false", datatype=XSD_BOOLEAN)

SCHEMA = """
CREATE TABLE memberships (
    organization TEXT NOT NULL, member TEXT NOT NULL, membership TEXT NOT NULL, role TEXT NOT NULL,
    seq INTEGER NOT NULL,  -- the row's number: a membership with two recorded starts has two rows, as in SPARQL
    partnership INTEGER NOT NULL, country INTEGER NOT NULL, start TEXT,
    es TEXT, ls TEXT, ee TEXT, le TEXT,  -- earliest start, latest start, earliest end, latest end (YYYY-MM-DD)
    PRIMARY KEY (organization, member, membership, seq)
) WITHOUT ROWID;
CREATE INDEX memberships_by_member ON memberships (member);
CREATE INDEX memberships_by_role ON memberships (role, member);
CREATE TABLE suspensions (
    membership TEXT NOT NULL, suspension TEXT NOT NULL, seq INTEGER NOT NULL, es TEXT, ls TEXT, ee TEXT, le TEXT,
    PRIMARY KEY (membership, suspension, seq)
) WITHOUT ROWID;
CREATE TABLE countries (iri TEXT PRIMARY KEY) WITHOUT ROWID;
"""


def build(store: ox.Store, queries: Mapping[str, str], target: Path | None = None) -> sqlite3.Connection:
    """Read the index out of `store` with the three named queries (name -> text) into `target` (a new file),
    or into memory when `target` is None; the connection, open for reading."""
    db = sqlite3.connect(":memory:" if target is None else str(target))
    db.executescript(SCHEMA)

    def text(term: Any) -> str | None:
        return None if term is None else str(term.value)

    def flag(term: Any) -> int:
        return int(term is not None and term.value in ("true", "1"))

    db.executemany("INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
        (text(s["organization"]), text(s["member"]), text(s["membership"]), text(s["role"]), seq,
         flag(s["partnership"]), flag(s["country"]), text(s["start"]), text(s["earliestStart"]), text(s["latestStart"]),
         text(s["earliestEnd"]), text(s["latestEnd"]))
        for seq, s in enumerate(store.query(queries["index-memberships"]))))  # type: ignore[union-attr]
    db.executemany("INSERT INTO suspensions VALUES (?, ?, ?, ?, ?, ?, ?)", (
        (text(s["membership"]), text(s["suspension"]), seq, text(s["earliestStart"]), text(s["latestStart"]),
         text(s["earliestEnd"]), text(s["latestEnd"]))
        for seq, s in enumerate(store.query(queries["index-suspensions"]))))  # type: ignore[union-attr]
    db.executemany("INSERT OR IGNORE INTO countries VALUES (?)",
                   ((text(s["item"]),) for s in store.query(queries["index-countries"])))  # type: ignore[union-attr]
    db.execute("ANALYZE")
    db.commit()
    return db


# The as-of rule of data/README.md ("Time") on the bounds of a row aliased `m`: held on :date (certainly or
# possibly), and held certainly. The same comparisons as the `# as-of rule` blocks of queries/api-*-list.rq.
HELD = "((m.es IS NULL OR m.es <= :date) AND (m.le IS NULL OR :date < m.le))"
CERTAIN = "(m.ls IS NOT NULL AND m.ls <= :date AND (m.ee IS NULL OR :date < m.ee))"
SUSPENSION_HELD = "((s.es IS NULL OR s.es <= :date) AND (s.le IS NULL OR :date < s.le))"
SUSPENSION_CERTAIN = "(s.ls IS NOT NULL AND s.ls <= :date AND (s.ee IS NULL OR :date < s.ee))"


@dataclass(frozen=True)
class ListPage:
    """One page of a list and the number of rows of the whole list; rows as SPARQL rows ({variable: term})."""

    total: int
    rows: list[dict[str, Any]]


class ListIndex:
    """The index of one store: a file beside an on-disk store, or the image of one built in memory."""

    def __init__(self, *, path: Path | None = None, image: bytes | None = None) -> None:
        assert (path is None) != (image is None), "either a file or an image"
        self.path = path
        self._image = image
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = threading.Lock()

    @classmethod
    def in_memory(cls, store: ox.Store, queries: Mapping[str, str]) -> ListIndex:
        db = build(store, queries)
        try:
            return cls(image=db.serialize())
        finally:
            db.close()

    def _connection(self) -> sqlite3.Connection:
        """This process's connection, opened on first use (never one a parent opened before the fork)."""
        if self._pid != os.getpid():
            self._lock = threading.Lock()
            if self.path is not None:
                db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            else:
                assert self._image is not None
                db = sqlite3.connect(":memory:", check_same_thread=False)
                db.deserialize(self._image)
            self._db, self._pid = db, os.getpid()
        assert self._db is not None
        return self._db

    def _page(self, select: str, where: str, order: str, params: dict[str, Any], *, limit: int, offset: int,
              count: str = "COUNT(*)") -> tuple[int, list[tuple[Any, ...]]]:
        with self._lock:
            db = self._connection()
            [[total]] = db.execute(f"SELECT {count} {where}", params).fetchall()
            rows = db.execute(f"SELECT {select} {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
                              {**params, "limit": limit, "offset": offset}).fetchall()
        return int(total), rows

    def memberships(self, *, partners: bool, organization: str | None, role: str | None, roles: tuple[str, ...] = (),
                    country: str | None = None, year: str | None = None, date: str | None = None,
                    uncertain: bool = False, limit: int, offset: int) -> ListPage:
        """A page of memberships, as `api-partners-list` (`partners`: in partnership frameworks, in the order of
        framework, country, membership) or `api-members-list` (one organisation, in the order of recorded start,
        country, membership) gives them: `role` if given, else any of `roles`; `year` the start's; on `date` those
        held by the as-of rule (the certain ones unless `uncertain`), each with `certain` and `suspended`."""
        params: dict[str, Any] = {"organization": organization, "role": role, "country": country, "year": year, "date": date}
        where = ["(:organization IS NULL OR m.organization = :organization)", "(:country IS NULL OR m.member = :country)",
                 "(:year IS NULL OR substr(m.start, 1, 4) = :year)", f"(:date IS NULL OR {HELD})"]
        if partners:
            where.append("m.partnership = 1")
        if role is not None:
            where.append("m.role = :role")
        else:
            names = [f"r{i}" for i in range(len(roles))]
            params.update(zip(names, roles, strict=True))
            where.append(f"m.role IN ({', '.join(':' + n for n in names)})" if names else "0")
        if date is not None and not uncertain:
            where.append(CERTAIN)
        joined = (f"FROM memberships m LEFT JOIN suspensions s ON s.membership = m.membership AND :date IS NOT NULL "
                  f"AND {SUSPENSION_HELD} WHERE {' AND '.join(where)}")
        select = (f"m.membership, CASE WHEN :date IS NULL THEN 0 ELSE {CERTAIN} END, CASE WHEN s.membership IS NULL "
                  f"THEN NULL WHEN {SUSPENSION_CERTAIN} THEN 'certain' ELSE 'possible' END")
        order = "m.organization, m.member, m.membership" if partners else "m.start, m.member, m.membership"
        total, rows = self._page(select, joined, order, params, limit=limit, offset=offset)
        out = []
        for membership, certain, suspended in rows:
            row: dict[str, Any] = {"membership": ox.NamedNode(membership), "certain": TRUE if certain else FALSE}
            if suspended is not None:
                row["suspended"] = ox.Literal(suspended)
            out.append(row)
        return ListPage(total, out)

    def countries(self, *, role: str | None, organization: str | None, limit: int, offset: int) -> ListPage:
        """A page of countries in the order of their IRIs, as `api-countries-list` gives them: with `role` or
        `organization`, those that ever held that role or took part in that organisation."""
        if role is None and organization is None:
            total, rows = self._page("c.iri", "FROM countries c", "c.iri", {}, limit=limit, offset=offset)
        else:
            where = ("FROM memberships m WHERE m.country = 1 AND (:role IS NULL OR m.role = :role) "
                     "AND (:organization IS NULL OR m.organization = :organization)")
            total, rows = self._page("DISTINCT m.member", where, "m.member", {"role": role, "organization": organization},
                                     limit=limit, offset=offset, count="COUNT(DISTINCT m.member)")
        return ListPage(total, [{"item": ox.NamedNode(iri)} for (iri,) in rows])
