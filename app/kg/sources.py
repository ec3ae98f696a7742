"""Reading the ontology, data and shapes files into rdflib graphs, and the triples derived from them."""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.settings import CANONICAL_ID_BASE, Settings

if TYPE_CHECKING:
    from rdflib import Graph

SETTLED = 2.0  # seconds since its last change before a file's fingerprint is trusted to stand for its bytes


class SourceFileError(Exception):
    """A Turtle file of the project does not parse."""


class SourceFolderError(Exception):
    """A folder the service reads (ontology/, data/, shapes/, queries/ under `NATOKG_ROOT`) is missing or empty."""


def check_folders(settings: Settings, *, data: bool = True) -> None:
    """Refuse to start on a root that cannot be served: each folder the mode needs must exist and hold files.

    `data=False` (a remote store holds the data) checks the named queries only; the shapes are needed
    only when the data is validated at start.

    :raises SourceFolderError: naming the first folder that is missing or empty.
    """
    root = settings.root
    needed = [(settings.ontology_dir, "*.ttl"), (settings.data_dir, "*.ttl")] if data else []
    if data and settings.validate_on_start:
        needed.append((settings.shapes_dir, "*.ttl"))
    needed.append((settings.queries_dir, "*.rq"))
    for folder, pattern in needed:
        if not folder.is_dir():
            why = "which is not a folder" if not root.is_dir() else "which must hold ontology/, data/, shapes/ and queries/"
            raise SourceFolderError(f"the folder {folder} is missing (NATOKG_ROOT is {root}, {why})")
        if next(folder.glob(pattern), None) is None:
            raise SourceFolderError(f"the folder {folder} holds no {pattern} file (NATOKG_ROOT is {root})")


def _parse_folder(folder: Path) -> Graph:
    from rdflib import Graph  # imported when the sources are parsed, not at every start (0.1 s)

    graph = Graph()
    for path in sorted(folder.glob("*.ttl")):
        try:
            graph.parse(path, format="turtle")
        except Exception as exc:  # rdflib raises several unrelated types for syntax errors
            raise SourceFileError(f"{path}: {exc}") from exc
    return graph


@dataclass(frozen=True)
class Sources:
    """The project's RDF, as parsed from its folders."""

    ontology: Graph
    data: Graph
    shapes: Graph


def load_sources(settings: Settings) -> Sources:
    """Parse every `.ttl` under ontology/, data/ and shapes/.

    :raises SourceFolderError: if one of these folders is missing or empty.
    :raises SourceFileError: if a file does not parse.
    """
    check_folders(settings)
    return Sources(
        ontology=_parse_folder(settings.ontology_dir),
        data=_parse_folder(settings.data_dir),
        shapes=_parse_folder(settings.shapes_dir),
    )


def source_files(settings: Settings) -> list[Path]:
    """The files whose content decides what is served and whether it is valid."""
    return [p for folder in (settings.ontology_dir, settings.data_dir, settings.shapes_dir) for p in sorted(folder.glob("*.ttl"))]


@dataclass(frozen=True)
class SourcesDigest:
    value: str  # hexadecimal SHA-256
    kept: bool  # in the cache folder for the next start (read from it, or written there now)


def sources_digest(settings: Settings) -> SourcesDigest:
    """A SHA-256 over the names and bytes of every source file.

    Reading gigabytes of Turtle at every start would cost seconds, so the digest is kept in the cache
    folder under the files' fingerprint (path, inode, size, modification time), as git trusts its index.
    A file changed in the same clock tick as it was read could keep its fingerprint: a digest is kept
    only when every file is older than `SETTLED` seconds, so such a change is always read again
    (`remember_sources_digest` keeps it once they are).
    """
    files = source_files(settings)
    remembered = _remembered_digest(settings.cache_dir, files)
    if remembered is not None and remembered[1] is not None:
        return SourcesDigest(remembered[1], kept=True)
    digest = _read_digest(files)
    return SourcesDigest(digest, kept=remembered is not None and _settled(files) and _keep(remembered[0], digest))


def remember_sources_digest(settings: Settings, digest: str) -> bool:
    """Keep `digest` for the next start where `sources_digest` could not: the files were newer than
    `SETTLED` when read (a start right after the data was written), and are settled now (a store took
    longer than that to build). The files are read again, and the digest kept only if they still give
    it; a source changed meanwhile is left for the next start to read. Whether the digest is kept now."""
    try:  # a source removed meanwhile is, too
        files = source_files(settings)
        remembered = _remembered_digest(settings.cache_dir, files)
        if remembered is None or remembered[1] is not None or not _settled(files) or _read_digest(files) != digest:
            return False
    except OSError:
        return False
    return _keep(remembered[0], digest)


def _read_digest(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _settled(files: list[Path]) -> bool:
    return all(time.time() - path.stat().st_mtime > SETTLED for path in files)


def _keep(kept: Path, digest: str) -> bool:
    try:  # a read-only cache only costs the next start another read
        kept.parent.mkdir(parents=True, exist_ok=True)
        temporary = kept.with_name(f"{kept.name}.{os.getpid()}.tmp")
        temporary.write_text(digest, encoding="utf-8")
        temporary.replace(kept)
    except OSError:
        return False
    return True


def _remembered_digest(cache_dir: Path | None, files: list[Path]) -> tuple[Path, str | None] | None:
    """(where the digest of these files is kept, the digest if kept), or None without a cache folder."""
    if cache_dir is None:
        return None
    fingerprint = hashlib.sha256()
    for path in files:
        status = path.stat()
        fingerprint.update(f"{path.resolve()}\0{status.st_ino}\0{status.st_size}\0{status.st_mtime_ns}\0".encode())
    kept = cache_dir / f"digest-{fingerprint.hexdigest()[:32]}"
    try:
        return kept, kept.read_text(encoding="utf-8").strip() or None
    except OSError:
        return kept, None


def served_files(settings: Settings) -> list[Path]:
    """The ontology and data files: what the store holds (the shapes only judge it)."""
    return sorted(settings.ontology_dir.glob("*.ttl")) + sorted(settings.data_dir.glob("*.ttl"))


def turtle_files(settings: Settings) -> Iterator[tuple[str, bytes]]:
    """Each ontology and data file (its path, its Turtle), with the data IRIs under the deployment's base,
    read one at a time so that a build holds one file in memory, not the whole graph.

    Loading these straight into Oxigraph skips rdflib, which is ten times slower to parse.
    """
    for path in served_files(settings):
        text = path.read_text(encoding="utf-8")
        if settings.id_base != CANONICAL_ID_BASE:
            text = text.replace(f"<{CANONICAL_ID_BASE}", f"<{settings.id_base}")
        yield str(path), text.encode("utf-8")

