"""The named queries behind the linked-data pages, VoID and the dumps, each run as an operation
(/api/queries/{name}) with its expected answer on the shipped data."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.sparql_client import select

ID = "https://w3id.org/natokg/id/"


def rows(client: TestClient, name: str, **params: str) -> list[dict[str, str]]:
    response = client.get(f"/api/queries/{name}", params=params, headers={"Accept": "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def test_resource_labels(client: TestClient) -> None:
    labels = {(r["node"], r["label"]) for r in rows(client, "resource-labels", resource=f"{ID}country/FRA")}
    assert ("https://w3id.org/natokg/ontology#Country", "Pays") in labels  # its type
    assert ("https://w3id.org/natokg/ontology#isoCode", "code ISO 3166-1 alpha-3") in labels  # a predicate
    assert (f"{ID}role/partner", "partner") not in labels  # two hops away (through a membership)
    assert (f"{ID}organisation/nato", "North Atlantic Treaty Organization") in labels  # the derived org:memberOf
    assert (f"{ID}city/paris", "Paris") in labels  # points at it


def test_resource_sources(client: TestClient) -> None:
    sources = rows(client, "resource-sources", resource=f"{ID}membership/nato-DEU")
    quotes = {r.get("quote") for r in sources}
    assert ("On 6 May 1955, the Federal Republic of Germany became NATO's 15th member in the Alliance's second round "
            "of enlargement.") in quotes
    assert all(r["source"].startswith(f"{ID}source/") and r.get("url") for r in sources)


def test_resource_memberships(client: TestClient) -> None:
    memberships = rows(client, "resource-memberships", resource=f"{ID}country/POL", lang="fr")
    nato = next(r for r in memberships if r["organization"] == f"{ID}organisation/nato")
    assert nato["start"] == "1999-03-12" and "end" not in nato
    assert nato["organizationLabel"] == "Organisation du Traité de l'Atlantique Nord"
    assert nato["memberLabel"] == "Pologne"


def test_void_statistics(client: TestClient) -> None:
    [stats] = rows(client, "void-statistics")
    assert int(stats["triples"]) == int(select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    assert 0 < int(stats["entities"]) < int(stats["distinctSubjects"])  # blank nodes and ontology terms are not entities


def test_void_partitions(client: TestClient) -> None:
    classes = {r["class"]: int(r["entities"]) for r in rows(client, "void-class-partitions")}
    assert classes["https://w3id.org/natokg/ontology#Country"] == int(
        select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?c a nkg:Country }")[0]["n"])
    properties = {r["property"]: int(r["triples"]) for r in rows(client, "void-property-partitions")}
    assert properties["http://www.w3.org/ns/org#member"] == int(
        select(client, "SELECT (COUNT(*) AS ?n) WHERE { ?m org:member ?c }")[0]["n"])


def test_default_graph_query_is_the_whole_graph_or_says_it_is_cut(client: TestClient) -> None:
    """As a named query, the default graph is cut at the row cap like any answer, and says so; the graph
    store answers it whole."""
    response = client.get("/api/queries/default-graph", headers={"Accept": "application/n-triples"})
    whole = client.get("/rdf-graph-store?default", headers={"Accept": "application/n-triples"})
    assert response.status_code == whole.status_code == 200
    total = len(whole.text.strip().splitlines())
    cap = client.app.state.service.runtime.settings.max_rows  # type: ignore[attr-defined]
    assert len(response.text.strip().splitlines()) == min(total, cap)
    assert (response.headers.get("x-natokg-truncated") == "true") == (total > cap)
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    assert f"<{ID}country/FRA> <{rdf_type}> <https://w3id.org/natokg/ontology#Country> ." in whole.text
