"""The home page in headless Chromium: the search box suggests as one types and opens the chosen page by the
keyboard; the page passes axe-core (WCAG 2.1 AA) and fetches nothing from elsewhere."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.browser import CHROMIUM, SKIP_REASON, Browser

pytestmark = [pytest.mark.browser, pytest.mark.skipif(CHROMIUM is None, reason=SKIP_REASON)]


def test_search_suggests_and_opens_by_keyboard(live_url: str, tmp_path: Path) -> None:
    with Browser(tmp_path) as browser:
        page = browser.open(f"{live_url}/")
        assert page.axe() == []
        page.evaluate("document.getElementById('search-box').focus() || true")
        page.type("ukr")
        page.wait_for("!document.getElementById('search-suggestions').hidden")
        suggestions = page.evaluate("Array.from(document.querySelectorAll('#search-suggestions li')).map(li => li.dataset.href)")
        assert "/id/country/UKR" in suggestions
        assert page.evaluate("document.getElementById('search-box').getAttribute('aria-expanded')") == "true"
        for _ in range(suggestions.index("/id/country/UKR") + 1):
            page.press("ArrowDown")
        assert page.evaluate("document.getElementById('search-box').getAttribute('aria-activedescendant')") == (
            f"suggestion-{suggestions.index('/id/country/UKR')}")
        assert page.axe() == []  # with the list open
        page.press("Enter")
        page.wait_for("location.pathname === '/id/country/UKR'")
        assert page.foreign_requests(live_url) == [] and page.errors == []
