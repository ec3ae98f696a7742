"""Content negotiation: q-values, wildcards, specificity, aliases and 406."""

from __future__ import annotations

import pytest

from app.core.errors import NotAcceptable
from app.core.formats import GRAPH_FORMATS, RESULT_FORMATS, negotiate


@pytest.mark.parametrize(("accept", "expected"), [
    (None, "json"),
    ("", "json"),
    ("*/*", "json"),
    ("application/sparql-results+xml", "xml"),
    ("application/json", "json"),
    ("text/*", "csv"),
    ("text/tab-separated-values, text/csv;q=0.9", "tsv"),
    ("text/csv;q=0.3, */*;q=0.5", "json"),
    ("application/sparql-results+json;q=0, */*", "xml"),
    ("TEXT/CSV", "csv"),
])
def test_results(accept: str | None, expected: str) -> None:
    assert negotiate(accept, RESULT_FORMATS).name == expected


@pytest.mark.parametrize(("accept", "expected"), [
    ("*/*", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/json", "jsonld"),
    ("application/rdf+xml, text/turtle;q=0.5", "rdfxml"),
    ("text/plain", "nt"),
    ("application/n-triples;q=1.0, text/turtle;q=1.0", "ttl"),  # a tie: the server's order decides
])
def test_graphs(accept: str, expected: str) -> None:
    assert negotiate(accept, GRAPH_FORMATS).name == expected


@pytest.mark.parametrize(("accept", "offered"), [
    ("image/png", RESULT_FORMATS),
    ("text/turtle;q=0, application/n-triples;q=0", GRAPH_FORMATS[:2]),
    ("application/sparql-results+json", GRAPH_FORMATS),
])
def test_not_acceptable(accept: str, offered: tuple) -> None:  # type: ignore[type-arg]
    with pytest.raises(NotAcceptable):
        negotiate(accept, offered)
