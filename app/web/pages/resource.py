"""The HTML page of one resource: labels in English and French, its properties with the predicates'
labels, links to the resources it names, the dates of its intervals, its memberships, what points at
it, and its sources with their quoted passages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import pyoxigraph as ox

from ...core.formats import Format
from ...core.vocab import OA, ORG, PROV, RDF, RDFS, SKOS, TIME
from ...linked_data.describe import Labels, ResourceData, Row, local_name
from .html import LANGS, Site, bilingual, esc, format_links, link, literal, page, table, term

_LABELS = (RDFS + "label", SKOS + "prefLabel")
_SHOWN_ELSEWHERE = (RDF + "type", *_LABELS)
_DATES = (TIME + "inXSDDate", TIME + "inXSDgYearMonth", TIME + "inXSDgYear", TIME + "inXSDDateTimeStamp")
_MEMBERSHIP_LINKS = (ORG + "member", ORG + "organization", ORG + "role")


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

    def date_of(self, instant: Any) -> str | None:
        if not isinstance(instant, ox.BlankNode):
            return None
        values = self.blank.get(instant.value, {})
        found = next((v for p in _DATES for v in values.get(p, ())), None)
        return literal(found) if isinstance(found, ox.Literal) else None


def _value(value: Any, graph: _Graph, labels: Labels, site: Site, depth: int = 0) -> str:
    if not isinstance(value, ox.BlankNode):
        return term(value, labels, site)
    props = graph.blank.get(value.value, {})
    if TIME + "hasBeginning" in props or TIME + "hasEnd" in props:
        begin = next((graph.date_of(v) for v in props.get(TIME + "hasBeginning", ())), None) or "?"
        end = next((graph.date_of(v) for v in props.get(TIME + "hasEnd", ())), None)
        if end is None:
            return f'<span class="interval">since {begin} <span class="fr" lang="fr">depuis {begin}</span></span>'
        return f'<span class="interval">{begin} – {end}</span>'
    if OA + "exact" in props:
        return "".join(f"<q>{esc(q.value)}</q>" for q in props[OA + "exact"])
    if depth > 2 or not props:
        return '<span class="blank">[…]</span>'
    rows = "".join(
        f"<dt>{bilingual(p, labels)}</dt>" + "".join(f"<dd>{_value(v, graph, labels, site, depth + 1)}</dd>" for v in values)
        for p, values in sorted(props.items(), key=lambda item: labels.get(item[0]))
    )
    return f'<dl class="nested">{rows}</dl>'


def _values(values: Sequence[Any], graph: _Graph, labels: Labels, site: Site) -> str:
    rendered = sorted(_value(v, graph, labels, site) for v in values)
    return rendered[0] if len(rendered) == 1 else "<ul>" + "".join(f"<li>{r}</li>" for r in rendered) + "</ul>"


def _heading(data: ResourceData, graph: _Graph, site: Site) -> tuple[str, str]:
    names = {lang: [v.value for p in _LABELS for v in graph.out.get(p, ())
                    if isinstance(v, ox.Literal) and v.language == lang] for lang in LANGS}
    title = next((names[lang][0] for lang in LANGS if names[lang]), local_name(data.iri))
    lines = "".join(f'<p class="label" lang="{lang}"><span class="tag">{lang}</span> {esc(names[lang][0])}</p>'
                    for lang in LANGS if names[lang])
    types = ", ".join(link(t.value, data.labels, site, both=True)
                      for t in graph.out.get(RDF + "type", ()) if isinstance(t, ox.NamedNode))
    html = (f"<h1>{esc(title)}</h1>{lines}"
            f'<p class="iri"><code>{esc(data.iri)}</code>{" · " + types if types else ""}</p>')
    return title, html


def _properties(graph: _Graph, data: ResourceData, site: Site) -> str:
    skipped = set(_SHOWN_ELSEWHERE) | ({PROV + "wasDerivedFrom"} if data.sources else set())
    rows = [
        (link(p, data.labels, site, both=True), _values(values, graph, data.labels, site))
        for p, values in sorted(graph.out.items(), key=lambda item: data.labels.get(item[0]).lower())
        if p not in skipped
    ]
    return _section("properties", "Properties", "Propriétés", ("Property", "Value"), rows)


def _memberships(data: ResourceData, site: Site) -> str:
    if not data.memberships:
        return ""

    def cell(row: Row, name: str) -> str:
        value = row.get(name)
        if not isinstance(value, ox.NamedNode):
            return ""
        label = row.get(f"{name}Label")
        text = label.value if isinstance(label, ox.Literal) else data.labels.get(value.value)
        return f'<a href="{esc(site.href(value.value))}">{esc(text)}</a>'

    rows = [
        (cell(row, "member"), cell(row, "organization"), cell(row, "role"),
         literal(row["start"]) if isinstance(row.get("start"), ox.Literal) else "?",
         literal(row["end"]) if isinstance(row.get("end"), ox.Literal) else "—",
         f'<a href="{esc(site.href(row["membership"].value))}">details</a>')
        for row in data.memberships if isinstance(row.get("membership"), ox.NamedNode)
    ]
    return _section("memberships", "Memberships", "Engagements", ("Member", "Organisation", "Role", "From", "To", ""), rows)


def _incoming(graph: _Graph, data: ResourceData, site: Site) -> str:
    skipped = set(_MEMBERSHIP_LINKS) if data.memberships else set()
    rows = [
        (link(p, data.labels, site, both=True),
         "<ul>" + "".join(f"<li>{link(s, data.labels, site)}</li>" for s in sorted(subjects)) + "</ul>")
        for p, subjects in sorted(graph.incoming.items(), key=lambda item: data.labels.get(item[0]).lower())
        if p not in skipped
    ]
    return _section("incoming", "Referenced by", "Cité par", ("Property", "From"), rows)


def _section(name: str, title: str, title_fr: str, headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A titled table of the page, or nothing when it has no rows."""
    if not rows:
        return ""
    return (f'<section id="{name}"><h2>{title} <span class="fr" lang="fr">{title_fr}</span></h2>'
            + table(headers, rows, css=name) + "</section>")


def _sources(data: ResourceData, site: Site) -> str:
    if not data.sources:
        return ""
    items = []
    for row in data.sources:
        source, passage, quote, title, url = (row.get(k) for k in ("source", "passage", "quote", "title", "url"))
        name = esc(title.value) if isinstance(title, ox.Literal) else esc(getattr(source, "value", "source"))
        cite = f'<a href="{esc(url.value)}" rel="external" class="external">{name}</a>' if isinstance(url, ox.NamedNode) else name
        extra = []
        if isinstance(source, ox.NamedNode):
            extra.append(f'<a href="{esc(site.href(source.value))}">document</a>')
        if isinstance(passage, ox.NamedNode):
            extra.append(f'<a href="{esc(site.href(passage.value))}">passage</a>')
        quoted = f"<blockquote>{esc(quote.value)}</blockquote>" if isinstance(quote, ox.Literal) else ""
        items.append(f'<li>{quoted}<p class="cite">— <cite>{cite}</cite> · {" · ".join(extra)}</p></li>')
    return ('<section id="sources"><h2>Sources <span class="fr" lang="fr">Sources</span></h2><ol class="sources">'
            + "".join(items) + "</ol></section>")


def render_resource(data: ResourceData, site: Site, *, alternates: Mapping[Format, str]) -> bytes:
    graph = _Graph(data.iri, data.triples)
    title, heading = _heading(data, graph, site)
    body = (f'<article class="resource">{heading}{format_links(alternates)}'
            + _properties(graph, data, site) + _memberships(data, site) + _sources(data, site) + _incoming(graph, data, site)
            + "</article>")
    return page(title, body, site, alternates=alternates)
