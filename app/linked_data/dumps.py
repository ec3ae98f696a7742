"""Full dumps of the graph (ontology and data) in Turtle, N-Triples, N-Quads, JSON-LD and RDF/XML.

The triples are read once from the store (the `default-graph` named query), so a dump holds exactly what
the SPARQL endpoint serves, in either store mode. Each syntax is serialised on first request and kept,
with a strong ETag (content hash) and a Last-Modified time for conditional GETs.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

import pyoxigraph as ox

from ..core.errors import ProblemError
from ..core.formats import BY_NAME, GRAPH_FORMATS, Format
from ..core.validators import Validators
from ..core.vocab import with_id_prefixes
from ..kg.runtime import Runtime
from ..sparql.results import write_triples
from ..store.base import WHOLE, QueryRequest

DUMP_FORMATS: tuple[Format, ...] = GRAPH_FORMATS
NAME = "natokg"


@dataclass(frozen=True)
class Dump:
    fmt: Format
    body: bytes
    validators: Validators

    @property
    def filename(self) -> str:
        return f"{NAME}.{self.fmt.extension}"


def dump_format(extension: str) -> Format | None:
    """The dump syntax for a file extension (`ttl`, `nt`, `nq`, `jsonld`, `rdf`), if there is one."""
    return next((f for f in DUMP_FORMATS if f.extension == extension), None)


def read_all_triples(runtime: Runtime) -> list[ox.Triple]:
    """Every triple of the store, uncut.

    :raises ProblemError: if the store cut the answer (it never should: no row limit is set).
    """
    query = runtime.queries["default-graph"]
    answer = runtime.store.execute(QueryRequest(query.text, BY_NAME["nt"], max_rows=WHOLE))
    if answer.truncated:
        raise ProblemError("The store cut the dump short.")
    return [quad.triple for quad in ox.parse(answer.body, format=ox.RdfFormat.N_TRIPLES)]


class Dumps:
    """The dumps of one graph, each serialised once, when first asked for."""

    def __init__(self, triples: list[ox.Triple], *, id_base: str, last_modified: datetime) -> None:
        self._triples = triples
        self._prefixes = with_id_prefixes(id_base, (t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)))
        self._last_modified = last_modified
        self._built: dict[str, Dump] = {}
        self._lock = threading.Lock()

    @property
    def triple_count(self) -> int:
        return len(self._triples)

    def get(self, fmt: Format) -> Dump:
        with self._lock:
            if fmt.name not in self._built:
                body = self._serialise(fmt)
                self._built[fmt.name] = Dump(fmt, body, Validators.of(body, self._last_modified))
            return self._built[fmt.name]

    def _serialise(self, fmt: Format) -> bytes:
        return write_triples(self._triples, fmt, prefixes=self._prefixes)
