"""REST answers as JSON-LD 1.1 (https://www.w3.org/TR/json-ld11/), with an inline @context.

The context is always inline, never a remote IRI, so a client needs no network fetch (and our own
policy refuses remote contexts). The JSON answer is rewritten node by node: resources get `@id` and
their class as `@type`, labels become language-tagged values, dates typed literals (xsd:date,
xsd:gYearMonth or xsd:gYear, after their precision), and sources `prov:wasDerivedFrom` links to the
passage (or document) with its quote. Fields without a published property fall under an API vocabulary.
"""

from __future__ import annotations

from typing import Any

from app.core.vocab import PREFIXES

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = {"day": XSD + "date", "month": XSD + "gYearMonth", "year": XSD + "gYear"}
CLASSES = {
    "country": "nkg:Country", "organisation": "nkg:InternationalOrganisation", "framework": "nkg:PartnershipFramework",
    "programme": "nkg:PartnershipProgramme", "membership": "org:Membership", "role": "nkg:Role", "summit": "nkg:Summit",
    "meeting": "nkg:Meeting", "city": "nkg:City", "strategic-concept": "nkg:StrategicConcept", "core-task": "nkg:CoreTask",
    "operation": "nkg:Operation", "contribution": "nkg:Contribution", "challenge": "nkg:SecurityChallenge",
    "region": "nkg:Region", "person": "nkg:Person", "statement": "nkg:Statement", "decision": "nkg:Decision",
    "source": "nkg:SourceDocument", "passage": "nkg:SourcePassage", "operation-type": "nkg:OperationType",
    "treaty": "nkg:Treaty", "agreement": "nkg:Agreement",
}


def _iri(term: str) -> dict[str, str]:
    return {"@id": term, "@type": "@id"}


CONTEXT: dict[str, Any] = {
    "@version": 1.1,
    "@vocab": "https://w3id.org/natokg/api#",
    "nkg": PREFIXES["nkg"],
    "org": PREFIXES["org"],
    "prov": PREFIXES["prov"],
    "oa": PREFIXES["oa"],
    "schema": PREFIXES["schema"],
    "dcterms": PREFIXES["dcterms"],
    "rdfs": PREFIXES["rdfs"],
    "skos": PREFIXES["skos"],
    "xsd": XSD,
    "label": "rdfs:label",
    "altLabels": "skos:altLabel",
    "sources": "prov:wasDerivedFrom",
    "source": "oa:hasSource",
    "quote": "oa:exact",
    "iso": "nkg:isoCode",
    "sameAs": _iri("schema:sameAs"),
    "url": _iri("schema:url"),
    "title": "dcterms:title",
    "publisher": "dcterms:publisher",
    "language": "dcterms:language",
    "retrievedOn": {"@id": "nkg:retrievedOn", "@type": "xsd:date"},
    "member": "org:member",
    "organization": "org:organization",
    "role": "org:role",
    "memberships": {"@reverse": "org:member"},
    "partners": {"@reverse": "org:organization"},
    "posts": {"@reverse": "org:member"},
    "partnerships": {"@reverse": "org:member"},
    "launchedAt": "nkg:launchedAt",
    "addresses": "nkg:addresses",
    "programmes": {"@reverse": "nkg:underFramework"},
    "hostCity": "nkg:hostCity",
    "meetings": {"@reverse": "schema:superEvent"},
    "decisions": {"@reverse": "nkg:takenAt"},
    "frameworksLaunched": {"@reverse": "nkg:launchedAt"},
    "conceptsAdopted": {"@reverse": "nkg:adoptedAt"},
    "statements": {"@reverse": "nkg:statedAt"},
    "adoptedAt": "nkg:adoptedAt",
    "coreTasks": "nkg:definesCoreTask",
    "definedBy": {"@reverse": "nkg:definesCoreTask"},
    "regions": "nkg:region",
    "operationTypes": "nkg:operationType",
    "unMandate": "nkg:unMandate",
    "ledBy": "nkg:ledBy",
    "contributor": "nkg:contributor",
    "operation": "nkg:toOperation",
    "addressedBy": {"@reverse": "nkg:addresses"},
    "subjectOf": {"@reverse": "dcterms:subject"},
    "passages": {"@reverse": "oa:hasSource"},
}


def _node(value: Any) -> Any:
    if isinstance(value, list):
        return [_node(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"value", "lang"}:
        return {"@value": value["value"], "@language": value["lang"]} if value["lang"] else value["value"]
    if set(value) == {"value", "precision"}:
        return {"@value": value["value"], "@type": DATE_TYPES[value["precision"]]}
    if "source" in value and "passage" in value:  # a SourceRef: the passage (or the document) it came from
        document = {"@id": value["source"], "url": value.get("url"), "title": value.get("title")}
        document = {k: v for k, v in document.items() if v is not None}
        if not value.get("passage"):
            return document
        return {"@id": value["passage"], "source": document, **({"quote": value["quote"]} if value.get("quote") else {})}
    out: dict[str, Any] = {}
    for key, item in value.items():
        if item is None or item == []:
            continue
        if key == "id":
            out["@id"] = item
        elif key == "type":
            if item in CLASSES:
                out["@type"] = CLASSES[item]
        elif key == "country" and isinstance(item, dict):
            out.update(_node(item))
        else:
            out[key] = _node(item)
    return out


def render(payload: dict[str, Any]) -> dict[str, Any]:
    """One resource, or a page (`items` become the `@graph`; paging stays in the headers)."""
    if "items" in payload and isinstance(payload["items"], list):
        return {"@context": CONTEXT, "@graph": _node(payload["items"])}
    return {"@context": CONTEXT, **_node(payload)}
