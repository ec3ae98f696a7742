"""Search and autocomplete over labels and acronyms: accent- and case-insensitive, ranked.

Every label (rdfs:label, skos:prefLabel, skos:altLabel, every language) is normalised once, on the
first search: Unicode NFKD, combining marks dropped, case folded, punctuation read as space. A query is
normalised the same way; a resource matches when one of its labels equals the query (exact), starts
with it (prefix) or contains it (substring), and resources rank by their best match, then by how
short the matching label is, then by whether it is in the requested language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from ..core.text import normalise
from ..store.lists import ListIndex
from .labels import Catalogue, choose_label
from .models import Label, SearchHit, SearchResults

MATCHES = ("exact", "prefix", "substring")
__all__ = ["MATCHES", "IndexedSearch", "Search", "SearchIndex", "normalise"]


class Search(Protocol):
    """What `/api/search`, the home page and the OpenAPI document ask of a search index."""

    @property
    def kinds(self) -> frozenset[str]:
        """The kinds of the labelled resources (their IRI segment: country, framework...)."""
        ...

    def keys(self, segment: str, *, at_most: int) -> list[str]:
        """The keys of the labelled items under `{id base}{segment}/`, sorted; the first `at_most`."""
        ...

    def search(self, q: str, *, lang: str, kind: str | None = None, limit: int = 10) -> SearchResults: ...


@dataclass(frozen=True)
class _Entry:
    item: str
    kind: str
    key: str
    text: str
    lang: str
    normal: str


class SearchIndex:
    """Built once from the catalogue's labels (a remote store's: an embedded store's search is `IndexedSearch`)."""

    def __init__(self, catalogue: Catalogue) -> None:
        self._catalogue = catalogue
        self._entries: list[_Entry] = []
        for item, labels in catalogue.labels.items():
            kind, key = catalogue.key_type(item)
            for entry in labels:
                self._entries.append(_Entry(item, kind, key, entry.value, entry.lang, normalise(entry.value)))

    def keys(self, segment: str, *, at_most: int) -> list[str]:
        return self._catalogue.keys(segment)[:at_most]

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


class IndexedSearch:
    """The same search over the labels of an embedded store's index (app.store.lists), built with the store:
    nothing is read at the first search, no process holds every label, and a query reads the labels that
    contain it (through a trigram index from three characters on)."""

    def __init__(self, index: ListIndex) -> None:
        self._index = index

    @property
    def kinds(self) -> frozenset[str]:
        return self._index.kinds()

    def keys(self, segment: str, *, at_most: int) -> list[str]:
        return self._index.keys(segment, at_most=at_most)

    def search(self, q: str, *, lang: str, kind: str | None = None, limit: int = 10) -> SearchResults:
        wanted = normalise(q)
        if not wanted:
            return SearchResults(query=q, total=0, items=[])
        total, rows = self._index.search(wanted, lang=lang, kind=kind, limit=limit)
        labels = self._index.labels([row.item for row in rows])
        hits = [SearchHit(id=row.item, key=row.key, type=row.kind, label=choose_label(labels.get(row.item, []), lang),
                          matched=Label(value=row.text, lang=row.lang), match=MATCHES[row.rank])  # type: ignore[arg-type]
                for row in rows]
        return SearchResults(query=q, total=total, items=hits)
