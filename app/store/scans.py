"""The rows of two named queries read whole when the list index is built, by scanning their predicates.

`api-provenance.rq` and `api-memberships.rq` are written for REST, with the facts or memberships of one answer
bound: the store then follows a few links per row. Asked for every row at once, the engine follows the same
links one seek at a time for every fact (at 5M triples on disk: about 170 s, against 80 s scanned). Here each
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
from ..core.vocab import NKG, ORG, RDF, TIME

PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
SCHEMA_URL = "https://schema.org/url"
DCTERMS_TITLE = "http://purl.org/dc/terms/title"
Row = tuple[str | None, ...]
Term = Any  # a pyoxigraph term: subjects and objects of the default graph
_NONE: tuple[None] = (None,)


def _objects(store: ox.Store, predicate: str) -> dict[Term, list[Term]]:
    """{subject: its objects} of one predicate in the default graph, in the store's order."""
    out: dict[Term, list[Term]] = defaultdict(list)
    for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None, ox.DefaultGraph()):
        out[quad.subject].append(quad.object)
    return out


def _or_none(values: Iterable[Term] | None) -> tuple[str | None, ...]:
    """The texts of an OPTIONAL's values, or one unbound value when it has none."""
    texts = tuple(value.value for value in values or ())
    return texts or _NONE


def provenance_rows(store: ox.Store) -> list[Row]:
    """The rows of `api-provenance.rq` without a bound fact: (fact, source, url, title, passage, quote)."""
    derived = _objects(store, PROV + "wasDerivedFrom")
    has_source = _objects(store, OA + "hasSource")
    selectors = _objects(store, OA + "hasSelector")
    exact = _objects(store, OA + "exact")
    urls, titles = _objects(store, SCHEMA_URL), _objects(store, DCTERMS_TITLE)
    documents = {quad.subject for quad in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"),
                                                                  ox.NamedNode(NKG + "SourceDocument"), ox.DefaultGraph())}
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


def membership_rows(store: ox.Store) -> list[Row]:
    """The rows of `api-memberships.rq` without a day (membership, member, organization, role, start, startNotBefore,
    startNotAfter, startUnknown, end, endNotBefore, endNotAfter, endUnknown, ongoingAsOf), in its order: by
    membership, member, organisation, role, start and end, unbound first, the dates by their text."""
    memberships: list[Term] = [quad.subject for quad in store.quads_for_pattern(None, ox.NamedNode(RDF + "type"),
                                                                    ox.NamedNode(ORG + "Membership"), ox.DefaultGraph())]
    member, organization, role = (_objects(store, ORG + p) for p in ("member", "organization", "role"))
    during = _objects(store, ORG + "memberDuring")
    beginnings, ends = _objects(store, TIME + "hasBeginning"), _objects(store, TIME + "hasEnd")
    dates = [_objects(store, TIME + p) for p in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear")]
    not_before, not_after = _objects(store, NKG + "notBefore"), _objects(store, NKG + "notAfter")
    start_unknown, end_unknown = _objects(store, NKG + "startUnknown"), _objects(store, NKG + "endUnknown")
    ongoing = _objects(store, NKG + "ongoingAsOf")
    bounds = [_objects(store, NKG + p) for p in ("earliestStart", "latestStart", "earliestEnd", "latestEnd")]

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
