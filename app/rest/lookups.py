"""REST lookups: run a kind's named query (`queries/api-*.rq`), then build, filter and page its models.

Each `api-{kind}.rq` answers one (item, field, value) row per fact; binding `item` restricts it to one
resource (the detail operations), leaving it unbound lists them all. Filters run here, over the built
models, so their rules (the as-of rule of `app.rest.asof` above all) live in one place. Labels and
sources come from the start-up `Catalogue`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from pydantic import BaseModel

from app.core.errors import InvalidParameter, NotFound
from app.rest import models as m
from app.rest.asof import Held, PartialDate, held_on
from app.rest.labels import Catalogue
from app.sparql.querylib import QueryLibrary
from app.store.base import Store, select

Facts = dict[str, list[Any]]  # field -> values (pyoxigraph terms)
M = TypeVar("M", bound=BaseModel)
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
PARTNER_ROLES = ("partner", "enhanced-opportunities-partner")


def _date(values: list[Any]) -> m.Date | None:
    if not values:
        return None
    partial = PartialDate(values[0].value)
    return m.Date(value=partial.value, precision=partial.precision)  # type: ignore[arg-type]


def _partial(value: m.Date | None) -> PartialDate | None:
    return PartialDate(value.value) if value else None


def _as_of(day: date | None, start: m.Date | None, end: m.Date | None, uncertain: bool) -> m.AsOf | bool | None:
    """None when no `at` was asked; False when the row must be dropped; else the row's AsOf."""
    if day is None:
        return None
    held = held_on(day, _partial(start), _partial(end))
    if held is Held.NO or (held is Held.UNCERTAIN and not uncertain):
        return False
    return m.AsOf(date=day.isoformat(), certain=held is Held.YES)


def _overlaps_year(year: int, start: m.Date | None, end: m.Date | None) -> bool:
    return bool(start) and int(start.value[:4]) <= year and (end is None or int(end.value[:4]) >= year)  # type: ignore[union-attr]


def page(items: list[M], limit: int, offset: int) -> m.Page[M]:
    return m.Page[M](total=len(items), limit=limit, offset=offset, items=items[offset:offset + limit])


@dataclass
class Lookups:
    """Per-request view: the store, the queries, the catalogue and the chosen label language."""

    store: Store
    queries: QueryLibrary
    catalogue: Catalogue
    lang: str

    @property
    def id_base(self) -> str:
        return self.catalogue.id_base

    def iri(self, segment: str, key: str) -> str:
        return f"{self.id_base}{segment}/{key}"

    def ref(self, iri: str) -> m.Ref:
        return self.catalogue.ref(iri, self.lang)

    def refs(self, values: Iterable[Any]) -> list[m.Ref]:
        return [self.ref(v.value) for v in dict.fromkeys(values)]

    def filter_iri(self, parameter: str, segment: str, key: str | None) -> str | None:
        """The IRI a filter value names, checked against the graph.

        :raises InvalidParameter: naming the parameter, when no such resource exists.
        """
        if key is None:
            return None
        iri = self.iri(segment, key)
        if not _KEY.match(key) or not self.catalogue.knows(iri):
            detail = f"Parameter '{parameter}': the graph has no {segment} with key {key!r}."
            raise InvalidParameter(detail, parameters=[parameter])
        return iri

    # --- running the kind queries -------------------------------------------------------------
    def facts(self, kind: str, segment: str, key: str | None = None) -> dict[str, Facts]:
        """{item IRI: {field: values}} from `api-{kind}.rq`, for one key or all.

        :raises NotFound: when a key is given and names nothing of this kind.
        """
        query = self.queries[f"api-{kind}"]
        bindings = {}
        if key is not None:
            if not _KEY.match(key):
                raise NotFound(f"No {segment} with key {key!r}: keys are letters, digits, '.', '_' and '-'.")
            bindings = query.bind({"item": self.iri(segment, key)}, iri_base=self.id_base)
        grouped: dict[str, Facts] = {}
        for row in select(self.store, query.text, bindings):
            fields = grouped.setdefault(row["item"].value, defaultdict(list))
            if "field" in row:
                fields[row["field"].value].append(row["value"])
        if key is not None and not grouped:
            raise NotFound(f"The graph has no {segment} with key {key!r}.")
        for fields in grouped.values():  # one order whatever order the store gives rows in
            for values in fields.values():
                values.sort(key=str)
        return dict(sorted(grouped.items()))

    def item(self, iri: str, model: type[M], **extra: Any) -> M:
        kind, key = self.catalogue.key_type(iri)
        return model(id=iri, key=key, type=kind, label=self.catalogue.label(iri, self.lang),
                     altLabels=self.catalogue.alt_labels(iri), sources=self.catalogue.sources.get(iri, []), **extra)

    def build(self, kind: str, segment: str, builder: Callable[[str, Facts], M], key: str | None = None) -> list[M]:
        return [builder(iri, facts) for iri, facts in self.facts(kind, segment, key).items()]

    def one(self, kind: str, segment: str, builder: Callable[[str, Facts], M], key: str) -> M:
        return self.build(kind, segment, builder, key)[0]

    # --- memberships ---------------------------------------------------------------------------
    def memberships(self, *, member: str | None = None, organization: str | None = None) -> list[m.Membership]:
        query = self.queries["api-memberships"]
        raw = {k: v for k, v in (("member", member), ("organization", organization)) if v}
        rows = select(self.store, query.text, query.bind(raw, iri_base=self.id_base))
        out = []
        for row in rows:
            iri = row["membership"].value
            out.append(m.Membership(
                id=iri, key=self.catalogue.key_type(iri)[1], member=self.ref(row["member"].value),
                organization=self.ref(row["organization"].value), role=self.ref(row["role"].value),
                start=_date([row["start"]] if "start" in row else []), end=_date([row["end"]] if "end" in row else []),
                sources=self.catalogue.sources.get(iri, [])))
        return out

    def held(self, rows: list[m.Membership], at: date | None, uncertain: bool, year: int | None = None) -> list[m.Membership]:
        """Memberships held on `at` (each marked with its certainty) and begun in `year`, when given."""
        kept = []
        for row in rows:
            as_of = _as_of(at, row.start, row.end, uncertain)
            if as_of is False or (year is not None and (row.start is None or int(row.start.value[:4]) != year)):
                continue
            kept.append(row.model_copy(update={"asOf": as_of}))
        return kept

    def members(self, *, at: date | None, year: int | None, uncertain: bool, country: str | None = None) -> list[m.Membership]:
        nato = self.iri("organisation", "nato")
        rows = [r for r in self.memberships(organization=nato, member=country) if r.role.key == "member"]
        return sorted(self.held(rows, at, uncertain, year), key=lambda r: (r.start.value if r.start else "", r.member.key))

    def member(self, iso: str) -> m.Membership:
        """A country's NATO membership (its latest, should it have several).

        :raises NotFound: no such country, or not a member.
        """
        rows = self.members(at=None, year=None, uncertain=True, country=self.country(iso).id)
        if not rows:
            raise NotFound(f"{iso} is not recorded as a NATO member.")
        return rows[-1]

    def partners(self, *, framework: str | None, role: str | None, at: date | None, year: int | None,
                 uncertain: bool, country: str | None = None) -> list[m.Membership]:
        fw = self.filter_iri("framework", "framework", framework)
        role_iri = self.filter_iri("role", "role", role)
        rows = [r for r in self.memberships(member=country, organization=fw)
                if r.organization.type == "framework" and (r.role.id == role_iri if role_iri else r.role.key in PARTNER_ROLES)]
        return sorted(self.held(rows, at, uncertain, year), key=lambda r: (r.organization.key, r.member.key))

    def partner(self, iso: str) -> m.PartnerDetail:
        country = self.country(iso)
        rows = self.partners(framework=None, role=None, at=None, year=None, uncertain=True, country=country.id)
        if not rows:
            raise NotFound(f"{iso} has no recorded partnership with NATO.")
        return m.PartnerDetail(country=self.ref(country.id), partnerships=rows)

    # --- entities ------------------------------------------------------------------------------
    def _country(self, iri: str, f: Facts) -> m.Country:
        return self.item(iri, m.Country, iso=f["iso"][0].value if f["iso"] else None, sameAs=[v.value for v in f["sameAs"]])

    def countries(self, *, role: str | None, framework: str | None) -> list[m.Country]:
        rows = self.build("countries", "country", self._country)
        if role or framework:
            role_iri = self.filter_iri("role", "role", role)
            org = self.filter_iri("framework", "framework", framework)
            having = {r.member.id for r in self.memberships(organization=org) if not role_iri or r.role.id == role_iri}
            rows = [c for c in rows if c.id in having]
        return sorted(rows, key=lambda c: c.key)

    def country(self, iso: str) -> m.CountryDetail:
        country = self.one("countries", "country", self._country, iso)
        return m.CountryDetail(**country.model_dump(), memberships=self.memberships(member=country.id))

    def _organisation(self, iri: str, f: Facts) -> m.Organisation:
        return self.item(iri, m.Organisation, sameAs=[v.value for v in f["sameAs"]])

    def _framework(self, iri: str, f: Facts) -> m.Framework:
        return self.item(iri, m.Framework, start=_date(f["start"]), end=_date(f["end"]),
                         launchedAt=self.ref(f["launchedAt"][0].value) if f["launchedAt"] else None,
                         addresses=self.refs(f["addresses"]), programmes=self.refs(f["programme"]),
                         replaces=self.refs(f["replaces"]), replacedBy=self.refs(f["replacedBy"]))

    def frameworks(self, *, at: date | None, year: int | None, challenge: str | None, uncertain: bool) -> list[m.Framework]:
        challenge_iri = self.filter_iri("challenge", "challenge", challenge)
        kept = []
        for fw in self.build("frameworks", "framework", self._framework):
            as_of = _as_of(at, fw.start, fw.end, uncertain)
            if as_of is False or (year is not None and (fw.start is None or fw.start.value[:4] != str(year))):
                continue
            if challenge_iri and challenge_iri not in {a.id for a in fw.addresses}:
                continue
            kept.append(fw.model_copy(update={"asOf": as_of}))
        return sorted(kept, key=lambda f: (f.start.value if f.start else "9999", f.key))

    def framework(self, key: str) -> m.FrameworkDetail:
        fw = self.one("frameworks", "framework", self._framework, key)
        partners = self.partners(framework=key, role=None, at=None, year=None, uncertain=True)
        return m.FrameworkDetail(**fw.model_dump(), partners=partners)

    def _summit(self, iri: str, f: Facts) -> m.Summit:
        return self.item(iri, m.Summit, start=_date(f["start"]), end=_date(f["end"]),
                         hostCity=self.ref(f["hostCity"][0].value) if f["hostCity"] else None,
                         addresses=self.refs(f["addresses"]), meetings=self.refs(f["meeting"]),
                         attendees=self.refs(f["attendee"]),
                         decisions=self.refs(f["decision"]), frameworksLaunched=self.refs(f["launched"]),
                         conceptsAdopted=self.refs(f["adopted"]), statements=self.refs(f["statement"]))

    def summits(self, *, year: int | None, challenge: str | None) -> list[m.Summit]:
        challenge_iri = self.filter_iri("challenge", "challenge", challenge)
        rows = [s for s in self.build("summits", "summit", self._summit)
                if (year is None or (s.start is not None and s.start.value[:4] == str(year)))
                and (challenge_iri is None or challenge_iri in {a.id for a in s.addresses})]
        return sorted(rows, key=lambda s: (s.start.value if s.start else "", s.key))

    def _concept(self, iri: str, f: Facts) -> m.StrategicConcept:
        return self.item(iri, m.StrategicConcept, adoptedAt=self.ref(f["adoptedAt"][0].value) if f["adoptedAt"] else None,
                         start=_date(f["start"]), coreTasks=self.refs(f["coreTask"]))

    def concepts(self, *, year: int | None) -> list[m.StrategicConcept]:
        rows = [c for c in self.build("strategic-concepts", "strategic-concept", self._concept)
                if year is None or (c.start is not None and c.start.value[:4] == str(year))]
        return sorted(rows, key=lambda c: (c.start.value if c.start else "", c.key))

    def _core_task(self, iri: str, f: Facts) -> m.CoreTask:
        return self.item(iri, m.CoreTask, definedBy=self.refs(f["definedBy"]))

    def _operation(self, iri: str, f: Facts) -> m.Operation:
        return self.item(iri, m.Operation, start=_date(f["start"]), end=_date(f["end"]), regions=self.refs(f["region"]),
                         operationTypes=self.refs(f["operationType"]), unMandate=[v.value for v in f["unMandate"]],
                         ledBy=self.refs(f["ledBy"]), addresses=self.refs(f["addresses"]),
                         contributors=self.refs(f["contributor"]))

    def operations(self, *, region: str | None, year: int | None, challenge: str | None) -> list[m.Operation]:
        region_iri = self.filter_iri("region", "region", region)
        challenge_iri = self.filter_iri("challenge", "challenge", challenge)
        rows = [o for o in self.build("operations", "operation", self._operation)
                if (region_iri is None or region_iri in {r.id for r in o.regions})
                and (challenge_iri is None or challenge_iri in {a.id for a in o.addresses})
                and (year is None or _overlaps_year(year, o.start, o.end))]
        return sorted(rows, key=lambda o: (o.start.value if o.start else "", o.key))

    def _contribution(self, iri: str, f: Facts) -> m.Contribution:
        return self.item(iri, m.Contribution, contributor=self.ref(f["contributor"][0].value) if f["contributor"] else None,
                         operation=self.ref(f["operation"][0].value) if f["operation"] else None,
                         start=_date(f["start"]), end=_date(f["end"]))

    def contributions(self, *, operation: str | None, country: str | None, region: str | None,
                      challenge: str | None) -> list[m.Contribution]:
        op_iri = self.filter_iri("operation", "operation", operation)
        country_iri = self.filter_iri("country", "country", country)
        region_iri = self.filter_iri("region", "region", region)
        challenge_iri = self.filter_iri("challenge", "challenge", challenge)
        kept = []
        for iri, f in self.facts("contributions", "contribution").items():
            values = {field: {v.value for v in vs} for field, vs in f.items()}
            if all(want is None or want in values.get(field, set()) for field, want in
                   (("operation", op_iri), ("contributor", country_iri), ("region", region_iri), ("addresses", challenge_iri))):
                kept.append(self._contribution(iri, f))
        return sorted(kept, key=lambda c: c.key)

    def _challenge(self, iri: str, f: Facts) -> m.Challenge:
        return self.item(iri, m.Challenge, addressedBy=self.refs(f["addressedBy"]), subjectOf=self.refs(f["subjectOf"]))

    def _person(self, iri: str, f: Facts) -> m.Person:
        return self.item(iri, m.Person, sameAs=[v.value for v in f["sameAs"]], statements=self.refs(f["statement"]))

    def person(self, key: str) -> m.PersonDetail:
        person = self.one("persons", "person", self._person, key)
        return m.PersonDetail(**person.model_dump(), posts=self.memberships(member=person.id))

    def _source(self, iri: str, f: Facts) -> m.Source:
        def text(field: str) -> str | None:
            return f[field][0].value if f[field] else None

        passages = [m.Passage(id=p.value, key=self.catalogue.key_type(p.value)[1], quote=self.catalogue.quotes.get(p.value))
                    for p in dict.fromkeys(f["passage"])]
        return self.item(iri, m.Source, url=text("url"), title=text("title"), publisher=text("publisher"),
                         language=text("language"), retrievedOn=text("retrievedOn"), passages=passages)

    def simple(self, kind: str, segment: str, key: str | None = None) -> list[Any]:
        """Kinds without filters of their own: organisations, core tasks, challenges, persons, sources."""
        builder: dict[str, Callable[[str, Facts], Any]] = {
            "organisations": self._organisation, "core-tasks": self._core_task, "challenges": self._challenge,
            "persons": self._person, "sources": self._source, "operations": self._operation, "summits": self._summit,
            "contributions": self._contribution, "strategic-concepts": self._concept,
        }
        return sorted(self.build(kind, segment, builder[kind], key), key=lambda i: i.key)
