"""Every page is a Jinja2 template with autoescaping: what the graph or the request holds is never markup."""

from __future__ import annotations

import pyoxigraph as ox
from fastapi.testclient import TestClient

from app.web.app import create_app
from app.web.pages.html import TEMPLATES
from tests.memory_store import memory_runtime

ID = "https://w3id.org/natokg/id/"
HOSTILE = '<script>alert("x")</script>"><img src=x onerror=alert(1)>'


def test_templates_escape_by_default() -> None:
    assert TEMPLATES.env.autoescape("resource.html") is True


def test_hostile_labels_and_quotes_are_text_on_every_page_that_shows_them() -> None:
    thing = ox.NamedNode(ID + "country/XSS")
    label = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#label")
    passage = ox.NamedNode(ID + "passage/xss-1")
    quads = [
        ox.Quad(thing, label, ox.Literal(HOSTILE, language="en")),
        ox.Quad(thing, label, ox.Literal(HOSTILE, language="fr")),
        ox.Quad(thing, ox.NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom"), passage),
        ox.Quad(thing, ox.NamedNode("https://example.org/note"), ox.Literal(HOSTILE)),
    ]
    with TestClient(create_app(runtime=memory_runtime(quads))) as client:
        for path in ("/id/country/XSS", f"/sparql?query=ASK{{}}%23{HOSTILE}"):
            page = client.get(path, headers={"Accept": "text/html"}).text
            assert "<script>alert" not in page and "<img src=x" not in page, path
            assert "&lt;script&gt;" in page, path
