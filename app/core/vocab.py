"""The namespaces natokg publishes with: prefixes for Turtle and RDF/XML, and the terms VoID and DCAT need."""

from __future__ import annotations

from collections.abc import Iterable

from .settings import CANONICAL_BASE

ONTOLOGY_IRI = f"{CANONICAL_BASE}ontology"
NKG = f"{ONTOLOGY_IRI}#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
TIME = "http://www.w3.org/2006/time#"
PROV = "http://www.w3.org/ns/prov#"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
VANN = "http://purl.org/vocab/vann/"
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"

PREFIXES: dict[str, str] = {
    "nkg": NKG,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "owl": OWL,
    "org": ORG,
    "prov": PROV,
    "time": TIME,
    "skos": SKOS,
    "schema": SCHEMA,
    "dcterms": DCTERMS,
    "oa": OA,
    "foaf": FOAF,
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "vann": VANN,
    "void": VOID,
    "dcat": DCAT,
}


def with_id_prefixes(id_base: str, iris: Iterable[str]) -> dict[str, str]:
    """PREFIXES plus one prefix per kind of resource among `iris` (`country:` for `{id_base}country/`)."""
    kinds = {iri[len(id_base):].split("/", 1)[0] for iri in iris if iri.startswith(id_base) and "/" in iri[len(id_base):]}
    usable = sorted(kind for kind in kinds if kind.replace("-", "").isalnum() and kind[:1].isalpha())
    return {**PREFIXES, **{kind: f"{id_base}{kind}/" for kind in usable}}
