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
