"""The human entry points: a home page linking everything the service offers, and the OpenAPI docs pages
(Swagger UI at /docs, ReDoc at /redoc), whose scripts and styles the app serves itself (no CDN), so they
work offline.

The assets come from the `fastapi-offline` package (Swagger UI 5, ReDoc): `swagger-ui-bundle` ships
Swagger UI 4.15, which refuses FastAPI's OpenAPI 3.1 document ("does not specify a valid version field").
"""

from __future__ import annotations

from datetime import date
from importlib.resources import files
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, Response

from ...core.errors import InvalidParameter
from ...linked_data.dumps import DUMP_FORMATS
from ..pages.home import home_view
from ..pages.html import page_response, render, site_of
from ..state import runtime_of, state_of

router = APIRouter(tags=["Service"])
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
DOCS_ASSETS_DIR = Path(str(files("fastapi_offline") / "static"))
DOCS_ASSETS_PATH = "/static/docs"


@router.get("/docs", include_in_schema=False)
async def docs(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} API",
        swagger_js_url=f"{root}{DOCS_ASSETS_PATH}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_ASSETS_PATH}/swagger-ui.css",
        swagger_favicon_url=f"{root}{DOCS_ASSETS_PATH}/favicon.png",
        swagger_ui_parameters={"validatorUrl": None},  # the default validator badge would call validator.swagger.io
    )


@router.get("/redoc", include_in_schema=False)
async def redoc(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "")
    return get_redoc_html(
        openapi_url=f"{root}{request.app.openapi_url}",
        title=f"{request.app.title} API",
        redoc_js_url=f"{root}{DOCS_ASSETS_PATH}/redoc.standalone.js",
        redoc_favicon_url=f"{root}{DOCS_ASSETS_PATH}/favicon.png",
        with_google_fonts=False,
    )


CARDS = (
    ("/docs", "API documentation", "Documentation de l'API", "Every operation, tried out in the browser (OpenAPI)."),
    ("/sparql", "SPARQL endpoint", "Point d'accès SPARQL", "SPARQL 1.1 queries over the whole graph."),
    ("/ontology", "Ontology", "Ontologie", "Classes and properties, in English and French."),
    ("/.well-known/void", "VoID description", "Description VoID", "Triple counts, partitions, access points."),
    ("/catalog", "DCAT catalog", "Catalogue DCAT", "The dataset, its license and its distributions."),
    ("/id/organisation/nato", "NATO", "OTAN", "Start browsing: the organisation, its members and partners."),
)


@router.get("/", include_in_schema=False)
async def home(request: Request, q: str | None = None, changed: str | None = None) -> Response:
    """The home page: search (autocomplete with JavaScript; `q=` answers it without), the frameworks with their
    partners today, the latest summits, the map, and what changed on a day (`changed=YYYY-MM-DD`)."""
    site = site_of(request)
    state = state_of(request)
    runtime = runtime_of(request)
    if q is not None and not 0 < len(q) <= 200:
        raise InvalidParameter("Parameter 'q' must be 1 to 200 characters long.", parameters=["q"])
    try:
        day = date.fromisoformat(changed) if changed else None
    except ValueError:
        raise InvalidParameter(f"Parameter 'changed' must be a day as YYYY-MM-DD; got {changed!r}.", parameters=["changed"]) from None
    view = await run_in_threadpool(home_view, runtime, site, day)
    hits = state.search_index().search(q, lang=site.lang, limit=20).items if q else None
    page = render("home.html", site, title="natokg", cards=CARDS, dumps=DUMP_FORMATS, view=view, q=q or "", hits=hits)
    return page_response(page, site)
