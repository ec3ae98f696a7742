"""What the linked-data routes build once per application and then share: the dumps, the VoID statistics
and the ontology graph. Each is built on first use (under a lock) from the runtime."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from ..kg.runtime import Runtime
from ..kg.sources import SourceFileError
from ..store.base import DumpsHere
from .dumps import DumpFiles, Dumps, read_all_triples
from .void import Statistics, kept_statistics

if TYPE_CHECKING:
    from rdflib import Graph


class Publication:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._lock = threading.RLock()

    @cached_property
    def last_modified(self) -> datetime:
        """When the published graph last changed: the newest ontology or data file in embedded mode, else
        the moment the service started (a remote store does not tell)."""
        settings = self.runtime.settings
        if settings.sparql_endpoint:  # asked of the settings: `runtime.sources` would parse the whole graph with rdflib
            return datetime.fromtimestamp(self.runtime.started, UTC)
        files = [*settings.ontology_dir.glob("*.ttl"), *settings.data_dir.glob("*.ttl")]
        newest = max((f.stat().st_mtime for f in files), default=self.runtime.started)
        return datetime.fromtimestamp(newest, UTC)

    def dumps(self) -> Dumps | DumpFiles:
        with self._lock:
            return self._dumps

    def dump_files(self) -> DumpFiles | None:
        """The dumps as files beside an on-disk store; None for another store (nothing is read then)."""
        with self._lock:
            return self._dump_files

    @cached_property
    def _dumps(self) -> Dumps | DumpFiles:
        return self._dump_files or Dumps(read_all_triples(self.runtime), id_base=self.runtime.settings.id_base,
                                         last_modified=self.last_modified)

    @cached_property
    def _dump_files(self) -> DumpFiles | None:
        store = self.runtime.store
        if isinstance(store, DumpsHere) and (folder := store.derived_files) is not None:  # written by its engine
            return DumpFiles(store, folder, id_base=self.runtime.settings.id_base, last_modified=self.last_modified)
        return None

    def statistics(self) -> Statistics:
        with self._lock:
            return self._statistics

    @cached_property
    def _statistics(self) -> Statistics:
        return kept_statistics(self.runtime.store, self.runtime.queries)

    def ontology(self) -> tuple[Graph, Graph]:
        """(the ontology document: files that declare an owl:Ontology; every ontology file, for labels)."""
        with self._lock:
            return self._ontology

    @cached_property
    def _ontology(self) -> tuple[Graph, Graph]:
        from rdflib import Graph  # parsed on first use: rdflib is not imported at start
        from rdflib.namespace import OWL, RDF

        document, everything = Graph(), Graph()
        for path in sorted(self.runtime.settings.ontology_dir.glob("*.ttl")):
            graph = _parse(path)
            everything += graph
            if any(graph.subjects(RDF.type, OWL.Ontology)):
                document += graph
        return document, everything


def _parse(path: Path) -> Graph:
    from rdflib import Graph

    try:
        return Graph().parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several unrelated types for syntax errors
        raise SourceFileError(f"{path}: {exc}") from exc
