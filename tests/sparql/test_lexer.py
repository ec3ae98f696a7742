"""The one lexer: it covers every character, and the policy check and the planner read its tokens alike."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.sparql import planner
from app.sparql.lexer import tokens
from app.sparql.policy import inspect_query
from tests.w3c import MISSING, suite

HOSTILE = [
    "SELECT * { ?s ?p ?o .SERVICE <http://127.0.0.1:1/> { ?a ?b ?c } }",
    "SELECT * {?s ?p ?o}SERVICE",
    "SELECT * { ?s ?p \"unterminated SERVICE <x> }",
    "SELECT * { ?s ?p '''a\nSERVICE'''}",
    "PREFIX ex: <http://e/> SELECT * { ?s ex:SERVICE ?o ; ex:a.b ?c ; ex:% ?d }",
    "SELECT * { _:b.SERVICE ?p ?o }",
    "SELECT * { ?s ?p 1.SERVICE }",
    "SELECT * { ?s ?p ?o } #SERVICE\nLOAD <x>",
    "ASK { <a><b>SERVICE }",
    "\u00e9SERVICE { }",
    "SELECT ?x WHERE { ?x <p> 'x' @en-GB ^^ <t> (( [ ] )) }",
]


def _queries() -> list[str]:
    folder = suite("syntax-query")
    texts = [] if folder is None else [p.read_text(encoding="utf-8", errors="replace") for p in sorted(Path(folder).glob("*.r[qu]"))]
    return texts + HOSTILE


QUERIES = _queries()


@pytest.mark.parametrize("text", QUERIES)
def test_tokens_cover_the_text(text: str) -> None:
    """Nothing is skipped: the tokens, layout included, are the text again, end to end."""
    assert "".join(t.text for t in tokens(text, layout=True)) == text


@pytest.mark.parametrize("text", QUERIES)
def test_policy_and_planner_read_the_same_tokens(text: str) -> None:
    """The policy's keywords and depth are the lexer's words and brackets; the planner reads the same
    token sequence (when the query is in its grammar), so the two can never disagree on a keyword."""
    words = {t.text.upper() for t in tokens(text) if t.kind == "word"}
    inspection = inspect_query(text)
    assert inspection.keywords == frozenset(words)
    try:
        reader = planner._Reader(text)
    except planner._Unplanned:
        return
    assert [text for _, text in reader.tokens] == [t.text for t in tokens(text)]


@pytest.mark.parametrize(("text", "keyword"), [
    (HOSTILE[0], "SERVICE"), (HOSTILE[1], "SERVICE"), (HOSTILE[2], "SERVICE"), (HOSTILE[6], "SERVICE"),
    (HOSTILE[7], "LOAD"), (HOSTILE[8], "SERVICE"),
])
def test_a_keyword_the_engine_would_read_is_seen(text: str, keyword: str) -> None:
    assert keyword in inspect_query(text).keywords


@pytest.mark.parametrize("text", [HOSTILE[3], HOSTILE[4]])
def test_a_keyword_inside_a_string_or_a_name_is_not(text: str) -> None:
    assert "SERVICE" not in inspect_query(text).keywords


def test_the_suite_is_there() -> None:
    if suite("syntax-query") is None:
        pytest.skip(MISSING)
    assert len(QUERIES) > 100
