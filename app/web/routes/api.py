"""REST lookups under /api/: a list and a detail operation for every row of the table of kinds (app.rest.kinds).

Lists take `limit`/`offset` and answer the total and RFC 8288 `Link` headers; labels come in the
language of `lang` or `Accept-Language` (else English), each saying its language; every fact carries
its sources. `Accept: application/ld+json` gives the same answer as JSON-LD with an inline context.
OpenAPI documents each operation with its kind's own model and filters.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from ...core.formats import RECORD_FORMATS
from ...rest import models as m
from ...rest.kinds import FILTERS, KINDS, Filter, Kind
from ..openapi import answers, media_types
from ..rest_responses import LANGUAGE_TAG_PATTERN, lookups, respond

router = APIRouter(prefix="/api", tags=["REST lookups"])

LANG = Annotated[str | None, Query(max_length=35, pattern=LANGUAGE_TAG_PATTERN,
                                   description="label language (en, fr); default: Accept-Language, else en")]
MAX_OFFSET = 2**31 - 1  # what every SPARQL engine takes as OFFSET
LIMIT = Annotated[int, Query(ge=1, le=500, description="page size")]
OFFSET = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
LIST_RESPONSES = {200: {"content": media_types(RECORD_FORMATS[1:])}, **answers(errors=(400, 406))}
DETAIL_RESPONSES = {200: {"content": media_types(RECORD_FORMATS[1:])}, **answers(errors=(400, 404, 406))}


def _keyword(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> inspect.Parameter:
    return inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)


def _filter(spec: Filter) -> inspect.Parameter:
    query = Query(description=spec.description, ge=spec.ge, le=spec.le)
    annotation = Annotated[spec.type, query] if spec.default is not None else Annotated[spec.type | None, query]
    return _keyword(spec.name, annotation, spec.default)


def _operation(handler: Callable[..., Response], name: str, doc: str, parameters: list[inspect.Parameter]) -> Callable[..., Response]:
    """`handler` under `name`, documented by `doc`, with the signature FastAPI reads its parameters from."""
    request = inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)
    handler.__signature__ = inspect.Signature([request, *parameters], return_annotation=Response)  # type: ignore[attr-defined]
    handler.__name__ = handler.__qualname__ = name
    handler.__doc__ = doc
    return handler


def _add_list(kind: Kind) -> None:
    def handler(request: Request, *, lang: str | None = None, limit: int = 50, offset: int = 0, **filters: Any) -> Response:
        view = lookups(request, lang)
        return respond(request, kind.page(view, limit=limit, offset=offset, **filters), view.lang)

    parameters = [_filter(FILTERS[name]) for name in kind.filters]
    parameters += [_keyword("lang", LANG, None), _keyword("limit", LIMIT, 50), _keyword("offset", OFFSET, 0)]
    name = f"list_{kind.path.replace('-', '_')}"
    router.add_api_route(f"/{kind.path}", _operation(handler, name, kind.list_doc, parameters), methods=["GET"],
                         summary=kind.title, response_model=m.Page[kind.item], responses=LIST_RESPONSES)  # type: ignore[name-defined]


def _add_detail(kind: Kind) -> None:
    def handler(request: Request, *, lang: str | None = None, **key: str) -> Response:
        view = lookups(request, lang)
        return respond(request, kind.detail_item(view, key[kind.key]), view.lang)

    path_parameter = _keyword(kind.key, Annotated[str, Path(description="the item's key: the last segment of its IRI")])
    operation = _operation(handler, f"get_{kind.path.replace('-', '_')}", kind.detail_doc, [path_parameter, _keyword("lang", LANG, None)])
    router.add_api_route(f"/{kind.path}/{{{kind.key}}}", operation, methods=["GET"], summary=kind.one, response_model=kind.detail,
                         responses=DETAIL_RESPONSES)


for _kind in KINDS:
    _add_list(_kind)
    _add_detail(_kind)
