"""Profile pages in headless Chromium: accessible (axe-core, WCAG 2.1 AA), nothing fetched from elsewhere, and the
timeline's as-of cursor moving through the rows as the named query `members-on-date` and friends would."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, SKIP_REASON, Browser

pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)]

HELD = "Array.from(document.querySelectorAll('g.row.held a text')).map(t => t.textContent)"


def set_cursor(page: object, day: str) -> str:
    """Moves the as-of cursor to `day` as a keyboard or mouse would (an input event) and returns its sentence."""
    text: str = page.evaluate(  # type: ignore[attr-defined]
        "(() => { const i = document.getElementById('asof-date'); const first = Date.parse(document.querySelector("
        "'figure.timeline svg').dataset.first); i.value = String(Math.round((Date.parse('" + day + "') - first) / 86400000));"
        " i.dispatchEvent(new Event('input')); return document.getElementById('asof-out').textContent; })()")
    return text


def test_a_country_profile_with_its_timeline_cursor(live_url: str, tmp_path: Path) -> None:
    with Browser(tmp_path) as browser:
        page = browser.open(f"{live_url}/id/country/UKR")
        page.wait_for("!document.querySelector('.asof').hidden")
        # 1 March 1995: partner in NACC and PfP; EAPC (1997) and the Enhanced Opportunities (2020) not yet
        assert set_cursor(page, "1995-03-01") == "On 1 March 1995: 2 held of 8"
        held = page.evaluate(HELD)
        assert any(t.startswith("North Atlantic Cooperation") for t in held) and any(t.startswith("Partnership for Peace") for t in held)
        assert not any(t.startswith("Euro-Atlantic") for t in held)
        # 15 July 2021: NACC has ended; PfP, EAPC and the Enhanced Opportunities hold
        assert set_cursor(page, "2021-07-15").startswith("On 15 July 2021: 3 held")
        assert not any(t.startswith("North Atlantic Cooperation") for t in page.evaluate(HELD))
        # the cursor is a range input: keyboard steps move it by a day
        page.evaluate("document.getElementById('asof-date').focus() || true")
        before = page.evaluate("document.getElementById('asof-date').value")
        page.press("ArrowRight")
        assert int(page.evaluate("document.getElementById('asof-date').value")) == int(before) + 1
        assert page.axe() == []
        assert page.foreign_requests(live_url) == [] and page.errors == []
        page.screenshot(tmp_path / "ukr.png")

        french = browser.open(f"{live_url}/id/operation/ocean-shield?lang=fr")
        french.wait_for("!document.querySelector('.asof').hidden")
        # 3 contributing countries and the 5 frameworks they take part in
        assert french.evaluate("document.querySelectorAll('svg.network a circle').length") == 3
        assert french.evaluate("document.querySelectorAll('svg.network a rect.group').length") == 5
        assert set_cursor(french, "2015-06-01").startswith("Au 1 juin 2015 :")
        assert french.axe() == []
        assert french.foreign_requests(live_url) == [] and french.errors == []
