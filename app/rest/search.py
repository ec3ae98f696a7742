"""Search and autocomplete over labels and acronyms: accent- and case-insensitive, ranked.

Every label (rdfs:label, skos:prefLabel, skos:altLabel, every language) is normalised once, on the
first search: Unicode NFKD, combining marks dropped, case folded, punctuation read as space. A query is
normalised the same way; a resource matches when one of its labels equals the query (exact), starts
with it (prefix) or contains it (substring), and resources rank by their best match, then by how
short the matching label is, then by whether it is in the requested language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .labels import Catalogue
from .models import Label, SearchHit, SearchResults

_NON_WORD = re.compile(r"[\W_]+")
MATCHES = ("exact", "prefix", "substring")


def normalise(text: str) -> str:
    """'Dialogue méditerranéen' -> 'dialogue mediterraneen'; "l'OTAN" -> 'l otan'."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_WORD.sub(" ", stripped.casefold()).strip()


@dataclass(frozen=True)
class _Entry:
    item: str
    kind: str
    key: str
    text: str
    lang: str
    normal: str


class SearchIndex:
    """Built once from the catalogue's labels."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._entries: list[_Entry] = []
        for item, labels in catalogue.labels.items():
            kind, key = catalogue.key_type(item)
            for entry in labels:
                self._entries.append(_Entry(item, kind, key, entry.value, entry.lang, normalise(entry.value)))

    @property
    def catalogue(self) -> Catalogue:
        return self._catalogue

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(e.kind for e in self._entries)

    def search(self, q: str, *, lang: str, kind: str | None = None, limit: int = 10) -> SearchResults:
        wanted = normalise(q)
        best: dict[str, tuple[tuple[int, int, int, str], _Entry, int]] = {}
        for entry in self._entries:
            if not wanted or (kind and entry.kind != kind):
                continue
            if entry.normal == wanted:
                rank = 0
            elif entry.normal.startswith(wanted):
                rank = 1
            elif wanted in entry.normal:
                rank = 2
            else:
                continue
            score = (rank, len(entry.normal), 0 if entry.lang.lower() == lang else 1, entry.item)
            if entry.item not in best or score < best[entry.item][0]:
                best[entry.item] = (score, entry, rank)
        ranked = sorted(best.values(), key=lambda b: b[0])
        hits = [
            SearchHit(id=e.item, key=e.key, type=e.kind, label=self._catalogue.label(e.item, lang),
                      matched=Label(value=e.text, lang=e.lang), match=MATCHES[rank])  # type: ignore[arg-type]
            for _, e, rank in ranked[:limit]
        ]
        return SearchResults(query=q, total=len(ranked), items=hits)
