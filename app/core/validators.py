"""Validators of a representation (RFC 9110 section 8.8): a strong ETag (content hash) and Last-Modified,
and whether a conditional GET with given request headers may be answered 304 (section 13)."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime


@dataclass(frozen=True)
class Validators:
    """A representation's strong entity tag (a content hash) and its modification time (whole seconds, UTC)."""

    etag: str
    last_modified: datetime

    @classmethod
    def of(cls, body: bytes, last_modified: datetime) -> Validators:
        digest = hashlib.sha256(body).hexdigest()[:32]
        return cls(f'"{digest}"', last_modified.astimezone(UTC).replace(microsecond=0))

    def headers(self) -> dict[str, str]:
        return {"ETag": self.etag, "Last-Modified": format_datetime(self.last_modified, usegmt=True)}

    def not_modified(self, request_headers: Mapping[str, str]) -> bool:
        """Whether a GET with these headers may be answered 304 (RFC 9110 13.2.2: If-None-Match wins)."""
        if_none_match = request_headers.get("if-none-match")
        if if_none_match is not None:
            tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
            return "*" in tags or self.etag in tags  # weak comparison, as RFC 9110 13.1.2 asks
        if_modified_since = request_headers.get("if-modified-since")
        if if_modified_since is None:
            return False
        try:
            since = parsedate_to_datetime(if_modified_since)
        except (TypeError, ValueError):
            return False  # an invalid date is ignored (RFC 9110 13.1.3)
        if since.tzinfo is None:
            since = since.replace(tzinfo=UTC)
        return self.last_modified <= since
