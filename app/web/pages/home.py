"""The home page's panels, from named queries: each framework's partners today (`partners-on-date`), the latest
summits (`home-summits`) and what changed on a day (`home-changes`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

import pyoxigraph as ox

from ...kg.runtime import Runtime
from ...store.base import select
from .html import Site
from .map import map_state
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


def _rows(runtime: Runtime, name: str, params: dict[str, str]) -> list[dict[str, ox.NamedNode | ox.Literal]]:
    query = runtime.queries[name]
    return select(runtime.store, query.text, query.bind(params, iri_base=runtime.settings.id_base))


def home_view(runtime: Runtime, site: Site, changed: date | None, *, today: date | None = None) -> HomeView:
    today = today or date.today()
    state = map_state(runtime, site, today, None)
    total: Counter[str] = Counter()
    certain: Counter[str] = Counter()
    for country in state.countries:
        for key, _, sure, _suspended in country.frameworks:
            total[key] += 1
            certain[key] += sure
    frameworks = [(Item(site.href(f"{runtime.settings.id_base}framework/{key}"), label), total[key], certain[key])
                  for key, label in state.framework_labels.items() if total[key]]
    summits = [Item(site.href(r["summit"].value), r["label"].value if r.get("label") is not None else r["summit"].value,
                    spoken(r["start"] if isinstance(r["start"], ox.Literal) else None, site.lang))
               for r in _rows(runtime, "home-summits", {"lang": site.lang})]
    changes: list[tuple[str, list[Item]]] = []
    if changed is not None:
        rows = _rows(runtime, "home-changes", {"day": changed.isoformat(), "lang": site.lang})
        for change, english, french in (("began", "Began", "Ont commencé"), ("ended", "Ended", "Ont pris fin")):
            items = [Item(site.href(r["fact"].value),
                          r["label"].value if r.get("label") is not None else r["fact"].value.rsplit("/", 1)[-1])
                     for r in rows if r["change"].value == change]
            if items:
                changes.append((site.t(english, french), items))
    return HomeView(spoken(ox.Literal(today.isoformat(), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#date")), site.lang),
                    frameworks, summits, changed, changes)
