"""Choosing a request's answer format: `format=`/`output=`/`results=` first, then a file-name suffix, then `Accept`.

The table and the rules are `app.core.formats`; this module reads them off a request.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from starlette.requests import Request

from ..core.formats import FORMAT_PARAMETERS, GRAPH_FORMATS, HTML, Format, negotiate, requested_format

RESOURCE_FORMATS: tuple[Format, ...] = (*GRAPH_FORMATS, HTML)  # Turtle first: what `*/*` and no Accept get


@dataclass(frozen=True)
class Choice:
    fmt: Format
    negotiated: bool  # chosen from Accept (then Content-Location names the specific URL)


def requested(params: Iterable[tuple[str, str]]) -> list[str]:
    """The values of every parameter that names a format, in order."""
    return [value for name, value in params if name in FORMAT_PARAMETERS]


def split_suffix(key: str, offered: tuple[Format, ...] = RESOURCE_FORMATS) -> tuple[str, Format | None]:
    """`FRA.ttl` -> (`FRA`, Turtle); a key without a known format suffix is returned whole."""
    stem, dot, extension = key.rpartition(".")
    fmt = next((f for f in offered if f.extension == extension), None) if dot else None
    return (stem, fmt) if fmt and stem else (key, None)


def choose(request: Request, offered: tuple[Format, ...] = RESOURCE_FORMATS, *, suffix: Format | None = None) -> Choice:
    """A format named in the query string first, then the suffix, then the Accept header.

    :raises InvalidParameter: a format value that names no format.
    :raises NotAcceptable: when Accept allows none of `offered`.
    """
    fmt = requested_format(requested(request.query_params.multi_items()), offered)
    if fmt is not None:
        return Choice(fmt, negotiated=False)
    if suffix is not None:
        return Choice(suffix, negotiated=False)
    return Choice(negotiate(request.headers.get("accept"), offered), negotiated=True)
