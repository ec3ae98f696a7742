"""The query editor at /sparql as headless Chromium runs it: YASGUI from /static/vendor/, an example run
into the results table, result IRIs linked to this site's pages, prefix and class completion from this
server only, a shared `?query=` link run on arrival, and axe's WCAG 2.1 AA check."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.browser import CHROMIUM, SKIP_REASON, Browser, Page

pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)]

READY = "document.getElementById('yasgui').dataset.ready === 'true'"
ROWS = "document.querySelectorAll('.yasr table.dataTable tbody tr').length"
HINTS = "Array.from(document.querySelectorAll('.CodeMirror-hints li')).map(li => li.textContent)"
# axe rules that YASGUI 4.6.2's own markup breaks and that neither configuration nor CSS can mend:
UPSTREAM_AXE = {
    # The tab bar (role=tablist) also holds the "+" (new tab) button, which is not a tab; moving the button
    # out of the list breaks YASGUI, which inserts new tabs before it.
    "aria-required-children",
}


def complete(page: Page, text: str) -> list[str]:
    """The completions the editor offers with `text` typed and the cursor at its end."""
    page.evaluate(f"(() => {{ const y = natokgEditor.getTab().getYasqe(); y.setValue({json.dumps(text)});"
                  " y.setCursor(y.lastLine(), 1e6); y.focus(); y.autocomplete(); return true; })()")
    page.wait_for(f"{HINTS}.length > 0", timeout=10)
    hints: list[str] = page.evaluate(HINTS)
    page.press("Escape")
    return hints


def test_the_editor_runs_examples_links_locally_and_asks_only_this_server(live_url: str, tmp_path: Path) -> None:
    with Browser(tmp_path) as browser:
        page = browser.open(f"{live_url}/sparql")
        page.wait_for(READY)
        assert page.evaluate("document.title") == "SPARQL query editor · natokg"
        assert page.evaluate("document.getElementById('sparql-form').hidden")  # YASGUI replaced the plain form
        assert page.evaluate("natokgEditor.getTab().getEndpoint()") == f"{live_url}/sparql"

        # An example opens in a tab of its own and runs: its rows fill the table.
        page.click("a[data-example='example-chicago-partners']")
        page.wait_for(f"{ROWS} === 13")
        assert page.evaluate("natokgEditor.getTab().getName()") == "the partners that met the Allies at Chicago in May 2012"
        assert "Morocco" in page.evaluate("document.querySelector('.yasr table.dataTable tbody').textContent")

        # Prefix completion offers the project's own prefixes; class completion asks this endpoint.
        assert "nkg: <https://w3id.org/natokg/ontology#>" in complete(page, "PREFIX nk")
        assert "nkg:PartnershipFramework" in complete(page, "PREFIX nkg: <https://w3id.org/natokg/ontology#>\n"
                                                            "SELECT * WHERE { ?x a nkg:Partner")
        assert page.foreign_requests(live_url) == []

        # Accessibility of the page with its table drawn (the completion list closed).
        violations = [v for v in page.axe() if v["id"] not in UPSTREAM_AXE]
        assert violations == [], violations
        page.screenshot(tmp_path / "editor.png")
        # An endpoint typed on one visit does not stick: the next visit puts every tab back on this one.
        page.evaluate("natokgEditor.getTab().setEndpoint('http://example.invalid/sparql') && true")

        # A shared link: the query arrives in the editor and runs; data IRIs and ontology terms link here.
        query = ("PREFIX nkg: <https://w3id.org/natokg/ontology#> SELECT ?framework ?class WHERE {"
                 " ?framework a nkg:PartnershipFramework , ?class } ORDER BY ?framework ?class LIMIT 4")
        shared = browser.open(f"{live_url}/sparql?query={quote(query)}")
        shared.wait_for(f"{ROWS} > 0")
        links = shared.evaluate("Array.from(document.querySelectorAll('.yasr a.iri')).map(a => a.getAttribute('href'))")
        assert any(href.startswith("/id/") for href in links), links
        assert "/ontology#PartnershipFramework" in links, links
        assert not [href for href in links if "w3id.org" in href], links
        endpoints = shared.evaluate("Object.values(natokgEditor._tabs).map(tab => tab.getEndpoint())")
        assert len(endpoints) == 3 and set(endpoints) == {f"{live_url}/sparql"}, endpoints
        assert shared.foreign_requests(live_url) == [] and shared.errors == []

        # The chart view: a count per class is drawn as one bar per row, with a text summary.
        counts = ("SELECT ?class (COUNT(?s) AS ?n) WHERE { ?s a ?class } GROUP BY ?class ORDER BY DESC(?n) LIMIT 7")
        chart = browser.open(f"{live_url}/sparql?query={quote(counts)}")
        chart.wait_for(f"{ROWS} === 7")
        chart.evaluate("natokgEditor.getTab().getYasr().selectPlugin('chart') || true")
        chart.wait_for("document.querySelector('.yasr figure.natokg-chart svg') !== null")
        assert chart.evaluate("document.querySelectorAll('.yasr figure.natokg-chart svg rect').length") == 7
        assert chart.evaluate("document.querySelector('.yasr figure.natokg-chart svg').getAttribute('role')") == "img"
        assert chart.evaluate("document.querySelector('.yasr figure.natokg-chart figcaption').textContent").startswith(
            "A bar chart of ?n by ?class: 7 rows")
        violations = [v for v in chart.axe() if v["id"] not in UPSTREAM_AXE]
        assert violations == [], violations
        assert chart.foreign_requests(live_url) == [] and chart.errors == []
