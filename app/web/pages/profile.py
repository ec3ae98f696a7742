"""A resource's profile: its dated relationships told in words at their precision ("since September 2014"),
each with its source, drawn on a timeline (server-side SVG, with the same rows as a table), and, for a summit,
a meeting or an operation, who took part, drawn as a network. Every panel comes from a named query
(`page-timeline`, `page-fact-sources`, `page-network`) and links to it in the query editor and as CSV/JSON.

The timeline draws the four as-of bounds of data/README.md ("Time"): a bar is solid where the relationship
certainly held (latest start to earliest end) and hatched where the recorded precision leaves it open
(earliest to latest start, earliest to latest end); a relationship still open is drawn to today, faded after
the last date a source saw it ongoing; suspensions are drawn over the relationship they suspend.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlencode

import pyoxigraph as ox

from ...core.vocab import TIME, XSD
from ...kg.runtime import Runtime
from ...sparql.querylib import inline_values
from ...store.base import select
from .html import Site

_MONTHS = {
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
    "fr": ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
           "novembre", "décembre"),
}
def spoken(value: ox.Literal | None, lang: str) -> str:
    """A recorded date in words, at its precision: 8 February 1994, September 2014, 1994."""
    if value is None:
        return ""
    text, datatype = value.value, value.datatype.value[len(XSD):] if value.datatype.value.startswith(XSD) else ""
    months = _MONTHS["fr" if lang == "fr" else "en"]
    parts = text.split("T")[0].split("-")
    if datatype == "gYear" or len(parts) == 1:
        return parts[0]
    if datatype == "gYearMonth" or len(parts) == 2:
        return f"{months[int(parts[1]) - 1]} {parts[0]}"
    day = int(parts[2])
    if lang == "fr":
        return f"{'1er' if day == 1 else day} {months[int(parts[1]) - 1]} {parts[0]}"
    return f"{day} {months[int(parts[1]) - 1]} {parts[0]}"


def _is_day(value: ox.Literal) -> bool:
    return value.datatype.value == XSD + "date" or value.datatype.value == XSD + "dateTime"


def _fr(preposition: str, value: ox.Literal) -> str:
    """A French preposition before a date: "du 8 février 1994", "de septembre 2014", "d'octobre 2013", "depuis 1994"."""
    words = spoken(value, "fr")
    day = _is_day(value)
    if preposition == "de":
        return f"du {words}" if day else (f"d'{words}" if words[0] in "aeiou" else f"de {words}")
    if preposition == "à":
        return f"au {words}" if day else f"à {words}"
    if preposition == "à partir de":
        return f"à partir du {words}" if day else (f"à partir d'{words}" if words[0] in "aeiou" else f"à partir de {words}")
    if preposition == "depuis":
        return f"depuis le {words}" if day else f"depuis {words}"
    if preposition == "en":
        return f"le {words}" if day else f"en {words}"
    if preposition == "jusqu'à":
        return f"jusqu'au {words}" if day else f"jusqu'en {words}"
    return f"{preposition} {words}"


def period_words(row: Mapping[str, Any], site: Site) -> str:
    """When a relationship held, as a person says it, with no more precision than the data has."""
    start, end = row.get("start"), row.get("end")
    if start is not None and end is not None:
        if start.value == end.value:
            return site.t(f"in {spoken(start, 'en')}" if not _is_day(start) else f"on {spoken(start, 'en')}", _fr("en", start))
        return site.t(f"from {spoken(start, 'en')} to {spoken(end, 'en')}", f"{_fr('de', start)} {_fr('à', end)}")
    if start is not None:
        if row.get("endUnknown") is not None:
            return site.t(f"from {spoken(start, 'en')} (end not recorded)", f"{_fr('à partir de', start)} (fin non enregistrée)")
        ongoing = row.get("ongoingAsOf")
        since = site.t(f"since {spoken(start, 'en')}", _fr("depuis", start))
        if ongoing is not None:
            return since + site.t(f" (ongoing as of {spoken(ongoing, 'en')})", f" (en cours au {spoken(ongoing, 'fr')})")
        return since
    if end is not None:
        return site.t(f"until {spoken(end, 'en')} (start not recorded)", _fr("jusqu'à", end) + " (début non enregistré)")
    low, high = row.get("earliestStart"), row.get("latestEnd")
    if low is not None and high is not None:
        return site.t(f"at a time between {spoken(low, 'en')} and {spoken(high, 'en')} (dates not recorded)",
                      f"à une date entre le {spoken(low, 'fr')} et le {spoken(high, 'fr')} (dates non enregistrées)")
    return site.t("dates not recorded", "dates non enregistrées")


@dataclass(frozen=True)
class Source:
    title: str
    url: str | None
    quote: str | None
    passage_href: str | None
    document_href: str


@dataclass
class Fact:
    """One dated relationship: a row of `page-timeline`, with its words, its sources and its timeline bar."""

    kind: str
    iri: str
    href: str
    other_href: str
    other: str
    role: str
    when: str
    sources: list[Source] = field(default_factory=list)
    bounds: dict[str, str] = field(default_factory=dict)  # earliestStart... as ISO dates, for the cursor
    suspensions: list[Fact] = field(default_factory=list)
    bar: Bar | None = None


@dataclass(frozen=True)
class Bar:
    """A timeline row's drawing, in SVG units: the certain span solid, the uncertain ends hatched."""

    y: float
    solid: tuple[float, float] | None
    hatched: tuple[tuple[float, float], ...]
    faded: tuple[float, float] | None  # open: from the last date seen ongoing (or the start) to today
    overlays: tuple[tuple[float, float, str], ...]  # suspensions: x0, x1, title


@dataclass(frozen=True)
class Axis:
    width: int
    height: int
    left: int
    ticks: tuple[tuple[float, int], ...]
    today_x: float
    first_day: str
    last_day: str


@dataclass(frozen=True)
class Node:
    href: str
    text: str
    x: float
    y: float


_COUNTED = (  # (kind, English singular, plural, French singular, plural)
    ("membership", "membership or term", "memberships or terms", "engagement ou mandat", "engagements ou mandats"),
    ("participant", "participant", "participants", "participant", "participants"),
    ("suspension", "suspension", "suspensions", "suspension", "suspensions"),
    ("contribution", "contribution to an operation", "contributions to operations", "contribution à une opération",
     "contributions à des opérations"),
    ("contributor", "contributing country", "contributing countries", "pays contributeur", "pays contributeurs"),
)


def summary(facts: Sequence[Fact], site: Site) -> str:
    """What the graph records about the resource, counted: "4 memberships or terms · 4 contributions to operations"."""
    counts = {kind: sum(1 for f in facts if f.kind == kind) for kind, *_ in _COUNTED}
    parts = [f"{counts[kind]} {site.t(one if counts[kind] == 1 else many, un if counts[kind] == 1 else des)}"
             for kind, one, many, un, des in _COUNTED if counts[kind]]
    sources = len({(s.document_href, s.passage_href) for f in facts for s in f.sources})
    if sources:
        parts.append(site.t(f"{sources} sourced passages", f"{sources} passages sourcés") if sources > 1
                     else site.t("1 sourced passage", "1 passage sourcé"))
    return " · ".join(parts)


@dataclass
class Profile:
    summary: str
    facts: list[Fact]
    axis: Axis | None
    period: str  # the resource's own dates in words ("from 20 May 2012 to 21 May 2012"), or ""
    network: Network | None
    panels: dict[str, dict[str, str]]  # query name -> {"query": editor link, "csv": ..., "json": ...}
    crowded: int = 0  # more dated relationships than a page draws: this many is the page's limit, and none is drawn


def _rows(runtime: Runtime, name: str, iri: str, lang: str) -> tuple[list[dict[str, Any]], str]:
    query = runtime.queries[name]
    params = {"resource": iri, **({"lang": lang} if any(p.name == "lang" for p in query.parameters) else {})}
    bindings = query.bind(params, iri_base=runtime.settings.id_base)
    return select(runtime.store, query.text, bindings), inline_values(query.text, bindings)


def _panel(site: Site, name: str, text: str, params: Mapping[str, str]) -> dict[str, str]:
    return {"query": site.url("/sparql?" + urlencode({"query": text})),
            "csv": site.url(f"/api/queries/{name}?" + urlencode({**params, "format": "csv"})),
            "json": site.url(f"/api/queries/{name}?" + urlencode({**params, "format": "json"}))}


def _axis(facts: Sequence[Fact], today: date) -> Axis | None:
    days = [date.fromisoformat(v) for f in facts for v in f.bounds.values()]
    if not days:
        return None
    first, last = min(days).year, max(max(days), today).year + 1
    step = next(s for s in (1, 2, 5, 10, 20) if (last - first) / s <= 12)
    first -= first % step
    width, left = 960, 280
    height = 34 + 26 * len(facts)

    def x(day: date) -> float:
        span = (date(last, 1, 1) - date(first, 1, 1)).days
        return round(left + (width - left - 16) * (day - date(first, 1, 1)).days / span, 1)

    ticks = tuple((x(date(year, 1, 1)), year) for year in range(first, last + 1, step))
    axis = Axis(width, height, left, ticks, x(today), date(first, 1, 1).isoformat(), today.isoformat())
    for index, fact in enumerate(facts):
        fact.bar = _bar(fact, 24 + 26 * index, x, today)
    return axis


def _bar(fact: Fact, y: float, x: Any, today: date) -> Bar:
    b = {k: date.fromisoformat(v) for k, v in fact.bounds.items()}
    es, ls, ee, le = (b.get(k) for k in ("earliestStart", "latestStart", "earliestEnd", "latestEnd"))
    hatched: list[tuple[float, float]] = []
    solid = faded = None
    if es and le and not ls and not ee:  # only a window is known (the operation's, say): some time within it
        hatched.append((x(es), x(le)))
    if es and ls and es < ls:
        hatched.append((x(es), x(ls)))
    if ee and le and ee < le:
        hatched.append((x(ee), x(le)))
    begin = ls or es
    if begin is not None:
        end = ee if ee is not None else None
        if end is not None and end >= begin:
            solid = (x(begin), max(x(end), x(begin) + 2))
        elif le is None:
            seen = b.get("ongoingAsOf", begin)
            solid = (x(begin), max(x(seen), x(begin) + 2))
            faded = (x(seen), x(today)) if seen < today else None
    overlays = []
    for suspension in fact.suspensions:
        sb = {k: date.fromisoformat(v) for k, v in suspension.bounds.items()}
        start = sb.get("earliestStart")
        stop = sb.get("latestEnd") or today
        if start is not None:
            overlays.append((x(start), max(x(stop), x(start) + 2), suspension.when))
    return Bar(y, solid, tuple(hatched), faded, tuple(overlays))


@dataclass(frozen=True)
class Network:
    """Who took part (`nodes`, on a ring around the resource) and where else they meet (`groups`, outside it)."""

    nodes: list[Node]
    groups: list[Node]
    edges: list[tuple[Node, Node]]  # node -> group
    groups_of: dict[str, list[Node]]  # a node's href -> its groups, for the list beside the drawing


def _ring(count: int, radius: float, index: int) -> tuple[float, float]:
    angle = 2 * math.pi * index / max(count, 1) - math.pi / 2
    return round(330 + radius * math.cos(angle), 1), round(250 + radius * math.sin(angle), 1)


def _network(rows: Sequence[Mapping[str, Any]], labels: Any, site: Site) -> Network | None:
    """The `page-network` rows drawn: nodes evenly on a ring, each group outside it at its members' mean angle."""
    names: dict[str, str] = {}
    group_names: dict[str, str] = {}
    links: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        node = row["node"].value
        names[node] = row["nodeLabel"].value if isinstance(row.get("nodeLabel"), ox.Literal) else labels.get(node, site.lang)
        group = row.get("group")
        if isinstance(group, ox.NamedNode):
            label = row.get("groupLabel")
            group_names[group.value] = label.value if isinstance(label, ox.Literal) else labels.get(group.value, site.lang)
            links[group.value].append(node)
    if not names:
        return None
    order = sorted(names, key=lambda iri: names[iri])
    radius = 120 if len(order) <= 16 else 150
    nodes = {iri: Node(site.href(iri), names[iri], *_ring(len(order), radius, i)) for i, iri in enumerate(order)}
    angles = {}
    for group, members in links.items():
        xs = sum(math.cos(2 * math.pi * order.index(m) / len(order) - math.pi / 2) for m in members)
        ys = sum(math.sin(2 * math.pi * order.index(m) / len(order) - math.pi / 2) for m in members)
        angles[group] = math.atan2(ys, xs) if (xs or ys) else 0.0
    placed = sorted(links, key=lambda g: angles[g])
    spread = 2 * math.pi / max(len(placed), 1)
    groups: dict[str, Node] = {}
    for index, group in enumerate(placed):  # in angle order, at least `spread` apart, so that labels do not overlap
        angle = angles[group] if index == 0 else max(angles[group], angles[placed[index - 1]] + min(spread, 0.5))
        angles[group] = angle
        groups[group] = Node(site.href(group), group_names[group], round(330 + 225 * math.cos(angle), 1),
                             round(250 + 210 * math.sin(angle), 1))
    edges = [(nodes[m], groups[g]) for g, members in links.items() for m in members]
    groups_of = {nodes[iri].href: sorted((groups[g] for g, members in links.items() if iri in members), key=lambda n: n.text)
                 for iri in order}
    return Network([nodes[iri] for iri in order], sorted(groups.values(), key=lambda n: n.text), edges, groups_of)


_DATES = (TIME + "inXSDDate", TIME + "inXSDgYearMonth", TIME + "inXSDgYear")


def own_period(triples: Sequence[ox.Triple], iri: str) -> tuple[ox.Literal | None, ox.Literal | None]:
    """The resource's own start and end (a summit's days, an operation's years), from its description."""
    by_subject: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for t in triples:
        if isinstance(t.subject, (ox.NamedNode, ox.BlankNode)):
            by_subject[t.subject.value][t.predicate.value].append(t.object)

    def date_of(node: Any) -> ox.Literal | None:
        found = next((v for p in _DATES for v in by_subject.get(node.value, {}).get(p, ())), None)
        return found if isinstance(found, ox.Literal) else None

    for interval in by_subject.get(iri, {}).get(TIME + "hasTime", ()):
        parts = by_subject.get(interval.value, {})
        begin = next((date_of(v) for v in parts.get(TIME + "hasBeginning", ())), None)
        end = next((date_of(v) for v in parts.get(TIME + "hasEnd", ())), None)
        if begin is not None or end is not None:
            return begin, end
    return None, None


def _crowded_profile(runtime: Runtime, iri: str, site: Site, triples: Sequence[ox.Triple]) -> Profile:
    """The profile of a resource in more dated relationships than a page draws: its own period and the links to
    the page's queries (as CSV, JSON or in the editor), none of them run."""
    panels = {name: _panel(site, name, inline_values(runtime.queries[name].text, bindings), params)
              for name, params in (("page-timeline", {"resource": iri, "lang": site.lang}), ("page-fact-sources", {"resource": iri}),
                                   ("page-network", {"resource": iri, "lang": site.lang}))
              for bindings in [runtime.queries[name].bind(params, iri_base=runtime.settings.id_base)]}
    start, end = own_period(triples, iri)
    own = period_words({"start": start, "end": end}, site) if start is not None or end is not None else ""
    return Profile("", [], None, own, None, panels, crowded=runtime.settings.page_facts)


def profile_data(runtime: Runtime, iri: str, site: Site, *, triples: Sequence[ox.Triple], labels: Any,
                 today: date | None = None, crowded: bool = False) -> Profile:
    """The profile of `iri`: its facts from `page-timeline`, their sources from `page-fact-sources` (none read
    when it is `crowded`: in more dated relationships than a page draws)."""
    if crowded:
        return _crowded_profile(runtime, iri, site, triples)
    today = today or date.today()
    rows, timeline_text = _rows(runtime, "page-timeline", iri, site.lang)
    source_rows, sources_text = _rows(runtime, "page-fact-sources", iri, site.lang)
    network_rows, network_text = _rows(runtime, "page-network", iri, site.lang)
    sources: dict[str, list[Source]] = defaultdict(list)
    for row in source_rows:
        document, passage = row.get("source"), row.get("passage")
        if not isinstance(document, ox.NamedNode):
            continue
        title, url, quote = row.get("title"), row.get("url"), row.get("quote")
        sources[row["fact"].value].append(Source(
            title.value if isinstance(title, ox.Literal) else document.value.rsplit("/", 1)[-1],
            url.value if isinstance(url, ox.NamedNode) else None,
            quote.value if isinstance(quote, ox.Literal) else None,
            site.href(passage.value) if isinstance(passage, ox.NamedNode) else None, site.href(document.value)))
    facts: dict[str, Fact] = {}
    suspensions: list[tuple[str, Fact]] = []
    for row in rows:
        fact_iri, other = row["fact"].value, row["other"].value
        if fact_iri in facts:
            continue
        other_label, role = row.get("otherLabel"), row.get("roleLabel")
        fact = Fact(row["kind"].value, fact_iri, site.href(fact_iri), site.href(other),
                    other_label.value if isinstance(other_label, ox.Literal) else labels.get(other, site.lang),
                    role.value if isinstance(role, ox.Literal) else "", period_words(row, site), sources.get(fact_iri, []),
                    {k: row[k].value[:10] for k in ("earliestStart", "latestStart", "earliestEnd", "latestEnd", "ongoingAsOf")
                     if isinstance(row.get(k), ox.Literal)})
        if fact.kind == "suspension" and isinstance(row.get("parent"), ox.NamedNode):
            suspensions.append((row["parent"].value, fact))
        facts[fact_iri] = fact
    for parent, suspension in suspensions:
        if parent in facts:
            facts[parent].suspensions.append(suspension)
    ordered = sorted(facts.values(), key=lambda f: (f.bounds.get("earliestStart", "9999"), f.other))
    drawn = [f for f in ordered if f.kind != "suspension"]
    axis = _axis(drawn, today)
    start, end = own_period(triples, iri)
    own = period_words({"start": start, "end": end}, site) if start is not None or end is not None else ""
    return Profile(summary(ordered, site), ordered, axis, own, _network(network_rows, labels, site),
                   {"page-timeline": _panel(site, "page-timeline", timeline_text, {"resource": iri, "lang": site.lang}),
                    "page-fact-sources": _panel(site, "page-fact-sources", sources_text, {"resource": iri}),
                    "page-network": _panel(site, "page-network", network_text, {"resource": iri, "lang": site.lang})})
