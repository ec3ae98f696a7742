"""The OpenAPI docs pages and the home page load nothing from outside the app: every script, stylesheet
and icon they reference is served by the app itself."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

EXTERNAL = re.compile(r"^(https?:)?//", re.IGNORECASE)


class _Assets(HTMLParser):
    """Collects what a browser would fetch while loading the page (not the links a user may follow)."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag in ("script", "img", "iframe") and values.get("src"):
            self.assets.append(values["src"] or "")
        if tag == "link" and values.get("href") and values.get("rel") != "alternate":
            self.assets.append(values["href"] or "")


def assets_of(page: str) -> list[str]:
    parser = _Assets()
    parser.feed(page)
    return parser.assets


@pytest.mark.parametrize("path", ["/docs", "/redoc", "/", "/id/country/FRA.html", "/ontology.html"])
def test_pages_reference_no_outside_asset(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assets = assets_of(response.text)
    assert assets, "expected at least a stylesheet"
    for asset in assets:
        assert not EXTERNAL.match(asset), f"{path} loads {asset} from outside the app"
        served = client.get(asset)
        assert served.status_code == 200, asset
        assert len(served.content) > 100, asset
    # Nothing in inline scripts or styles points outside either (e.g. a CDN url: or a fonts @import).
    for inline in re.findall(r"<(?:script|style)[^>]*>(.*?)</(?:script|style)>", response.text, re.DOTALL):
        assert not re.search(r"""["'(]\s*(https?:)?//""", inline), inline[:200]


def test_swagger_ui_page_uses_the_bundled_assets(client: TestClient) -> None:
    page = client.get("/docs").text
    assert 'id="swagger-ui"' in page
    assert "/static/docs/swagger-ui-bundle.js" in page and "/static/docs/swagger-ui.css" in page
    assert "url: '/openapi.json'" in page
    assert '"validatorUrl": null' in page  # the validator badge would call out
    bundle = client.get("/static/docs/swagger-ui-bundle.js")
    assert bundle.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert b"SwaggerUIBundle" in bundle.content


# GET+HEAD routes declared with api_route (sparql.py, graph_store.py) share one operation id; FastAPI warns.
def test_openapi_documents_the_linked_data_operations(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    paths = ("/id/{kind}/{key}", "/ontology", "/ontology/{version}", "/dumps/natokg.{extension}", "/.well-known/void", "/catalog")
    for path in paths:
        assert path in spec["paths"], path
        assert spec["paths"][path]["get"]["description"]
    assert "/docs" not in spec["paths"] and "/" not in spec["paths"]


def test_home_page_links_everything(client: TestClient) -> None:
    page = client.get("/").text
    for href in ("/docs", "/sparql", "/ontology", "/.well-known/void", "/catalog", "/dumps/natokg.ttl", "/dumps/natokg.nq"):
        assert f'href="{href}"' in page, href
