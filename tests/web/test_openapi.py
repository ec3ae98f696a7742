"""OpenAPI that tells the truth: statuses and content types as answered, the SPARQL protocol's and the graph store's
parameters and bodies described, and schemathesis (`--checks all`) finding nothing against the running service."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.core.settings import PROJECT_ROOT

HERE = Path(__file__).parent
MAX_EXAMPLES = 10  # per operation, in the fuzzing phase; the coverage phase adds its own deterministic cases


@pytest.fixture(scope="module")
def document(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(path, method, op) for path, ops in document["paths"].items() for method, op in ops.items()]


def test_errors_are_problems_and_422_is_never_promised(document: dict[str, Any]) -> None:
    for path, method, operation in operations(document):
        responses = operation["responses"]
        assert "422" not in responses, (method, path)
        if operation.get("parameters") or operation.get("requestBody"):
            assert "400" in responses, (method, path)
        for status, response in responses.items():
            if int(status) >= 400:
                assert list(response["content"]) == ["application/problem+json"], (method, path, status)


def test_the_sparql_protocol_is_described(document: dict[str, Any]) -> None:
    get, post = document["paths"]["/sparql"]["get"], document["paths"]["/sparql"]["post"]
    names = {p["name"] for p in get["parameters"]}
    assert {"query", "default-graph-uri", "named-graph-uri", "format", "output", "results"} <= names
    assert {"application/x-www-form-urlencoded", "application/sparql-query"} == set(post["requestBody"]["content"])
    assert post["requestBody"]["content"]["application/x-www-form-urlencoded"]["schema"]["required"] == ["query"]
    answered = set(get["responses"]["200"]["content"])
    assert {"application/sparql-results+json", "text/csv", "text/turtle", "application/ld+json", "text/html"} <= answered
    assert {"413", "415"} <= set(post["responses"])
    store = document["paths"]["/rdf-graph-store"]["get"]
    assert {p["name"] for p in store["parameters"]} == {"default", "graph"}
    assert {"404", "406"} <= set(store["responses"])


def test_every_named_query_is_an_operation_with_its_parameters(client: TestClient, document: dict[str, Any]) -> None:
    for query in client.get("/api/queries").json():
        operation = document["paths"][f"/api/queries/{query['name']}"]["get"]
        documented = {p["name"]: p for p in operation["parameters"]}
        for parameter in query["parameters"]:
            assert documented[parameter["name"]]["required"] == parameter["required"], query["name"]


@pytest.mark.parametrize(("template", "requests"), [
    ("/sparql", ["/sparql?query=ASK%7B%7D", "/sparql?query=DESCRIBE%20%3Chttps%3A%2F%2Fw3id.org%2Fnatokg%2Fid%2Fcountry%2FFRA%3E"]),
    ("/id/{kind}/{key}", ["/id/country/FRA"]),
    ("/rdf-graph-store", ["/rdf-graph-store?default"]),
    ("/.well-known/void", ["/.well-known/void"]),
    ("/api/queries/class-counts", ["/api/queries/class-counts"]),
    ("/api/queries/default-graph", ["/api/queries/default-graph"]),
])
def test_every_documented_media_type_is_answered(client: TestClient, document: dict[str, Any], template: str,
                                                 requests: list[str]) -> None:
    """Each media type documented for 200 is what some request of that operation gets, asking for it by `Accept`."""
    for media in document["paths"][template]["get"]["responses"]["200"]["content"]:
        answered = [client.get(path, headers={"Accept": media}) for path in requests]
        assert any(r.status_code == 200 and r.headers["content-type"].split(";")[0] == media for r in answered), (template, media)


def test_parameters_list_the_keys_the_graph_holds(client: TestClient, document: dict[str, Any]) -> None:
    framework = next(p for p in document["paths"]["/api/countries"]["get"]["parameters"] if p["name"] == "framework")
    assert {"pfp", "ici", "mediterranean-dialogue"} <= set(framework["schema"]["enum"])
    for key in framework["schema"]["enum"]:  # each one is taken
        assert client.get("/api/countries", params={"framework": key, "limit": 1}).status_code == 200, key
    kinds = next(p for p in document["paths"]["/api/search"]["get"]["parameters"] if p["name"] == "type")
    for kind in kinds["schema"]["enum"]:
        assert client.get("/api/search", params={"q": "a", "type": kind}).status_code == 200, kind


def test_schemathesis_finds_no_failure(live_url: str, tmp_path: Path) -> None:
    """The CLI as its users run it, with every check, on a bounded number of examples and a fixed seed.

    One schemathesis worker: the service refuses a client's second slow query while its first runs (503,
    the Reliability section), and from one address two workers' whole-graph queries would meet that
    refusal whenever the machine is slow enough, which says nothing about the OpenAPI document."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "SCHEMATHESIS_HOOKS": "tests.web.schemathesis_hooks", "NO_COLOR": "1"}
    command = [sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "run",
               f"{live_url}/openapi.json", "--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--workers", "1",
               "--seed", "1", "--generation-database", "none", "--no-color"]
    done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=900, check=False)
    tail = done.stdout[-6000:]
    assert done.returncode == 0, tail
    counts = re.search(r"(\d+) generated, (\d+) passed", done.stdout)
    assert counts and counts.group(1) == counts.group(2) and int(counts.group(1)) > 1000, tail
    assert re.search(r"Tested: (\d+)", done.stdout) and "Tested: 0" not in done.stdout, tail
