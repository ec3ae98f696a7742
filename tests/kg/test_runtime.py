"""Start-up: validation is cached by the sources' digest, and any change to them validates again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.core.settings import Settings
from app.kg.runtime import InvalidData, build_runtime
from app.kg.sources import SourceFolderError


def test_second_start_reads_the_cached_report(root: Path, tmp_path: Path) -> None:
    settings = Settings(root=root, cache_dir=tmp_path / "cache", workers=1)
    build_runtime(settings).close()
    [cached] = list((tmp_path / "cache").glob("validation-*.json"))
    assert cached.read_text(encoding="utf-8") == "[]"
    # Poison the cache: a hit must come from this file, not from validating again.
    cached.write_text('[{"focus": "x", "path": null, "severity": "Violation", "message": "cached", "source_shape": "s", "value": null}]')
    with pytest.raises(InvalidData) as error:
        build_runtime(settings)
    assert error.value.report.violations[0].message == "cached"


def test_changed_data_is_validated_again(root: Path, tmp_path: Path) -> None:
    settings = Settings(root=root, cache_dir=tmp_path / "cache", workers=1)
    build_runtime(settings).close()
    members = root / "data" / "members.ttl"
    text = members.read_text(encoding="utf-8").replace('"1949-08-24"^^xsd:date', '"1949-08-24"^^xsd:string', 1)
    members.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidData) as error:
        build_runtime(settings)
    assert any("xsd:date" in r.message or "date" in (r.path or "").lower() for r in error.value.report.violations)
    assert len(list((tmp_path / "cache").glob("validation-*.json"))) == 2


def test_deployment_base_rewrites_data_iris(root: Path, tmp_path: Path) -> None:
    settings = Settings(root=root, cache_dir=None, workers=1, validate_on_start=False, base_iri="http://localhost:9999/")
    runtime = build_runtime(settings)
    try:
        from app.store.base import select

        rows = select(runtime.store, runtime.queries["members-on-date"].text,
                      runtime.queries["members-on-date"].bind({"date": "1950-01-01"}, iri_base=settings.id_base))
        assert len(rows) == 12
        assert all(r["country"].value.startswith("http://localhost:9999/id/country/") for r in rows)
    finally:
        runtime.close()


@pytest.mark.parametrize("folder", ["ontology", "data", "shapes", "queries"])
@pytest.mark.parametrize("broken", ["missing", "empty"])
def test_a_missing_or_empty_folder_is_named(root: Path, tmp_path: Path, folder: str, broken: str) -> None:
    """A data root without one of its folders (or with an empty one) stops start-up at once, naming that folder,
    instead of serving a graph without data or queries."""
    shutil.rmtree(root / folder)
    if broken == "empty":
        (root / folder).mkdir()
    with pytest.raises(SourceFolderError) as error:
        build_runtime(Settings(root=root, cache_dir=tmp_path / "cache", workers=1))
    assert str(root / folder) in str(error.value)


def test_a_remote_store_needs_the_queries_only(root: Path, tmp_path: Path) -> None:
    shutil.rmtree(root / "data")
    settings = Settings(root=root, cache_dir=None, workers=1, sparql_endpoint="http://127.0.0.1:9/sparql")
    build_runtime(settings).close()
    shutil.rmtree(root / "queries")
    with pytest.raises(SourceFolderError, match="queries"):
        build_runtime(settings)
