"""`/map`: NATO's Allies and partners on a world map through time (a page for browsers; its data are the named
queries `members-on-date` and `partners-on-date`, which the page's script asks as the date slider moves)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from ...core.errors import InvalidParameter
from ..pages.html import page_response, render, site_of
from ..pages.map import FIRST_DAY, map_state
from ..state import runtime_of

router = APIRouter(tags=["Pages"])


@router.get("/map", include_in_schema=False)
async def world_map(request: Request, at: str | None = None, framework: str | None = None) -> Response:
    site = site_of(request)
    runtime = runtime_of(request)
    today = date.today()
    try:
        day = date.fromisoformat(at) if at else today
    except ValueError:
        raise InvalidParameter(f"Parameter 'at' must be a day as YYYY-MM-DD; got {at!r}.", parameters=["at"]) from None
    if not FIRST_DAY <= day <= today:
        raise InvalidParameter(f"Parameter 'at' must be a day from {FIRST_DAY} to today ({today}); got {at}.", parameters=["at"])
    state = await run_in_threadpool(map_state, runtime, site, day, framework or None)
    if framework and framework not in state.framework_labels:
        raise InvalidParameter(f"Parameter 'framework' must be one of {', '.join(state.framework_labels)}; got {framework!r}.",
                               parameters=["framework"])
    page = render("map.html", site, title=site.t("Map of NATO's partners through time", "Carte des partenaires de l'OTAN dans le temps"),
                  state=state, first_day=FIRST_DAY.isoformat(), today=today.isoformat(), id_base=runtime.settings.id_base)
    return page_response(page, site)
