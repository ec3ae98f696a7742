"""The `natokg` command line, run as a user runs it: a subprocess on the installed console script."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from rdflib import Graph

from tests.roots import copy_root


def natokg(*args: str, root: Path | None = None, timeout: float = 300,
           variables: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **(variables or {})}
    if root is not None:
        env["NATOKG_ROOT"] = str(root)
    command = shutil.which("natokg")
    assert command, "the natokg console script is installed by `pip install -e .`"
    return subprocess.run([command, *args], capture_output=True, text=True, env=env, timeout=timeout, check=False)


def test_validate_passes_on_shipped_data() -> None:
    result = natokg("validate")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("0 violation(s), 0 warning(s)")


@pytest.fixture
def broken_root(tmp_path: Path) -> Path:
    copy_root(tmp_path)
    members = tmp_path / "data" / "members.ttl"
    text = members.read_text(encoding="utf-8")
    # Drop Poland's membership role: a membership without a role is a violation.
    start = text.index("membership:nato-POL a org:Membership ;")
    text = text[:start] + text[start:].replace("    org:role role:member ;\n", "", 1)
    members.write_text(text, encoding="utf-8")
    return tmp_path


def test_validate_fails_and_names_focus_path_and_message(broken_root: Path) -> None:
    result = natokg("validate", root=broken_root)
    assert result.returncode == 1
    line = next(line for line in result.stdout.splitlines() if "membership:nato-POL" in line)
    assert "org:role" in line
    assert "exactly one role" in line
    assert "1 violation(s)" in result.stdout


def test_serve_refuses_invalid_data_with_the_report(broken_root: Path) -> None:
    result = natokg("serve", "--port", "0", root=broken_root)
    assert result.returncode == 1
    assert "membership:nato-POL" in result.stderr
    assert "Traceback" not in result.stderr


def test_query_named_csv() -> None:
    result = natokg("query", "members-on-date", "--param", "date=2012-05-20", "--format", "csv")
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 28
    assert {"FRA", "ALB", "HRV"} <= {r["iso"] for r in rows}
    assert "MNE" not in {r["iso"] for r in rows}


def test_query_table_in_french() -> None:
    result = natokg("query", "members-on-date", "-p", "date=1950-01-01", "-p", "lang=fr")
    assert result.returncode == 0, result.stderr
    assert "États-Unis" in result.stdout
    assert "(12 row(s))" in result.stdout


def test_query_file_as_json(tmp_path: Path) -> None:
    path = tmp_path / "count.rq"
    path.write_text("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", encoding="utf-8")
    result = natokg("query", str(path), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert int(json.loads(result.stdout)["results"]["bindings"][0]["n"]["value"]) > 5000


def test_query_bad_parameter_is_a_clear_error() -> None:
    result = natokg("query", "members-on-date", "-p", "date=2012-13-40")
    assert result.returncode == 1
    assert "date" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(("fmt", "rdflib_format"), [("ttl", "turtle"), ("nt", "nt"), ("rdfxml", "xml"), ("jsonld", "json-ld")])
def test_export(tmp_path: Path, fmt: str, rdflib_format: str) -> None:
    out = tmp_path / f"natokg.{fmt}"
    result = natokg("export", "--format", fmt, "--output", str(out))
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(out, format=rdflib_format)
    assert len(graph) > 5000


def test_export_from_an_on_disk_store_is_the_graph_of_the_memory_store(tmp_path: Path) -> None:
    """On disk, Oxigraph writes the export as it reads the store (its memory does not grow with the graph)."""
    def exported(store: str) -> list[str]:
        result = natokg("export", "--format", "nt", variables={
            "NATOKG_STORE": store, "NATOKG_CACHE_DIR": str(tmp_path / store), "NATOKG_VALIDATE_ON_START": "false"})
        assert result.returncode == 0, result.stderr
        return result.stdout.splitlines()

    disk, memory = exported("disk"), exported("memory")
    assert len(disk) == len(memory) > 5000
    assert {line for line in disk if "_:" not in line} == {line for line in memory if "_:" not in line}  # blank labels differ
    assert any(line.startswith("<https://w3id.org/natokg/id/membership/") and "earliestStart" in line for line in disk)  # derived


def test_stats_report_matches_the_graph() -> None:
    result = natokg("stats", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["classes"]["nkg:Country"] >= 79
    assert report["classes"]["org:Membership"] >= 32 + 14
    assert report["facts"]["sourced"] == report["facts"]["total"] > 200
    assert report["french_labels"]["share"] == 1.0
    text = natokg("stats").stdout
    assert "Facts with a source" in text and "Entities with a French label" in text


def test_a_wrong_setting_is_named_not_a_traceback() -> None:
    result = natokg("stats", variables={"NATOKG_PORT": "abc", "NATOKG_STORE": "tape"}, timeout=120)
    assert result.returncode == 2
    assert "NATOKG_PORT='abc': Input should be a valid integer" in result.stderr
    assert "NATOKG_STORE='tape'" in result.stderr and "Traceback" not in result.stderr
