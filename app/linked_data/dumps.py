"""Full dumps of the graph (ontology and data) in Turtle, N-Triples, N-Quads, JSON-LD and RDF/XML.

A dump holds exactly what the SPARQL endpoint serves (its default graph), with a strong ETag (content hash) and a
Last-Modified time for conditional GETs. Each syntax is written on first request, then kept:

* from an on-disk store (`DumpFiles`), as a file in the store's folder, written once by Oxigraph's serialiser as it
  reads the store and then sent from the file by every process and every later start: memory does not grow
  with the graph (reading a million triples into each process to serialise them held 1.1 GB more);
* from a store in memory or a remote one (`Dumps`), in memory, from the triples read once with the
  `default-graph` named query.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import ProblemError, Unavailable
from ..core.formats import BY_NAME, GRAPH_FORMATS, Format
from ..core.validators import Validators
from ..core.vocab import with_id_prefixes
from ..kg.runtime import Runtime
from ..sparql.results import PREFIXED, write_triples
from ..store.base import WHOLE, DumpsHere, QueryRequest
from ..store.disk import exclusive, partial_file

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


@dataclass(frozen=True)
class DumpFile:
    """A dump written to a file: sent from it (app.web.routes.dumps), never read into memory."""

    fmt: Format
    path: Path
    validators: Validators

    @property
    def filename(self) -> str:
        return f"{NAME}.{self.fmt.extension}"


class DumpFiles:
    """The dumps of an on-disk store, each written on first request into the store's `derived/` folder and kept
    there for every process and later start that serves the same store (and removed with it).

    A file is written under a temporary name, then renamed to `natokg-<hash>.<ext>` (the hash of its bytes, its
    ETag): a reader sees a whole dump or none, and a crash mid-write leaves only a temporary file, removed by
    the next writer. An exclusive lock per syntax makes concurrent requests, in any process, write it once.
    The prefixes of Turtle, TriG, N3 and RDF/XML are those of the in-memory dumps (`with_id_prefixes` over the
    subjects), read from the N-Triples dump, which is written first.
    """

    def __init__(self, store: DumpsHere, folder: Path, *, id_base: str, last_modified: datetime) -> None:
        self._store = store
        self._folder = folder
        self._id_base = id_base
        self._last_modified = last_modified
        self._known: dict[str, DumpFile] = {}

    def get(self, fmt: Format) -> DumpFile:
        """The dump in `fmt`, written first if no process has yet.

        :raises Unavailable: the store's folder cannot be written.
        """
        known = self._known.get(fmt.name)
        if known is not None:
            return known
        try:
            self._folder.mkdir(exist_ok=True)
            with exclusive(self._folder / f"{NAME}.{fmt.extension}.lock"):
                self._known[fmt.name] = self._found(fmt) or self._write(fmt)
                return self._known[fmt.name]
        except OSError as error:
            raise Unavailable(f"The {fmt.extension} dump cannot be written beside the store ({error.strerror or error}).") from error

    def _found(self, fmt: Format) -> DumpFile | None:
        for path in self._folder.glob(f"{NAME}-*.{fmt.extension}"):
            etag = path.name[len(NAME) + 1:-len(fmt.extension) - 1]
            return DumpFile(fmt, path, Validators(f'"{etag}"', self._last_modified.astimezone(UTC).replace(microsecond=0)))
        return None

    def _write(self, fmt: Format) -> DumpFile:
        for stale in self._folder.glob(f".{NAME}.{fmt.extension}.*"):  # a write that crashed: no writer holds it now
            stale.unlink(missing_ok=True)
        prefixes = self._prefixes() if isinstance(fmt.oxigraph, ox.RdfFormat) and fmt.oxigraph in PREFIXED else None
        with partial_file(self._folder, prefix=f"{NAME}.{fmt.extension}.") as partial:
            self._store.dump_here(partial, fmt, prefixes=prefixes)
            digest = hashlib.sha256()
            with partial.open("rb") as written:
                for block in iter(lambda: written.read(2**20), b""):
                    digest.update(block)
            os.rename(partial, self._folder / f"{NAME}-{digest.hexdigest()[:32]}.{fmt.extension}")
        found = self._found(fmt)
        assert found is not None
        return found

    def _prefixes(self) -> dict[str, str]:
        """`with_id_prefixes` over the graph's subjects, as the in-memory dumps have them, from the N-Triples dump."""
        nt = self.get(BY_NAME["nt"])
        start = f"<{self._id_base}".encode()
        kinds: set[bytes] = set()
        with nt.path.open("rb") as lines:
            for line in lines:  # a line of N-Triples starts with its subject
                if line.startswith(start):
                    end = line.find(b"/", len(start))
                    if 0 < end < line.find(b">"):
                        kinds.add(line[len(start):end])
        return with_id_prefixes(self._id_base, (f"{self._id_base}{kind.decode()}/" for kind in sorted(kinds)))
