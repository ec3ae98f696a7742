"""Server-rendered HTML: Jinja2 templates (app/web/templates, autoescaped) and the views they are given.

Python decides what a page shows (which links, labels, dates); the templates write every tag, and Jinja
escapes every value on its way into markup, so no string of ours is ever pasted into HTML. Pages load
one stylesheet from the app itself: no CDN, fonts or scripts from elsewhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from ...core.formats import HTML
from ...core.vocab import ONTOLOGY_IRI, XSD
from ...linked_data.describe import Labels
from ...rest.labels import choose_language
from ..responses import body_response
from ..state import runtime_of

LANGS = ("en", "fr")
TEMPLATES = Jinja2Templates(directory=Path(__file__).resolve().parent.parent / "templates")
# (path, English, French): the header's links, the first one the site's name
NAVIGATION = (("/", "natokg", "natokg"), ("/map", "Map", "Carte"), ("/sparql", "Query", "Requête"),
              ("/ontology", "Ontology", "Ontologie"), ("/docs", "API", "API"),
              ("/.well-known/void", "VoID", "VoID"), ("/catalog", "DCAT", "DCAT"))
PAGE_VARY = "Accept, Accept-Language"  # an HTML page depends on both (its language: `lang=`, else Accept-Language)
_TIMES = ("date", "gYear", "gYearMonth", "dateTime")


@dataclass(frozen=True)
class Site:
    """Where the pages live: `root` is the app's mount path ("" at the root), `id_base` the data IRIs' base."""

    root: str
    id_base: str
    lang: str = "en"  # the page's language, one of LANGS
    path: str = "/"  # the page's own path and query, for the language switch
    navigation: tuple[tuple[str, str, str], ...] = NAVIGATION

    def t(self, english: str, french: str) -> str:
        """The text in the page's language."""
        return french if self.lang == "fr" else english

    def switch(self, lang: str) -> str:
        """This page in another language: its URL with `lang=` set."""
        path, _, query = self.path.partition("?")
        kept = [part for part in query.split("&") if part and not part.startswith("lang=")]
        return self.url(f"{path}?{'&'.join([*kept, f'lang={lang}'])}")

    def href(self, iri: str) -> str:
        """The page for an IRI: data IRIs and ontology terms link to this app, others to themselves."""
        if iri.startswith(self.id_base):
            return f"{self.root}/id/{iri[len(self.id_base):]}"
        if iri == ONTOLOGY_IRI or iri.startswith(ONTOLOGY_IRI + "#"):
            return f"{self.root}/ontology{iri[len(ONTOLOGY_IRI):]}"
        return iri

    def url(self, path: str) -> str:
        return f"{self.root}{path}"


@dataclass(frozen=True)
class LinkView:
    iri: str
    href: str
    text: str
    french: str | None  # shown beside `text` when the link is bilingual and the labels differ
    both: bool
    external: bool


@dataclass(frozen=True)
class LiteralView:
    text: str
    lang: str = ""
    is_time: bool = False


def link(iri: str, labels: Labels, site: Site, *, both: bool = False) -> LinkView:
    """A link to the page of `iri`, labelled in English (and French beside it when `both`)."""
    href = site.href(iri)
    english, french = labels.get(iri, "en"), labels.get(iri, "fr")
    shown_french = french if both and labels.has(iri, "fr") and french != english else None
    return LinkView(iri, href, english, shown_french, both, href == iri)


def literal(term: ox.Literal) -> LiteralView:
    datatype = term.datatype.value
    is_time = not term.language and datatype.startswith(XSD) and datatype[len(XSD):] in _TIMES
    return LiteralView(term.value, term.language or "", is_time)


def site_of(request: Request) -> Site:
    """The site as this request sees it: mount path, IRI base, and the language of `lang=` (en or fr) or of
    Accept-Language (else English)."""
    asked = request.query_params.get("lang")
    lang = choose_language(asked if asked in LANGS else None, request.headers.get("accept-language"), frozenset(LANGS))
    path = request.url.path[len(request.scope.get("root_path", "")):] if request.scope.get("root_path") else request.url.path
    query = request.url.query
    return Site(request.scope.get("root_path", ""), runtime_of(request).settings.id_base, lang=lang,
                path=f"{path}?{query}" if query else path)


def render(template: str, site: Site, **context: Any) -> bytes:
    """A whole page from `template`, given the site and the template's own values."""
    return TEMPLATES.get_template(template).render(site=site, **context).encode("utf-8")


def page_response(body: bytes, site: Site, *, headers: dict[str, str] | None = None) -> Response:
    """An HTML page: it varies with Accept (the format) and Accept-Language (its language), and says its language."""
    return body_response(body, HTML, headers={"Vary": PAGE_VARY, "Content-Language": site.lang, **(headers or {})})
