"""Everything the service needs at run time, built once: validated data, the store, the named queries."""

from __future__ import annotations

import time
from functools import cached_property

from app.core.settings import Settings
from app.kg.sources import Sources, check_folders, load_sources, sources_digest, turtle_documents
from app.kg.validation import ValidationReport, cached_validation, validate_sources
from app.sparql.querylib import QueryLibrary
from app.store.base import Store
from app.store.open import open_store


class InvalidData(Exception):
    """The shipped data violates the shapes: the service must not start."""

    def __init__(self, report: ValidationReport) -> None:
        super().__init__(f"the data does not conform to the shapes ({len(report.violations)} violation(s))")
        self.report = report


class Runtime:
    """The store, the named queries and the validation report of one running service."""

    def __init__(self, settings: Settings, store: Store, queries: QueryLibrary, report: ValidationReport | None, started: float) -> None:
        self.settings = settings
        self.store = store
        self.queries = queries
        self.report = report
        self.started = started

    @cached_property
    def sources(self) -> Sources | None:
        """The parsed source graphs (rdflib), read on first use; None in remote mode."""
        return None if self.settings.sparql_endpoint else load_sources(self.settings)

    def close(self) -> None:
        self.store.close()


def build_runtime(settings: Settings) -> Runtime:
    """Validate (or find the sources' digest already validated), then load; in remote mode the
    upstream store already holds the data.

    :raises InvalidData: if validation finds a violation.
    :raises app.kg.sources.SourceFileError: if a folder is missing or empty, or a Turtle file does not parse.
    :raises app.sparql.querylib.QueryFileError: if a named query is broken.
    """
    started = time.time()
    check_folders(settings)
    queries = QueryLibrary.load(settings.queries_dir, id_base=settings.id_base)
    if settings.sparql_endpoint:
        return Runtime(settings, open_store(None, settings), queries, None, started)
    report = None
    if settings.validate_on_start:
        report = cached_validation(settings.cache_dir, sources_digest(settings), lambda: validate_sources(load_sources(settings)))
        if not report.conforms:
            raise InvalidData(report)
    derivations = [query.text for query in queries if query.name.startswith("derive-")]
    store = open_store(turtle_documents(settings), settings, derivations=derivations)
    return Runtime(settings, store, queries, report, started)
