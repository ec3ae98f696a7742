"""Choosing the store once, at start-up: embedded, or remote when the settings name an endpoint."""

from __future__ import annotations

from collections.abc import Sequence

from ..core.settings import Settings
from .base import Store
from .embedded import EmbeddedStore
from .remote import RemoteStore


def open_store(documents: list[bytes] | None, settings: Settings, *, derivations: Sequence[str] = ()) -> Store:
    """The store the settings ask for: embedded (loaded with the Turtle `documents` and what the
    `derivations` derive from them) or remote (which holds its data already)."""
    if settings.sparql_endpoint:
        return RemoteStore(settings)
    assert documents is not None
    return EmbeddedStore(documents, settings, derivations=derivations)
