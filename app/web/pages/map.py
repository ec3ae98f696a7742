"""The map through time, as data: who was an Ally and who a partner (in which framework) on one day, from the
named queries `members-on-date` and `partners-on-date` (the one as-of rule of data/README.md; the partners' rows
from the store's list index when it has one), for the page's table and summary; the browser asks the same queries
as the slider moves (static/map.js)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

import pyoxigraph as ox

from ...kg.runtime import Runtime
from ...store.lists import partner_roles
from .html import Site

FIRST_DAY = date(1949, 4, 4)  # the North Atlantic Treaty is signed: the slider's first day


@dataclass
class Country:
    iso: str
    href: str
    label: str
    ally: bool = False
    ally_certain: bool = True
    frameworks: list[tuple[str, str, bool, str]] = field(default_factory=list)  # (key, label, certain, suspended)


@dataclass(frozen=True)
class MapState:
    day: date
    framework: str | None
    countries: list[Country]
    allies: int
    allies_uncertain: int
    partners: int
    partners_uncertain: int
    framework_labels: dict[str, str]


def framework_labels(runtime: Runtime, lang: str) -> dict[str, str]:
    """The partnership frameworks, key -> label in `lang` (English where there is none), in launch order."""
    return {row["framework"].value.rsplit("/", 1)[-1]: row["label"].value
            for row in runtime.rows("map-frameworks", {"lang": lang}) if row.get("label") is not None}


def map_state(runtime: Runtime, site: Site, day: date, framework: str | None) -> MapState:
    """Allies and partners on `day` (partners only of `framework` when it is given)."""
    labels = framework_labels(runtime, site.lang)
    countries: dict[str, Country] = {}

    def country(row: dict[str, ox.NamedNode | ox.Literal]) -> Country:
        iri = row["country"].value
        if iri not in countries:
            label = row.get("label")
            countries[iri] = Country(row["iso"].value, site.href(iri), label.value if label is not None else row["iso"].value)
        return countries[iri]

    for row in runtime.rows("members-on-date", {"date": day.isoformat(), "lang": site.lang}):
        found = country(row)
        found.ally, found.ally_certain = True, row["certain"].value == "true"
    partner_params = {"date": day.isoformat(), "lang": site.lang}
    if framework is not None:
        partner_params["framework"] = f"{runtime.settings.id_base}framework/{framework}"
    partners: dict[str, bool] = defaultdict(bool)
    if runtime.lists is not None:  # the same rows from the store's list index, without reading every partnership
        rows = runtime.lists.partners_on(day.isoformat(), partner_roles(runtime.settings.id_base),
                                         organization=partner_params.get("framework"), lang=site.lang)
    else:
        rows = runtime.rows("partners-on-date", partner_params)
    for row in rows:
        key = row["framework"].value.rsplit("/", 1)[-1]
        found = country(row)
        certain = row["certain"].value == "true"
        suspended = row["suspended"].value if row.get("suspended") is not None else ""
        found.frameworks.append((key, labels.get(key, key), certain, suspended))
        partners[row["country"].value] |= certain
    allies = [c for c in countries.values() if c.ally]
    return MapState(day, framework, sorted(countries.values(), key=lambda c: (not c.ally, c.label)),
                    len(allies), sum(1 for c in allies if not c.ally_certain),
                    len(partners), sum(1 for certain in partners.values() if not certain), labels)
