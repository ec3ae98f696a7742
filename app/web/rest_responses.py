"""Answering REST lookups: JSON or JSON-LD by `Accept`, the label language, and paging `Link` headers (RFC 8288)."""

from __future__ import annotations

import json
import re
from typing import Any

from fastapi import Request
from pydantic import BaseModel
from starlette.responses import Response

from ..core.errors import InvalidParameter
from ..core.formats import RECORD_FORMATS, negotiate
from ..rest import jsonld
from ..rest.labels import LANGUAGES, choose_language
from ..rest.lookups import Lookups
from ..rest.models import Page
from .responses import body_response
from .state import runtime_of

LANGUAGE_TAG_PATTERN = r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$"  # BCP 47 shape, ASCII only: it is echoed in Content-Language
LANGUAGE_TAG = re.compile(LANGUAGE_TAG_PATTERN)


def lookups(request: Request, lang: str | None) -> Lookups:
    """The per-request lookup view, in the language of `lang` or of `Accept-Language` (else English)."""
    runtime = runtime_of(request)
    if lang is not None and not LANGUAGE_TAG.fullmatch(lang):
        raise InvalidParameter(f"Parameter 'lang' must be a language tag such as en or fr; got {lang!r}.", parameters=["lang"])
    chosen = choose_language(lang, request.headers.get("accept-language"), LANGUAGES)
    return Lookups(runtime.store, runtime.queries, runtime.settings.id_base, chosen.split("-")[0],
                   sort_limit=runtime.settings.rest_sort_limit, lists=runtime.lists)


def links(request: Request, total: int, limit: int, offset: int) -> str:
    """first, prev, next and last pages, keeping the request's other parameters."""
    def url(at: int) -> str:
        return str(request.url.include_query_params(limit=limit, offset=at))

    last = max(0, (total - 1) // limit * limit)
    rels = [("first", 0)]
    if offset > 0:
        rels.append(("prev", max(0, min(offset - limit, last))))
    if offset + limit < total:
        rels.append(("next", offset + limit))
    rels.append(("last", last))
    return ", ".join(f'<{url(at)}>; rel="{rel}"' for rel, at in rels)


def respond(request: Request, model: BaseModel, lang: str) -> Response:
    """`model` as JSON (the default) or JSON-LD with an inline context; 406 for anything else."""
    fmt = negotiate(request.headers.get("accept"), RECORD_FORMATS)
    payload: dict[str, Any] = model.model_dump(mode="json")
    if fmt.name == "record-jsonld":
        payload = jsonld.render(payload)
    headers = {"Vary": "Accept, Accept-Language", "Content-Language": lang}
    if isinstance(model, Page):
        headers["Link"] = links(request, model.total, model.limit, model.offset)
        headers["X-Total-Count"] = str(model.total)
    return body_response(json.dumps(payload, ensure_ascii=False).encode("utf-8"), fmt, headers=headers)
