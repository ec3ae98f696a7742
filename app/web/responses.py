"""Negotiated answers as Starlette responses: the media type of the chosen format, `Vary: Accept` always."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, Response

from ..core.errors import BadRequest, RangeNotSatisfiable
from ..core.formats import Format
from ..core.validators import Validators
from .conditional import conditional_response


def body_response(body: bytes, fmt: Format, *, truncated: bool = False, headers: dict[str, str] | None = None) -> Response:
    """A negotiated answer: always `Vary: Accept`; a cut answer says so in `X-Natokg-Truncated`."""
    all_headers = {"Vary": "Accept", **(headers or {})}
    if truncated:
        all_headers["X-Natokg-Truncated"] = "true"
    return Response(body, media_type=fmt.content_type, headers=all_headers)


_BYTE_RANGE = re.compile(r"^\s*([0-9]*)\s*-\s*([0-9]*)\s*$")


def file_response(request: Request, path: Path, fmt: Format, validators: Validators, *,
                  headers: dict[str, str] | None = None) -> Response:
    """A file sent as it is read from disk (memory does not grow with its size), with its validators: a 304 to a
    matching conditional GET, and byte ranges (RFC 9110 section 14) to resume a download, `If-Range` honoured.

    :raises BadRequest: a `Range` that is not `bytes=` ranges.
    :raises RangeNotSatisfiable: no range starts within the file.
    """
    sent = {**(headers or {}), **validators.headers(), "Accept-Ranges": "bytes"}  # FileResponse compares If-Range with these
    asked, if_range = request.headers.get("range"), request.headers.get("if-range")
    resumes = if_range is None or if_range in validators.headers().values()  # else: the whole file
    if asked is not None and resumes and not validators.not_modified(request.headers):
        _check_range(asked, path.stat().st_size)
    return conditional_response(request.headers, validators, FileResponse(path, media_type=fmt.content_type, headers=sent))


def _check_range(header: str, size: int) -> None:
    """What Starlette's FileResponse would answer in plain text, as problem details instead."""
    unit, _, ranges = header.partition("=")
    satisfiable = False
    for part in ranges.split(",") if unit.strip().lower() == "bytes" else [""]:
        match = _BYTE_RANGE.match(part)
        if match is None or match[1] == match[2] == "" or (match[1] and match[2] and int(match[1]) > int(match[2])):
            raise BadRequest(f"Range {header!r} is not a list of byte ranges such as 'bytes=0-1023' or 'bytes=1024-' "
                             "(RFC 9110 section 14.1.2).", parameters=["Range"])
        satisfiable |= int(match[1]) < size if match[1] else int(match[2]) > 0
    if not satisfiable:
        raise RangeNotSatisfiable(f"No range of {header!r} starts within the {size} bytes of this download.",
                                  headers={"Content-Range": f"bytes */{size}"})
