"""Rewrites of our own queries for remote engines, which differ where the SPARQL 1.1 text leaves them room.

- `bind_in_filters`: besides the inline VALUES block (`app.sparql.querylib.inline_values`), a bound
  variable's term is written in place of the variable inside FILTER and BIND expressions. Virtuoso 7 does not
  see a VALUES binding from inside `OPTIONAL { ... FILTER (LANGMATCHES(LANG(?l), ?lang)) }` and drops
  every label; and by SPARQL's own bottom-up scoping, a FILTER in an OPTIONAL nested in another
  OPTIONAL does not see it either (Oxigraph found no role label for that reason). Written as a
  constant, the parameter means what the query says, the same on every engine; both stores do it.
- `GraphPages`: a `CONSTRUCT { ?s ?p ?o } WHERE { ... }` read whole, in pages of a total order
  (a subquery ordered by ?s ?p ?o, cut by LIMIT and OFFSET) with a count to check against, for engines that cut long
  answers silently (Virtuoso's `ResultSetMaxRows`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pyoxigraph as ox

from .lexer import Token, tokens
from .policy import where_group_start
from .querylib import Binding, inline_values


def _matching_close(items: list[Token], opening: int) -> int:
    """The index of the token closing the bracket opened at `opening` (the last token if it never closes)."""
    depth = 0
    for index in range(opening, len(items)):
        if items[index].kind == "open":
            depth += 1
        elif items[index].kind == "close":
            depth -= 1
            if depth == 0:
                return index
    return len(items) - 1


def _filter_spans(items: list[Token]) -> list[tuple[int, int]]:
    """(first, last) token indexes of each FILTER's constraint (a bracketed expression, a call, or [NOT] EXISTS {...})
    and of each BIND's expression (a BIND in an OPTIONAL sees no outer binding either)."""
    spans = []
    for index, token in enumerate(items):
        if token.kind != "word" or token.text.upper() not in ("FILTER", "BIND"):
            continue
        start = index + 1
        while start < len(items) and items[start].kind != "open":  # a function name, NOT, EXISTS
            start += 1
        if start < len(items):
            spans.append((start, _matching_close(items, start)))
    return spans


def _pattern_spans(text: str, items: list[Token]) -> tuple[int, int, set[int]] | None:
    """The top-level WHERE group as (first, last) token indexes, and the indexes inside it where a variable stands
    for itself rather than for a term: a subquery's projection and its solution modifiers, a VALUES header, the
    target of AS, the argument of BOUND."""
    start = where_group_start(text)
    opening = next((i for i, t in enumerate(items) if t.end == start), None)
    if start is None or opening is None:
        return None
    closing = _matching_close(items, opening)
    kept: set[int] = set()
    braces: list[int] = []
    for index in range(opening, closing + 1):
        token = items[index]
        if token.text == "{":
            braces.append(index)
        elif token.text == "}" and braces:
            braces.pop()
        if token.kind != "word":
            continue
        word = token.text.upper()
        if word == "SELECT" and braces:
            group = next((i for i in range(index, closing) if items[i].text == "{"), closing)
            kept.update(range(index, group))  # the projection
            kept.update(range(_matching_close(items, group), _matching_close(items, braces[-1])))  # its modifiers
        elif word == "VALUES":
            kept.update(range(index, next((i for i in range(index, closing) if items[i].text == "{"), closing)))
        elif word == "AS" and index + 1 <= closing:
            kept.add(index + 1)
        elif word == "BOUND" and index + 2 <= closing and items[index + 1].text == "(":
            kept.add(index + 2)
    return opening, closing, kept


_AFTER_OBJECT = {".", ";", ",", "}", "]", "{", "FILTER", "OPTIONAL", "BIND", "VALUES", "MINUS", "GRAPH", "SERVICE"}


def _ends_object(items: list[Token], index: int) -> bool:
    """Whether the term at `index` is the object of a triple pattern, read from what follows it: the end of the
    pattern (`.`, `;`, `,`, a bracket) or the next part of the group. A subject is followed by its verb, a verb by
    its object, so neither is."""
    following = items[index + 1] if index + 1 < len(items) else None
    return following is not None and following.text.upper() in _AFTER_OBJECT


def bind_in_filters(text: str, bindings: Mapping[str, Binding]) -> str:
    """`text` with each variable of `bindings` written as its term inside FILTER and BIND expressions, and wherever
    else it stands for a term in the WHERE group: in its triple patterns (a literal only as an object), GRAPH.

    Written in the patterns, a bound IRI is where an engine's planner starts: Oxigraph plans a pattern of a UNION
    branch without the VALUES block's binding, and began the profile page's membership branch from every
    `?fact a org:Membership` (0.5 s at a million triples; 0.7 ms with the IRI written in). A literal is written
    only where it ends a triple pattern (a literal may not be a subject or a verb). `BOUND(?v)` is written `true`
    (as pre-binding means, and as a subquery needs, where the VALUES block does not reach). A projection, `AS ?v`
    and a VALUES header keep the variable (bound by the VALUES block, it holds); a variable bound to several
    values keeps its name everywhere.
    """
    bindings = {name: value for name, value in bindings.items() if not isinstance(value, tuple)}
    if not bindings:
        return text
    items = list(tokens(text))
    chosen: dict[int, str] = {}
    for first, last in _filter_spans(items):
        for index in range(first, last + 1):
            token = items[index]
            if token.kind != "var" or token.text[1:] not in bindings:
                continue
            before = [items[i].text.upper() for i in range(max(0, index - 2), index)]
            if before[-2:] == ["BOUND", "("]:
                if index + 1 < len(items) and items[index + 1].text == ")":  # BOUND(?v) of a bound ?v: true
                    chosen.update({index - 2: "true", index - 1: "", index: "", index + 1: ""})
                continue
            chosen[index] = str(bindings[token.text[1:]])
    spans = _pattern_spans(text, items)
    if spans is not None:
        opening, closing, kept = spans
        for index in range(opening, closing + 1):
            token = items[index]
            if token.kind != "var" or index in kept or index in chosen:
                continue
            value = bindings.get(token.text[1:])
            if isinstance(value, ox.NamedNode) or (isinstance(value, ox.Literal) and _ends_object(items, index)):
                chosen[index] = str(value)
    out, at = [], 0
    for index in sorted(chosen):
        token = items[index]
        out += [text[at:token.start], chosen[index]]
        at = token.end
    return "".join(out) + text[at:]


def bound(text: str, bindings: Mapping[str, Binding]) -> str:
    """The query as the engine runs it: its bindings inlined as a VALUES block and written into its expressions."""
    return bind_in_filters(inline_values(text, bindings), bindings)


@dataclass(frozen=True)
class GraphPages:
    """A CONSTRUCT of one triple pattern `{ ?s ?p ?o }` over a WHERE group, read in ordered pages."""

    prologue: str  # BASE and PREFIX declarations
    template: str  # "?s ?p ?o"
    group: str  # the WHERE group, braces included

    @classmethod
    def of(cls, text: str) -> GraphPages | None:
        """The pages of `text`, when it is such a CONSTRUCT with no solution modifier; else None."""
        start = where_group_start(text)
        if start is None:
            return None
        items = list(tokens(text))
        opening = next(i for i, t in enumerate(items) if t.end == start)
        closing = _matching_close(items, opening)
        if closing != len(items) - 1:  # something follows the group (LIMIT, ORDER BY, VALUES...)
            return None
        template_open = next((i for i, t in enumerate(items) if t.text == "{"), None)
        form = next((t for t in items if t.kind == "word" and t.text.upper() == "CONSTRUCT"), None)
        if template_open is None or form is None:
            return None
        template = items[template_open + 1:_matching_close(items, template_open)]
        variables = [t.text for t in template if t.kind == "var"]
        if len(template) not in (3, 4) or len(variables) != 3 or (len(template) == 4 and template[3].text != "."):
            return None
        return cls(text[:form.start], " ".join(variables), text[items[opening].start:items[closing].end])

    @property
    def count(self) -> str:
        """The query counting the distinct triples of the whole answer.

        It counts the first variable, not `*`: over no solution, Virtuoso 7 counts one row with nothing bound.
        """
        first = self.template.split()[0]
        return f"{self.prologue}SELECT (COUNT({first}) AS ?n) WHERE {{ SELECT DISTINCT {self.template} WHERE {self.group} }}"

    def page(self, size: int, offset: int) -> str:
        """One page of the answer, in the total order of its three variables.

        The order is in a subquery and the page is cut outside it: Virtuoso sorts at most
        `ResultSetMaxRows` rows for an `ORDER BY ... LIMIT n OFFSET k` (k + n over it fails), and this
        is the form its documentation gives for paging further.
        """
        return (f"{self.prologue}CONSTRUCT {{ {self.template} }} WHERE {{ {{ SELECT DISTINCT {self.template} WHERE {self.group} "
                f"ORDER BY {self.template} }} }} LIMIT {size} OFFSET {offset}")
