"""The table of kinds drives the REST routes, their OpenAPI documentation and the JSON-LD context."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from app.core.settings import PROJECT_ROOT
from app.rest.jsonld import CONTEXT
from app.rest.kinds import FILTERS, KINDS

NKG = "https://w3id.org/natokg/ontology#"


def test_every_kind_has_its_query_and_known_filters() -> None:
    for kind in KINDS:
        if kind.segment:  # views over memberships read api-memberships.rq
            assert (PROJECT_ROOT / "queries" / f"api-{kind.path}.rq").is_file(), kind.path
        assert set(kind.filters) <= set(FILTERS), kind.path


def test_openapi_documents_each_kind_with_its_model_and_filters(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for kind in KINDS:
        listing = spec["paths"][f"/api/{kind.path}"]["get"]
        names = {p["name"] for p in listing["parameters"]}
        assert names == {*kind.filters, "lang", "limit", "offset"}, kind.path
        assert listing["summary"] == kind.title
        schema = listing["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
        assert schema.endswith(f"Page_{kind.item.__name__}_"), schema
        detail = spec["paths"][f"/api/{kind.path}/{{{kind.key}}}"]["get"]
        assert detail["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(kind.detail.__name__)


def test_the_context_comes_from_the_models_and_scopes_a_name_that_differs() -> None:
    """A summit's `statements` were made at it, a person's by them: one name, two properties, both right in RDF."""
    assert CONTEXT["statements"] == {"@reverse": "nkg:statedAt"}
    assert CONTEXT["nkg:Person"]["@context"]["statements"] == {"@reverse": "nkg:statedBy"}
    for kind, statement_of in (("nkg:Person", "statedBy"), ("nkg:Summit", "statedAt")):
        doc = {"@context": CONTEXT, "@id": "http://example.org/x", "@type": kind, "statements": [{"@id": "http://example.org/s"}]}
        graph = Graph().parse(data=json.dumps(doc), format="json-ld")
        assert (URIRef("http://example.org/s"), URIRef(NKG + statement_of), URIRef("http://example.org/x")) in graph


def test_a_person_answered_as_json_ld_says_who_made_the_statements(client: TestClient) -> None:
    response = client.get("/api/persons/anders-fogh-rasmussen", headers={"Accept": "application/ld+json"})
    graph = Graph().parse(data=response.text, format="json-ld")
    person = URIRef("https://w3id.org/natokg/id/person/anders-fogh-rasmussen")
    assert list(graph.subjects(URIRef(NKG + "statedBy"), person))
    assert not list(graph.subjects(URIRef(NKG + "statedAt"), person))
