"""Every queries/*.rq file parses and describes itself; parameters are validated and bound."""

from __future__ import annotations

import pytest

from app.core.errors import InvalidParameter
from app.core.settings import PROJECT_ROOT
from app.sparql.querylib import QueryLibrary, parse_header

FILES = sorted((PROJECT_ROOT / "queries").glob("*.rq"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_header(path) -> None:  # type: ignore[no-untyped-def]
    query = parse_header(path.stem, path.read_text(encoding="utf-8"))
    assert query.title and query.description
    params_in_text = {p.name for p in query.parameters}
    for name in params_in_text:
        assert f"${name}" in query.text, f"{path.name}: parameter {name} is not used as ${name}"


def test_library_loads_everything() -> None:
    library = QueryLibrary.load(PROJECT_ROOT / "queries")
    assert len(library) == len(FILES)


def test_library_moves_data_iris_to_the_deployment_base() -> None:
    library = QueryLibrary.load(PROJECT_ROOT / "queries", id_base="http://localhost:8000/id/")
    text = library["members-on-date"].text
    assert "<http://localhost:8000/id/organisation/nato>" in text
    assert "w3id.org/natokg/id/" not in text


@pytest.mark.parametrize(("raw", "message"), [
    ({"date": "2012-02-30"}, "real calendar date"),
    ({"date": "20120520"}, "YYYY-MM-DD"),
    ({"date": "2012-05-20", "lang": "en fr"}, "language tag"),
    ({"date": "2012-05-20", "country": "FRA"}, "Unknown parameter"),
    ({}, "required"),
])
def test_parameters_are_validated(raw: dict[str, str], message: str) -> None:
    query = QueryLibrary.load(PROJECT_ROOT / "queries")["members-on-date"]
    with pytest.raises(InvalidParameter) as error:
        query.bind(raw, iri_base="https://w3id.org/natokg/id/")
    assert message in error.value.detail


def test_iri_parameter_must_be_ours() -> None:
    query = QueryLibrary.load(PROJECT_ROOT / "queries")["describe"]
    with pytest.raises(InvalidParameter):
        query.bind({"resource": "http://example.org/x> } ; DROP ALL ; {"}, iri_base="https://w3id.org/natokg/id/")
    bound = query.bind({"resource": "https://w3id.org/natokg/id/country/FRA"}, iri_base="https://w3id.org/natokg/id/")
    assert bound["resource"].value == "https://w3id.org/natokg/id/country/FRA"


@pytest.mark.parametrize(("query", "expected"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { VALUES (?s) { (<urn:x>) }  ?s ?p ?o }"),
    ("SELECT * { ?s ?p ?o }", "SELECT * { VALUES (?s) { (<urn:x>) }  ?s ?p ?o }"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "CONSTRUCT { ?s ?p ?o } WHERE { VALUES (?s) { (<urn:x>) }  ?s ?p ?o }"),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }\n VALUES (?s) { (<urn:x>) } "),
    ('SELECT * WHERE { FILTER ("{" != "}") ?s ?p ?o }', 'SELECT * WHERE { VALUES (?s) { (<urn:x>) }  FILTER ("{" != "}") ?s ?p ?o }'),
])
def test_inline_values_lands_in_the_where_group(query: str, expected: str) -> None:
    import pyoxigraph as ox

    from app.sparql.querylib import inline_values

    bound = inline_values(query, {"s": ox.NamedNode("urn:x")})
    assert bound == expected
    ox.Store().query(bound)  # and it parses
