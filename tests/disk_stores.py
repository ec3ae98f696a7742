"""Apps on an on-disk store in a test's own cache folder, and the folder of files it derives from the store."""

from __future__ import annotations

from pathlib import Path

from app.core.settings import Settings


def disk_settings(cache: Path, **changes: object) -> Settings:
    """An on-disk store in `cache`, the shapes not checked at start (the shipped data passes them elsewhere)."""
    return Settings(**{"store": "disk", "cache_dir": cache, "validate_on_start": False, **changes})


def derived(cache: Path) -> Path:
    """The `derived/` folder of the one store in `cache` (app.store.disk)."""
    [store] = [p for p in cache.glob("store-*") if p.is_dir()]
    return store / "derived"
