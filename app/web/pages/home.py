"""The home page's panels, from named queries: each framework's partners today (`partners-on-date`, counted in the
store's list index when it has one), the latest summits (`home-summits`) and what changed on a day (`home-changes`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from ...core.vocab import XSD
from ...kg.runtime import Runtime
from ...store.lists import partner_roles
from .html import Site
from .map import framework_labels
from .profile import spoken


@dataclass(frozen=True)
class Item:
    href: str
    text: str
    note: str = ""


@dataclass(frozen=True)
class HomeView:
    today: str
    frameworks: list[tuple[Item, int, int]]  # the framework, its partners today, of which certain
    summits: list[Item]
    changed: date | None
    changes: list[tuple[str, list[Item]]]  # ("began" or "ended" in words, the facts)


def home_view(runtime: Runtime, site: Site, changed: date | None, *, today: date | None = None) -> HomeView:
    today = today or date.today()
    total: Counter[str] = Counter()
    certain: Counter[str] = Counter()
    if runtime.lists is not None:  # the same counts from the store's list index, without reading every partnership
        base = runtime.settings.id_base
        for iri, (held, sure) in runtime.lists.partner_counts(today.isoformat(), partner_roles(base)).items():
            total[iri.rsplit("/", 1)[-1]], certain[iri.rsplit("/", 1)[-1]] = held, sure
    else:
        for row in runtime.rows("partners-on-date", {"date": today.isoformat()}):
            key = row["framework"].value.rsplit("/", 1)[-1]
            total[key] += 1
            certain[key] += row["certain"].value == "true"
    frameworks = [(Item(site.href(f"{runtime.settings.id_base}framework/{key}"), label), total[key], certain[key])
                  for key, label in framework_labels(runtime, site.lang).items() if total[key]]
    summits = [Item(site.href(r["summit"].value), r["label"].value if r.get("label") is not None else r["summit"].value,
                    spoken(r["start"] if isinstance(r["start"], ox.Literal) else None, site.lang))
               for r in runtime.rows("home-summits", {"lang": site.lang})]
    changes: list[tuple[str, list[Item]]] = []
    if changed is not None:
        rows = runtime.rows("home-changes", {"day": changed.isoformat(), "lang": site.lang})
        for change, english, french in (("began", "Began", "Ont commencé"), ("ended", "Ended", "Ont pris fin")):
            items = [Item(site.href(r["fact"].value),
                          r["label"].value if r.get("label") is not None else r["fact"].value.rsplit("/", 1)[-1])
                     for r in rows if r["change"].value == change]
            if items:
                changes.append((site.t(english, french), items))
    return HomeView(spoken(ox.Literal(today.isoformat(), datatype=ox.NamedNode(XSD + "date")), site.lang),
                    frameworks, summits, changed, changes)
