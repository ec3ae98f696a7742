"""Data roots for tests that change the sources: a copy of the checkout's source folders."""

from __future__ import annotations

import shutil
from pathlib import Path

from app.core.settings import PROJECT_ROOT, SOURCE_FOLDERS


def copy_root(target: Path) -> Path:
    """A data root at `target` holding a copy of the checkout's source folders, for a test to change."""
    for folder in SOURCE_FOLDERS:
        shutil.copytree(PROJECT_ROOT / folder, target / folder)
    return target
