"""The as-of rule is written once: the bounds are derived by one query, and every query that answers
"on day D" compares them with the same lines, so no two answers can drift apart."""

from __future__ import annotations

import re
import textwrap

import pytest

from app.core.settings import PROJECT_ROOT

QUERIES = sorted((PROJECT_ROOT / "queries").glob("*.rq"))
# at any depth (a query may read the rule in a subquery): compared without their indentation
BLOCK = re.compile(r"^( +)# as-of rule\n(.*?)^\1# end of the as-of rule\n", re.DOTALL | re.MULTILINE)
SUSPENSIONS = re.compile(r"^( +)# as-of rule of suspensions\n(.*?)^\1# end of the as-of rule of suspensions\n",
                         re.DOTALL | re.MULTILINE)


def _blocks(pattern: re.Pattern[str], fact: str) -> list[str]:
    """Every query's copy of the block, with its fact variable written as ?FACT."""
    found = []
    for path in QUERIES:
        text = path.read_text(encoding="utf-8")
        for match in pattern.finditer(text):
            found.append(textwrap.dedent(match.group(2)).replace(fact, "?FACT").replace("$item", "?FACT").replace("?item", "?FACT"))
    return found


@pytest.mark.parametrize(("pattern", "fact"), [(BLOCK, "?membership"), (SUSPENSIONS, "?membership")])
def test_every_copy_of_the_rule_is_the_same(pattern: re.Pattern[str], fact: str) -> None:
    blocks = _blocks(pattern, fact)
    assert len(blocks) >= 2
    assert len(set(blocks)) == 1, "the as-of comparison differs between queries"


def test_every_query_on_a_date_uses_the_rule() -> None:
    for path in QUERIES:
        text = path.read_text(encoding="utf-8")
        if re.search(r"^# param: date \(date", text, re.MULTILINE):
            assert BLOCK.search(text), f"{path.name} takes a date but does not use the as-of rule"
