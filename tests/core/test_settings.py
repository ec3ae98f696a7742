"""Settings from `NATOKG_*` environment variables and keywords, and what a start imports to read them."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from app.core.settings import Settings

PROJECT = Path(__file__).resolve().parents[2]


def test_variables_are_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATOKG_PORT", "8123")
    monkeypatch.setenv("natokg_workers", "3")
    monkeypatch.setenv("NATOKG_ALLOW_SERVICE", "yes")
    monkeypatch.setenv("NATOKG_QUERY_TIMEOUT", "2.5")
    monkeypatch.setenv("NATOKG_STORE", "disk")
    settings = Settings()
    assert (settings.port, settings.workers, settings.allow_service, settings.query_timeout, settings.store) == (
        8123, 3, True, 2.5, "disk")


def test_keywords_win_over_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATOKG_PORT", "8123")
    assert Settings(port=9000).port == 9000
    assert Settings().port == 8123


def test_an_empty_variable_unsets_what_may_be_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATOKG_CACHE_DIR", "")  # no cache (not the current folder)
    monkeypatch.setenv("NATOKG_SLOW_QUERIES", "")  # the default: workers - 1
    monkeypatch.setenv("NATOKG_SPARQL_ENDPOINT", "")
    monkeypatch.setenv("NATOKG_CORS_ORIGINS", "")  # a list: empty, no origin
    settings = Settings()
    assert settings.cache_dir is None and settings.slow_queries is None and settings.sparql_endpoint is None
    assert settings.cors_origins == []


def test_variables_that_name_no_setting_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NATOKG_NO_SUCH_SETTING", "1")
    monkeypatch.setenv("NATOKGPORT", "1")
    assert Settings().port == 8000
    with pytest.raises(ValidationError, match="no_such_setting"):
        Settings(no_such_setting=1)  # type: ignore[call-arg]


@pytest.mark.parametrize(("name", "value", "message"), [
    ("NATOKG_PORT", "abc", "valid integer"), ("NATOKG_PORT", "70000", "less than or equal to 65535"),
    ("NATOKG_STORE", "tape", "'auto', 'disk' or 'memory'"), ("NATOKG_CORS_ORIGINS", "ftp://a.example", "origins such as"),
])
def test_a_wrong_variable_is_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=message):
        Settings()


def test_a_start_on_validated_sources_imports_neither_rdflib_nor_pyshacl(tmp_path: Path) -> None:
    """The second start builds the runtime and the application as `natokg serve` does, from the cached
    validation report: the RDF parser and the validator (0.1 s of imports) are left for the first start."""
    program = """
import sys
from app.core.settings import Settings
from app.kg.runtime import build_runtime
from app.web.app import create_app
settings = Settings(workers=1)
runtime = build_runtime(settings)
create_app(settings, runtime=runtime)
runtime.close()
print(" ".join(sorted({name.split(".")[0] for name in sys.modules} & {"rdflib", "pyshacl", "pydantic_settings"})))
"""
    env = {**os.environ, "NATOKG_CACHE_DIR": str(tmp_path), "NATOKG_STORE": "memory"}
    first, second = (subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=PROJECT,
                                    timeout=300, check=True) for _ in range(2))
    assert first.stdout.split() == ["pyshacl", "rdflib"]  # the first start validates
    assert second.stdout.split() == []
