"""Search and autocomplete: `/api/search` over every label and acronym, in English and French."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from ...core.errors import InvalidParameter
from ...core.formats import RECORD_FORMATS
from ...rest import models as m
from ..openapi import answers, media_types
from ..rest_responses import LANGUAGE_TAG_PATTERN, lookups, respond
from ..state import state_of

router = APIRouter(prefix="/api", tags=["REST lookups"])


@router.get("/search", summary="Search labels and acronyms", response_model=m.SearchResults,
            responses={200: {"content": media_types(RECORD_FORMATS[1:])}, **answers(errors=(400, 406))})
def search(request: Request, q: Annotated[str, Query(min_length=1, max_length=200, description="what to look for")],
           lang: Annotated[str | None, Query(max_length=35, pattern=LANGUAGE_TAG_PATTERN,
                                             description="label language, else Accept-Language")] = None,
           type: Annotated[str | None, Query(description="only this kind: country, framework, summit, operation...")] = None,
           limit: Annotated[int, Query(ge=1, le=100)] = 10) -> Response:
    """Labels and acronyms in every language, ignoring case and accents ("otan", "PfP",
    "dialogue mediterraneen"); exact matches first, then prefixes, then substrings. `lang` picks the
    language of the labels shown and breaks ties."""
    index = state_of(request).search_index()
    if type is not None and type not in index.kinds:
        raise InvalidParameter(f"Parameter 'type': unknown kind {type!r}; use one of: {', '.join(sorted(index.kinds))}.",
                               parameters=["type"])
    view = lookups(request, lang)
    return respond(request, index.search(q, lang=view.lang, kind=type, limit=limit), view.lang)
