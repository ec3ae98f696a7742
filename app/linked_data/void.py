"""The VoID description of the dataset (https://www.w3.org/TR/void/): statistics, partitions, access points.

The statistics come from the `void-*` named queries (SPARQL COUNTs over the store), run once (once per
on-disk store: `kept_statistics`).
Identifiers (dataset, URI space, vocabulary) use the configured base; access points (SPARQL
endpoint, dumps) use the address the service answers at.
"""

from __future__ import annotations

import json
import os
from contextlib import suppress
from dataclasses import asdict, dataclass

import pyoxigraph as ox

from ..core.settings import Settings
from ..core.vocab import DCTERMS, ONTOLOGY_IRI, RDF, VOID, XSD
from ..sparql.querylib import QueryLibrary
from ..store.base import WHOLE, DumpsHere, Store, select
from ..store.disk import exclusive, partial_file
from .dumps import DUMP_FORMATS, NAME

EXAMPLE_RESOURCES = ("country/FRA", "organisation/nato", "framework/pfp", "summit/chicago-2012", "membership/nato-FRA")
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class Statistics:
    triples: int
    distinct_subjects: int
    properties: int
    distinct_objects: int
    entities: int
    classes: tuple[tuple[str, int], ...]  # (class IRI, distinct instances)
    property_partitions: tuple[tuple[str, int], ...]  # (property IRI, triples)

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> Statistics:
        """:raises ValueError: not what `to_json` writes."""
        try:
            data = json.loads(text)
            return cls(**{**data, "classes": tuple((str(c), int(n)) for c, n in data["classes"]),
                          "property_partitions": tuple((str(p), int(n)) for p, n in data["property_partitions"])})
        except (KeyError, TypeError) as error:
            raise ValueError(f"not VoID statistics: {error}") from error


STATISTICS_FILE = "void-statistics.json"


def kept_statistics(store: Store, queries: QueryLibrary) -> Statistics:
    """`compute_statistics`, kept in an on-disk store's `derived/` folder (app.store.disk): counted once per store
    rather than in every serving process at every start (5 s at a million triples). Elsewhere, or where that
    folder cannot be written, they are counted here."""
    if not isinstance(store, DumpsHere) or (folder := store.derived_files) is None:
        return compute_statistics(store, queries)
    kept = folder / STATISTICS_FILE
    try:
        folder.mkdir(exist_ok=True)
        with exclusive(folder / f"{STATISTICS_FILE}.lock"):
            try:
                return Statistics.from_json(kept.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                pass  # none yet (or not ours): counted now
            statistics = compute_statistics(store, queries)
            with suppress(OSError), partial_file(folder, prefix=f"{STATISTICS_FILE}.") as partial:  # else counted at each start
                partial.write_text(statistics.to_json(), encoding="utf-8")
                os.rename(partial, kept)  # whole or not at all
            return statistics
    except OSError:
        return compute_statistics(store, queries)


def _int(term: object) -> int:
    assert isinstance(term, ox.Literal)
    return int(term.value)


def compute_statistics(store: Store, queries: QueryLibrary) -> Statistics:
    """Run the three `void-*` queries."""
    totals = select(store, queries["void-statistics"].text)[0]
    classes = select(store, queries["void-class-partitions"].text, max_rows=WHOLE)
    properties = select(store, queries["void-property-partitions"].text, max_rows=WHOLE)
    return Statistics(
        triples=_int(totals["triples"]),
        distinct_subjects=_int(totals["distinctSubjects"]),
        properties=_int(totals["properties"]),
        distinct_objects=_int(totals["distinctObjects"]),
        entities=_int(totals["entities"]),
        classes=tuple((row["class"].value, _int(row["entities"])) for row in classes if isinstance(row["class"], ox.NamedNode)),
        property_partitions=tuple((row["property"].value, _int(row["triples"])) for row in properties),
    )


def dataset_iri(settings: Settings) -> ox.NamedNode:
    """The dataset's IRI: the fragment `#natokg` of the VoID document at the configured base."""
    return ox.NamedNode(f"{settings.base_iri}.well-known/void#{NAME}")


def _count(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=ox.NamedNode(XSD + "integer"))


def _v(term: str) -> ox.NamedNode:
    return ox.NamedNode(VOID + term)


def void_triples(stats: Statistics, settings: Settings, *, service_base: str) -> list[ox.Triple]:
    """The VoID description; `service_base` is where this service answers (ends with '/')."""
    dataset = dataset_iri(settings)
    out = [
        ox.Triple(dataset, ox.NamedNode(RDF + "type"), _v("Dataset")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "title"), ox.Literal("natokg: NATO's partnerships", language="en")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "title"), ox.Literal("natokg : les partenariats de l'OTAN", language="fr")),
        ox.Triple(dataset, ox.NamedNode(DCTERMS + "license"), ox.NamedNode(DATA_LICENSE)),
        ox.Triple(dataset, _v("triples"), _count(stats.triples)),
        ox.Triple(dataset, _v("entities"), _count(stats.entities)),
        ox.Triple(dataset, _v("distinctSubjects"), _count(stats.distinct_subjects)),
        ox.Triple(dataset, _v("distinctObjects"), _count(stats.distinct_objects)),
        ox.Triple(dataset, _v("properties"), _count(stats.properties)),
        ox.Triple(dataset, _v("classes"), _count(len(stats.classes))),
        ox.Triple(dataset, _v("uriSpace"), ox.Literal(settings.id_base)),
        ox.Triple(dataset, _v("vocabulary"), ox.NamedNode(ONTOLOGY_IRI)),
        ox.Triple(dataset, _v("sparqlEndpoint"), ox.NamedNode(f"{service_base}sparql")),
        ox.Triple(dataset, _v("rootResource"), ox.NamedNode(f"{settings.id_base}organisation/nato")),
    ]
    out += [ox.Triple(dataset, _v("exampleResource"), ox.NamedNode(settings.id_base + key)) for key in EXAMPLE_RESOURCES]
    out += [ox.Triple(dataset, _v("dataDump"), ox.NamedNode(f"{service_base}dumps/{NAME}.{f.extension}")) for f in DUMP_FORMATS]
    for index, (cls, count) in enumerate(stats.classes):
        part = ox.BlankNode(f"class{index}")
        out += [ox.Triple(dataset, _v("classPartition"), part), ox.Triple(part, _v("class"), ox.NamedNode(cls)),
                ox.Triple(part, _v("entities"), _count(count))]
    for index, (prop, count) in enumerate(stats.property_partitions):
        part = ox.BlankNode(f"property{index}")
        out += [ox.Triple(dataset, _v("propertyPartition"), part), ox.Triple(part, _v("property"), ox.NamedNode(prop)),
                ox.Triple(part, _v("triples"), _count(count))]
    return out
