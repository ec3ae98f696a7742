"""Everything the service needs at run time, built once: validated data, the store, the named queries."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Mapping
from functools import cached_property
from importlib import metadata
from typing import Any

from .. import __version__
from ..core.formats import Format, Kind
from ..core.settings import Settings
from ..sparql.querylib import Binding, NamedQuery, QueryLibrary
from ..sparql.results import write_plain
from ..sparql.rewrite import bound
from ..store import lists
from ..store.base import Answer, KeepsAnswers, QueryRequest, Store, select
from ..store.disk import BuildError, Contents, Progress
from ..store.open import open_store
from .report import ValidationReport, cached_validation
from .sources import (
    SourceFileError,
    Sources,
    check_folders,
    load_sources,
    remember_sources_digest,
    served_files,
    sources_digest,
    turtle_files,
)


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

    @property
    def lists(self) -> lists.ListIndex | None:
        """The store's list index (app.store.lists); None for a remote store, whose lists run as SPARQL."""
        return getattr(self.store, "lists", None)

    def rows(self, name: str, params: Mapping[str, str]) -> list[dict[str, Any]]:
        """The rows of the named query `name`, its parameters checked and bound as the API binds them."""
        query = self.queries[name]
        return select(self.store, query.text, query.bind(params, iri_base=self.settings.id_base))

    def answers_from_index(self, name: str) -> bool:
        """Whether the named query `name` may be answered by `indexed_answer` (a cheap test, made on the event loop)."""
        return name == lists.PARTNERS_ON_DATE and self.lists is not None

    def indexed_answer(self, query: NamedQuery, bindings: Mapping[str, Binding], fmt: Format) -> Answer | None:
        """The answer to a named query that the store's list index answers whole for any value of its parameters
        (`partners-on-date`: app.store.lists), cut at the row cap and written as the store writes an answer
        (app.sparql.results.write_plain): at 5M triples the store reads every partner role to choose a day's. A store
        that keeps slow answers reads it back if kept and keeps it if slow, as it would its own. None when the index
        does not answer it: another query, no index, a parameter given several values, an index built without it
        (another text of the query, or a graph whose shape its SQL does not follow)."""
        index = self.lists
        if index is None or not self.answers_from_index(query.name) or fmt.kind is not Kind.RESULTS or not index.has(query.name):
            return None
        values: dict[str, Any] = {}
        for name, binding in bindings.items():
            if isinstance(binding, tuple):
                if len(binding) != 1:
                    return None
                binding = binding[0]
            values[name] = binding.value
        max_rows = self.settings.max_rows

        def written() -> Answer:
            rows = index.partners_on_date(values["date"], organization=values.get("framework"), lang=values.get("lang"),
                                          limit=max_rows + 1)
            assert rows is not None, "the index has the part"
            truncated = len(rows) > max_rows
            del rows[max_rows:]
            return Answer("solutions", write_plain(lists.PARTNERS_ON_DATE_COLUMNS, lists.PARTNERS_ON_DATE_KINDS, rows, fmt,
                                                   truncated=truncated), truncated, len(rows))

        if isinstance(self.store, KeepsAnswers):  # read back if kept, kept if slow (at 5M triples a day takes 0.1-0.3 s)
            return self.store.kept_or(QueryRequest(query.text, fmt, bindings), written)
        return written()

    def close(self) -> None:
        self.store.close()


def store_contents(settings: Settings, digest: str, derivations: list[str], index_queries: Mapping[str, str]) -> Contents:
    """What the embedded store holds, keyed by everything that decides its files: the sources' digest, the
    derivations, the list index's queries and schema, the deployment's base and the versions of natokg and
    pyoxigraph (which writes the files)."""
    parts = [digest, settings.id_base, __version__, metadata.version("pyoxigraph"), *derivations,
             f"lists {lists.VERSION}", *index_queries.values()]
    key = hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]
    return Contents(key=key, owner=str(settings.root.resolve()), documents=lambda: turtle_files(settings),
                    size=sum(path.stat().st_size for path in served_files(settings)), derivations=derivations,
                    index_queries=index_queries, index_base=settings.id_base)


def _validate(settings: Settings) -> ValidationReport:
    from .validation import validate_sources  # rdflib and pyshacl, needed only when the sources changed

    return validate_sources(load_sources(settings))


def build_runtime(settings: Settings, *, progress: Progress | None = None) -> Runtime:
    """Validate (or find the sources' digest already validated), then open the store built from these
    sources (building it the first time, `progress` told how far); in remote mode the upstream store
    already holds the data.

    :raises InvalidData: if validation finds a violation.
    :raises app.kg.sources.SourceFolderError: if a folder under the data root is missing or empty.
    :raises app.kg.sources.SourceFileError: if a Turtle file does not parse.
    :raises app.sparql.querylib.QueryFileError: if a named query is broken.
    """
    started = time.time()
    check_folders(settings, data=not settings.sparql_endpoint)
    queries = QueryLibrary.load(settings.queries_dir, id_base=settings.id_base)
    if settings.sparql_endpoint:
        return Runtime(settings, open_store(None, settings), queries, None, started)
    report = None
    read = sources_digest(settings)
    digest = read.value
    if settings.validate_on_start:
        report = cached_validation(settings.cache_dir, digest, lambda: _validate(settings))
        if not report.conforms:
            raise InvalidData(report)
    derivations = [query.text for query in queries if query.name.startswith("derive-")]
    # a data root whose queries/ predates the index has none: its lists and search then run as SPARQL
    index_queries = {name: queries[name].text for name in lists.QUERIES} if all(n in queries for n in lists.QUERIES) else {}
    if index_queries:  # and what it keeps whole: every fact's sources, the lists of the other kinds as REST asks them unfiltered
        index_queries |= {query.name: bound(query.text, query.bind({}, iri_base=settings.id_base)) for query in queries
                          if query.name in (lists.PROVENANCE, lists.MEMBERSHIPS) or lists.list_query(query.name) is not None}
        if lists.PARTNERS_ON_DATE in queries:  # answered on any day when its text is the one the index is written for
            index_queries[lists.PARTNERS_ON_DATE] = queries[lists.PARTNERS_ON_DATE].text
    try:
        store = open_store(store_contents(settings, digest, derivations, index_queries), settings, progress=progress)
    except BuildError as error:
        raise SourceFileError(str(error)) from error
    if not read.kept:  # sources written just before this start; after a build they may have settled
        remember_sources_digest(settings, digest)
    return Runtime(settings, store, queries, report, started)
