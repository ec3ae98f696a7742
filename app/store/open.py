"""Choosing the store once, at start-up: embedded (on disk or in memory), or remote when the settings name an endpoint."""

from __future__ import annotations

from ..core.settings import Settings
from .base import Store
from .disk import Contents, Progress, find_or_build
from .embedded import EmbeddedStore, load_in_memory
from .handle import OpenedStore
from .lists import FILE, ListIndex


def open_store(contents: Contents | None, settings: Settings, *, progress: Progress | None = None) -> Store:
    """The store the settings ask for: remote (which holds its data already), or embedded with `contents`.

    The embedded store is on disk under the cache folder (found, or built with `progress` told how
    far it is), unless the settings ask for memory (or for `auto` and the sources are small) or name no
    cache folder.

    :raises app.store.disk.BuildError: a document does not parse or the store could not be written.
    """
    if settings.sparql_endpoint:
        from .remote import RemoteStore  # httpx (and the rich console its CLI imports) costs 0.1 s of every start otherwise

        return RemoteStore(settings)
    assert contents is not None
    in_memory = settings.store == "memory" or (settings.store == "auto" and contents.size <= settings.memory_max_bytes)
    if in_memory or settings.cache_dir is None:
        documents = [document for _, document in contents.documents()]
        memory = load_in_memory(documents, derivations=contents.derivations)
        lists = ListIndex.in_memory(memory, contents.index_queries, id_base=contents.index_base) if contents.index_queries else None
        return EmbeddedStore(OpenedStore(memory=memory), settings, triples=len(memory), origin="loaded into memory",
                             lists=lists)
    found = find_or_build(settings.cache_dir, contents, progress=progress)
    verb = "reused" if found.reused else f"built in {found.seconds:.1f} s"
    index = found.path / FILE
    return EmbeddedStore(OpenedStore(path=found.path), settings, triples=found.triples,
                         origin=f"store {verb}: {found.path} ({found.triples} triples)",
                         lists=ListIndex(path=index) if index.exists() else None)
