"""Comunica (npm `@comunica/query-sparql` 4, run by node), the JavaScript SPARQL engine, against `natokg serve`: every
query form, sent by GET (short queries) and POST (long ones, as Comunica chooses), with the endpoint named as a SPARQL
source or given as a bare URL that Comunica must recognise from the service description."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import httpx
import pytest
from rdflib import Graph

HERE = Path(__file__).parent
NODE = shutil.which("node")
COMUNICA = HERE / "node_modules" / "@comunica" / "query-sparql"
pytestmark = pytest.mark.skipif(
    NODE is None or not COMUNICA.is_dir(),
    reason="node or the npm packages are missing (.ci/run installs them: npm ci --prefix tests/clients)",
)

NKG = "https://w3id.org/natokg/"
LABELS = ("PREFIX nkg: <https://w3id.org/natokg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
          'SELECT ?s ?label WHERE { ?s a nkg:PartnershipFramework ; rdfs:label ?label FILTER (LANG(?label) = "fr") }')
# Long enough (a VALUES block) that Comunica sends it by POST; the short ones go by GET.
MANY = " ".join(f"<{NKG}id/country/X{i:03d}>" for i in range(40))
QUERIES: dict[tuple[str, str], str] = {
    ("select", "GET"): LABELS,
    ("select", "POST"): LABELS.replace("WHERE {", f"WHERE {{ VALUES ?unused {{ {MANY} }}"),
    ("ask", "GET"): f"ASK {{ <{NKG}id/country/FRA> ?p ?o }}",
    ("ask", "POST"): f"ASK {{ VALUES ?c {{ {MANY} <{NKG}id/country/FRA> }} ?c ?p ?o }}",
    ("construct", "GET"): f"CONSTRUCT {{ <{NKG}id/country/FRA> ?p ?o }} WHERE {{ <{NKG}id/country/FRA> ?p ?o }}",
    ("construct", "POST"): f"CONSTRUCT {{ ?c ?p ?o }} WHERE {{ VALUES ?c {{ {MANY} <{NKG}id/country/FRA> }} ?c ?p ?o }}",
    ("describe", "GET"): f"DESCRIBE <{NKG}id/country/FRA>",
    ("describe", "POST"): f"DESCRIBE <{NKG}id/country/FRA> {MANY}",
}


CASES = [(form, method, source) for source in ("sparql", "auto") for form, method in QUERIES]


@pytest.fixture(scope="module")
def answers(live_url: str) -> dict[tuple[str, str, str], dict[str, Any]]:
    """Every case, run by one node process (Comunica takes about two seconds to start)."""
    assert NODE is not None
    jobs = [{"endpoint": f"{live_url}/sparql", "form": {"construct": "graph", "describe": "graph"}.get(form, form),
             "query": QUERIES[(form, method)], "source": source} for form, method, source in CASES]
    done = subprocess.run([NODE, str(HERE / "comunica.mjs")], input=json.dumps(jobs), cwd=HERE,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return dict(zip(CASES, json.loads(done.stdout), strict=True))


def expected(live_url: str, form: str, query: str) -> Any:
    if form in ("construct", "describe"):
        body = httpx.get(f"{live_url}/sparql", params={"query": query}, headers={"Accept": "application/n-triples"}).text
        return sorted([str(s), str(p), str(o)] for s, p, o in Graph().parse(data=body, format="nt"))
    answer = httpx.get(f"{live_url}/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}).json()
    if form == "ask":
        return answer["boolean"]
    return sorted(sorted((name, value["value"]) for name, value in row.items()) for row in answer["results"]["bindings"])


@pytest.mark.parametrize(("form", "method", "source"), CASES)
def test_comunica(live_url: str, answers: dict[tuple[str, str, str], dict[str, Any]], form: str, method: str, source: str) -> None:
    query = QUERIES[(form, method)]
    got = answers[(form, method, source)]
    result = got["result"]
    if form == "select":
        result = sorted(sorted(row.items()) for row in result)
        result = [[list(pair) for pair in row] for row in result]
        want = [[list(pair) for pair in row] for row in expected(live_url, form, query)]
    elif form == "ask":
        want = expected(live_url, form, query)
    else:
        result = sorted(result)
        want = expected(live_url, form, query)
    assert result == want
    assert want  # a non-empty answer was compared
    queries = [r for r in got["requests"] if r["method"] == "POST" or "query=" in r["url"]]
    assert queries and all(r["method"] == method for r in queries), got["requests"]
    if source == "auto":  # Comunica read the service description first, then sent the query to the endpoint it names
        assert got["requests"][0]["method"] == "GET" and "query=" not in got["requests"][0]["url"]
