"""The ontology as RDF and as a documentation page: metadata, then every class and property with its
English and French labels and comments, superclasses, domains and ranges."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, VANN
from rdflib.term import Node

from ...core.formats import Format
from ...core.vocab import ONTOLOGY_IRI
from ...linked_data.describe import Labels, local_name
from .html import LANGS, Site, bilingual, esc, format_links, link, page, table

_KINDS = (
    (OWL.Class, "Classes", "Classes"),
    (OWL.ObjectProperty, "Object properties", "Propriétés d'objet"),
    (OWL.DatatypeProperty, "Datatype properties", "Propriétés de données"),
    (OWL.AnnotationProperty, "Annotation properties", "Propriétés d'annotation"),
)


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


def _texts(graph: Graph, subject: Node, predicate: URIRef) -> dict[str, str]:
    return {(o.language or ""): str(o) for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


def _classes(graph: Graph, node: Node, labels: Labels, site: Site) -> str:
    """A class expression as links: a named class, or a union `A or B`."""
    if isinstance(node, URIRef):
        return link(str(node), labels, site)
    if isinstance(node, BNode):
        members = next(graph.objects(node, OWL.unionOf), None)
        if members is not None:
            return " or ".join(_classes(graph, m, labels, site) for m in Collection(graph, members))
    return esc(node)


def _bilingual_block(texts: Mapping[str, str], css: str) -> str:
    return "".join(f'<p class="{css}" lang="{lang}"><span class="tag">{lang}</span> {esc(texts[lang])}</p>'
                   for lang in LANGS if lang in texts)


def _term(graph: Graph, term: URIRef, labels: Labels, site: Site) -> str:
    iri = str(term)
    facts: list[tuple[str, str]] = []
    for predicate, name in ((RDFS.subClassOf, "Subclass of"), (RDFS.subPropertyOf, "Subproperty of"),
                            (RDFS.domain, "Domain"), (RDFS.range, "Range"), (OWL.unionOf, "Union of")):
        values = list(graph.objects(term, predicate))
        if predicate == OWL.unionOf:
            rendered = [" or ".join(link(str(m), labels, site) for m in Collection(graph, v)) for v in values]
        else:
            rendered = [_classes(graph, v, labels, site) for v in values]
        if rendered:
            french = esc(labels.get(str(predicate), "fr"))
            facts.append((f'{name} <span class="fr" lang="fr">{french}</span>', ", ".join(rendered)))
    details = table(("", ""), facts, css="term-facts") if facts else ""
    return (f'<section class="term" id="{esc(local_name(iri))}"><h3>{bilingual(iri, labels)}</h3>'
            f'<p><code>{esc(iri)}</code></p>{_bilingual_block(_texts(graph, term, RDFS.comment), "comment")}{details}</section>')


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
    titles = _texts(document, ontology, DCTERMS.title)
    title = titles.get("en") or "natokg ontology"
    meta: list[tuple[str, str]] = []
    for predicate, name in ((OWL.versionInfo, "Version"), (OWL.versionIRI, "Version IRI"), (DCTERMS.license, "License"),
                            (DCTERMS.creator, "Creator"), (DCTERMS.publisher, "Publisher"), (DCTERMS.created, "Created"),
                            (DCTERMS.issued, "Issued"), (DCTERMS.modified, "Modified"), (VANN.preferredNamespacePrefix, "Prefix"),
                            (VANN.preferredNamespaceUri, "Namespace"), (DCTERMS.bibliographicCitation, "Citation")):
        for value in document.objects(ontology, predicate):
            shown = f'<a href="{esc(value)}">{esc(value)}</a>' if isinstance(value, URIRef) else esc(value)
            meta.append((esc(name), shown))
    sections = []
    toc = []
    for en, fr, terms in _terms(document):
        anchor = en.lower().replace(" ", "-")
        toc.append(f'<li><a href="#{anchor}">{esc(en)}</a> ({len(terms)})</li>')
        sections.append(f'<section id="{anchor}"><h2>{esc(en)} <span class="fr" lang="fr">{esc(fr)}</span></h2>'
                        + "".join(_term(document, t, labels, site) for t in terms) + "</section>")
    body = (f'<article class="ontology"><h1>{esc(title)}</h1>'
            + (f'<p class="label" lang="fr"><span class="tag">fr</span> {esc(titles["fr"])}</p>' if "fr" in titles else "")
            + f'<p class="iri"><code>{esc(ONTOLOGY_IRI)}</code></p>'
            + _bilingual_block(_texts(document, ontology, DCTERMS.description), "description")
            + _bilingual_block(_texts(document, ontology, RDFS.comment), "comment")
            + format_links(alternates)
            + table(("Metadata", ""), meta, css="metadata")
            + f'<nav class="toc"><ul>{"".join(toc)}</ul></nav>' + "".join(sections) + "</article>")
    return page(title, body, site, alternates=alternates)
