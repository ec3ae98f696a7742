"""The query page: what a browser gets at /sparql without a query, as Fuseki and Oxigraph server offer.

Plain HTML with one bundled script (app/static/query.js, no CDN): a form that also works without
JavaScript (it submits to /sparql and the browser downloads the answer), examples from the
`example-*` named queries, and answers shown as a table. `?query=` fills the form and runs it, so a
query can be shared as a link.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from ...core.formats import GRAPH_FORMATS, HTML, RESULT_FORMATS, Kind
from ...kg.runtime import Runtime
from ..pages.html import Site, esc, page
from ..responses import body_response


def query_page(request: Request, runtime: Runtime, query: str | None) -> Response:
    site = Site(request.scope.get("root_path", ""), runtime.settings.id_base)
    examples = [q for q in runtime.queries if q.name.startswith("example-")]
    text = query if query is not None else (examples[0].text if examples else "SELECT * WHERE { ?s ?p ?o } LIMIT 10")
    options = "".join(f'<option value="{esc(q.name)}" data-query="{esc(q.text)}">{esc(q.title.removeprefix("Example: "))}</option>'
                      for q in examples)
    formats = "".join(f'<option value="{esc(f.name)}">{esc(f.label)}{" (CONSTRUCT, DESCRIBE)" if f.kind is Kind.GRAPH else ""}</option>'
                      for f in (*RESULT_FORMATS, *GRAPH_FORMATS))
    body = f"""<h1>SPARQL <span class="fr" lang="fr">requête SPARQL</span></h1>
<p>Ask the whole graph in <a href="https://www.w3.org/TR/sparql11-query/">SPARQL 1.1</a>. The endpoint is read-only;
SERVICE and LOAD are refused, long queries stop at {runtime.settings.query_timeout:g} s and answers at
{runtime.settings.max_rows:,} rows. Clients send <code>query=</code> to <code>{esc(site.url("/sparql"))}</code>
(GET or POST); <a href="{esc(site.url("/sparql?format=ttl"))}">service description</a>.</p>
<form id="sparql-form" action="{esc(site.url("/sparql"))}" method="get" data-autorun="{"true" if query is not None else "false"}">
<p><label for="example">Examples <span class="fr" lang="fr">exemples</span></label>
<select id="example"><option value="">…</option>{options}</select></p>
<p><textarea id="query" name="query" rows="14" spellcheck="false">{esc(text)}</textarea></p>
<p><label for="format">Answer as</label> <select id="format" name="format">{formats}</select>
<button type="submit">Run <span class="fr" lang="fr">exécuter</span></button> <span id="status" role="status"></span></p>
</form>
<div id="results"></div>
<script src="{esc(site.url("/static/query.js"))}"></script>"""
    return body_response(page("SPARQL query", body, site), HTML)
