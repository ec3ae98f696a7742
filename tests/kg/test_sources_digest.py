"""The sources' digest kept in the cache folder: trusted only for files that had settled when read, kept
after a build once they have, and never for bytes that differ from those the store was built from."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.core.settings import Settings
from app.kg import sources
from app.kg.runtime import build_runtime
from app.kg.sources import remember_sources_digest, sources_digest

SETTLED = 0.3  # the tests' settling time, so that they wait a fraction of a second rather than the service's 2 s


@pytest.fixture
def settings(root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setattr(sources, "SETTLED", SETTLED)
    return Settings(root=root, cache_dir=tmp_path / "cache", workers=1, validate_on_start=False)


def kept(settings: Settings) -> list[str]:
    assert settings.cache_dir is not None
    return [path.read_text(encoding="utf-8") for path in settings.cache_dir.glob("digest-*")]


def test_a_digest_read_while_a_file_was_new_is_kept_once_it_has_settled(settings: Settings) -> None:
    (settings.data_dir / "members.ttl").touch()
    read = sources_digest(settings)
    digest = read.value
    assert read.kept is False and kept(settings) == []  # read too soon after the change to be trusted
    assert remember_sources_digest(settings, digest) is False  # still too soon
    time.sleep(SETTLED + 0.1)
    assert remember_sources_digest(settings, digest) is True
    assert kept(settings) == [digest]
    assert remember_sources_digest(settings, digest) is False  # kept already: not read again
    assert sources_digest(settings) == sources.SourcesDigest(digest, kept=True)


def test_a_file_changed_in_place_since_it_was_read_is_not_kept(settings: Settings) -> None:
    members = settings.data_dir / "members.ttl"
    members.touch()
    digest = sources_digest(settings).value
    status = members.stat()
    text = members.read_bytes()
    members.write_bytes(text.replace(b"1949", b"1950", 1))  # same size, and the same time below: the same fingerprint
    os.utime(members, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert members.stat().st_size == status.st_size
    time.sleep(SETTLED + 0.1)
    assert remember_sources_digest(settings, digest) is False
    assert kept(settings) == []
    assert sources_digest(settings).value != digest  # read again, and now kept under the new bytes
    assert len(kept(settings)) == 1


def test_a_start_keeps_the_digest_once_its_validation_and_build_outlasted_the_settling(settings: Settings) -> None:
    future = time.time() + SETTLED  # new when the start reads it, settled once the store is loaded
    os.utime(settings.data_dir / "members.ttl", (future, future))
    started = time.monotonic()
    runtime = build_runtime(settings.model_copy(update={"validate_on_start": True, "store": "disk"}))  # as a first start does
    runtime.close()
    assert time.monotonic() - started > 2 * SETTLED, "the start was too quick for this test to say anything"
    assert kept(settings) == [sources._read_digest(sources.source_files(settings))]


def test_a_digest_is_not_kept_once_a_source_it_was_read_from_is_removed(settings: Settings) -> None:
    members = settings.data_dir / "members.ttl"
    members.touch()
    digest = sources_digest(settings).value
    time.sleep(SETTLED + 0.1)
    members.unlink()
    assert remember_sources_digest(settings, digest) is False
    assert kept(settings) == []
