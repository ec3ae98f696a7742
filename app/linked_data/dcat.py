"""The DCAT 3 record of the dataset (https://www.w3.org/TR/vocab-dcat-3/): a catalog, the dataset with its
license and one distribution per dump, and the SPARQL endpoint as a data service."""

from __future__ import annotations

from datetime import date

import pyoxigraph as ox

from .. import __version__
from ..core.settings import Settings
from ..core.vocab import DCAT, DCTERMS, FOAF, IANA_MEDIA_TYPES, ONTOLOGY_IRI, RDF, RDFS, XSD
from .dumps import DUMP_FORMATS, NAME
from .void import DATA_LICENSE, dataset_iri


def _d(term: str) -> ox.NamedNode:
    return ox.NamedNode(DCAT + term)


def _t(term: str) -> ox.NamedNode:
    return ox.NamedNode(DCTERMS + term)


def _en(text: str) -> ox.Literal:
    return ox.Literal(text, language="en")


def _fr(text: str) -> ox.Literal:
    return ox.Literal(text, language="fr")


def catalog_iri(settings: Settings) -> ox.NamedNode:
    return ox.NamedNode(f"{settings.base_iri}catalog#{NAME}")


def dcat_triples(settings: Settings, *, service_base: str, modified: date) -> list[ox.Triple]:
    """The catalog record; `service_base` is where this service answers (ends with '/'), `modified` the data's date."""
    a = ox.NamedNode(RDF + "type")
    catalog, dataset, service = catalog_iri(settings), dataset_iri(settings), ox.NamedNode(f"{service_base}sparql")
    out = [
        ox.Triple(catalog, a, _d("Catalog")),
        ox.Triple(catalog, _t("title"), _en("natokg catalog")),
        ox.Triple(catalog, _t("title"), _fr("Catalogue natokg")),
        ox.Triple(catalog, _d("dataset"), dataset),
        ox.Triple(catalog, _d("service"), service),
        ox.Triple(catalog, ox.NamedNode(FOAF + "homepage"), ox.NamedNode(service_base)),
        ox.Triple(dataset, a, _d("Dataset")),
        ox.Triple(dataset, _t("title"), _en("natokg: NATO's partnerships")),
        ox.Triple(dataset, _t("title"), _fr("natokg : les partenariats de l'OTAN")),
        ox.Triple(dataset, _t("description"), _en(
            "An open knowledge graph of NATO's partnerships: members and partners, frameworks, summits, strategic "
            "concepts, operations and contributions, each fact with its public source. Not produced or endorsed by NATO.")),
        ox.Triple(dataset, _t("description"), _fr(
            "Un graphe de connaissances ouvert sur les partenariats de l'OTAN : membres et partenaires, cadres, sommets, "
            "concepts stratégiques, opérations et contributions, chaque fait avec sa source publique. "
            "Ni produit ni approuvé par l'OTAN.")),
        ox.Triple(dataset, _t("license"), ox.NamedNode(DATA_LICENSE)),
        ox.Triple(dataset, _t("conformsTo"), ox.NamedNode(ONTOLOGY_IRI)),
        ox.Triple(dataset, _d("version"), ox.Literal(__version__)),
        ox.Triple(dataset, _t("modified"), ox.Literal(modified.isoformat(), datatype=ox.NamedNode(XSD + "date"))),
        ox.Triple(dataset, _d("keyword"), _en("NATO")),
        ox.Triple(dataset, _d("keyword"), _en("partnership")),
        ox.Triple(dataset, _d("keyword"), _fr("partenariat")),
        ox.Triple(dataset, _d("landingPage"), ox.NamedNode(service_base)),
        ox.Triple(dataset, ox.NamedNode(RDFS + "seeAlso"), ox.NamedNode(f"{service_base}.well-known/void")),
        ox.Triple(service, a, _d("DataService")),
        ox.Triple(service, _t("title"), _en("natokg SPARQL 1.1 endpoint")),
        ox.Triple(service, _d("endpointURL"), service),
        ox.Triple(service, _d("endpointDescription"), service),
        ox.Triple(service, _d("servesDataset"), dataset),
        ox.Triple(service, _t("conformsTo"), ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/")),
        ox.Triple(service, _t("license"), ox.NamedNode(DATA_LICENSE)),
    ]
    for fmt in DUMP_FORMATS:
        dist = ox.NamedNode(f"{service_base}dumps/{NAME}.{fmt.extension}")
        out += [
            ox.Triple(dataset, _d("distribution"), dist),
            ox.Triple(dist, a, _d("Distribution")),
            ox.Triple(dist, _t("title"), _en(f"natokg dump ({fmt.name})")),
            ox.Triple(dist, _d("downloadURL"), dist),
            ox.Triple(dist, _d("accessURL"), dist),
            ox.Triple(dist, _d("mediaType"), ox.NamedNode(IANA_MEDIA_TYPES + fmt.media_type)),
            ox.Triple(dist, _t("license"), ox.NamedNode(DATA_LICENSE)),
        ]
    return out
