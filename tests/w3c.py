"""Where the W3C SPARQL 1.1 test suite lives beside the checkout, and reading its manifests with rdflib.

The suite (https://github.com/w3c/rdf-tests, sparql/sparql11/) is not vendored: it sits in
../shared/conformance. Without it, the conformance tests skip, saying where the suites belong.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, Namespace, URIRef
from rdflib.collection import Collection

from app.core import settings

CONFORMANCE = Path(settings.PROJECT_ROOT).parent / "shared" / "conformance"
SPARQL11 = CONFORMANCE / "w3c-rdf-tests" / "sparql" / "sparql11"
W3C_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
MISSING = f"the W3C SPARQL 1.1 tests are not beside the checkout ({SPARQL11}); they belong in ../shared/conformance"


def suite(name: str) -> Path | None:
    """The folder of one part of the suite (`syntax-query`, `protocol`...), None when absent."""
    folder = SPARQL11 / name
    return folder if (folder / "manifest.ttl").exists() else None


def require(name: str) -> Path:
    folder = suite(name)
    if folder is None:
        pytest.skip(MISSING)
    return folder


def manifest(folder: Path) -> Graph:
    """The manifest, its IRIs resolved against the W3C's own base so test IRIs are the published ones."""
    return Graph().parse(folder / "manifest.ttl", format="turtle", publicID=f"{W3C_BASE}{folder.name}/manifest.ttl")


def entries(graph: Graph) -> list[URIRef]:
    """The tests the manifest lists in `mf:entries`, in order."""
    head = graph.value(next(graph.subjects(RDF.type, MF.Manifest)), MF.entries)
    return [e for e in Collection(graph, head) if isinstance(e, URIRef)]


def local_file(folder: Path, iri: URIRef) -> Path:
    """The file an `mf:action` IRI names, in the local copy of the suite."""
    return folder / str(iri).rsplit("/", 1)[-1]
