"""The list index: the memberships, suspensions, countries and labels of the graph in SQLite, so that the REST lists
of members, partners and countries filter, count and page at the cost of their answer, not of the graph, and a
search reads the labels that contain its text (a trigram index) rather than every label in every process.

A list over the triple store joins five to nine patterns per membership before it can count them: at a
million triples on disk, 45,000 partnerships take a second or more per pass, whatever the page. The index
holds one row per membership with everything a list filters or orders by (member, organisation, role,
recorded start and the four as-of bounds derived by queries/derive-time-bounds.rq), clustered in the
partners list's order, so a count is one pass over a B-tree range and a page stops at its last row.

It also keeps, whole, what every REST answer or unfiltered list would otherwise read from the store at the
cost of a seek per term (10-20 us each on disk): the rows of `api-provenance` (the sources of every fact),
the unfiltered rows of the other `api-{kind}-list` queries in their order, the memberships counted by
organisation, role and partnership, in all and held on each day (a framework's 45,000 partnerships at a million
triples are otherwise counted one by one, 9 ms), and the countries that ever took part in each organisation or role.
And it answers the named query `partners-on-date` whole, on any day (`partner_rows`, `ListIndex.partners_on_date`):
as SPARQL the store reads every partner role to choose a day's (9 s at 5M triples), and no kept answer serves a day
nobody asked before; only for the query's shipped text (`PARTNERS_ON_DATE_DIGEST`) and a graph of the shape its SQL
takes as given (`_partner_intervals`), compared row for row in `tests/store/test_partners_on_date_index.py`.

It is built once from the store with the rows of four named queries (`index-memberships`, `index-suspensions`,
`index-countries`, `index-labels`) and, when the data root has theirs, the parts kept whole (the other lists by their
queries); the rows of the index's queries and of the sources and memberships are read by scanning the predicates
those queries read (app.store.scans), tested equal to the queries' rows: beside an on-disk store
(`lists.sqlite` in its folder, written before the folder is renamed into place, so it switches with the
store) or, for an in-memory store, in memory at start-up.
Each process opens its own read-only connection, as a serving process starts or on first use (a SQLite connection
must not cross a fork).

The rows it gives are those of `queries/api-{members,partners,countries}-list.rq` (and of the queries it keeps
whole), which a remote store still runs: the same filters, the same order, the same as-of rule applied to the same bounds (only the
comparison is written again here, in SQL). `tests/store/test_list_index.py` compares both on every day a
fact of the shipped data begins or ends, and the remote contract tests compare the REST answers.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..core.settings import CANONICAL_ID_BASE
from ..core.text import normalise
from ..core.vocab import NKG
from ..sparql.results import BOOLEAN, IRI, LANG_STRING, STRING, TYPED
from . import scans
from .handle import ProcessLock

FILE = "lists.sqlite"
VERSION = 14  # of the schema below: part of the store's key
QUERIES = ("index-memberships", "index-suspensions", "index-countries", "index-labels")  # read by app.store.scans; tested equal
PROVENANCE = "api-provenance"
PROVENANCE_COLUMNS = ("fact", "source", "url", "title", "passage", "quote")
MEMBERSHIPS = "api-memberships"
MEMBERSHIP_COLUMNS = ("membership", "member", "organization", "role", "start", "startNotBefore", "startNotAfter",
                      "startUnknown", "end", "endNotBefore", "endNotAfter", "endUnknown", "ongoingAsOf")
_IRI_COLUMNS = frozenset({"membership", "member", "organization", "role"})
INDEXED_LISTS = ("members", "partners", "countries")  # the lists the memberships and countries tables answer
# The named query the index answers whole on any day (`ListIndex.partners_on_date`), when its text is this one (the
# SHA-256 of queries/partners-on-date.rq with its IRIs under the canonical base): the SQL below is written for it.
PARTNERS_ON_DATE = "partners-on-date"
PARTNERS_ON_DATE_DIGEST = "030e8d05d0b96ad3965d4d3961f476b34800e13605e86d029fb690bb43f45f24"
PARTNERS_ON_DATE_COLUMNS = ("membership", "country", "iso", "label", "framework", "role", "start", "end", "certain", "suspended")
# the kind of term of each column of `ListIndex.partners_on_date`'s rows (app.sparql.results.write_plain)
PARTNERS_ON_DATE_KINDS = (IRI, IRI, STRING, LANG_STRING, IRI, IRI, TYPED, TYPED, BOOLEAN, STRING)


def list_query(name: str) -> str | None:
    """The kind of a list query whose whole answer the index keeps (`api-summits-list` -> `summits`), else None."""
    if name.startswith("api-") and name.endswith("-list") and name[4:-5] not in INDEXED_LISTS:
        return name[4:-5]
    return None
XSD_BOOLEAN = ox.NamedNode("http://www.w3.org/2001/XMLSchema#boolean")
XSD_STRING = ox.NamedNode("http://www.w3.org/2001/XMLSchema#string")
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
TRUE, FALSE = ox.Literal("true", datatype=XSD_BOOLEAN), ox.Literal("false", datatype=XSD_BOOLEAN)


def answers_partners_on_date(text: str, id_base: str) -> bool:
    """Whether `text` (as the query library holds it, under `id_base`) is the `partners-on-date` the index answers."""
    canonical = text.replace(f"<{id_base}", f"<{CANONICAL_ID_BASE}")
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest() == PARTNERS_ON_DATE_DIGEST


def partner_roles(id_base: str) -> tuple[str, str]:
    """The roles a partner holds in a partnership framework (as `partners-on-date.rq` and `api-partners-list.rq`
    name them)."""
    return f"{id_base}role/partner", f"{id_base}role/enhanced-opportunities-partner"


SCHEMA = """
CREATE TABLE terms (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE);  -- numbered in the IRIs' order
CREATE TABLE memberships (
    organization INTEGER NOT NULL, member INTEGER NOT NULL, membership INTEGER NOT NULL,
    seq INTEGER NOT NULL,  -- the row's number: a membership with two recorded starts has two rows, as in SPARQL
    role INTEGER NOT NULL, partnership INTEGER NOT NULL, country INTEGER NOT NULL, start TEXT,
    es INTEGER, ls INTEGER, ee INTEGER, le INTEGER,  -- earliest start, latest start, earliest end, latest end: YYYYMMDD
    PRIMARY KEY (organization, member, membership, seq)
) WITHOUT ROWID;
CREATE TABLE suspensions (
    membership INTEGER NOT NULL, suspension INTEGER NOT NULL, seq INTEGER NOT NULL,
    es INTEGER, ls INTEGER, ee INTEGER, le INTEGER,
    PRIMARY KEY (membership, suspension, seq)
) WITHOUT ROWID;
CREATE TABLE countries (id INTEGER PRIMARY KEY, iso TEXT);  -- iso: its nkg:isoCode
CREATE TABLE labels (
    id INTEGER PRIMARY KEY, item INTEGER NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL,
    property TEXT NOT NULL, lang TEXT NOT NULL, text TEXT NOT NULL, normal TEXT NOT NULL  -- normal: core.text.normalise
);
CREATE TABLE label_kinds (kind TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE VIRTUAL TABLE labels_text USING fts5(normal, content='labels', content_rowid='id', tokenize='trigram');
-- the memberships counted by what the unfiltered lists of members and partners count by
CREATE TABLE membership_groups (
    organization INTEGER NOT NULL, role INTEGER NOT NULL, partnership INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (organization, role, partnership)
) WITHOUT ROWID;
-- the same groups' memberships counted by day: `n` rows of the group have their `edge` (0: the first day held, 1: the
-- first day no longer held) on `day` or before, held possibly (`certain` 0) or certainly (1) by the as-of rule (HELD
-- below, and CERTAIN); so a group's rows held on D are n(edge 0, D) - n(edge 1, D), two seeks whatever its size
CREATE TABLE membership_edges (
    organization INTEGER NOT NULL, role INTEGER NOT NULL, partnership INTEGER NOT NULL,
    certain INTEGER NOT NULL, edge INTEGER NOT NULL, day INTEGER NOT NULL, n INTEGER NOT NULL,
    PRIMARY KEY (organization, role, partnership, certain, edge, day)
) WITHOUT ROWID;
-- the countries that ever took part in an organisation, in a role, or both (NULL: any), counted
CREATE TABLE country_counts (organization INTEGER, role INTEGER, n INTEGER NOT NULL);
-- the rows of api-provenance.rq by fact
CREATE TABLE provenance (
    fact INTEGER NOT NULL, seq INTEGER NOT NULL, source TEXT NOT NULL, url TEXT, title TEXT, passage TEXT, quote TEXT,
    PRIMARY KEY (fact, seq)
) WITHOUT ROWID;
CREATE TABLE membership_rows (  -- the rows of api-memberships.rq without a day, by membership and in its order
    membership INTEGER NOT NULL, seq INTEGER NOT NULL, member INTEGER NOT NULL, organization TEXT NOT NULL, role TEXT NOT NULL,
    start TEXT, startNotBefore TEXT, startNotAfter TEXT, startUnknown TEXT,
    "end" TEXT, endNotBefore TEXT, endNotAfter TEXT, endUnknown TEXT, ongoingAsOf TEXT,
    PRIMARY KEY (membership, seq)
) WITHOUT ROWID;
-- the rows of partners-on-date.rq but for the day: a partner role in a framework of a member with an ISO code, its
-- as-of bounds and, a row per value as its OPTIONAL gives them, the start and end of its intervals (a datatype, an IRI's
-- number, beside each), with the IRIs it sends; clustered in the query's order, so that a day's rows are read in order
-- and the first `limit` of them end the read
CREATE TABLE partner_rows (
    organization INTEGER NOT NULL, iso TEXT NOT NULL, membership INTEGER NOT NULL, seq INTEGER NOT NULL,
    role INTEGER NOT NULL, member INTEGER NOT NULL, membership_iri TEXT NOT NULL, member_iri TEXT NOT NULL,
    es INTEGER, ls INTEGER, ee INTEGER, le INTEGER, start TEXT, start_type INTEGER, "end" TEXT, end_type INTEGER,
    PRIMARY KEY (organization, iso, membership, seq)
) WITHOUT ROWID;
-- the rows of the other api-{kind}-list.rq without a filter, in their order
CREATE TABLE list_items (list TEXT NOT NULL, position INTEGER NOT NULL, item INTEGER NOT NULL, PRIMARY KEY (list, position))
    WITHOUT ROWID;
CREATE TABLE parts (part TEXT PRIMARY KEY) WITHOUT ROWID;  -- the optional parts built: "provenance", "list summits", ...
"""
# the secondary indexes, made once their tables are filled (sorting each once rather than keeping it in order row by row)
INDEXES = """
CREATE INDEX memberships_by_member ON memberships (member);
CREATE INDEX memberships_by_role ON memberships (role, member);
-- covering: a resource's labels are read from the index alone (the map's 16,295 partners at 5M triples: 0.29 s
-- instead of 0.49 warm, 0.35 instead of 2.3 s with a cold page cache, for 13% more file)
CREATE INDEX labels_by_item ON labels (item, property, lang, text);
CREATE INDEX labels_by_kind ON labels (kind, key);
CREATE INDEX membership_rows_by_member ON membership_rows (member);
"""
# A new index file is renamed into place only once complete (app.store.disk): no rollback journal and no sync at
# each commit while it is written (one fsync at the end), and a page cache that holds its tables as they fill
# (SQLite's default of 2 MB rewrites the same pages over and over once they outgrow it)
BUILDING = "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA cache_size = -524288;"
CHUNK = 500  # IRIs asked in one statement
TRIGRAM = 3  # the shortest query the trigram index answers; a shorter one reads every label


def day_number(value: str | None) -> int | None:
    """A day `YYYY-MM-DD` as the integer YYYYMMDD, which orders days as xsd:date does (years 1000-9999)."""
    return None if value is None else int(value[:4] + value[5:7] + value[8:10])


def build(store: ox.Store, queries: Mapping[str, str], target: Path | None = None, *, id_base: str,
          store_path: Path | None = None) -> sqlite3.Connection:
    """Read the index out of `store` into `target` (a new file), or into memory when `target` is None; the
    connection, open for reading. The rows of the named queries of `QUERIES`, `api-provenance` and
    `api-memberships` are read by scanning the predicates they read (app.store.scans; `queries` says which
    optional parts to build), the other lists by their queries in `queries` (name -> text). The labels are those
    of the IRIs under `id_base`, each filed under its kind and key (`{id_base}{kind}/{key}`).

    IRIs are numbered in their order (the order SPARQL sorts them in) and days written as integers, so a row
    is a few dozen bytes and a count reads little.

    With `store_path` (the folder of `store`, complete and flushed), a second process opens it read-only and reads
    the rows that do not share the memberships' scans (`side_rows`) while this one scans the memberships: reading
    is bound by Python's lock (each term read becomes a Python object), so two processes read in about half the time."""
    side = _SideReader(store_path, id_base, PROVENANCE in queries) if store_path is not None else None
    try:
        memberships, details, lists, intervals = _membership_rows(store, queries, id_base)
        suspensions, countries, labels, provenance = (side.rows() if side is not None
                                                      else side_rows(store, id_base, PROVENANCE in queries))
    finally:
        if side is not None:
            side.close()
    named: set[str] = {str(iri) for row in memberships for iri in row[:4]}
    named |= {str(row[0]) for row in provenance} | {str(iri) for items in lists.values() for iri in items}
    named |= {str(iri) for row in details for iri in row[:2]}
    named |= {str(iri) for row in suspensions for iri in row[:2]} | {str(iri) for iri, _ in countries}
    named |= {row[0] for row in labels}
    named |= {row[0] for row in intervals or ()}
    named |= {str(day.datatype.value) for row in intervals or () for day in row[1:] if day is not None}
    iris = sorted(named)
    ids = {iri: number for number, iri in enumerate(iris)}
    db = sqlite3.connect(":memory:" if target is None else str(target))
    if target is not None:
        db.executescript(BUILDING)
    db.executescript(SCHEMA)
    db.executemany("INSERT INTO terms VALUES (?, ?)", enumerate(iris))
    db.executemany("INSERT INTO memberships VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (
        (ids[o], ids[m], ids[ms], seq, ids[r], *rest) for seq, (o, m, ms, r, *rest) in enumerate(memberships)))
    db.executemany("INSERT INTO suspensions VALUES (?, ?, ?, ?, ?, ?, ?)", (
        (ids[ms], ids[sp], seq, *bounds) for seq, (ms, sp, *bounds) in enumerate(suspensions)))
    db.executemany("INSERT OR IGNORE INTO countries VALUES (?, ?)", ((ids[str(c)], iso) for c, iso in countries))
    db.executemany("INSERT INTO labels (item, kind, key, property, lang, text, normal) VALUES (?, ?, ?, ?, ?, ?, ?)", (
        (ids[item], *item[len(id_base):].partition("/")[::2], *rest) for item, *rest in labels))
    db.execute("INSERT INTO label_kinds SELECT DISTINCT kind FROM labels")
    db.execute("INSERT INTO membership_groups SELECT organization, role, partnership, COUNT(*) FROM memberships "
               "GROUP BY organization, role, partnership")
    db.execute(EDGES)
    db.execute(COUNTRY_COUNTS)
    if PROVENANCE in queries:
        db.executemany("INSERT INTO provenance VALUES (?, ?, ?, ?, ?, ?, ?)",
                       ((ids[str(fact)], seq, *rest) for seq, (fact, *rest) in enumerate(provenance)))
        db.execute("INSERT INTO parts VALUES ('provenance')")
    if MEMBERSHIPS in queries:
        db.executemany(f"INSERT INTO membership_rows VALUES ({', '.join('?' * (len(MEMBERSHIP_COLUMNS) + 1))})",
                       ((ids[str(ms)], seq, ids[str(member)], *rest) for seq, (ms, member, *rest) in enumerate(details)))
        db.execute("INSERT INTO parts VALUES ('memberships')")
    for kind, items in lists.items():
        db.executemany("INSERT INTO list_items VALUES (?, ?, ?)", ((kind, n, ids[str(iri)]) for n, iri in enumerate(items)))
        db.execute("INSERT INTO parts VALUES (?)", (f"list {kind}",))
    if intervals is not None:
        db.execute('CREATE TEMP TABLE intervals (membership INTEGER NOT NULL, start TEXT, start_type INTEGER, "end" TEXT, '
                   'end_type INTEGER)')
        db.executemany("INSERT INTO intervals VALUES (?, ?, ?, ?, ?)", (
            (ids[membership], *(value for day in (start, end) for value in
                                ((None, None) if day is None else (day.value, ids[day.datatype.value]))))
            for membership, start, end in intervals))
        db.execute("CREATE INDEX temp.intervals_by_membership ON intervals (membership)")
        roles = [ids[role] for role in partner_roles(id_base) if role in ids]
        db.execute(PARTNER_ROWS.format(roles=", ".join(str(role) for role in roles) or "NULL"))
        db.execute("DROP TABLE temp.intervals")
        db.execute("INSERT INTO parts VALUES (?)", (PARTNERS_ON_DATE,))
    db.executescript(INDEXES)
    db.execute("INSERT INTO labels_text (labels_text) VALUES ('rebuild')")
    db.execute("ANALYZE")
    db.commit()
    if target is not None:
        with target.open("rb") as written:
            os.fsync(written.fileno())  # on disk before the store that holds it is renamed into place
    return db


Intervals = list[tuple[str, ox.Literal | None, ox.Literal | None]]


def _membership_rows(store: ox.Store, queries: Mapping[str, str], id_base: str) -> tuple[
        list[tuple[Any, ...]], list[scans.Row], dict[str, list[str | None]], Intervals | None]:
    """The index's memberships, the memberships' dates (when `api-memberships` is in `queries`), the whole of the
    other lists (by their queries in `queries`) and the partner roles' intervals (`_partner_intervals`).

    The memberships, their dates and the intervals are read by scanning the predicates their queries read
    (app.store.scans), in the queries' order; they share most of them."""
    scan = scans.Scanner(store)
    memberships: list[tuple[Any, ...]] = [
        (organization, member, membership, role, int(framework is not None), int(country is not None), start,
         *(day_number(day) for day in days))
        for membership, member, organization, role, framework, country, start, *days in scans.index_membership_rows(scan)]
    details = scans.membership_rows(scan) if MEMBERSHIPS in queries else []  # in the query's order
    intervals = _partner_intervals(scan, memberships, queries, id_base)
    scan.clear()
    lists = {kind: [None if s["item"] is None else str(s["item"].value) for s in store.query(text)]  # type: ignore[union-attr]
             for name, text in queries.items() if (kind := list_query(name)) is not None}
    return memberships, details, lists, intervals


def _partner_intervals(scan: scans.Scanner, memberships: list[tuple[Any, ...]], queries: Mapping[str, str],
                       id_base: str) -> Intervals | None:
    """The intervals of the partner roles in partnership frameworks as `partners-on-date` reads them
    (app.store.scans.interval_rows), when the index can answer that query on any day (`ListIndex.partners_on_date`);
    None when it cannot: `queries` holds another text or none, or the graph leaves what that SQL takes as given:
    one value at most of each as-of bound per partner role, one ISO code (a plain string) per country, only on
    countries and only on IRIs under `id_base` (whose labels the index holds), dates that are typed literals."""
    text = queries.get(PARTNERS_ON_DATE)
    if text is None or not answers_partners_on_date(text, id_base):
        return None
    countries = set(scan.subjects(NKG + "Country"))
    for country, codes in scan.objects(NKG + "isoCode").items():
        if (country not in countries or not str(country.value).startswith(id_base) or len(codes) != 1
                or not isinstance(codes[0], ox.Literal) or codes[0].datatype != XSD_STRING):
            return None
    roles = set(partner_roles(id_base))
    partners = {row[2] for row in memberships if row[4] == 1 and row[3] in roles}
    for values in (scan.objects(bound) for bound in scans.BOUNDS):
        if any(len(days) > 1 and str(subject.value) in partners for subject, days in values.items()):
            return None
    rows = scans.interval_rows(scan, partners)
    if any(not isinstance(day, ox.Literal) or day.language is not None for row in rows for day in row[1:] if day is not None):
        return None
    return rows  # literals, as just checked


SideRows = tuple[list[tuple[Any, ...]], list[scans.Row], list[tuple[str, str, str, str, str]], list[scans.Row]]


def side_rows(store: ox.Store, id_base: str, provenance: bool) -> SideRows:
    """The index's rows that share no scan with the memberships, as plain values: suspensions (membership,
    suspension, bounds as days), countries (item, iso), the labels of the IRIs under `id_base` (item, property,
    language, text, its normal form for search) and, if asked, the sources of every fact (`api-provenance`)."""
    suspensions: list[tuple[Any, ...]] = [(membership, suspension, *(day_number(day) for day in days))
                                          for suspension, membership, *days in scans.index_suspension_rows(store)]
    countries = scans.index_country_rows(store)
    labels = [(item, prop, label.language or "", label.value, normalise(label.value))
              for item, prop, label in scans.index_label_rows(store) if item.startswith(id_base)]
    return suspensions, countries, labels, scans.provenance_rows(store) if provenance else []


def _send_side_rows(sender: Connection, store_path: str, id_base: str, provenance: bool) -> None:
    """In the second process of a build: read `side_rows` from the store at `store_path` and send them."""
    try:
        rows: SideRows | BaseException = side_rows(ox.Store.read_only(store_path), id_base, provenance)
    except Exception as error:  # told to the building process, which raises it
        rows = error
    sender.send(rows)
    sender.close()


class _SideReader:
    """`side_rows`, read by a process of its own from a store on disk while the building process reads the rest."""

    def __init__(self, store_path: Path, id_base: str, provenance: bool) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter: the builder's store and threads stay its own
        self._receiver, sender = context.Pipe(duplex=False)
        self._process = context.Process(target=_send_side_rows, args=(sender, str(store_path), id_base, provenance),
                                        name="natokg-index-reader", daemon=True)
        self._process.start()
        sender.close()

    def rows(self) -> SideRows:
        try:
            rows = self._receiver.recv()
        except EOFError:
            raise OSError(f"the process reading the index's labels and sources stopped (exit code {self._process.exitcode})") from None
        if isinstance(rows, BaseException):
            raise rows
        return rows  # type: ignore[no-any-return]

    def close(self) -> None:
        self._receiver.close()
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()


# The as-of rule of data/README.md ("Time") on the bounds of a row aliased `m`: held on :date (certainly or
# possibly), and held certainly. The same comparisons as the `# as-of rule` blocks of queries/api-*-list.rq.
HELD = "(m.es IS NULL OR m.es <= :date) AND (m.le IS NULL OR :date < m.le)"
CERTAIN = "(m.ls IS NOT NULL AND m.ls <= :date AND (m.ee IS NULL OR :date < m.ee))"
SUSPENSION_HELD = "(s.es IS NULL OR s.es <= :date) AND (s.le IS NULL OR :date < s.le)"
SUSPENSION_CERTAIN = "(s.ls IS NOT NULL AND s.ls <= :date AND (s.ee IS NULL OR :date < s.ee))"
# the first rdfs:label of member m in :lang (or a subtag of it), its text and language joined by a NUL (which no label holds)
MEMBER_LABEL = ("(SELECT l.text || char(0) || l.lang FROM labels l WHERE l.item = m.member AND l.property = :label "
                "AND (lower(l.lang) = :lang OR lower(l.lang) LIKE :subtags) ORDER BY l.lang, l.text LIMIT 1)")


# The edges of membership_edges. A row is held on D when a <= D < b (a: its earliest start, or always; b: its latest
# end, or never), certainly so when c <= D < d as well (c: the later of a and its latest start; d: the earlier of b and
# its earliest end). The rows held on D are those with a <= D less those with max(a, b) <= D (an interval that ends before
# it begins counts on neither side); the same for c and d.
EDGES = """
INSERT INTO membership_edges
WITH bounds AS (
    SELECT organization, role, partnership, COALESCE(es, 0) AS a, le AS b,
           CASE WHEN ls IS NOT NULL THEN MAX(COALESCE(es, 0), ls) END AS c,
           CASE WHEN le IS NULL THEN ee WHEN ee IS NULL THEN le ELSE MIN(le, ee) END AS d
    FROM memberships),
edges AS (
    SELECT organization, role, partnership, 0 AS certain, 0 AS edge, a AS day FROM bounds
    UNION ALL SELECT organization, role, partnership, 0, 1, MAX(a, b) FROM bounds WHERE b IS NOT NULL
    UNION ALL SELECT organization, role, partnership, 1, 0, c FROM bounds WHERE c IS NOT NULL
    UNION ALL SELECT organization, role, partnership, 1, 1, MAX(c, d) FROM bounds WHERE c IS NOT NULL AND d IS NOT NULL)
SELECT organization, role, partnership, certain, edge, day,
       SUM(COUNT(*)) OVER (PARTITION BY organization, role, partnership, certain, edge ORDER BY day)
FROM edges GROUP BY organization, role, partnership, certain, edge, day
"""


# The partner roles of partners-on-date.rq's subquery (one row per membership, organisation, member and role: the
# memberships table has one per recorded start as well), of members with an ISO code, each with its intervals
# (a row per value; one unbound row when it has none, as an OPTIONAL leaves it)
PARTNER_ROWS = """
INSERT INTO partner_rows
SELECT m.organization, c.iso, m.membership, ROW_NUMBER() OVER (), m.role, m.member, ms.iri, t.iri, m.es, m.ls, m.ee, m.le,
       i.start, i.start_type, i."end", i.end_type
FROM (SELECT DISTINCT membership, organization, member, role, es, ls, ee, le FROM memberships
      WHERE partnership = 1 AND role IN ({roles})) m
JOIN countries c ON c.id = m.member AND c.iso IS NOT NULL
JOIN terms ms ON ms.id = m.membership JOIN terms t ON t.id = m.member
LEFT JOIN temp.intervals i ON i.membership = m.membership
"""


COUNTRY_COUNTS = """
INSERT INTO country_counts
SELECT organization, role, COUNT(DISTINCT member) FROM memberships WHERE country = 1 GROUP BY organization, role
UNION ALL SELECT organization, NULL, COUNT(DISTINCT member) FROM memberships WHERE country = 1 GROUP BY organization
UNION ALL SELECT NULL, role, COUNT(DISTINCT member) FROM memberships WHERE country = 1 GROUP BY role
"""


def _edge(certain: int, edge: int) -> str:
    """The rows of the group of the `membership_groups` row `m` with `edge` on :date or before."""
    return (f"COALESCE((SELECT e.n FROM membership_edges e WHERE e.organization = m.organization AND e.role = m.role "
            f"AND e.partnership = m.partnership AND e.certain = {certain} AND e.edge = {edge} AND e.day <= :date "
            f"ORDER BY e.day DESC LIMIT 1), 0)")


@dataclass(frozen=True)
class SearchRow:
    """A resource a search found, by its best-matching label: 0 equal to the query, 1 starting with it, 2 containing it."""

    item: str
    kind: str
    key: str
    text: str
    lang: str
    rank: int


@dataclass(frozen=True)
class ListPage:
    """One page of a list and the number of rows of the whole list; rows as SPARQL rows ({variable: term})."""

    total: int
    rows: list[dict[str, Any]]


def _where_in(db: sqlite3.Connection, select: str, column: str, values: list[str]) -> list[tuple[Any, ...]]:
    """The rows of `{select} WHERE {column} IN (values)`, asked `CHUNK` values at a time."""
    rows: list[tuple[Any, ...]] = []
    for at in range(0, len(values), CHUNK):
        chunk = values[at:at + CHUNK]
        rows += db.execute(f"{select} WHERE {column} IN ({', '.join('?' * len(chunk))})", chunk).fetchall()
    return rows


class ListIndex:
    """The index of one store: a file beside an on-disk store, or the image of one built in memory."""

    def __init__(self, *, path: Path | None = None, image: bytes | None = None) -> None:
        assert (path is None) != (image is None), "either a file or an image"
        self.path = path
        self._image = image
        self._db: sqlite3.Connection | None = None
        self._pid = 0
        self._lock = ProcessLock()
        self._several: bool | None = None
        self._kinds: frozenset[str] | None = None
        self._parts: frozenset[str] | None = None

    @classmethod
    def in_memory(cls, store: ox.Store, queries: Mapping[str, str], *, id_base: str) -> ListIndex:
        db = build(store, queries, id_base=id_base)
        try:
            return cls(image=db.serialize())
        finally:
            db.close()

    def _connection(self) -> sqlite3.Connection:
        """This process's connection, opened on first use (never one a parent opened before the fork); called
        with `_lock` held."""
        if self._pid != os.getpid():
            if self.path is not None:
                db = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            else:
                assert self._image is not None
                db = sqlite3.connect(":memory:", check_same_thread=False)
                db.deserialize(self._image)
            self._db, self._pid = db, os.getpid()
        assert self._db is not None
        return self._db

    def open(self) -> None:
        """Open this process's connection now rather than on first use."""
        with self._lock:
            self._connection()

    def _ids(self, db: sqlite3.Connection, iris: Mapping[str, str | None]) -> dict[str, int] | None:
        """The numbers of the IRIs given (None values left out); None when one is not in the index (no row names it)."""
        out = {}
        for name, iri in iris.items():
            if iri is not None:
                found = db.execute("SELECT id FROM terms WHERE iri = ?", (iri,)).fetchone()
                if found is None:
                    return None
                out[name] = found[0]
        return out

    def _page(self, select: str, where: str, order: str, params: dict[str, Any], iris: Mapping[str, str | None], *,
              limit: int, offset: int, count: str = "COUNT(*)", count_from: str | None = None) -> tuple[int, list[tuple[Any, ...]]]:
        """The count of `FROM ... WHERE ...` (`count_from` if the count needs less) and its page, with `iris`
        turned into their numbers as parameters (a list naming an IRI the index lacks is empty)."""
        with self._lock:
            db = self._connection()
            ids = self._ids(db, iris)
            if ids is None:
                return 0, []
            params = {**params, **ids}
            [[total]] = db.execute(f"SELECT {count} {count_from or where}", params).fetchall()
            rows = db.execute(f"SELECT {select} {where} ORDER BY {order} LIMIT :limit OFFSET :offset",
                              {**params, "limit": limit, "offset": offset}).fetchall()
            named = dict(db.execute(f"SELECT id, iri FROM terms WHERE id IN ({', '.join(str(int(r[0])) for r in rows)})"))
        return int(total), [(named[row[0]], *row[1:]) for row in rows]

    def memberships(self, *, partners: bool, organization: str | None, role: str | None, roles: tuple[str, ...] = (),
                    country: str | None = None, year: str | None = None, date: str | None = None,
                    uncertain: bool = False, limit: int, offset: int) -> ListPage:
        """A page of memberships, as `api-partners-list` (`partners`: in partnership frameworks, in the order of
        framework, country, membership) or `api-members-list` (one organisation, in the order of recorded start,
        country, membership) gives them: `role` if given, else any of `roles`; `year` the start's; on `date` those
        held by the as-of rule (the certain ones unless `uncertain`), each with `certain` and `suspended`.

        Only the conditions of the parameters given are written, so that SQLite can use its indexes."""
        params: dict[str, Any] = {"year": year, "date": day_number(date)}
        iris: dict[str, str | None] = {"organization": organization, "country": country, "role": role}
        where = []
        if partners:
            where.append("m.partnership = 1")
        if organization is not None:
            where.append("m.organization = :organization")
        if country is not None:
            where.append("m.member = :country")
        if role is not None:
            where.append("m.role = :role")
        else:
            names = [f"r{i}" for i in range(len(roles))]
            where.append(f"m.role IN (SELECT id FROM terms WHERE iri IN ({', '.join(':' + n for n in names)}))"
                         if names else "0")
            params.update(zip(names, roles, strict=True))
        grouped = " AND ".join(where)  # what membership_groups answers: organisation, role, partnership
        if year is not None:
            where.append("substr(m.start, 1, 4) = :year")
        if date is not None:
            where.append(HELD)
            if not uncertain:
                where.append(CERTAIN)
        condition = " AND ".join(where)
        if date is None:
            joined = f"FROM memberships m WHERE {condition}"
            select = "m.membership, 0, NULL"
        else:
            joined = (f"FROM memberships m LEFT JOIN suspensions s ON s.membership = m.membership AND {SUSPENSION_HELD} "
                      f"WHERE {condition}")
            select = (f"m.membership, {CERTAIN}, CASE WHEN s.membership IS NULL THEN NULL WHEN {SUSPENSION_CERTAIN} "
                      f"THEN 'certain' ELSE 'possible' END")
        order = "m.organization, m.member, m.membership" if partners else "m.start, m.member, m.membership"
        # a membership has a row per suspension held that day, as a solution per suspension in SPARQL; the count
        # reads the suspensions only where some membership has two
        count, count_from = "COUNT(*)", f"FROM memberships m WHERE {condition}"
        if date is not None and self._overlapping():
            count_from = joined
        elif country is None and year is None and date is None:  # by organisation, role and partnership only
            count, count_from = "COALESCE(SUM(m.n), 0)", f"FROM membership_groups m WHERE {grouped}"
        elif country is None and year is None:  # the same, held on a day
            certain = int(not uncertain)
            count, count_from = f"COALESCE(SUM({_edge(certain, 0)} - {_edge(certain, 1)}), 0)", f"FROM membership_groups m WHERE {grouped}"
        total, rows = self._page(select, joined, order, params, iris, limit=limit, offset=offset,
                                 count=count, count_from=count_from)
        out = []
        for membership, certain, suspended in rows:
            row: dict[str, Any] = {"membership": ox.NamedNode(membership), "certain": TRUE if certain else FALSE}
            if suspended is not None:
                row["suspended"] = ox.Literal(suspended)
            out.append(row)
        return ListPage(total, out)

    def partner_counts(self, date: str, roles: tuple[str, ...]) -> dict[str, tuple[int, int]]:
        """{framework IRI: (rows of `partners-on-date` on `date` in it, of which certain)}: the partner `roles` of
        countries held that day by the as-of rule, a row per suspension held that day as there (the home page)."""
        names = [f"r{i}" for i in range(len(roles))]
        with self._lock:
            rows = self._connection().execute(
                f"SELECT o.iri, COUNT(*), SUM({CERTAIN}) FROM memberships m JOIN terms o ON o.id = m.organization "
                f"LEFT JOIN suspensions s ON s.membership = m.membership AND {SUSPENSION_HELD} "
                f"WHERE m.partnership = 1 AND m.country = 1 AND {HELD} "
                f"AND m.role IN (SELECT id FROM terms WHERE iri IN ({', '.join(':' + n for n in names) or 'NULL'})) "
                f"GROUP BY m.organization", {"date": day_number(date), **dict(zip(names, roles, strict=True))}).fetchall()
        return {iri: (int(total), int(certain)) for iri, total, certain in rows}

    def _in_organization(self, db: sqlite3.Connection, organization: str | None, params: dict[str, Any]) -> str | None:
        """The condition on `m.organization` of a day's partners (its number added to `params`): none for any
        organisation, None when the index names no such organisation (the answer is empty)."""
        if organization is None:
            return ""
        ids = self._ids(db, {"organization": organization})
        if ids is None:
            return None
        params.update(ids)
        return "AND m.organization = :organization "

    def partners_on(self, date: str, roles: tuple[str, ...], *, organization: str | None, lang: str) -> list[dict[str, Any]]:
        """The rows of `partners-on-date` on `date` (in `organization` only, when given) that the map draws: country,
        iso, label (an rdfs:label in `lang`), framework, certain and suspended, in the order of framework and ISO code."""
        names = [f"r{i}" for i in range(len(roles))]
        params: dict[str, Any] = {"date": day_number(date), "lang": lang.lower(), "subtags": lang.lower() + "-%",
                                  "label": RDFS_LABEL, **dict(zip(names, roles, strict=True))}
        with self._lock:
            db = self._connection()
            where = self._in_organization(db, organization, params)
            if where is None:
                return []
            rows = db.execute(
                f"SELECT o.iri, t.iri, c.iso, {CERTAIN}, CASE WHEN s.membership IS NULL THEN NULL WHEN {SUSPENSION_CERTAIN} "
                f"THEN 'certain' ELSE 'possible' END, "
                f"{MEMBER_LABEL} "
                f"FROM memberships m JOIN countries c ON c.id = m.member AND c.iso IS NOT NULL "
                f"JOIN terms o ON o.id = m.organization JOIN terms t ON t.id = m.member "
                f"LEFT JOIN suspensions s ON s.membership = m.membership AND {SUSPENSION_HELD} "
                f"WHERE m.partnership = 1 AND {HELD} {where}"
                f"AND m.role IN (SELECT id FROM terms WHERE iri IN ({', '.join(':' + n for n in names) or 'NULL'})) "
                f"ORDER BY m.organization, c.iso", params).fetchall()
        out = []
        for framework, country, iso, certain, suspended, label in rows:
            row: dict[str, Any] = {"framework": ox.NamedNode(framework), "country": ox.NamedNode(country), "iso": ox.Literal(iso),
                                   "certain": TRUE if certain else FALSE}
            if suspended is not None:
                row["suspended"] = ox.Literal(suspended)
            if label is not None:  # its text and language, joined by a NUL (which no label holds)
                text, _, language = label.partition("\0")
                row["label"] = ox.Literal(text, language=language)
            out.append(row)
        return out

    def partners_on_date(self, date: str, *, organization: str | None, lang: str | None, limit: int) -> list[list[Any]] | None:
        """The first `limit` rows of `partners-on-date` on `date` (in `organization` only, when given), labels in
        `lang` (none when None, as LANGMATCHES with an unbound range), in its order (framework, then ISO code), as lists
        of plain values in its columns' order, each of its column's kind (`PARTNERS_ON_DATE_KINDS`; None: unbound);
        None when the index was built without them (`_partner_intervals`).

        The same joins as the query, each a row per value as there: the partner roles held that day by the as-of
        rule, each with its intervals' start and end (an OPTIONAL: `partner_rows`), its suspensions held that day (an
        OPTIONAL), its country's ISO code and its rdfs:labels whose language LANGMATCHES `lang` (an OPTIONAL). The
        rows are read in the query's order and the read stops at the `limit`th."""
        if not self.has(PARTNERS_ON_DATE):
            return None
        params: dict[str, Any] = {"date": day_number(date), "lang": lang and lang.lower(), "subtags": lang and lang.lower() + "-%",
                                  "label": RDFS_LABEL, "limit": limit}
        with self._lock:
            db = self._connection()
            where = self._in_organization(db, organization, params)
            if where is None:
                return []
            rows = db.execute(
                f"SELECT m.membership_iri, m.member_iri, m.iso, l.text, l.lang, m.organization, m.role, m.start, m.start_type, "
                f"m.\"end\", m.end_type, {CERTAIN}, "
                f"CASE WHEN s.membership IS NULL THEN NULL WHEN {SUSPENSION_CERTAIN} THEN 'certain' ELSE 'possible' END "
                f"FROM partner_rows m "
                f"LEFT JOIN suspensions s ON s.membership = m.membership AND {SUSPENSION_HELD} "
                f"LEFT JOIN labels l ON l.item = m.member AND l.property = :label "
                f"AND (lower(l.lang) = :lang OR lower(l.lang) LIKE :subtags) "
                f"WHERE {HELD} {where}ORDER BY m.organization, m.iso LIMIT :limit", params).fetchall()
            # the few frameworks, roles and datatypes, named once
            few = {n for row in rows for n in (row[5], row[6], row[8], row[10]) if n is not None}
            iris = dict(db.execute(f"SELECT id, iri FROM terms WHERE id IN ({', '.join(str(int(n)) for n in few)})"))
        return [[membership, country, iso, None if text is None else (text, language), iris[framework], iris[role],
                 None if start is None else (start, iris[start_type]), None if end is None else (end, iris[end_type]),
                 bool(certain), suspended]
                for (membership, country, iso, text, language, framework, role, start, start_type, end, end_type, certain,
                     suspended) in rows]

    def _overlapping(self) -> bool:
        """Whether a membership has more than one suspension (then one may give it two rows on a day)."""
        if self._several is None:
            with self._lock:
                self._several = self._connection().execute(
                    "SELECT EXISTS (SELECT 1 FROM suspensions GROUP BY membership HAVING COUNT(*) > 1)").fetchone()[0] == 1
        return self._several

    def countries(self, *, role: str | None, organization: str | None, limit: int, offset: int) -> ListPage:
        """A page of countries in the order of their IRIs, as `api-countries-list` gives them: with `role` or
        `organization`, those that ever held that role or took part in that organisation."""
        iris = {"role": role, "organization": organization}
        if role is None and organization is None:
            total, rows = self._page("c.id", "FROM countries c", "c.id", {}, iris, limit=limit, offset=offset)
        else:
            where = "FROM memberships m WHERE m.country = 1" + "".join(
                f" AND m.{name} = :{name}" for name, iri in iris.items() if iri is not None)
            # counted when the index was built: at 5M the 227,000 countries of a framework took 70-180 ms to count
            total, rows = self._page("DISTINCT m.member", where, "m.member", {"organization": None, "role": None}, iris,
                                     limit=limit, offset=offset, count="COALESCE(SUM(m.n), 0)",
                                     count_from="FROM country_counts m WHERE m.organization IS :organization AND m.role IS :role")
        return ListPage(total, [{"item": ox.NamedNode(iri)} for (iri,) in rows])

    def has(self, part: str) -> bool:
        """Whether the index keeps an optional part: "provenance", or "list {kind}" (the whole of api-{kind}-list)."""
        if self._parts is None:
            with self._lock:
                self._parts = frozenset(part for (part,) in self._connection().execute("SELECT part FROM parts"))
        return part in self._parts

    def items(self, kind: str, *, limit: int, offset: int) -> ListPage | None:
        """A page of `api-{kind}-list` without filters, in its order, and its count; None when the index lacks the list."""
        if not self.has(f"list {kind}"):
            return None
        with self._lock:
            db = self._connection()
            [[total]] = db.execute("SELECT COUNT(*) FROM list_items WHERE list = ?", (kind,)).fetchall()
            rows = db.execute("SELECT t.iri FROM list_items l JOIN terms t ON t.id = l.item WHERE l.list = ? "
                              "ORDER BY l.position LIMIT ? OFFSET ?", (kind, limit, offset)).fetchall()
        return ListPage(int(total), [{"item": ox.NamedNode(iri)} for (iri,) in rows])

    def sources(self, facts: list[str]) -> list[dict[str, str]] | None:
        """The rows of `api-provenance` for the facts given, as {column: text} (unbound columns absent), in no
        particular order; None when the index lacks them."""
        if not self.has("provenance"):
            return None
        with self._lock:
            rows = _where_in(self._connection(), "SELECT t.iri, p.source, p.url, p.title, p.passage, p.quote "
                             "FROM terms t JOIN provenance p ON p.fact = t.id", "t.iri", facts)
        return [{name: value for name, value in zip(PROVENANCE_COLUMNS, row, strict=True) if value is not None} for row in rows]

    def membership_rows(self, *, memberships: list[str] | None = None, member: str | None = None) -> list[dict[str, Any]] | None:
        """The rows of `api-memberships` without a day for the memberships given or one member's, in the query's
        order, IRIs as named nodes and the rest as their text (REST reads no more of them); None when the index
        lacks them."""
        if not self.has("memberships") or (memberships is None) == (member is None):
            return None
        columns = ", ".join(f'r."{c}"' for c in MEMBERSHIP_COLUMNS[2:])
        select = (f"SELECT r.seq, m.iri, w.iri, {columns} FROM membership_rows r "
                  f"JOIN terms m ON m.id = r.membership JOIN terms w ON w.id = r.member")
        with self._lock:
            found = (_where_in(self._connection(), select, "w.iri", [member]) if member is not None else
                     _where_in(self._connection(), select, "m.iri", memberships or []))
        found.sort()
        return [{name: (ox.NamedNode(value) if name in _IRI_COLUMNS else ox.Literal(value))
                 for name, value in zip(MEMBERSHIP_COLUMNS, row[1:], strict=True) if value is not None} for row in found]

    # --- search ---------------------------------------------------------------------------------------------
    def kinds(self) -> frozenset[str]:
        """The kinds of the labelled resources."""
        if self._kinds is None:
            with self._lock:
                self._kinds = frozenset(kind for (kind,) in self._connection().execute("SELECT kind FROM label_kinds"))
        return self._kinds

    def keys(self, kind: str, *, at_most: int) -> list[str]:
        """The first `at_most` keys of the labelled resources of `kind` (`{id base}{kind}/{key}`, no further `/`), sorted."""
        with self._lock:
            return [key for (key,) in self._connection().execute(
                "SELECT DISTINCT key FROM labels WHERE kind = ? AND instr(key, '/') = 0 ORDER BY key LIMIT ?", (kind, at_most))]

    def search(self, wanted: str, *, lang: str, kind: str | None, limit: int) -> tuple[int, list[SearchRow]]:
        """The resources with a label containing `wanted` (normalised: app.core.text), counted, and the first `limit`
        by their best label: equal before starting with before containing, then shorter, then in `lang`, then by
        IRI; the best label of a resource is the first of its labels in that order (then by property, language, text)."""
        if len(wanted) >= TRIGRAM:
            found = "labels_text f JOIN labels l ON l.id = f.rowid WHERE f.normal LIKE :pattern AND instr(l.normal, :w) > 0"
        else:
            found = "labels l WHERE instr(l.normal, :w) > 0"
        query = f"""
            WITH hits AS (
                SELECT l.item, l.kind, l.key, l.property, l.lang, l.text, length(l.normal) AS size,
                       CASE WHEN l.normal = :w THEN 0 WHEN substr(l.normal, 1, length(:w)) = :w THEN 1 ELSE 2 END AS rank,
                       CASE WHEN lower(l.lang) = :lang THEN 0 ELSE 1 END AS other
                FROM {found} {"AND l.kind = :kind" if kind is not None else ""}),
            best AS (SELECT *, row_number() OVER (PARTITION BY item ORDER BY rank, size, other, property, lang, text) AS n
                     FROM hits)
            SELECT t.iri, b.kind, b.key, b.text, b.lang, b.rank, b.total
            FROM (SELECT *, COUNT(*) OVER () AS total FROM best WHERE n = 1 ORDER BY rank, size, other, item LIMIT :limit) b
            JOIN terms t ON t.id = b.item ORDER BY b.rank, b.size, b.other, b.item"""
        params = {"w": wanted, "pattern": f"%{wanted}%", "lang": lang, "kind": kind, "limit": limit}
        with self._lock:
            rows = self._connection().execute(query, params).fetchall()
        total = rows[0][-1] if rows else 0
        return int(total), [SearchRow(*row[:6]) for row in rows]

    def labels(self, iris: list[str]) -> dict[str, list[tuple[str, str, str]]]:
        """{IRI: its (property, value, language) labels, by property, value and language (as `search-labels.rq` orders
        them, SQLite's binary order of UTF-8 being SPARQL's order of code points)}, for the IRIs given."""
        if not iris:
            return {}
        out: dict[str, list[tuple[str, str, str]]] = {}
        with self._lock:
            rows = self._connection().execute(
                f"SELECT t.iri, l.property, l.text, l.lang FROM terms t JOIN labels l ON l.item = t.id "
                f"WHERE t.iri IN ({', '.join('?' * len(iris))}) ORDER BY l.item, l.property, l.text, l.lang", iris).fetchall()
        for iri, prop, text, lang in rows:
            out.setdefault(iri, []).append((prop, text, lang))
        return out
