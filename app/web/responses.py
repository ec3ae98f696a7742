"""Negotiated answers as Starlette responses: the media type of the chosen format, `Vary: Accept` always."""

from __future__ import annotations

from starlette.responses import Response

from ..core.formats import Format


def body_response(body: bytes, fmt: Format, *, truncated: bool = False, headers: dict[str, str] | None = None) -> Response:
    """A negotiated answer: always `Vary: Accept`; a cut answer says so in `X-Natokg-Truncated`."""
    all_headers = {"Vary": "Accept", **(headers or {})}
    if truncated:
        all_headers["X-Natokg-Truncated"] = "true"
    return Response(body, media_type=fmt.content_type, headers=all_headers)
