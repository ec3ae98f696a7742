"""Everything the service needs at run time, built once: validated data, the store, the named queries."""

from __future__ import annotations

import time
from dataclasses import dataclass

from app.graph import Sources, load_sources, to_ntriples
from app.querylib import QueryLibrary
from app.settings import Settings
from app.store import Store, open_store
from app.validation import ValidationReport, validate_sources


class InvalidData(Exception):
    """The shipped data violates the shapes: the service must not start."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"the data does not conform to the shapes ({len(report.violations)} violation(s))")
        self.report = report


@dataclass
class Runtime:
    settings: Settings
    store: Store
    queries: QueryLibrary
    sources: Sources | None
    report: ValidationReport | None
    started: float

    def close(self) -> None:
        self.store.close()


def build_runtime(settings: Settings) -> Runtime:
    """Parse, validate and load; in remote mode the upstream store already holds the data.

    :raises InvalidData: if validation finds a violation.
    :raises app.graph.SourceFileError: if a Turtle file does not parse.
    :raises app.querylib.QueryFileError: if a named query is broken.
    """
    started = time.time()
    queries = QueryLibrary.load(settings.queries_dir, id_base=settings.id_base)
    if settings.sparql_endpoint:
        return Runtime(settings, open_store(None, settings), queries, None, None, started)
    sources = load_sources(settings)
    report = validate_sources(sources) if settings.validate_on_start else None
    if report is not None and not report.conforms:
        raise InvalidData(report)
    store = open_store(to_ntriples(sources.combined(), settings), settings)
    return Runtime(settings, store, queries, sources, report, started)
