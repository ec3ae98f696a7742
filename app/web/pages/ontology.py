"""The ontology's documentation page: metadata, then every class and property with its English and French
labels and comments, superclasses, domains and ranges (template: ontology.html)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VANN
from rdflib.term import Node

from ...core.formats import Format
from ...core.vocab import ONTOLOGY_IRI
from ...linked_data.describe import Labels, local_name
from .html import LANGS, Site, link, render

_KINDS = (
    (OWL.Class, "Classes", "Classes"),
    (OWL.ObjectProperty, "Object properties", "Propriétés d'objet"),
    (OWL.DatatypeProperty, "Datatype properties", "Propriétés de données"),
    (OWL.AnnotationProperty, "Annotation properties", "Propriétés d'annotation"),
)
_FACTS = ((RDFS.subClassOf, "Subclass of"), (RDFS.subPropertyOf, "Subproperty of"), (RDFS.domain, "Domain"),
          (RDFS.range, "Range"), (OWL.unionOf, "Union of"))
_METADATA = ((OWL.versionInfo, "Version"), (OWL.versionIRI, "Version IRI"), (DCTERMS.license, "License"),
             (DCTERMS.creator, "Creator"), (DCTERMS.publisher, "Publisher"), (DCTERMS.created, "Created"),
             (DCTERMS.issued, "Issued"), (DCTERMS.modified, "Modified"), (VANN.preferredNamespacePrefix, "Prefix"),
             (VANN.preferredNamespaceUri, "Namespace"), (DCTERMS.bibliographicCitation, "Citation"))


def to_triples(graph: Graph) -> list[ox.Triple]:
    """An rdflib graph as pyoxigraph triples, for the one RDF writer the service uses."""
    data = graph.serialize(format="nt", encoding="utf-8")
    return [quad.triple for quad in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]


def labels_of(graph: Graph) -> Labels:
    labels = Labels()
    for subject, text in graph.subject_objects(RDFS.label):
        if isinstance(subject, URIRef) and isinstance(text, Literal):
            labels.add(str(subject), str(text), text.language or "")
    return labels


def _texts(graph: Graph, subject: Node, predicate: URIRef) -> list[tuple[str, str]]:
    found = {(o.language or ""): str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal)}
    return [(lang, found[lang]) for lang in LANGS if lang in found]


def _expression(graph: Graph, node: Node, labels: Labels, site: Site) -> dict[str, Any]:
    """A class expression for the `classes` macro: a named class, or a union `A or B`."""
    if isinstance(node, URIRef):
        return {"link": link(str(node), labels, site)}
    if isinstance(node, BNode):
        members = next(graph.objects(node, OWL.unionOf), None)
        if members is not None:
            return {"union": [_expression(graph, m, labels, site) for m in Collection(graph, members)]}
    return {"text": str(node)}


def _term(graph: Graph, term: URIRef, labels: Labels, site: Site) -> dict[str, Any]:
    facts = []
    for predicate, name in _FACTS:
        values = list(graph.objects(term, predicate))
        if predicate == OWL.unionOf:
            expressions = [{"union": [_expression(graph, m, labels, site) for m in Collection(graph, v)]} for v in values]
        else:
            expressions = [_expression(graph, v, labels, site) for v in values]
        if expressions:
            facts.append((name, labels.get(str(predicate), "fr"), expressions))
    return {"iri": str(term), "anchor": local_name(str(term)), "name": link(str(term), labels, site, both=True),
            "comments": _texts(graph, term, RDFS.comment), "facts": facts}


def _terms(graph: Graph) -> Iterable[tuple[str, str, list[URIRef]]]:
    ontology = URIRef(ONTOLOGY_IRI)
    for kind, en, fr in _KINDS:
        terms = sorted((s for s in graph.subjects(RDF.type, kind) if isinstance(s, URIRef)
                        and (graph.value(s, RDFS.isDefinedBy) == ontology or str(s).startswith(ONTOLOGY_IRI + "#"))), key=str)
        if terms:
            yield en, fr, terms


def render_ontology(document: Graph, everything: Graph, site: Site, *, alternates: Mapping[Format, str]) -> bytes:
    """The documentation page; `document` is the ontology, `everything` adds the labels of reused terms."""
    ontology = URIRef(ONTOLOGY_IRI)
    labels = labels_of(everything)
    titles = dict(_texts(document, ontology, DCTERMS.title))
    metadata = [(name, str(value), isinstance(value, URIRef))
                for predicate, name in _METADATA for value in document.objects(ontology, predicate)]
    sections = [{"anchor": en.lower().replace(" ", "-"), "title": en, "french": fr,
                 "terms": [_term(document, t, labels, site) for t in terms]} for en, fr, terms in _terms(document)]
    return render("ontology.html", site, title=titles.get("en") or "natokg ontology", french_title=titles.get("fr"),
                  iri=ONTOLOGY_IRI, descriptions=_texts(document, ontology, DCTERMS.description),
                  comments=_texts(document, ontology, RDFS.comment), alternates=alternates, metadata=metadata, sections=sections)
