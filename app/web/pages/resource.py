"""The HTML page of one resource: labels in English and French, its properties with the predicates'
labels, links to the resources it names, the dates of its intervals, its memberships, what points at
it, and its sources with their quoted passages (template: resource.html)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from ...core.formats import Format
from ...core.vocab import OA, ORG, PROV, RDF, RDFS, SKOS, TIME
from ...linked_data.describe import Labels, ResourceData, Row, local_name
from .html import LANGS, LinkView, LiteralView, Site, link, literal, render
from .profile import Profile

_LABELS = (RDFS + "label", SKOS + "prefLabel")
_SHOWN_ELSEWHERE = (RDF + "type", *_LABELS)
_DATES = (TIME + "inXSDDate", TIME + "inXSDgYearMonth", TIME + "inXSDgYear", TIME + "inXSDDateTimeStamp")
_MEMBERSHIP_LINKS = (ORG + "member", ORG + "organization", ORG + "role")


@dataclass(frozen=True)
class ValueView:
    """One value of a property, as the `value` macro of macros.html draws it."""

    kind: str  # link, literal, interval, quote, nested, blank, text
    link: LinkView | None = None
    literal: LiteralView | None = None
    begin: LiteralView | None = None
    end: LiteralView | None = None
    quotes: tuple[str, ...] = ()
    rows: tuple[tuple[LinkView, tuple[ValueView, ...]], ...] = ()
    text: str = ""
    order: str = field(default="", compare=False)


class _Graph:
    """The description's triples, indexed: the resource's own values, its blank nodes', and incoming links."""

    def __init__(self, iri: str, triples: Sequence[ox.Triple]) -> None:
        self.out: dict[str, list[Any]] = defaultdict(list)
        self.blank: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        self.incoming: dict[str, list[str]] = defaultdict(list)
        for t in dict.fromkeys(triples):  # a CONSTRUCT answer may repeat a triple
            if isinstance(t.subject, ox.NamedNode) and t.subject.value == iri:
                self.out[t.predicate.value].append(t.object)
            elif isinstance(t.subject, ox.BlankNode):
                self.blank[t.subject.value][t.predicate.value].append(t.object)
            elif isinstance(t.object, ox.NamedNode) and t.object.value == iri and isinstance(t.subject, ox.NamedNode):
                self.incoming[t.predicate.value].append(t.subject.value)

    def date_of(self, instant: Any) -> LiteralView | None:
        if not isinstance(instant, ox.BlankNode):
            return None
        values = self.blank.get(instant.value, {})
        found = next((v for p in _DATES for v in values.get(p, ())), None)
        return literal(found) if isinstance(found, ox.Literal) else None


def _value(value: Any, graph: _Graph, labels: Labels, site: Site, depth: int = 0) -> ValueView:
    if isinstance(value, ox.NamedNode):
        view = link(value.value, labels, site)
        return ValueView("link", link=view, order=view.text)
    if isinstance(value, ox.Literal):
        return ValueView("literal", literal=literal(value), order=value.value)
    if not isinstance(value, ox.BlankNode):
        return ValueView("text", text=str(value), order=str(value))
    props = graph.blank.get(value.value, {})
    if TIME + "hasBeginning" in props or TIME + "hasEnd" in props:
        begin = next((graph.date_of(v) for v in props.get(TIME + "hasBeginning", ())), None)
        end = next((graph.date_of(v) for v in props.get(TIME + "hasEnd", ())), None)
        return ValueView("interval", begin=begin, end=end, order=begin.text if begin else "")
    if OA + "exact" in props:
        quotes = tuple(q.value for q in props[OA + "exact"])
        return ValueView("quote", quotes=quotes, order=quotes[0] if quotes else "")
    if depth > 2 or not props:
        return ValueView("blank")
    rows = tuple((link(p, labels, site, both=True), tuple(_value(v, graph, labels, site, depth + 1) for v in values))
                 for p, values in sorted(props.items(), key=lambda item: labels.get(item[0])))
    return ValueView("nested", rows=rows)


def _values(values: Sequence[Any], graph: _Graph, labels: Labels, site: Site) -> list[ValueView]:
    return sorted((_value(v, graph, labels, site) for v in values), key=lambda v: (v.kind, v.order))


def _memberships(data: ResourceData, site: Site) -> list[dict[str, Any]]:
    def cell(row: Row, name: str) -> dict[str, str] | None:
        value = row.get(name)
        if not isinstance(value, ox.NamedNode):
            return None
        label = row.get(f"{name}Label")
        return {"href": site.href(value.value), "text": label.value if isinstance(label, ox.Literal) else data.labels.get(value.value)}

    return [{"cells": [cell(row, "member"), cell(row, "organization"), cell(row, "role")],
             "start": literal(row["start"]) if isinstance(row.get("start"), ox.Literal) else None,
             "end": literal(row["end"]) if isinstance(row.get("end"), ox.Literal) else None,
             "href": site.href(row["membership"].value)}
            for row in data.memberships if isinstance(row.get("membership"), ox.NamedNode)]


def _sources(data: ResourceData, site: Site) -> list[dict[str, Any]]:
    out = []
    for row in data.sources:
        source, passage, quote, title, url = (row.get(k) for k in ("source", "passage", "quote", "title", "url"))
        links = [(name, site.href(node.value)) for name, node in (("document", source), ("passage", passage))
                 if isinstance(node, ox.NamedNode)]
        out.append({"name": title.value if isinstance(title, ox.Literal) else getattr(source, "value", "source"),
                    "url": url.value if isinstance(url, ox.NamedNode) else None,
                    "quote": quote.value if isinstance(quote, ox.Literal) else None, "links": links})
    return out


def render_resource(data: ResourceData, site: Site, *, alternates: Mapping[Format, str], profile: Profile | None = None) -> bytes:
    graph = _Graph(data.iri, data.triples)
    names = {lang: [v.value for p in _LABELS for v in graph.out.get(p, ())
                    if isinstance(v, ox.Literal) and v.language == lang] for lang in LANGS}
    title = next((names[lang][0] for lang in LANGS if names[lang]), local_name(data.iri))
    skipped = set(_SHOWN_ELSEWHERE) | ({PROV + "wasDerivedFrom"} if data.sources else set())
    properties = [(link(p, data.labels, site, both=True), _values(values, graph, data.labels, site))
                  for p, values in sorted(graph.out.items(), key=lambda item: data.labels.get(item[0]).lower()) if p not in skipped]
    unshown = set(_MEMBERSHIP_LINKS) if data.memberships else set()
    incoming = [(link(p, data.labels, site, both=True), [link(s, data.labels, site) for s in sorted(subjects)])
                for p, subjects in sorted(graph.incoming.items(), key=lambda item: data.labels.get(item[0]).lower()) if p not in unshown]
    return render("resource.html", site, title=title, iri=data.iri, alternates=alternates,
                  names=[(lang, names[lang][0]) for lang in LANGS if names[lang]],
                  types=[link(t.value, data.labels, site, both=True)
                         for t in graph.out.get(RDF + "type", ()) if isinstance(t, ox.NamedNode)],
                  properties=properties, memberships=_memberships(data, site), sources=_sources(data, site), incoming=incoming,
                  profile=profile, truncated=data.truncated, shown=len(data.triples))
