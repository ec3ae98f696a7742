"""Quality checks on ontology/natokg.ttl (ONTOLOGY.md, checks 1 to 9)."""

from __future__ import annotations

import re

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS

from app.core.settings import Settings
from app.kg.sources import load_sources

NKG = "https://w3id.org/natokg/ontology#"
ONTOLOGY = URIRef("https://w3id.org/natokg/ontology")
VANN = "http://purl.org/vocab/vann/"


@pytest.fixture(scope="module")
def ontology(settings: Settings) -> Graph:
    return Graph().parse(settings.ontology_dir / "natokg.ttl")


def terms(graph: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return sorted({s for k in kinds for s in graph.subjects(RDF.type, k) if str(s).startswith(NKG)})


def test_one_ontology_with_metadata(ontology: Graph) -> None:
    assert list(ontology.subjects(RDF.type, OWL.Ontology)) == [ONTOLOGY]
    for prop in (DCTERMS.title, DCTERMS.description):
        assert {o.language for o in ontology.objects(ONTOLOGY, prop)} == {"en", "fr"}
    for prop in (DCTERMS.license, DCTERMS.creator, DCTERMS.publisher, DCTERMS.created, DCTERMS.issued,
                 DCTERMS.bibliographicCitation, OWL.versionInfo):
        assert ontology.value(ONTOLOGY, prop) is not None, prop
    version_iri = ontology.value(ONTOLOGY, OWL.versionIRI)
    assert version_iri not in (None, ONTOLOGY)
    assert str(version_iri).endswith(str(ontology.value(ONTOLOGY, OWL.versionInfo)))
    assert ontology.value(ONTOLOGY, URIRef(VANN + "preferredNamespacePrefix")) == Literal("nkg")
    assert str(ontology.value(ONTOLOGY, URIRef(VANN + "preferredNamespaceUri"))) == NKG


def test_every_term_has_one_label_and_comment_per_language(ontology: Graph) -> None:
    found = terms(ontology)
    assert len(found) > 40
    for term in found:
        for prop in (RDFS.label, RDFS.comment):
            values = list(ontology.objects(term, prop))
            assert sorted(v.language for v in values) == ["en", "fr"], (term, prop)
            for value in values:
                assert str(value) == str(value).strip() and "  " not in value, (term, value)
        assert ontology.value(term, RDFS.isDefinedBy) == ONTOLOGY


def test_no_two_terms_share_a_label(ontology: Graph) -> None:
    seen: dict[tuple[str, str | None], URIRef] = {}
    for term in terms(ontology):
        for label in ontology.objects(term, RDFS.label):
            key = (str(label).lower(), label.language)
            assert key not in seen, (term, seen.get(key))
            seen[key] = term


def test_properties_have_one_domain_and_range(ontology: Graph) -> None:
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            assert len(list(ontology.objects(prop, RDFS.domain))) == 1, prop
            assert len(list(ontology.objects(prop, RDFS.range))) == 1, prop


def test_naming_conventions(ontology: Graph) -> None:
    for cls in ontology.subjects(RDF.type, OWL.Class):
        if str(cls).startswith(NKG):
            assert re.fullmatch(r"[A-Z][A-Za-z]+", str(cls)[len(NKG):]), cls
    for kind in (OWL.ObjectProperty, OWL.DatatypeProperty):
        for prop in ontology.subjects(RDF.type, kind):
            assert re.fullmatch(r"[a-z][A-Za-z]+", str(prop)[len(NKG):]), prop


def test_no_subclass_cycle(settings: Settings) -> None:
    graph = load_sources(settings).ontology
    for cls in set(graph.subjects(RDFS.subClassOf, None)):
        supers = set(graph.transitive_objects(cls, RDFS.subClassOf)) - {cls}
        assert cls not in {s for sup in supers for s in graph.transitive_objects(sup, RDFS.subClassOf)}, cls


def test_every_nkg_term_used_anywhere_is_declared(settings: Settings, ontology: Graph) -> None:
    sources = load_sources(settings)
    declared = set(terms(ontology))
    used = {node for triple in sources.data + sources.shapes for node in triple
            if isinstance(node, URIRef) and str(node).startswith(NKG)}
    assert used - declared == set()


def test_schema_org_is_https_only(settings: Settings) -> None:
    for folder in (settings.ontology_dir, settings.data_dir, settings.shapes_dir, settings.queries_dir):
        for path in folder.iterdir():
            if path.suffix in (".ttl", ".rq"):
                assert "http://schema.org/" not in path.read_text(encoding="utf-8"), path
