"""Files an on-disk store keeps in its folder: its dumps, written once by Oxigraph's serialiser on the first request
for their syntax, then sent from disk by every process and start, in byte ranges if asked; its VoID statistics,
counted once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from app.core.settings import PROJECT_ROOT
from app.web.app import create_app
from tests.disk_stores import derived, disk_settings

FORMATS = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nq": ox.RdfFormat.N_QUADS, "jsonld": ox.RdfFormat.JSON_LD,
           "rdf": ox.RdfFormat.RDF_XML, "trig": ox.RdfFormat.TRIG, "n3": ox.RdfFormat.N3}


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("dump-files")


@pytest.fixture(scope="module")
def disk(cache: Path) -> Iterator[TestClient]:
    with TestClient(create_app(disk_settings(cache))) as client:
        yield client


def without_blank_nodes(data: bytes, fmt: ox.RdfFormat) -> tuple[int, set[ox.Triple]]:
    """(every triple, the triples without a blank node): blank node labels differ between two stores."""
    store = ox.Store()
    store.load(data, format=fmt)
    triples = [q.triple for q in store]
    plain = {t for t in triples if not isinstance(t.subject, ox.BlankNode) and not isinstance(t.object, ox.BlankNode)}
    return len(triples), plain


@pytest.mark.parametrize("extension", list(FORMATS))
def test_a_dump_from_disk_holds_what_the_memory_dump_holds(disk: TestClient, client: TestClient, extension: str) -> None:
    from_disk, from_memory = disk.get(f"/dumps/natokg.{extension}"), client.get(f"/dumps/natokg.{extension}")
    assert from_disk.status_code == from_memory.status_code == 200
    assert from_disk.headers["content-type"] == from_memory.headers["content-type"]
    assert from_disk.headers["content-disposition"] == f'inline; filename="natokg.{extension}"'
    count, plain = without_blank_nodes(from_disk.content, FORMATS[extension])
    assert (count, plain) == without_blank_nodes(from_memory.content, FORMATS[extension])
    assert count > 5000
    if extension == "ttl":  # the same prefixes, read from the subjects
        def prefixes(text: str) -> set[str]:
            return {line for line in text.splitlines() if line.startswith("@prefix")}
        assert prefixes(from_disk.text) == prefixes(from_memory.text)
        assert "@prefix country: <https://w3id.org/natokg/id/country/> ." in prefixes(from_disk.text)


def test_each_dump_is_written_once_and_kept_for_the_next_start(disk: TestClient, cache: Path) -> None:
    first = disk.get("/dumps/natokg.ttl")
    [written] = derived(cache).glob("natokg-*.ttl")
    assert written.read_bytes() == first.content
    assert written.name == f"natokg-{first.headers['etag'].strip(chr(34))}.ttl"  # named by its hash, its ETag
    made = written.stat().st_mtime_ns, written.stat().st_ino
    assert disk.get("/dumps/natokg.ttl").content == first.content
    with TestClient(create_app(disk_settings(cache))) as again:  # a later start on the same store
        second = again.get("/dumps/natokg.ttl")
    assert second.content == first.content and second.headers["etag"] == first.headers["etag"]
    assert (written.stat().st_mtime_ns, written.stat().st_ino) == made


def test_concurrent_first_requests_write_a_dump_once(cache: Path, tmp_path: Path) -> None:
    with TestClient(create_app(disk_settings(tmp_path))) as fresh:
        answers: list[bytes] = []
        threads = [threading.Thread(target=lambda: answers.append(fresh.get("/dumps/natokg.rdf").content)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert len(answers) == 4 and len(set(answers)) == 1
    assert len(list(derived(tmp_path).glob("natokg-*.rdf"))) == 1
    assert not list(derived(tmp_path).glob(".natokg.*"))  # no partial file left


def test_a_crashed_write_is_never_served_and_is_cleared(tmp_path: Path) -> None:
    with TestClient(create_app(disk_settings(tmp_path))) as fresh:
        folder = derived(tmp_path)
        folder.mkdir()
        partial = folder / f".natokg.nt.{os.getpid()}-dead"
        partial.write_bytes(b"<https://example.org/half> <https://example.org/a> ")
        response = fresh.get("/dumps/natokg.nt")
        assert response.status_code == 200 and b"example.org/half" not in response.content
        assert not partial.exists()


def test_revalidation_and_byte_ranges(disk: TestClient) -> None:
    whole = disk.get("/dumps/natokg.nt")
    etag, last_modified = whole.headers["etag"], whole.headers["last-modified"]
    assert whole.headers["accept-ranges"] == "bytes"
    assert etag.startswith('"') and not etag.startswith("W/")
    assert disk.get("/dumps/natokg.nt", headers={"If-None-Match": etag}).status_code == 304
    assert disk.get("/dumps/natokg.nt", headers={"If-Modified-Since": last_modified}).status_code == 304

    part = disk.get("/dumps/natokg.nt", headers={"Range": "bytes=100-199"})
    assert part.status_code == 206
    assert part.content == whole.content[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(whole.content)}"
    rest = disk.get("/dumps/natokg.nt", headers={"Range": "bytes=1000-", "If-Range": etag})  # resuming the same file
    assert rest.status_code == 206 and rest.content == whole.content[1000:]
    changed = disk.get("/dumps/natokg.nt", headers={"Range": "bytes=1000-", "If-Range": '"another-version"'})
    assert changed.status_code == 200 and changed.content == whole.content  # the file changed: all of it

    past = disk.get("/dumps/natokg.nt", headers={"Range": f"bytes={len(whole.content)}-"})
    assert past.status_code == 416
    assert past.headers["content-type"] == "application/problem+json"
    assert past.headers["content-range"] == f"bytes */{len(whole.content)}"
    malformed = disk.get("/dumps/natokg.nt", headers={"Range": "lines=1-2"})
    assert malformed.status_code == 400
    assert "byte ranges" in malformed.json()["detail"]


def test_head_of_a_dump_file_sends_no_body(disk: TestClient) -> None:
    response = disk.head("/dumps/natokg.ttl")
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) == len(disk.get("/dumps/natokg.ttl").content)


def test_graph_store_reads_the_default_graph_from_the_dump(disk: TestClient, client: TestClient) -> None:
    response = disk.get("/rdf-graph-store?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert response.content == disk.get("/dumps/natokg.nt").content
    assert response.headers["etag"] == disk.get("/dumps/natokg.nt").headers["etag"]
    assert "Accept" in response.headers["vary"]
    from_memory = client.get("/rdf-graph-store?default", headers={"Accept": "application/n-triples"})
    assert without_blank_nodes(response.content, ox.RdfFormat.N_TRIPLES) == without_blank_nodes(from_memory.content, ox.RdfFormat.N_TRIPLES)


def test_a_dump_that_cannot_be_written_is_a_clear_503(tmp_path: Path) -> None:
    with TestClient(create_app(disk_settings(tmp_path))) as fresh:
        derived(tmp_path).write_text("a file where the folder should be")
        response = fresh.get("/dumps/natokg.ttl")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "cannot be written beside the store" in response.json()["detail"]


def test_void_statistics_are_counted_once_per_store(tmp_path: Path, client: TestClient) -> None:
    turtle = {"Accept": "text/turtle"}
    with TestClient(create_app(disk_settings(tmp_path))) as fresh:
        described = fresh.get("/.well-known/void", headers=turtle)
    assert described.status_code == 200
    assert described.content == client.get("/.well-known/void", headers=turtle).content  # what the memory store counts
    kept = derived(tmp_path) / "void-statistics.json"
    statistics = json.loads(kept.read_text())
    assert statistics["triples"] > 5000 and statistics["classes"]
    statistics["triples"] = 1234567  # what a later start reads, not counts again
    kept.write_text(json.dumps(statistics))
    with TestClient(create_app(disk_settings(tmp_path))) as again:
        assert "1234567" in again.get("/.well-known/void", headers=turtle).text
    kept.write_text("{not json")  # a damaged file is counted again, and replaced
    with TestClient(create_app(disk_settings(tmp_path))) as third:
        assert third.get("/.well-known/void", headers=turtle).content == described.content
    assert json.loads(kept.read_text())["triples"] < 1234567


def natokg_load(cache: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NATOKG_CACHE_DIR": str(cache), "NATOKG_VALIDATE_ON_START": "false", "NATOKG_STORE": "disk"}
    return subprocess.run([sys.executable, "-m", "app.cli", "load", *args], env=env, cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)


def test_natokg_load_writes_the_dumps_asked_for_ahead(tmp_path: Path, client: TestClient) -> None:
    loaded = natokg_load(tmp_path, "--dumps", "ttl,nt")
    assert loaded.returncode == 0, loaded.stderr
    [ttl], [nt] = derived(tmp_path).glob("natokg-*.ttl"), derived(tmp_path).glob("natokg-*.nt")
    assert "natokg: dump natokg.ttl: " in loaded.stdout and str(ttl) in loaded.stdout
    assert list(derived(tmp_path).glob("natokg-*.jsonld")) == []  # not asked for
    made = {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (ttl, nt)}
    with TestClient(create_app(disk_settings(tmp_path))) as served:
        response = served.get("/dumps/natokg.ttl")
    assert response.content == ttl.read_bytes()  # sent from the file written ahead, not written again
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (ttl, nt)} == made
    assert without_blank_nodes(nt.read_bytes(), ox.RdfFormat.N_TRIPLES) == without_blank_nodes(
        client.get("/dumps/natokg.nt").content, ox.RdfFormat.N_TRIPLES)
    again = natokg_load(tmp_path, "--dumps", "all")  # the rest written, the two kept
    assert again.returncode == 0, again.stderr
    assert {p.suffix for p in derived(tmp_path).glob("natokg-*.*")} == {f".{e}" for e in FORMATS}
    assert {p: (p.stat().st_mtime_ns, p.stat().st_ino) for p in (ttl, nt)} == made


def test_natokg_load_refuses_a_dump_syntax_it_does_not_know(tmp_path: Path) -> None:
    refused = natokg_load(tmp_path, "--dumps", "ttl,csv")
    assert refused.returncode == 2
    assert "csv: not a dump syntax; give some of ttl, nt, jsonld, rdf, n3, nq, trig" in refused.stderr
    assert not tmp_path.joinpath("store").exists() and list(tmp_path.glob("store-*")) == []  # nothing built


def test_natokg_load_says_when_a_dump_cannot_be_written(tmp_path: Path) -> None:
    assert natokg_load(tmp_path).returncode == 0
    derived(tmp_path).write_text("a file where the folder should be")
    failed = natokg_load(tmp_path, "--dumps", "ttl")
    assert failed.returncode == 1
    assert "The ttl dump cannot be written beside the store" in failed.stderr and "Traceback" not in failed.stderr
