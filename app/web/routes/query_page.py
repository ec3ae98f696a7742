"""The query page: what a browser gets at /sparql without a query, as Fuseki and Oxigraph server offer.

Plain HTML with one bundled script (app/static/query.js, no CDN): a form that also works without
JavaScript (it submits to /sparql and the browser downloads the answer), examples from the
`example-*` named queries, and answers shown as a table. `?query=` fills the form and runs it, so a
query can be shared as a link.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ...core.formats import GRAPH_FORMATS, RESULT_FORMATS, Kind
from ...kg.runtime import Runtime
from ..pages.html import page_response, render, site_of


def query_page(request: Request, runtime: Runtime, query: str | None) -> Response:
    site = site_of(request)
    examples = [q for q in runtime.queries if q.name.startswith("example-")]
    text = query if query is not None else (examples[0].text if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    formats = [(f, f.kind is Kind.GRAPH) for f in (*RESULT_FORMATS, *GRAPH_FORMATS)]
    page = render("query.html", site, title="SPARQL query", settings=runtime.settings, examples=examples, text=text,
                  formats=formats, autorun=query is not None)
    return page_response(page, site)
