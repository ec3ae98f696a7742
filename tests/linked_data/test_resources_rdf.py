"""Dereferenceable IRIs and the ontology at its IRI: content negotiation (with Vary), format suffixes and
`?format=`, HTML pages with labels in both languages, dates and quoted sources, and problem answers."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from tests.sparql_client import select

ID = "https://w3id.org/natokg/id/"
NKG = "https://w3id.org/natokg/ontology#"
FRA = URIRef(f"{ID}country/FRA")
ONTOLOGY = URIRef("https://w3id.org/natokg/ontology")
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"
RDF_TYPES = [
    ("text/turtle", "turtle", "ttl"),
    ("application/ld+json", "json-ld", "jsonld"),
    ("application/n-triples", "nt", "nt"),
    ("application/rdf+xml", "xml", "rdf"),
]


def parse(response: object, syntax: str) -> Graph:
    return Graph().parse(data=response.text, format=syntax)  # type: ignore[attr-defined]


def assert_describes_france(graph: Graph) -> None:
    assert (FRA, RDF.type, URIRef(f"{NKG}Country")) in graph
    assert (FRA, RDFS.label, Literal("France", lang="fr")) in graph
    assert (FRA, URIRef(f"{NKG}isoCode"), Literal("FRA")) in graph
    # Incoming links come along: France's NATO membership names it as member.
    assert (URIRef(f"{ID}membership/nato-FRA"), URIRef("http://www.w3.org/ns/org#member"), FRA) in graph


@pytest.mark.parametrize(("accept", "syntax", "extension"), RDF_TYPES)
def test_negotiated_rdf_descriptions(client: TestClient, accept: str, syntax: str, extension: str) -> None:
    response = client.get("/id/country/FRA", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    assert response.headers["content-location"] == f"/id/country/FRA.{extension}"
    assert_describes_france(parse(response, syntax))


@pytest.mark.parametrize(("media_type", "syntax", "extension"), RDF_TYPES)
def test_format_suffix_and_parameter(client: TestClient, media_type: str, syntax: str, extension: str) -> None:
    by_suffix = client.get(f"/id/country/FRA.{extension}", headers={"Accept": "text/html"})  # the suffix wins over Accept
    by_param = client.get("/id/country/FRA", params={"format": extension})
    for response in (by_suffix, by_param):
        assert response.status_code == 200
        assert response.headers["content-type"].split(";")[0] == media_type
        assert "Accept" in response.headers["vary"]
        assert_describes_france(parse(response, syntax))


def test_no_accept_and_any_type_get_turtle(client: TestClient) -> None:
    for headers in ({}, {"Accept": "*/*"}):
        response = client.get("/id/country/FRA", headers=headers)
        assert response.headers["content-type"].startswith("text/turtle")
        assert_describes_france(parse(response, "turtle"))


@pytest.mark.parametrize("how", ["accept", "suffix", "param"])
def test_browsers_get_html(client: TestClient, how: str) -> None:
    response = {
        "accept": lambda: client.get("/id/country/FRA", headers={"Accept": BROWSER_ACCEPT}),
        "suffix": lambda: client.get("/id/country/FRA.html"),
        "param": lambda: client.get("/id/country/FRA?format=html"),
    }[how]()
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["vary"]
    page = response.text
    assert '<p class="label" lang="fr"><span class="tag">fr</span> France</p>' in page
    assert 'lang="fr">Pays</span>' in page  # the class's French label
    assert "1949-08-24" in page  # the NATO membership's start
    assert 'href="/id/organisation/nato"' in page
    assert 'href="/id/membership/nato-FRA"' in page
    assert 'href="/static/natokg.css"' in page
    assert '<link rel="alternate" type="text/turtle" href="/id/country/FRA.ttl">' in page


def test_html_assets_are_local(client: TestClient) -> None:
    page = client.get("/id/country/UKR.html").text
    scripts = re.findall(r'<script [^>]*src="([^"]+)"', page)
    styles = re.findall(r'<link rel="stylesheet" [^>]*href="([^"]+)"', page)
    assert "/static/profile.js" in scripts and "/static/profile.css" in styles  # the timeline's cursor and looks
    for asset in (*scripts, *styles):
        assert asset.startswith("/static/"), asset  # served by the app itself, never from elsewhere
        assert client.get(asset).status_code == 200, asset
    for attribute in re.findall(r'<link [^>]*href="([^"]+)"', page):
        assert not re.match(r"(https?:)?//", attribute), attribute


def test_html_escapes_data(client: TestClient) -> None:
    page = client.get("/id/organisation/nato.html").text
    assert "Organisation du Traité de l&#39;Atlantique Nord" in page  # markupsafe's entity for the apostrophe
    assert "Traité de l'Atlantique" not in page


def test_html_page_of_a_membership_shows_interval_predicates_and_quotes(client: TestClient) -> None:
    membership = f"{ID}membership/nato-FRA"
    page = client.get("/id/membership/nato-FRA", headers={"Accept": "text/html"}).text
    assert page.count("since <time>1949-08-24</time>") == 1  # once, though the store repeats the triple
    for predicate_label in ("member during", "membre pendant", "organization", "role"):
        assert predicate_label in page
    quotes = select(client, f"SELECT ?quote WHERE {{ <{membership}> prov:wasDerivedFrom/oa:hasSelector/oa:exact ?quote }}")
    assert len(quotes) >= 2
    for row in quotes:
        assert f"<blockquote>{html.escape(row['quote'])}</blockquote>" in page
    assert 'class="external"' in page  # the documents' own URLs


def test_html_page_shows_a_closed_interval(client: TestClient) -> None:
    page = client.get("/id/framework/nacc.html").text
    assert "<time>1991-12-20</time> – <time>1997-05-30</time>" in page
    assert "Partenariat pour la paix" not in page  # another framework's label: no leak
    assert client.get("/id/framework/pfp.html").text.count("Partenariat pour la paix") >= 1


def test_unknown_resource_is_a_404_problem_in_every_format(client: TestClient) -> None:
    for path, headers in (("/id/country/ZZZ", {"Accept": "text/html"}), ("/id/country/ZZZ.ttl", {}),
                          ("/id/country/ZZZ", {"Accept": "application/ld+json"}), ("/id/nothing/x", {})):
        response = client.get(path, headers=headers)
        assert response.status_code == 404
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert body["status"] == 404 and body["type"].endswith("/not-found")


def test_unacceptable_type_is_a_406_problem(client: TestClient) -> None:
    response = client.get("/id/country/FRA", headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "text/turtle" in response.json()["detail"]


def test_unknown_format_parameter_is_a_400_naming_it(client: TestClient) -> None:
    response = client.get("/id/country/FRA", params={"format": "png"})
    assert response.status_code == 400
    assert response.json()["parameters"] == ["format"]


@pytest.mark.parametrize("path", ["/ontology", "/ontology/0.1.0"])
@pytest.mark.parametrize(("accept", "syntax", "extension"), RDF_TYPES)
def test_ontology_as_rdf(client: TestClient, path: str, accept: str, syntax: str, extension: str) -> None:
    response = client.get(path, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == accept
    assert "Accept" in response.headers["vary"]
    graph = parse(response, syntax)
    assert (ONTOLOGY, RDF.type, OWL.Ontology) in graph
    assert (ONTOLOGY, OWL.versionIRI, URIRef(f"{ONTOLOGY}/0.1.0")) in graph
    assert (URIRef(f"{NKG}Country"), RDFS.label, Literal("Pays", lang="fr")) in graph
    assert parse(client.get(f"{path}.{extension}"), syntax).isomorphic(graph)


def test_ontology_documentation_page(client: TestClient) -> None:
    response = client.get("/ontology", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    for text in ("natokg ontology", "0.1.0", "https://creativecommons.org/licenses/by/4.0/", 'id="Country"',
                 'id="hostCity"', "Partnership framework", "Cadre de partenariat",
                 "Pays", "Domain", "Range", "Object properties", "Datatype properties"):
        assert text in page, text
    # A class's superclass links to its documentation or, for reused terms, to the term itself.
    assert 'href="http://www.w3.org/ns/org#OrganizationalCollaboration"' in page


def test_unknown_ontology_version_is_404(client: TestClient) -> None:
    response = client.get("/ontology/9.9.9")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


def test_ontology_406(client: TestClient) -> None:
    assert client.get("/ontology", headers={"Accept": "image/png"}).status_code == 406
