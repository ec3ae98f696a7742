"""Server-rendered HTML: the page shell, links between pages, bilingual labels and RDF terms as text.

Everything shown comes from the graph or the request, so every string goes through `esc` (html.escape)
on its way into markup. Pages load one stylesheet from the app itself: no CDN, fonts or scripts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

import pyoxigraph as ox

from ...core.formats import Format
from ...core.vocab import ONTOLOGY_IRI, XSD
from ...linked_data.describe import Labels

LANGS = ("en", "fr")

def esc(text: object) -> str:
    return escape(str(text), quote=True)


@dataclass(frozen=True)
class Site:
    """Where the pages live: `root` is the app's mount path ("" at the root), `id_base` the data IRIs' base."""

    root: str
    id_base: str

    def href(self, iri: str) -> str:
        """The page for an IRI: data IRIs and ontology terms link to this app, others to themselves."""
        if iri.startswith(self.id_base):
            return f"{self.root}/id/{iri[len(self.id_base):]}"
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
            return f"{self.root}/ontology{iri[len(ONTOLOGY_IRI):]}"
        return iri

    def url(self, path: str) -> str:
        return f"{self.root}{path}"


def bilingual(iri: str, labels: Labels) -> str:
    """The English label, with the French one beside it when both exist and differ."""
    en, fr = labels.get(iri, "en"), labels.get(iri, "fr")
    if labels.has(iri, "fr") and fr != en:
        return f'<span lang="en">{esc(en)}</span> <span class="fr" lang="fr">{esc(fr)}</span>'
    return f'<span lang="en">{esc(en)}</span>'


def link(iri: str, labels: Labels, site: Site, *, both: bool = False) -> str:
    href = site.href(iri)
    text = bilingual(iri, labels) if both else esc(labels.get(iri))
    external = ' class="external" rel="external"' if href == iri else ""
    return f'<a href="{esc(href)}"{external} title="{esc(iri)}">{text}</a>'


def literal(term: ox.Literal) -> str:
    text = esc(term.value)
    if term.language:
        return f'<span lang="{esc(term.language)}">{text}</span> <span class="tag">{esc(term.language)}</span>'
    datatype = term.datatype.value
    if datatype.startswith(XSD) and datatype != XSD + "string":
        return f'<time>{text}</time>' if datatype[len(XSD):] in ("date", "gYear", "gYearMonth", "dateTime") else text
    return text


def term(value: object, labels: Labels, site: Site) -> str:
    if isinstance(value, ox.NamedNode):
        return link(value.value, labels, site)
    if isinstance(value, ox.Literal):
        return literal(value)
    return esc(value)


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, css: str = "") -> str:
    """A table whose cells are already HTML (escaped by the caller)."""
    head = "<thead><tr>" + "".join(f"<th>{h}</th>" for h in headers) + "</tr></thead>" if any(headers) else ""
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f'<table class="{esc(css)}">{head}<tbody>{body}</tbody></table>'


def format_links(alternates: Mapping[Format, str]) -> str:
    """The same page's RDF representations, as a line of links."""
    links = " · ".join(f'<a href="{esc(url)}" type="{esc(fmt.media_type)}">{esc(fmt.name)}</a>'
                       for fmt, url in alternates.items())
    return f'<p class="formats">RDF: {links}</p>'


def page(title: str, body: str, site: Site, *, alternates: Mapping[Format, str] | None = None, lang: str = "en") -> bytes:
    """A whole document: `body` is HTML already escaped; `alternates` maps RDF formats to the same page's URLs."""
    links = "".join(f'<link rel="alternate" type="{esc(fmt.media_type)}" href="{esc(url)}">'
                    for fmt, url in (alternates or {}).items())
    nav = "".join(f'<a href="{esc(site.url(path))}">{esc(text)}</a>' for path, text in (
        ("/", "natokg"), ("/ontology", "Ontology"), ("/sparql", "SPARQL"), ("/docs", "API"),
        ("/.well-known/void", "VoID"), ("/catalog", "DCAT"),
    ))
    document = f"""<!DOCTYPE html>
<html lang="{esc(lang)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · natokg</title>
<link rel="stylesheet" href="{esc(site.url('/static/natokg.css'))}">
{links}
</head>
<body>
<header><nav>{nav}</nav></header>
<main>
{body}
</main>
<footer><p>natokg: an independent project, not produced or endorsed by NATO. Data under
<a href="https://creativecommons.org/licenses/by/4.0/" rel="license">CC BY 4.0</a>.
<span lang="fr">Projet indépendant, ni produit ni approuvé par l'OTAN.</span></p></footer>
</body>
</html>
"""
    return document.encode("utf-8")
