"""Labels and provenance of every resource, read once at start-up, and the choice of label language.

The graph is read-only while the service runs, so the REST API reads every label (`search-labels.rq`)
and every fact's sources (`api-provenance.rq`) once and joins them to each answer in Python, instead
of repeating the same joins in every lookup query.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from ..core.formats import parse_quality_list
from ..sparql.querylib import QueryLibrary
from ..store.base import Store, select
from .models import Label

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
SKOS_ALT = "http://www.w3.org/2004/02/skos/core#altLabel"
DEFAULT_LANGUAGE = "en"
LANGUAGES = frozenset({"en", "fr"})  # every labelled entity has both (shapes/natokg-shapes.ttl, LabelShape)


def choose_language(lang: str | None, accept_language: str | None, available: frozenset[str]) -> str:
    """`lang` if given, else the client's most preferred available language (RFC 9110 12.5.4), else English."""
    if lang:
        return lang.lower()
    ranked = [(-p.q, p.order, p.value.split("-")[0]) for p in parse_quality_list(accept_language or "")
              if p.q > 0 and p.value.split("-")[0] in available]
    return min(ranked)[2] if ranked else DEFAULT_LANGUAGE


def choose_label(entries: Sequence[tuple[str, str, str]], lang: str) -> Label | None:
    """Of one resource's (property, value, language) labels, the rdfs:label (else skos:prefLabel) in `lang`,
    else in English, else in any language; the first in the order given where several qualify."""
    for wanted in (lang, DEFAULT_LANGUAGE, None):
        for prop in (RDFS_LABEL, SKOS_PREF):
            for entry_prop, value, entry_lang in entries:
                if entry_prop == prop and (wanted is None or entry_lang.lower() == wanted):
                    return Label(value=value, lang=entry_lang)
    return None


@dataclass(frozen=True)
class LabelEntry:
    item: str
    property: str
    value: str
    lang: str


@dataclass
class Catalogue:
    id_base: str
    labels: dict[str, list[LabelEntry]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def load(cls, store: Store, queries: QueryLibrary, *, id_base: str) -> Catalogue:
        catalogue = cls(id_base)
        for row in select(store, queries["search-labels"].text):
            item, label = row["item"].value, row["label"]
            if item.startswith(id_base) and isinstance(label, ox.Literal):
                entry = LabelEntry(item, row["property"].value, label.value, label.language or "")
                catalogue.labels[item].append(entry)
        # One order whatever order the store gives rows in, so every list answered is the same from any store.
        for entries in catalogue.labels.values():
            entries.sort(key=lambda e: (e.property, e.lang, e.value))
        return catalogue

    def keys(self, segment: str) -> list[str]:
        """The keys of the labelled items under `{id base}{segment}/`, sorted."""
        prefix = f"{self.id_base}{segment}/"
        return sorted({iri.removeprefix(prefix) for iri in self.labels
                       if iri.startswith(prefix) and "/" not in iri.removeprefix(prefix)})

    def label(self, iri: str, lang: str) -> Label | None:
        """The rdfs:label (else skos:prefLabel) in `lang`, else in English, else in any language."""
        return choose_label([(e.property, e.value, e.lang) for e in self.labels.get(iri, [])], lang)

    def alt_labels(self, iri: str) -> list[Label]:
        return [Label(value=e.value, lang=e.lang) for e in self.labels.get(iri, []) if e.property == SKOS_ALT]

    def key_type(self, iri: str) -> tuple[str, str]:
        """(type, key) of an IRI under the id base: `.../id/summit/chicago-2012` is ("summit", "chicago-2012")."""
        if not iri.startswith(self.id_base):
            return "external", iri
        kind, _, key = iri[len(self.id_base):].partition("/")
        return kind, key
