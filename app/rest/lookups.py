"""REST lookups that cost what they answer: the store filters, orders, counts and pages; Python builds one page.

A list runs its kind's `api-{path}-list.rq` twice, counted and cut to the page (`app.sparql.querylib`
`counted`/`paged`), except the lists of members, partners and countries of an embedded store, which its
list index (`app.store.lists`) filters, counts and pages with the same filters, order and as-of rule, at
the cost of the page rather than of every membership in the graph, and the other lists unfiltered, which
the index keeps whole; the page's items are then read by
`api-{path}.rq` (one `item, field, value` row per fact, `item` bound to the page's IRIs) or, for members
and partners, by `api-memberships.rq`. The
labels and sources of what one answer shows are read for that answer only (`search-labels.rq`,
`api-provenance.rq`, `api-quotes.rq`, bound to its IRIs), so no answer depends on the size of the
graph beyond its own items; an embedded store's index holds every fact's sources and every
membership's dates (the rows of `api-provenance.rq` and of `api-memberships.rq` without a day), so those
are read from it. `at=` is answered by the store with the one as-of rule (the bounds of
queries/derive-time-bounds.rq, compared in the queries themselves), so the REST API, the named
queries and the pages agree day by day.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel

from ..core.errors import InvalidParameter, NotFound
from ..core.text import sparql_order
from ..sparql.querylib import QueryLibrary, counted, paged, unordered
from ..sparql.rewrite import bound
from ..store.base import Store, select
from ..store.lists import INDEXED_LISTS, ListIndex, ListPage, partner_roles
from . import models as m
from .labels import SKOS_ALT, choose_label

Facts = dict[str, list[Any]]  # field -> values (pyoxigraph terms)
Row = dict[str, Any]
M = TypeVar("M", bound=BaseModel)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
PRECISIONS = {10: "day", 7: "month", 4: "year"}
INDEX_WHOLE = 2**62  # a page no list reaches: all of one country's memberships
PARTNERS_SHOWN = 100  # a framework's detail lists this many partners; /api/partners?framework= pages through all
# REST filters that name a resource, and the IRI segment of what they name.
FILTER_SEGMENTS = {"role": "role", "framework": "framework", "challenge": "challenge", "region": "region",
                   "operation": "operation", "country": "country"}


# The REST API sorts what it reads in Python: an engine sorts terms by their text, which on disk it reads for every
# comparison (ORDER BY was 40-65% of a page's lookups of 200-340 rows at a million triples).
_unordered = functools.lru_cache(maxsize=128)(unordered)


def _date(values: list[Any], not_before: Any = None, not_after: Any = None) -> m.Date | None:
    if not values:
        return None
    value = values[0].value
    return m.Date(value=value, precision=PRECISIONS.get(len(value), "day"),  # type: ignore[arg-type]
                  notBefore=not_before.value if not_before is not None else None,
                  notAfter=not_after.value if not_after is not None else None)


def _flag(row: Row, name: str) -> bool:
    return name in row and row[name].value == "true"


class Lookups:
    """One answer's view of the graph: the store, the queries, the label language, and what the answer shows.

    Models are built with their references unlabelled; `finish` reads the labels of everything the
    answer names and the sources of every fact in it, in one query each, and fills them in.
    """

    def __init__(self, store: Store, queries: QueryLibrary, id_base: str, lang: str, *, sort_limit: int,
                 lists: ListIndex | None = None) -> None:
        """`sort_limit`: the longest list sorted before it is cut into pages (longer ones come in the store's order);
        `lists`: the store's list index, which answers the lists of members, partners and countries."""
        self.sort_limit = sort_limit
        self.lists = lists
        self.store = store
        self.queries = queries
        self.id_base = id_base
        self.lang = lang
        self._refs: list[m.Ref] = []
        self._items: list[Any] = []  # models with `sources` (and, for most, labels)
        self._passages: list[m.Passage] = []

    # --- IRIs, references and the finishing touch ----------------------------------------------
    def iri(self, segment: str, key: str) -> str:
        return f"{self.id_base}{segment}/{key}"

    def key_type(self, iri: str) -> tuple[str, str]:
        """(type, key) of an IRI under the id base: `.../id/summit/chicago-2012` is ("summit", "chicago-2012")."""
        if not iri.startswith(self.id_base):
            return "external", iri
        kind, _, key = iri[len(self.id_base):].partition("/")
        return kind, key

    def ref(self, iri: str) -> m.Ref:
        kind, key = self.key_type(iri)
        ref = m.Ref(id=iri, key=key, type=kind)
        self._refs.append(ref)
        return ref

    def refs(self, values: Iterable[Any]) -> list[m.Ref]:
        return [self.ref(v.value) for v in dict.fromkeys(values)]

    def item(self, iri: str, model: type[M], **extra: Any) -> M:
        kind, key = self.key_type(iri)
        built = model(id=iri, key=key, type=kind, **extra)
        self._items.append(built)
        return built

    def finish(self, answer: M) -> M:
        """`answer` with the labels of every resource it names and the sources of every fact in it."""
        iris = sorted({r.id for r in self._refs} | {i.id for i in self._items if hasattr(i, "label")})
        labels = self._labels(iris)
        for ref in self._refs:
            ref.label = self._label(labels.get(ref.id, []))
        sources = self._sources(sorted({i.id for i in self._items}))
        for built in self._items:
            built.sources = sources.get(built.id, [])
            if hasattr(built, "label"):
                built.label = self._label(labels.get(built.id, []))
                built.altLabels = [m.Label(value=v, lang=lang) for p, v, lang in labels.get(built.id, []) if p == SKOS_ALT]
        if self._passages:
            query = self.queries["api-quotes"]
            bindings = query.bind({"passage": [p.id for p in self._passages]}, iri_base=self.id_base)
            quotes = {row["passage"].value: row["quote"].value
                      for row in select(self.store, _unordered(query.text), bindings, bounded=True)}
            for passage in self._passages:
                passage.quote = quotes.get(passage.id)
        return answer

    def _labels(self, iris: list[str]) -> dict[str, list[tuple[str, str, str]]]:
        """{IRI: its (property, value, language) labels, by property, value and language}: those of the graph's own
        resources from the list index when the store has one (the same rows as `search-labels.rq`, read at build),
        the others' from the store."""
        labels: dict[str, list[tuple[str, str, str]]] = defaultdict(list)
        asked = iris
        if self.lists is not None:
            labels.update(self.lists.labels([iri for iri in iris if iri.startswith(self.id_base)]))
            asked = [iri for iri in iris if not iri.startswith(self.id_base)]
        if asked:
            query = self.queries["search-labels"]
            rows = select(self.store, _unordered(query.text), query.bind({"item": asked}, iri_base=self.id_base), bounded=True)
            for item, *entry in sorted((row["item"].value, row["property"].value, row["label"].value, row["label"].language or "")
                                       for row in rows):
                labels[item].append((entry[0], entry[1], entry[2]))
        return labels

    def _label(self, entries: list[tuple[str, str, str]]) -> m.Label | None:
        """The rdfs:label (else skos:prefLabel) in the answer's language, else in English, else in any language."""
        return choose_label(entries, self.lang)

    def _sources(self, facts: list[str]) -> dict[str, list[m.SourceRef]]:
        if not facts:
            return {}
        query = self.queries["api-provenance"]
        out: dict[str, list[m.SourceRef]] = defaultdict(list)
        rows = self.lists.sources(facts) if self.lists is not None else None
        if rows is None:
            rows = [{k: v.value for k, v in row.items()} for row in
                    select(self.store, _unordered(query.text), query.bind({"fact": facts}, iri_base=self.id_base), bounded=True)]
        rows.sort(key=lambda r: tuple(sparql_order(r.get(k)) for k in ("fact", "source", "passage", "url", "title", "quote")))
        for values in rows:  # in the query's own order (ORDER BY ?fact ?source ?passage ?url ?title ?quote)
            out[values["fact"]].append(m.SourceRef(source=values["source"], url=values.get("url"), title=values.get("title"),
                                                   passage=values.get("passage"), quote=values.get("quote")))
        return out

    # --- filters ---------------------------------------------------------------------------------
    def filter_iris(self, filters: Mapping[str, Any]) -> dict[str, str]:
        """The IRIs that resource filters name (`framework=pfp`), each checked to be in the graph.

        :raises InvalidParameter: naming the parameter, when no such resource exists.
        """
        named = {name: self.iri(FILTER_SEGMENTS[name], key) for name, key in filters.items()
                 if name in FILTER_SEGMENTS and key}  # absent or empty (`?framework=`, as a form sends it): no filter
        bad = [name for name, key in filters.items() if name in named and not _KEY.match(str(key))]
        if named and not bad:
            known = self._labels(sorted(set(named.values())))
            bad = [name for name, iri in named.items() if iri not in known]
        if bad:
            name = bad[0]
            raise InvalidParameter(f"Parameter '{name}': the graph has no {FILTER_SEGMENTS[name]} with key {filters[name]!r}.",
                                   parameters=[name])
        return named

    def _list_parameters(self, filters: Mapping[str, Any]) -> dict[str, str]:
        raw: dict[str, str] = dict(self.filter_iris(filters))
        at, year, uncertain = filters.get("at"), filters.get("year"), filters.get("uncertain")
        if isinstance(at, date):
            raw["date"] = at.isoformat()
        if year is not None:
            raw["year"] = f"{int(year):04d}"
        if uncertain is not None:
            raw["uncertain"] = "true" if uncertain else "false"
        return raw

    # --- lists -----------------------------------------------------------------------------------
    def page(self, path: str, segment: str | None, builder: Callable[[Lookups, str, Facts], Any] | None, *,
             limit: int, offset: int, **filters: Any) -> m.Page[Any]:
        """One page of `/api/{path}`, with the total: filtered, ordered, counted and cut by the store."""
        return self.finish(self._page(path, segment, builder, limit=limit, offset=offset, **filters))

    def _page(self, path: str, segment: str | None, builder: Callable[[Lookups, str, Facts], Any] | None, *,
              limit: int, offset: int, **filters: Any) -> m.Page[Any]:
        """`page`, its labels and sources not read yet (`finish` reads those of a whole answer at once)."""
        raw = self._list_parameters({k: v for k, v in filters.items() if v is not None})
        indexed = self._indexed(path, raw, limit=limit, offset=offset)
        if indexed is not None:
            total, rows, ordered = indexed.total, indexed.rows, True  # the index keeps every list in its order
        else:
            query = self.queries[f"api-{path}-list"]
            text = bound(query.text, query.bind(raw, iri_base=self.id_base))
            [count] = select(self.store, counted(text))
            total = int(count["total"].value)
            ordered = total <= self.sort_limit  # an engine sorts every solution before it cuts a page
            rows = select(self.store, paged(text if ordered else unordered(text), limit=limit, offset=offset))
        if segment is None or builder is None:  # a view over memberships
            items: list[Any] = self._memberships_of(rows, filters.get("at"))
        else:
            iris = [row["item"].value for row in rows]
            facts = self.facts(path, segment, items=iris)
            items = [builder(self, iri, facts.get(iri, defaultdict(list))) for iri in iris]
            at = filters.get("at")
            if isinstance(at, date):
                for built, row in zip(items, rows, strict=True):
                    built.asOf = m.AsOf(date=at.isoformat(), certain=_flag(row, "certain"))
        return m.Page[Any](total=total, limit=limit, offset=offset, ordered=ordered, items=items)

    def _indexed(self, path: str, raw: Mapping[str, str], *, limit: int, offset: int) -> ListPage | None:
        """The page of `api-{path}-list.rq` for the parameters `raw`, from the list index; None when the index does
        not answer this list (no index, or another kind)."""
        if self.lists is None:
            return None
        if path not in INDEXED_LISTS:  # the other lists, kept whole: unfiltered only (`uncertain` says nothing without a date)
            return self.lists.items(path, limit=limit, offset=offset) if set(raw) <= {"uncertain"} else None
        if path == "countries":
            return self.lists.countries(role=raw.get("role"), organization=raw.get("framework"), limit=limit, offset=offset)
        members = path == "members"
        return self.lists.memberships(
            partners=not members, organization=self.iri("organisation", "nato") if members else raw.get("framework"),
            role=self.iri("role", "member") if members else raw.get("role"),
            roles=() if members else partner_roles(self.id_base),
            country=raw.get("country"), year=raw.get("year"), date=raw.get("date"), uncertain=raw.get("uncertain") == "true",
            limit=limit, offset=offset)

    def _memberships_of(self, rows: list[Row], at: date | None) -> list[m.Membership]:
        iris = [row["membership"].value for row in rows]
        built = {ms.id: ms for ms in self.memberships(membership=iris)} if iris else {}
        out = []
        for row in rows:
            membership = built[row["membership"].value]
            if at is not None:
                suspended = row["suspended"].value if "suspended" in row else None
                membership.asOf = m.AsOf(date=at.isoformat(), certain=_flag(row, "certain"), suspended=suspended)
            out.append(membership)
        return out

    # --- the kind queries ------------------------------------------------------------------------
    def facts(self, path: str, segment: str, key: str | None = None, *, items: list[str] | None = None) -> dict[str, Facts]:
        """{item IRI: {field: values}} from `api-{path}.rq`, for one key or for the `items` given.

        :raises NotFound: when a key is given and names nothing of this kind.
        """
        query = self.queries[f"api-{path}"]
        raw: dict[str, str | list[str]] = {}
        if key is not None:
            if not _KEY.match(key):
                raise NotFound(f"No {segment} with key {key!r}: keys are letters, digits, '.', '_' and '-'.")
            raw["item"] = self.iri(segment, key)
        elif items is not None:
            if not items:
                return {}
            raw["item"] = items
        grouped: dict[str, Facts] = {}
        for row in select(self.store, _unordered(query.text), query.bind(raw, iri_base=self.id_base), bounded=True):
            fields = grouped.setdefault(row["item"].value, defaultdict(list))
            if "field" in row:
                fields[row["field"].value].append(row["value"])
        if key is not None and not grouped:
            raise NotFound(f"The graph has no {segment} with key {key!r}.")
        for fields in grouped.values():  # one order whatever order the store gives rows in
            for values in fields.values():
                values.sort(key=str)
        return dict(sorted(grouped.items()))

    def one(self, path: str, segment: str, builder: Callable[[Lookups, str, Facts], M], key: str) -> M:
        iri, facts = next(iter(self.facts(path, segment, key).items()))
        return builder(self, iri, facts)

    # --- memberships -----------------------------------------------------------------------------
    def memberships(self, *, membership: list[str] | None = None, member: str | None = None) -> list[m.Membership]:
        """Memberships (given ones, or one member's), with their window, open ends and suspensions."""
        query = self.queries["api-memberships"]
        raw: dict[str, str | list[str]] = {}
        if membership is not None:
            raw["membership"] = membership
        if member is not None:
            raw["member"] = member
        suspensions = self.suspensions(member=member) if member is not None else self.suspensions(memberships=membership)
        out: dict[str, m.Membership] = {}
        rows = self.lists.membership_rows(memberships=membership, member=member) if self.lists is not None else None
        if rows is None:
            rows = select(self.store, query.text, query.bind(raw, iri_base=self.id_base), bounded=True)
        for row in rows:
            iri = row["membership"].value
            if iri in out:
                continue
            built = m.Membership(
                id=iri, key=self.key_type(iri)[1], member=self.ref(row["member"].value),
                organization=self.ref(row["organization"].value), role=self.ref(row["role"].value),
                start=_date([row["start"]] if "start" in row else [], row.get("startNotBefore"), row.get("startNotAfter")),
                end=_date([row["end"]] if "end" in row else [], row.get("endNotBefore"), row.get("endNotAfter")),
                startUnknown=_flag(row, "startUnknown"), endUnknown=_flag(row, "endUnknown"),
                ongoingAsOf=row["ongoingAsOf"].value if "ongoingAsOf" in row else None,
                suspensions=suspensions.get(iri, []))
            self._items.append(built)
            out[iri] = built
        return list(out.values())

    def suspensions(self, *, member: str | None = None, memberships: list[str] | None = None) -> dict[str, list[m.Period]]:
        """{membership IRI: its suspensions}, for one member's memberships or the given ones."""
        query = self.queries["api-suspensions"]
        raw: dict[str, str | list[str]] = {}
        if member is not None:
            raw["member"] = member
        if memberships is not None:
            if not memberships:
                return {}
            raw["membership"] = memberships
        periods: dict[str, list[m.Period]] = defaultdict(list)
        for row in select(self.store, query.text, query.bind(raw, iri_base=self.id_base), bounded=True):
            iri = row["suspension"].value
            periods[row["membership"].value].append(m.Period(
                id=iri, key=self.key_type(iri)[1], start=_date([row["start"]] if "start" in row else []),
                end=_date([row["end"]] if "end" in row else []), endUnknown=_flag(row, "endUnknown"),
                ongoingAsOf=row["ongoingAsOf"].value if "ongoingAsOf" in row else None))
        return periods

    def _one_page(self, path: str, **filters: Any) -> list[m.Membership]:
        """Every membership a members or partners list gives for `filters`, unpaged (a country has few)."""
        raw = self._list_parameters({k: v for k, v in filters.items() if v is not None})
        indexed = self._indexed(path, raw, limit=INDEX_WHOLE, offset=0)
        if indexed is not None:
            return self._memberships_of(indexed.rows, None)
        query = self.queries[f"api-{path}-list"]
        rows = select(self.store, query.text, query.bind(raw, iri_base=self.id_base), bounded=True)
        return self._memberships_of(rows, None)

    # --- details ---------------------------------------------------------------------------------
    def _known_country(self, iso: str) -> str:
        return self.one("countries", "country", build_country, iso).id

    def country(self, iso: str) -> m.CountryDetail:
        country = self.one("countries", "country", build_country, iso)
        detail = m.CountryDetail(**country.model_dump(), memberships=self.memberships(member=country.id))
        self._items.append(detail)
        return self.finish(detail)

    def member(self, iso: str) -> m.Membership:
        """A country's NATO membership (its latest, should it have several).

        :raises NotFound: no such country, or not a member.
        """
        rows = self._one_page("members", country=iso)
        if not rows:
            raise NotFound(f"{iso} is not recorded as a NATO member.")
        return self.finish(rows[-1])

    def partner(self, iso: str) -> m.PartnerDetail:
        country = self.ref(self._known_country(iso))
        rows = self._one_page("partners", country=iso, uncertain=True)
        if not rows:
            raise NotFound(f"{iso} has no recorded partnership with NATO.")
        return self.finish(m.PartnerDetail(country=country, partnerships=rows))

    def framework(self, key: str) -> m.FrameworkDetail:
        fw = self.one("frameworks", "framework", build_framework, key)
        partners = self._page("partners", None, None, limit=PARTNERS_SHOWN, offset=0, framework=key)
        detail = m.FrameworkDetail(**fw.model_dump(), partners=partners.items, partnersTotal=partners.total)
        self._items.append(detail)
        return self.finish(detail)

    def person(self, key: str) -> m.PersonDetail:
        person = self.one("persons", "person", build_person, key)
        detail = m.PersonDetail(**person.model_dump(), posts=self.memberships(member=person.id))
        self._items.append(detail)
        return self.finish(detail)

    def detail(self, path: str, segment: str, builder: Callable[[Lookups, str, Facts], M], key: str) -> M:
        return self.finish(self.one(path, segment, builder, key))

    def passage(self, iri: str) -> m.Passage:
        passage = m.Passage(id=iri, key=self.key_type(iri)[1])
        self._passages.append(passage)
        return passage


# --- building one kind's model from its facts ------------------------------------------------------
def build_country(view: Lookups, iri: str, f: Facts) -> m.Country:
    return view.item(iri, m.Country, iso=f["iso"][0].value if f["iso"] else None, sameAs=[v.value for v in f["sameAs"]])


def build_organisation(view: Lookups, iri: str, f: Facts) -> m.Organisation:
    return view.item(iri, m.Organisation, sameAs=[v.value for v in f["sameAs"]])


def build_framework(view: Lookups, iri: str, f: Facts) -> m.Framework:
    return view.item(iri, m.Framework, start=_date(f["start"]), end=_date(f["end"]),
                     launchedAt=view.ref(f["launchedAt"][0].value) if f["launchedAt"] else None,
                     addresses=view.refs(f["addresses"]), programmes=view.refs(f["programme"]),
                     replaces=view.refs(f["replaces"]), replacedBy=view.refs(f["replacedBy"]))


def build_summit(view: Lookups, iri: str, f: Facts) -> m.Summit:
    return view.item(iri, m.Summit, start=_date(f["start"]), end=_date(f["end"]),
                     hostCity=view.ref(f["hostCity"][0].value) if f["hostCity"] else None,
                     addresses=view.refs(f["addresses"]), meetings=view.refs(f["meeting"]), attendees=view.refs(f["attendee"]),
                     decisions=view.refs(f["decision"]), frameworksLaunched=view.refs(f["launched"]),
                     conceptsAdopted=view.refs(f["adopted"]), statements=view.refs(f["statement"]))


def build_concept(view: Lookups, iri: str, f: Facts) -> m.StrategicConcept:
    return view.item(iri, m.StrategicConcept, adoptedAt=view.ref(f["adoptedAt"][0].value) if f["adoptedAt"] else None,
                     start=_date(f["start"]), coreTasks=view.refs(f["coreTask"]))


def build_core_task(view: Lookups, iri: str, f: Facts) -> m.CoreTask:
    return view.item(iri, m.CoreTask, definedBy=view.refs(f["definedBy"]))


def build_operation(view: Lookups, iri: str, f: Facts) -> m.Operation:
    return view.item(iri, m.Operation, start=_date(f["start"]), end=_date(f["end"]), regions=view.refs(f["region"]),
                     operationTypes=view.refs(f["operationType"]), unMandate=[v.value for v in f["unMandate"]],
                     ledBy=view.refs(f["ledBy"]), addresses=view.refs(f["addresses"]), contributors=view.refs(f["contributor"]))


def build_contribution(view: Lookups, iri: str, f: Facts) -> m.Contribution:
    return view.item(iri, m.Contribution, contributor=view.ref(f["contributor"][0].value) if f["contributor"] else None,
                     operation=view.ref(f["operation"][0].value) if f["operation"] else None,
                     start=_date(f["start"]), end=_date(f["end"]))


def build_challenge(view: Lookups, iri: str, f: Facts) -> m.Challenge:
    return view.item(iri, m.Challenge, addressedBy=view.refs(f["addressedBy"]), subjectOf=view.refs(f["subjectOf"]))


def build_person(view: Lookups, iri: str, f: Facts) -> m.Person:
    return view.item(iri, m.Person, sameAs=[v.value for v in f["sameAs"]], statements=view.refs(f["statement"]))


def build_source(view: Lookups, iri: str, f: Facts) -> m.Source:
    def text(field: str) -> str | None:
        return f[field][0].value if f[field] else None

    passages = [view.passage(p.value) for p in dict.fromkeys(f["passage"])]
    return view.item(iri, m.Source, url=text("url"), title=text("title"), publisher=text("publisher"),
                     language=text("language"), retrievedOn=text("retrievedOn"), passages=passages)
