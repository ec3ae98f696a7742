"""SHACL: the shipped data conforms, the shapes are well-formed, and every shape has a failing fixture."""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
from rdflib import Graph, Namespace
from rdflib.namespace import RDF

from app.core.settings import Settings
from app.kg.sources import Sources, load_sources
from app.kg.validation import ValidationReport, validate_graph
from tests.conftest import FIXTURES

SH = Namespace("http://www.w3.org/ns/shacl#")
NKGSH = "https://w3id.org/natokg/shapes#"


@pytest.fixture(scope="module")
def sources(settings: Settings) -> Sources:
    return load_sources(settings)


def _fixture_graph(path: Path) -> Graph:
    text = (FIXTURES / "prefixes.ttl").read_text(encoding="utf-8") + path.read_text(encoding="utf-8")
    return Graph().parse(data=text, format="turtle")


def _validate(path: Path, sources: Sources) -> ValidationReport:
    return validate_graph(_fixture_graph(path), sources.ontology, sources.shapes)


def test_shipped_data_conforms_without_warnings(sources: Sources) -> None:
    report = validate_graph(sources.data, sources.ontology, sources.shapes)
    assert report.violations == []
    assert report.warnings == []


def test_shapes_pass_shacl_shacl(sources: Sources) -> None:
    conforms, _, text = pyshacl.validate(sources.shapes, shacl_graph=sources.shapes, meta_shacl=True, inference="none")
    assert conforms, text


def test_sparql_constraints_avoid_what_pyshacl_rejects(sources: Sources) -> None:
    for select in sources.shapes.objects(None, SH.select):
        upper = str(select).upper()
        assert "VALUES" not in upper and "MINUS" not in upper and "SERVICE" not in upper


def test_every_constraint_has_an_english_and_french_message(sources: Sources) -> None:
    shapes = sources.shapes
    constraints = [c for s in shapes.subjects(RDF.type, SH.NodeShape) for p in (SH.property, SH.sparql) for c in shapes.objects(s, p)]
    node_level = [s for s in shapes.subjects(RDF.type, SH.NodeShape)
                  if any((s, p, None) in shapes for p in (SH["class"], SH["or"], SH.xone))]
    assert len(constraints) > 50
    for node in constraints + node_level:
        langs = {m.language for m in shapes.objects(node, SH.message)}
        assert {"en", "fr"} <= langs, node


def node_shapes(sources: Sources) -> list[str]:
    return sorted(str(s)[len(NKGSH):] for s in sources.shapes.subjects(RDF.type, SH.NodeShape) if str(s).startswith(NKGSH))


def test_every_shape_has_an_invalid_fixture(sources: Sources) -> None:
    fixtures = {p.stem for p in (FIXTURES / "invalid").glob("*.ttl")}
    shapes = set(node_shapes(sources))
    assert shapes - fixtures == set()
    assert fixtures - shapes == set(), "a fixture names no shape"


@pytest.mark.parametrize("path", sorted((FIXTURES / "invalid").glob("*.ttl")), ids=lambda p: p.stem)
def test_invalid_fixture_fails_with_its_shape(path: Path, sources: Sources) -> None:
    report = _validate(path, sources)
    expected = f"nkgsh:{path.stem}"
    hits = [r for r in report.results if r.source_shape == expected]
    assert hits, f"{path.name} did not trigger {expected}: {[r.line() for r in report.results]}"
    severity = "Warning" if path.stem == "FrenchLabelShape" else "Violation"
    assert {r.severity for r in hits} == {severity}
    assert all(r.message for r in hits)


def test_valid_fixture_passes_every_shape(sources: Sources) -> None:
    report = _validate(FIXTURES / "valid" / "membership.ttl", sources)
    assert report.results == []


def test_interval_order_compares_across_precisions(sources: Sources) -> None:
    report = _validate(FIXTURES / "invalid" / "IntervalOrderShape.ttl", sources)
    [hit] = [r for r in report.results if r.source_shape == "nkgsh:IntervalOrderShape"]
    assert "1995-03-01" in hit.message and "1994" in hit.message
    assert "operation:backwards" in hit.focus  # a blank interval is named by what points at it
