"""The map through time in headless Chromium: the coloured countries are the named queries' answers for the day,
the slider and the play button move the day and the URL, and nothing is fetched from elsewhere."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from app.core.settings import PROJECT_ROOT
from tests.browser import CHROMIUM, SKIP_REASON, Browser

pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)]
VENDOR = PROJECT_ROOT / "app" / "web" / "static" / "vendor"


def drawable(live_url: str, day: str) -> tuple[set[str], set[str]]:
    """The ISO numeric codes of the day's Allies and partners that Natural Earth 1:110m draws."""
    numeric = json.loads((VENDOR / "iso-numeric.json").read_text())
    world = json.loads((VENDOR / "countries-110m.json").read_text())
    shapes = {g.get("id") for g in world["objects"]["countries"]["geometries"]}

    def codes(name: str) -> set[str]:
        answer = httpx.get(f"{live_url}/api/queries/{name}", params={"date": day}, headers={"Accept": "application/sparql-results+json"})
        return {numeric[r["iso"]["value"]] for r in answer.json()["results"]["bindings"]} & shapes

    return codes("members-on-date"), codes("partners-on-date")


def test_the_map_draws_the_days_allies_and_partners_and_moves_through_time(live_url: str, tmp_path: Path) -> None:
    if not (VENDOR / "countries-110m.json").exists():
        pytest.fail("app/web/static/vendor/ is not built: npm ci --prefix frontend && npm run --prefix frontend build")
    allies, partners = drawable(live_url, "1997-07-08")
    with Browser(tmp_path) as browser:
        page = browser.open(f"{live_url}/map?at=1997-07-08")
        page.wait_for("document.getElementById('map').dataset.shown === '1997-07-08'")
        assert page.evaluate("document.querySelectorAll('#map path.country').length") > 100
        coloured = page.evaluate("Array.from(document.querySelectorAll('#map path.ally')).map(p => p.dataset.numeric)")
        assert set(coloured) == allies and len(allies) == 16
        assert set(page.evaluate("Array.from(document.querySelectorAll('#map path.partner')).map(p => p.dataset.numeric)")) == partners
        assert page.evaluate("document.getElementById('map-summary').textContent").startswith("On 8 July 1997: 16 Allies;")
        assert "Malta" in page.evaluate("document.getElementById('map-undrawn').textContent")

        # the slider, moved by the keyboard: the day, the URL and the summary follow
        page.evaluate("document.getElementById('map-slider').focus() || true")
        page.press("ArrowRight")
        page.wait_for("document.getElementById('map').dataset.shown === '1997-07-09'")
        assert page.evaluate("location.search") == "?at=1997-07-09"
        assert page.evaluate("document.getElementById('map-summary').textContent").startswith("On 9 July 1997:")
        # 12 March 1999: Czechia, Hungary and Poland join: 19 Allies
        page.evaluate("(() => { const s = document.getElementById('map-slider'); s.value = String(Math.round("
                      "(Date.parse('1999-03-12') - Date.parse('1949-04-04')) / 86400000)); s.dispatchEvent(new Event('input')); })()")
        page.wait_for("document.getElementById('map').dataset.shown === '1999-03-12'")
        assert page.evaluate("document.querySelectorAll('#map path.ally').length") == len(drawable(live_url, "1999-03-12")[0]) == 19
        # play moves on by a year a step
        page.click("#map-play")
        page.wait_for("document.getElementById('map').dataset.shown >= '2000-03-11'", timeout=15)
        page.click("#map-play")
        assert page.evaluate("document.getElementById('map-play').getAttribute('aria-pressed')") == "false"
        assert page.axe() == []
        assert page.foreign_requests(live_url) == [] and page.errors == []
