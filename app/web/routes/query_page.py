"""The query page: what a browser gets at /sparql without a query, as Fuseki and Oxigraph server offer.

YASGUI (@zazuko/yasgui, served from /static/vendor/, no CDN) with this endpoint fixed, the project's own
prefixes for autocompletion, and the named queries as examples (app/web/pages/examples.py). Without
JavaScript the same page is a plain form that submits to /sparql. `?query=` fills the editor and runs
the query, so a query can be shared as a link.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ...core.formats import GRAPH_FORMATS, RESULT_FORMATS, Kind
from ...core.vocab import ONTOLOGY_IRI, PREFIXES
from ...kg.runtime import Runtime
from ..pages.examples import GROUPS, examples
from ..pages.html import page_response, render, site_of

_FALLBACK = "SELECT * WHERE { ?s ?p ?o } LIMIT 10"


def query_page(request: Request, runtime: Runtime, query: str | None) -> Response:
    site = site_of(request)
    offered = examples(runtime.queries, site)
    text = query if query is not None else (offered[0].text if offered else _FALLBACK)
    formats = [(f, f.kind is Kind.GRAPH) for f in (*RESULT_FORMATS, *GRAPH_FORMATS)]
    groups = [(site.t(english, french), [e for e in offered if e.group == group]) for group, english, french in GROUPS]
    # What the script needs, as JSON in the page (no second request): the endpoint, prefixes, examples.
    config = {"endpoint": site.url("/sparql"), "root": site.url(""), "idBase": site.id_base, "ontology": ONTOLOGY_IRI, "lang": site.lang,
              "prefixes": PREFIXES, "query": text, "autorun": query is not None,
              "examples": {e.name: {"title": e.title, "text": e.text} for e in offered}}
    page = render("query.html", site, title=site.t("SPARQL query editor", "Éditeur de requêtes SPARQL"),
                  settings=runtime.settings, groups=[g for g in groups if g[1]], text=text, formats=formats,
                  config=config)
    return page_response(page, site)
