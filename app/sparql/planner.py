"""Answering small, bounded queries in the serving process, without a worker round trip.

Queries run in forked workers so that one running past its deadline can be killed (see
`app.store.workers`). That costs a round trip through a pipe, which is most of the time a lookup by
IRI takes. Some queries cannot run long: one basic graph pattern of plain triple
patterns, with nothing but projection, DISTINCT and LIMIT around it, and DESCRIBE of a few IRIs.
Evaluating a join of triple patterns touches at most the product of what each pattern matches on
its own (an index scan with its constants bound), and a DESCRIBE at most the triples of the
described resources' Concise Bounded Descriptions. The store counts those by index before
running the query; when the bound is under the budget, the query runs here, at once.

The planner reads a deliberately small grammar. Anything else (FILTER, OPTIONAL, paths, blank
nodes, BASE, non-ASCII names, ...) is not planned, and goes to a worker as before: a query the
planner misreads can only lose the shortcut, because the bound it computes treats variables, and
every literal but a plain or lowercase language-tagged string without escapes, as wildcards, and so
never counts fewer triples than the query's patterns can match.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

import pyoxigraph as ox

from ..core.memo import keep_recent
from .lexer import CACHED_QUERY_CHARS, CACHED_QUERY_TOTAL, Token, is_absolute_iri, tokens

MAX_PATTERNS = 16  # more triple patterns (or described IRIs) than this always go to a worker
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")

# None stands for a variable, or a literal that is not a plain string: "any term" when the bound is computed.
Pattern = tuple[ox.NamedNode | None, ox.NamedNode | None, ox.NamedNode | ox.Literal | None]


@dataclass(frozen=True)
class Plan:
    form: str  # "SELECT", "ASK" or "DESCRIBE"
    patterns: tuple[Pattern, ...] = ()
    described: tuple[ox.NamedNode, ...] = ()


# The planner's subset of SPARQL's names: plain ASCII prefixed names, nothing SPARQL could read further
# (`a.b`, `a:b:c`, escapes, percent-encoding); anything else is not planned.
_SIMPLE_PNAME = re.compile(r"(?:[A-Za-z][A-Za-z0-9_\-]*)?:(?:[A-Za-z0-9_][A-Za-z0-9_\-]*)?")
_BRACES = {"{": "open", "}": "close"}


class _Unplanned(Exception):
    """The query is outside the planner's grammar."""


def _planned_token(token: Token) -> tuple[str, str]:
    """The lexer's token as the planner reads it, or `_Unplanned` for one outside its grammar."""
    kind, text = token.kind, token.text
    if kind in ("open", "close") and text in _BRACES:
        return "punct", text
    if kind == "punct" and text in ".;,*":
        return kind, text
    if kind == "iri" and is_absolute_iri(token):
        return kind, text
    if kind == "string" and not text.startswith(("'''", '"""')):
        return kind, text
    if kind == "pname" and _SIMPLE_PNAME.fullmatch(text):
        return kind, text
    if kind == "var" and text[1:].isascii():
        return kind, text
    if kind in ("number", "word", "lang", "caret"):
        return kind, text
    raise _Unplanned


class _Reader:
    def __init__(self, text: str) -> None:
        self.tokens = [_planned_token(token) for token in tokens(text)]
        self.index = 0
        self.prefixes: dict[str, str] = {}

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "")

    def take(self) -> tuple[str, str]:
        token = self.peek()
        self.index += 1
        return token

    def keyword(self, *words: str) -> str | None:
        kind, value = self.peek()
        if kind == "word" and value.upper() in words:
            self.index += 1
            return value.upper()
        return None

    def punct(self, char: str) -> bool:
        if self.peek() == ("punct", char):
            self.index += 1
            return True
        return False

    def expect(self, char: str) -> None:
        if not self.punct(char):
            raise _Unplanned

    def iri(self, kind: str, value: str) -> ox.NamedNode:
        if kind == "iri":
            text = value[1:-1]
        else:
            prefix, _, local = value.partition(":")
            if prefix not in self.prefixes:
                raise _Unplanned  # the engine will report the undeclared prefix
            text = self.prefixes[prefix] + local
        try:
            return ox.NamedNode(text)
        except ValueError:  # not a valid IRI: the engine will report it
            raise _Unplanned from None


def _node(reader: _Reader, *, verb: bool = False) -> ox.NamedNode | None:
    """A subject or verb: an IRI, a variable (None) or, as a verb, `a`."""
    kind, value = reader.take()
    if kind in ("iri", "pname"):
        return reader.iri(kind, value)
    if kind == "var":
        return None
    if verb and (kind, value) == ("word", "a"):
        return RDF_TYPE
    raise _Unplanned


def _object(reader: _Reader) -> ox.NamedNode | ox.Literal | None:
    kind, value = reader.peek()
    if kind == "string":
        reader.take()
        return _literal(reader, value[1:-1])
    if kind == "number" or (kind == "word" and value in ("true", "false")):
        reader.take()
        return None
    return _node(reader)


def _literal(reader: _Reader, text: str) -> ox.Literal | None:
    """A plain or language-tagged string without escapes, as the term the query names; anything else a wildcard."""
    exact = "\\" not in text
    try:
        if reader.peek()[0] == "lang":
            tag = reader.take()[1][1:]
            return ox.Literal(text, language=tag) if exact and tag == tag.lower() else None
        if reader.peek()[0] == "caret":
            reader.take()
            datatype = reader.take()
            if datatype[0] not in ("iri", "pname"):
                raise _Unplanned
            reader.iri(*datatype)
            return None  # typed literals may have several lexical forms: counted as any term
        return ox.Literal(text) if exact else None
    except ValueError:  # not a well-formed language tag: the engine will say so
        raise _Unplanned from None


def _group(reader: _Reader) -> tuple[Pattern, ...]:
    """`{ triples }`: subjects with `;`-separated verbs and `,`-separated objects, `.` between."""
    reader.expect("{")
    patterns: list[Pattern] = []
    while not reader.punct("}"):
        subject = _node(reader)
        while True:
            verb = _node(reader, verb=True)
            while True:
                patterns.append((subject, verb, _object(reader)))
                if not reader.punct(","):
                    break
            if not reader.punct(";"):
                break
            if reader.peek() in (("punct", "."), ("punct", "}")):
                break  # a trailing ';' is allowed
        if not reader.punct(".") and reader.peek() != ("punct", "}"):
            raise _Unplanned
    return tuple(patterns)


@keep_recent(max_chars=CACHED_QUERY_CHARS, total_chars=CACHED_QUERY_TOTAL)
def plan(text: str) -> Plan | None:
    """The bounded shape of `text`, or None when it is outside the planner's grammar."""
    try:
        reader = _Reader(text)
        while reader.keyword("PREFIX"):
            name, iri = reader.take(), reader.take()
            if name[0] != "pname" or not name[1].endswith(":") or iri[0] != "iri":
                raise _Unplanned
            reader.prefixes[name[1][:-1]] = iri[1][1:-1]
        form = reader.keyword("SELECT", "ASK", "DESCRIBE")
        if form == "DESCRIBE":
            described: list[ox.NamedNode] = []
            while reader.peek()[0] in ("iri", "pname"):
                described.append(reader.iri(*reader.take()))
            result = Plan(form, described=tuple(described)) if described else None
        elif form == "SELECT":
            reader.keyword("DISTINCT")
            if not reader.punct("*"):
                if reader.peek()[0] != "var":
                    raise _Unplanned
                while reader.peek()[0] == "var":
                    reader.take()
            reader.keyword("WHERE")
            patterns = _group(reader)
            if reader.keyword("LIMIT") and reader.take()[0] != "number":
                raise _Unplanned
            result = Plan(form, patterns)
        elif form == "ASK":
            reader.keyword("WHERE")
            result = Plan(form, _group(reader))
        else:
            raise _Unplanned
        return result if reader.peek()[0] == "end" else None
    except _Unplanned:
        return None


def _count(store: ox.Store, pattern: Pattern, cap: int) -> int:
    """Triples of the default graph matching `pattern` (constants bound, the rest free), counted up to `cap` + 1."""
    matches = store.quads_for_pattern(pattern[0], pattern[1], pattern[2], ox.DefaultGraph())
    return sum(1 for _ in itertools.islice(matches, cap + 1))


def _description_size(store: ox.Store, roots: tuple[ox.NamedNode, ...], cap: int) -> int:
    """Triples in the Concise Bounded Descriptions of `roots` (what Oxigraph's DESCRIBE returns), up to `cap` + 1."""
    size = 0
    pending: list[ox.NamedNode | ox.BlankNode] = list(roots)
    seen: set[ox.NamedNode | ox.BlankNode] = set()
    while pending and size <= cap:
        node = pending.pop()
        if node in seen:
            continue
        seen.add(node)
        for quad in itertools.islice(store.quads_for_pattern(node, None, None, ox.DefaultGraph()), cap + 1 - size):
            size += 1
            if isinstance(quad.object, ox.BlankNode):
                pending.append(quad.object)
    return size


def within_budget(store: ox.Store, planned: Plan, budget: int) -> bool:
    """True when evaluating the planned query touches at most about `budget` triples and returns at most `budget` rows.

    A join of k patterns, in any order, touches at most k times the product of their match counts
    (each taken as at least one, so that an empty pattern evaluated last still counts the others).
    """
    if len(planned.patterns) > MAX_PATTERNS or len(planned.described) > MAX_PATTERNS:
        return False
    if planned.form == "DESCRIBE":
        return _description_size(store, planned.described, budget) <= budget
    product = 1
    for pattern in planned.patterns:
        product *= max(1, _count(store, pattern, budget // product))
        if product > budget:
            return False
    return True
