"""The strict tooling of pyproject.toml holds on the whole tree: ruff lint, mypy strict on app/."""

from __future__ import annotations

import subprocess
import sys

from app.core.settings import PROJECT_ROOT


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=600, check=False)


def test_ruff() -> None:
    result = run("ruff", "check", "app", "tests", "bench")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict() -> None:
    result = run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr
