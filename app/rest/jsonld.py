"""REST answers as JSON-LD 1.1 (https://www.w3.org/TR/json-ld11/), with an inline @context.

The context is always inline, never a remote IRI, so a client needs no network fetch (and our own
policy refuses remote contexts). The JSON answer is rewritten node by node: resources get `@id` and
their class as `@type`, labels become language-tagged values, dates typed literals (xsd:date,
xsd:gYearMonth or xsd:gYear, after their precision), and sources `prov:wasDerivedFrom` links to the
passage (or document) with its quote. Fields without a published property fall under an API vocabulary.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..core.vocab import PREFIXES
from . import models
from .kinds import CLASSES, KINDS
from .models import RDF_KEY

XSD = "http://www.w3.org/2001/XMLSchema#"
DATE_TYPES = {"day": XSD + "date", "month": XSD + "gYearMonth", "year": XSD + "gYear"}
PREFIXED = ("nkg", "org", "prov", "oa", "schema", "dcterms", "rdfs", "skos")


def _term(spec: dict[str, Any]) -> Any:
    """A field's RDF spec (app.rest.models.rdf) as a JSON-LD term definition."""
    if spec.get("reverse"):
        return {"@reverse": spec["property"]}
    if spec.get("iri"):
        return {"@id": spec["property"], "@type": "@id"}
    if spec.get("datatype"):
        return {"@id": spec["property"], "@type": spec["datatype"]}
    return spec["property"]


def _models() -> list[type[BaseModel]]:
    return [value for value in vars(models).values()
            if isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == models.__name__]


def build_context() -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """The inline @context, from the models' fields: every field that names an RDF property becomes a term.

    A field name that stands for different properties in different models (a summit's `statements` are
    made at it, a person's are made by them) is defined again in a context scoped to the later model's
    class (JSON-LD 1.1 type-scoped contexts). Returns (the context, the scoped contexts by class).
    """
    context: dict[str, Any] = {"@version": 1.1, "@vocab": "https://w3id.org/natokg/api#",
                               **{prefix: PREFIXES[prefix] for prefix in PREFIXED}, "xsd": XSD}
    scoped: dict[str, dict[str, Any]] = {}
    classes = {kind.item: kind.jsonld_class for kind in KINDS if kind.jsonld_class}
    classes.update({kind.detail: kind.jsonld_class for kind in KINDS if kind.jsonld_class})
    for model in _models():
        for name, field in model.model_fields.items():
            extra = field.json_schema_extra
            spec = extra.get(RDF_KEY) if isinstance(extra, dict) else None
            if not isinstance(spec, dict):
                continue
            term = _term(spec)
            if context.setdefault(name, term) != term:
                owner = classes.get(model)
                if owner is None:
                    raise ValueError(f"{model.__name__}.{name} maps to {term}, another model's to {context[name]}: "
                                     "give the model a JSON-LD class in app.rest.kinds")
                scoped.setdefault(owner, {})[name] = term
    for cls, terms in scoped.items():
        context[cls] = {"@id": cls, "@context": terms}  # a compact-IRI term: it applies where @type is that CURIE
    return context, scoped


CONTEXT, _SCOPED = build_context()


def _node(value: Any) -> Any:
    if isinstance(value, list):
        return [_node(v) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"value", "lang"}:
        return {"@value": value["value"], "@language": value["lang"]} if value["lang"] else value["value"]
    if {"value", "precision"} <= set(value) <= {"value", "precision", "notBefore", "notAfter"}:
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
