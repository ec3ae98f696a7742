"""W3C SPARQL 1.1 query syntax tests (sparql11/syntax-query/manifest.ttl), through the real endpoint.

Every `mf:PositiveSyntaxTest11` query is POSTed as application/sparql-query and must answer 200
with a parseable result; every `mf:NegativeSyntaxTest11` must answer 400 with a problem body.
A query the security policy refuses (SERVICE, LOAD, anything that would fetch) is "not applicable":
it must be refused by policy (400, refused-query), never run.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, URIRef

from app.core.errors import PROBLEM_MEDIA_TYPE, PROBLEM_TYPE_BASE, RefusedQuery
from app.core.settings import Settings
from app.sparql.policy import check_query, inspect_query
from tests.w3c import MF, MISSING, entries, local_file, manifest, suite

POSITIVE, NEGATIVE, NOT_APPLICABLE = "positive", "negative", "not-applicable"
FETCHING = {"SERVICE", "LOAD"}
# Known deviations of the engine, not of natokg: each one strict, so a fixed engine makes it fail loudly.
ENGINE_DEVIATIONS = {
    "syntax-select-expr-04.rq": "Oxigraph parses the query but refuses to evaluate a call to an extension function it "
    "does not know (<http://example/function>); the test only asks that the query be accepted.",
}


def refused_by_policy(text: str) -> bool:
    """Whether the endpoint's policy (defaults: no SERVICE) refuses the query before evaluation."""
    defaults = Settings.model_fields
    try:
        check_query(text, max_bytes=defaults["max_query_bytes"].default, max_nesting=defaults["max_nesting"].default,
                    allow_service=False)
    except RefusedQuery:
        return True
    return False


def _cases() -> list[Any]:
    folder = suite("syntax-query")
    if folder is None:
        return [pytest.param(None, None, None, marks=pytest.mark.skip(reason=MISSING), id="missing")]
    graph = manifest(folder)
    cases = []
    for test in entries(graph):
        kinds = set(graph.objects(test, RDF.type))
        path = local_file(folder, URIRef(str(graph.value(test, MF.action))))
        if MF.PositiveSyntaxTest11 in kinds:
            kind = POSITIVE
        elif MF.NegativeSyntaxTest11 in kinds:
            kind = NEGATIVE
        else:
            continue
        if refused_by_policy(path.read_text(encoding="utf-8")) and kind == POSITIVE:
            kind = NOT_APPLICABLE
        marks = [pytest.mark.xfail(strict=True, reason=ENGINE_DEVIATIONS[path.name])] if path.name in ENGINE_DEVIATIONS else []
        cases.append(pytest.param(str(test), kind, path, marks=marks, id=f"{kind}:{str(test).rsplit('#', 1)[-1]}:{path.name}"))
    return cases


def _parse_answer(response: Any) -> None:
    """Parse the body in the format the endpoint says it is, so a 200 with garbage fails."""
    media = response.headers["content-type"].split(";")[0]
    if media == "application/sparql-results+json":
        document = json.loads(response.content)
        assert "boolean" in document or "bindings" in document["results"]
    else:
        formats = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES}
        list(ox.parse(response.content, format=formats[media]))


@pytest.mark.parametrize(("test", "kind", "path"), _cases())
def test_syntax(client: TestClient, test: str, kind: str, path: Path) -> None:
    text = path.read_bytes()
    response = client.post("/sparql", content=text, headers={"Content-Type": "application/sparql-query"})
    if kind == POSITIVE:
        assert response.status_code == 200, f"{test}: {response.text}"
        _parse_answer(response)
        return
    assert response.status_code == 400, f"{test}: {response.status_code} {response.text}"
    assert response.headers["content-type"].startswith(PROBLEM_MEDIA_TYPE)
    problem = response.json()
    assert problem["status"] == 400 and problem["detail"]
    if kind == NOT_APPLICABLE:
        assert problem["type"] == f"{PROBLEM_TYPE_BASE}refused-query", f"{test} must be refused by policy"


def test_fetching_queries_are_not_applicable() -> None:
    """Every syntax test using SERVICE or LOAD is refused by the policy, so none is ever run."""
    folder = suite("syntax-query")
    if folder is None:
        pytest.skip(MISSING)
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if FETCHING & inspect_query(text).keywords:
            assert refused_by_policy(text), path.name
