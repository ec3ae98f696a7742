"""The rows of the named queries read whole when the list index is built, by scanning their predicates.

`api-provenance.rq` and `api-memberships.rq` are written for REST, with the facts or memberships of one answer
bound: the store then follows a few links per row. Asked for every row at once, the engine follows the same
links one seek at a time for every fact (at 5M triples on disk: about 170 s, against 80 s scanned); so does it
for the index's own queries (`index-*.rq`: every membership's bounds, suspensions, countries, labels). Here each
predicate they read is scanned once, in the store's order, and the rows are joined in memory, with the same
patterns, OPTIONALs and multiplicities as the queries (a value missing from an OPTIONAL leaves its column
unbound; two values make two rows). `tests/store/test_list_index.py` compares both with the queries' rows.

Values are their text (`term.value`), as the index keeps them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from itertools import product
from typing import Any

import pyoxigraph as ox

from ..core.text import sparql_order
from ..core.vocab import NKG, ORG, RDF, RDFS, SKOS, TIME

PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA_URL = "https://schema.org/url"
DCTERMS_TITLE = "http://purl.org/dc/terms/title"
Row = tuple[str | None, ...]
Term = Any  # a pyoxigraph term: subjects and objects of the default graph
_NONE: tuple[None] = (None,)


class Scanner:
    """The predicates and classes of one store, each scanned once while it is kept: {subject: its objects}, in the
    store's order, and a class's subjects (the index's memberships, the memberships' dates and the partner roles'
    intervals read mostly the same ones)."""

    def __init__(self, store: ox.Store) -> None:
        self.store = store
        self._objects: dict[str, dict[Term, list[Term]]] = {}
        self._subjects: dict[str, list[Term]] = {}

    def objects(self, predicate: str) -> dict[Term, list[Term]]:
        """{subject: its objects} of one predicate in the default graph."""
        if predicate not in self._objects:
            out: dict[Term, list[Term]] = defaultdict(list)
            for quad in self.store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph()):
                out[quad.subject].append(quad.object)
            self._objects[predicate] = out
        return self._objects[predicate]

    def subjects(self, cls: str) -> list[Term]:
        """The subjects of `a cls` in the default graph."""
        if cls not in self._subjects:
            self._subjects[cls] = [quad.subject for quad in self.store.quads_for_pattern(
                None, ox.NamedNode(RDF + "type"), ox.NamedNode(cls), ox.DefaultGraph())]
        return self._subjects[cls]

    def clear(self) -> None:
        self._objects.clear()
        self._subjects.clear()


def _scanner(source: ox.Store | Scanner) -> Scanner:
    return source if isinstance(source, Scanner) else Scanner(source)


def _or_none(values: Iterable[Term] | None) -> tuple[str | None, ...]:
    """The texts of an OPTIONAL's values, or one unbound value when it has none."""
    texts = tuple(value.value for value in values or ())
    return texts or _NONE


def provenance_rows(store: ox.Store | Scanner) -> list[Row]:
    """The rows of `api-provenance.rq` without a bound fact: (fact, source, url, title, passage, quote)."""
    scan = _scanner(store)
    derived = scan.objects(PROV + "wasDerivedFrom")
    has_source = scan.objects(OA + "hasSource")
    selectors = scan.objects(OA + "hasSelector")
    exact = scan.objects(OA + "exact")
    urls, titles = scan.objects(SCHEMA_URL), scan.objects(DCTERMS_TITLE)
    documents = set(scan.subjects(NKG + "SourceDocument"))
    rows: list[Row] = []
    for fact, froms in derived.items():
        for origin in froms:
            found: list[tuple[Term, str | None, str | None]] = []
            # { ?fact prov:wasDerivedFrom ?passage . ?passage oa:hasSource ?source . OPTIONAL { ?passage oa:hasSelector/oa:exact ?quote } }
            for source in has_source.get(origin, ()):
                quotes = [quote.value for selector in selectors.get(origin, ()) for quote in exact.get(selector, ())]
                found += [(source, origin.value, quote) for quote in quotes or _NONE]
            # UNION { ?fact prov:wasDerivedFrom ?source . FILTER EXISTS { ?source a nkg:SourceDocument } }
            if origin in documents:
                found.append((origin, None, None))
            for source, passage, quote in found:  # OPTIONAL { ?source schema:url ?url } OPTIONAL { ?source dcterms:title ?title }
                for url, title in product(_or_none(urls.get(source)), _or_none(titles.get(source))):
                    rows.append((fact.value, source.value, url, title, passage, quote))
    return rows


def membership_rows(store: ox.Store | Scanner) -> list[Row]:
    """The rows of `api-memberships.rq` without a day (membership, member, organization, role, start, startNotBefore,
    startNotAfter, startUnknown, end, endNotBefore, endNotAfter, endUnknown, ongoingAsOf), in its order: by
    membership, member, organisation, role, start and end, unbound first, the dates by their text."""
    scan = _scanner(store)
    memberships = scan.subjects(ORG + "Membership")
    member, organization, role = (scan.objects(ORG + p) for p in ("member", "organization", "role"))
    during = scan.objects(ORG + "memberDuring")
    beginnings, ends = scan.objects(TIME + "hasBeginning"), scan.objects(TIME + "hasEnd")
    dates = [scan.objects(TIME + p) for p in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear")]
    not_before, not_after = scan.objects(NKG + "notBefore"), scan.objects(NKG + "notAfter")
    start_unknown, end_unknown = scan.objects(NKG + "startUnknown"), scan.objects(NKG + "endUnknown")
    ongoing = scan.objects(NKG + "ongoingAsOf")
    bounds = [scan.objects(p) for p in BOUNDS]

    def instants(instants_of: dict[Term, list[Term]], interval: Term) -> list[tuple[str | None, str | None, str | None]]:
        """OPTIONAL { ?interval time:hasBeginning ?begin . ?begin time:inXSDDate|... ?start .
        OPTIONAL { ?begin nkg:notBefore ?nb } OPTIONAL { ?begin nkg:notAfter ?na } } (or hasEnd)."""
        found: list[tuple[str | None, str | None, str | None]] = [(value.value, nb, na) for instant in instants_of.get(interval, ())
                 for values in dates for value in values.get(instant, ())
                 for nb in _or_none(not_before.get(instant)) for na in _or_none(not_after.get(instant))]
        return found or [(None, None, None)]

    rows: list[Row] = []
    for membership in memberships:
        # as-of rule: one OPTIONAL per bound, each a row per value (the day is unbound, so nothing is filtered)
        copies = 1
        for values in bounds:
            copies *= max(1, len(values.get(membership, ())))
        for who, where, what, interval in product(member.get(membership, ()), organization.get(membership, ()),
                                                  role.get(membership, ()), during.get(membership, ())):
            for begin, end, unknown_start, unknown_end, seen in product(
                    instants(beginnings, interval), instants(ends, interval), _or_none(start_unknown.get(interval)),
                    _or_none(end_unknown.get(interval)), _or_none(ongoing.get(interval))):
                row = (membership.value, who.value, where.value, what.value, begin[0], begin[1], begin[2], unknown_start,
                       end[0], end[1], end[2], unknown_end, seen)
                rows.extend([row] * copies)
    rows.sort(key=lambda row: tuple(sparql_order(value) for value in (*row[:4], row[4], row[8])))
    return rows


BOUNDS = tuple(NKG + p for p in ("earliestStart", "latestStart", "earliestEnd", "latestEnd"))


def interval_rows(store: ox.Store | Scanner, memberships: set[str]) -> list[tuple[str, Term | None, Term | None]]:
    """The rows of `partners-on-date.rq`'s OPTIONAL on the intervals of each of `memberships` (IRIs), as
    (membership, start, end) with the dates as terms, None where unbound; a membership without an interval has no row
    (the OPTIONAL leaves both unbound); by membership, start and end:
    OPTIONAL { ?membership org:memberDuring ?interval .
      OPTIONAL { ?interval time:hasBeginning ?beginning OPTIONAL { ?beginning time:inXSDDate|... ?start } }
      OPTIONAL { ?interval time:hasEnd ?ending OPTIONAL { ?ending time:inXSDDate|... ?end } } }"""
    scan = _scanner(store)
    during = scan.objects(ORG + "memberDuring")
    beginnings, ends = scan.objects(TIME + "hasBeginning"), scan.objects(TIME + "hasEnd")
    dates = [scan.objects(TIME + p) for p in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear")]

    def values(instants_of: dict[Term, list[Term]], interval: Term) -> list[Term | None]:
        # OPTIONAL { ?interval time:hasBeginning ?instant OPTIONAL { ?instant time:inXSDDate|... ?date } } (or hasEnd)
        return [value for instant in instants_of.get(interval, ()) for value in _instant_dates(dates, instant)] or [None]

    rows: list[tuple[str, Term | None, Term | None]] = []
    for membership, intervals in during.items():
        if membership.value in memberships:
            for interval in intervals:
                rows += [(membership.value, start, end)
                         for start, end in product(values(beginnings, interval), values(ends, interval))]
    rows.sort(key=lambda row: (row[0], str(row[1]), str(row[2])))  # an order that does not depend on the store's
    return rows


def _instant_dates(dates: list[dict[Term, list[Term]]], instant: Term) -> list[Term | None]:
    """OPTIONAL { ?instant time:inXSDDate|time:inXSDgYearMonth|time:inXSDgYear ?date } (`dates`: the three predicates'
    objects): a row per value, one unbound when it has none."""
    return [value for values in dates for value in values.get(instant, ())] or [None]


def _with_bounds(values: Iterable[Iterable[Term] | None]) -> list[tuple[str | None, ...]]:
    """The as-of rule's four OPTIONALs of one subject, given its values of each bound (`BOUNDS`): a row per
    combination of its values, unbound where it has none."""
    return list(product(*(_or_none(each) for each in values)))


def index_membership_rows(store: ox.Store | Scanner) -> list[Row]:
    """The rows of `index-memberships.rq` (membership, member, organization, role, framework, country, start,
    earliestStart, latestStart, earliestEnd, latestEnd), in its order: by membership, then start (unbound first)."""
    scan = _scanner(store)
    member, organization, role = (scan.objects(ORG + p) for p in ("member", "organization", "role"))
    frameworks = set(scan.subjects(NKG + "PartnershipFramework"))
    countries = set(scan.subjects(NKG + "Country"))
    during = scan.objects(ORG + "memberDuring")
    beginnings = scan.objects(TIME + "hasBeginning")
    dates = [scan.objects(TIME + p) for p in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear")]
    bounds = [scan.objects(p) for p in BOUNDS]
    rows: list[Row] = []
    for membership, organizations in organization.items():
        roles, members = role.get(membership), member.get(membership)
        if not roles or not members:
            continue
        # OPTIONAL { ?membership org:memberDuring/time:hasBeginning ?startInstant OPTIONAL { ?startInstant time:inXSDDate|... ?start } }
        starts = [None if start is None else start.value for interval in during.get(membership, ())
                  for instant in beginnings.get(interval, ()) for start in _instant_dates(dates, instant)] or [None]
        bounded_rows = _with_bounds(values.get(membership) for values in bounds)
        for where, what, who in product(organizations, roles, members):
            framework = where.value if where in frameworks else None
            country = who.value if who in countries else None
            for start, bounded in product(starts, bounded_rows):
                rows.append((membership.value, who.value, where.value, what.value, framework, country, start, *bounded))
    rows.sort(key=lambda row: (row[0], sparql_order(row[6])))
    return rows


def index_suspension_rows(store: ox.Store) -> list[Row]:
    """The rows of `index-suspensions.rq` (suspension, membership, earliestStart, latestStart, earliestEnd, latestEnd),
    in its order: by suspension and membership. (Suspensions are few: their bounds are looked up, not scanned.)"""
    def objects(subject: Term, predicate: str) -> list[Term]:
        return [quad.object for quad in store.quads_for_pattern(subject, ox.NamedNode(predicate), None, ox.DefaultGraph())]

    rows: list[Row] = []
    quad: Any
    for quad in store.quads_for_pattern(None, ox.NamedNode(NKG + "suspends"), None, ox.DefaultGraph()):
        bounded_rows = _with_bounds(objects(quad.subject, p) for p in BOUNDS)
        rows += [(quad.subject.value, quad.object.value, *bounded) for bounded in bounded_rows]
    rows.sort(key=lambda row: (row[0], row[1]))
    return rows


def index_country_rows(store: ox.Store) -> list[Row]:
    """The rows of `index-countries.rq` (item, iso), in its order: by item."""
    scan = Scanner(store)
    iso = scan.objects(NKG + "isoCode")
    rows: list[Row] = [(country.value, code) for country in scan.subjects(NKG + "Country") for code in _or_none(iso.get(country))]
    rows.sort(key=lambda row: row[0] or "")
    return rows


def index_label_rows(store: ox.Store) -> list[tuple[str, str, ox.Literal]]:
    """The rows of `index-labels.rq` (item, property, label): every rdfs:label, skos:prefLabel and skos:altLabel of an
    IRI that is a literal, once (a triple is in the store once), by property in that order, then in the store's order."""
    rows = []
    for predicate in (RDFS + "label", SKOS + "prefLabel", SKOS + "altLabel"):
        for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph()):
            if isinstance(quad.subject, ox.NamedNode) and isinstance(quad.object, ox.Literal):
                rows.append((quad.subject.value, predicate, quad.object))
    return rows
