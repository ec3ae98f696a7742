"""Text as search compares it: one normal form for labels and queries alike."""

from __future__ import annotations

import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+")


def normalise(text: str) -> str:
    """'Dialogue méditerranéen' -> 'dialogue mediterraneen'; "l'OTAN" -> 'l otan'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


def sparql_order(value: str | None) -> tuple[bool, str]:
    """A sort key as SPARQL's ORDER BY gives one kind of term by its text: unbound first, then by the text."""
    return (value is not None, value or "")
