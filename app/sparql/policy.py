"""Static checks on untrusted SPARQL text, before any parser sees it (DESIGN.md section 3).

Order: size cap, then nesting-depth cap (pyoxigraph's recursive parser crashes the whole process
on a few thousand nested brackets), then policy (no SERVICE, no LOAD, no update at the query
endpoint). The tokens come from `app.sparql.lexer`, the one lexer the planner reads too, so
`"SERVICE"` in a literal is harmless and `.SERVICE` is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

import pyoxigraph as ox

from ..core.errors import InvalidParameter, PayloadTooLarge, RefusedQuery
from ..core.memo import keep_recent
from .lexer import CACHED_QUERY_CHARS, CACHED_QUERY_TOTAL, is_absolute_iri, tokens

QUERY_FORMS = {"SELECT", "ASK", "CONSTRUCT", "DESCRIBE"}
UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}


class QueryForm(Enum):
    SELECT = "SELECT"
    ASK = "ASK"
    CONSTRUCT = "CONSTRUCT"
    DESCRIBE = "DESCRIBE"
    UPDATE = "UPDATE"
    UNKNOWN = "UNKNOWN"

    @property
    def returns_graph(self) -> bool:
        return self in (QueryForm.CONSTRUCT, QueryForm.DESCRIBE)


@dataclass(frozen=True)
class Inspection:
    form: QueryForm
    depth: int
    keywords: frozenset[str]
    relative_iris: bool = False  # an IRI reference without a scheme: it needs a base IRI to resolve




@keep_recent(max_chars=CACHED_QUERY_CHARS, total_chars=CACHED_QUERY_TOTAL)
def inspect_query(text: str) -> Inspection:
    """Lex the query once: its form, its deepest nesting and the bare keywords it uses."""
    depth = deepest = 0
    form = QueryForm.UNKNOWN
    keywords: set[str] = set()
    relative = False
    for token in tokens(text):
        kind = token.kind
        if kind == "open":
            depth += 1
            deepest = max(deepest, depth)
        elif kind == "close":
            depth = max(0, depth - 1)
        elif kind == "iri":
            relative = relative or not is_absolute_iri(token)
        elif kind == "word":
            word = token.text.upper()
            keywords.add(word)
            if form is QueryForm.UNKNOWN and word not in ("BASE", "PREFIX"):
                if word in QUERY_FORMS:
                    form = QueryForm(word)
                elif word in UPDATE_KEYWORDS:
                    form = QueryForm.UPDATE
    return Inspection(form, deepest, frozenset(keywords), relative)


def check_query(text: str, *, max_bytes: int, max_nesting: int, allow_service: bool, allow_datasets: bool = True) -> Inspection:
    """Apply the size, depth and feature policy to a query.

    :raises PayloadTooLarge: over `max_bytes` (UTF-8).
    :raises RefusedQuery: too deeply nested, an update, or a feature that would fetch a URL.
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise PayloadTooLarge(f"The query is {size} bytes; the limit is {max_bytes} bytes.", limit=max_bytes)
    inspection = inspect_query(text)
    if inspection.depth > max_nesting:
        raise RefusedQuery(
            f"The query nests brackets or braces {inspection.depth} deep; the limit is {max_nesting}.",
            limit=max_nesting,
        )
    if inspection.form is QueryForm.UPDATE:
        raise RefusedQuery(
            "This is a SPARQL Update; the endpoint is read-only and answers queries only "
            "(https://www.w3.org/TR/sparql11-protocol/#query-operation)."
        )
    if "LOAD" in inspection.keywords:
        raise RefusedQuery("LOAD is refused: the server never fetches a URL for a user.")
    if "SERVICE" in inspection.keywords and not allow_service:
        raise RefusedQuery("SERVICE (federated query) is refused: the server never fetches a URL for a user.")
    if "FROM" in inspection.keywords and not allow_datasets:
        raise RefusedQuery(DATASET_REFUSAL)
    return inspection


# Oxigraph only selects stored graphs for FROM and dataset parameters, but a remote store may
# dereference them (Virtuoso's sponger, Jena's default dataset), so in remote mode they are refused.
DATASET_REFUSAL = ("Dataset clauses (FROM, FROM NAMED) and default-graph-uri/named-graph-uri are refused with a remote store, "
                   "which might fetch them: the server never fetches a URL for a user.")


_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")


def graph_iri(raw: str, parameter: str) -> ox.NamedNode:
    """A graph named by a request parameter (`default-graph-uri`, `named-graph-uri`, `graph`): an absolute IRI.

    :raises InvalidParameter: naming `parameter`, for anything else (empty, relative, or with characters no IRI holds).
    """
    if _SCHEME.match(raw):
        try:
            return ox.NamedNode(raw)
        except ValueError:
            pass
    raise InvalidParameter(f"{parameter!r} must be an absolute IRI; got {raw!r}.", parameters=[parameter])


def where_group_start(text: str) -> int | None:
    """Offset just inside the top-level WHERE group's opening brace, or None when there is none.

    For CONSTRUCT the template's braces come first, so the group is the one after WHERE; the short
    form `CONSTRUCT WHERE { ... }` has no group of its own (its braces hold a template, where
    VALUES may not stand), so it has none.
    """
    depth = 0
    form: str | None = None
    after_where = False
    template_seen = False
    for token in tokens(text):
        kind = token.kind
        if kind == "word" and depth == 0:
            word = token.text.upper()
            if form is None and word in QUERY_FORMS:
                form = word
            elif word == "WHERE":
                after_where = True
        elif kind == "open":
            if depth == 0 and token.text == "{" and form is not None:
                if form != "CONSTRUCT" or (after_where and template_seen):
                    return token.end
                if after_where:
                    return None  # CONSTRUCT WHERE { ... }: the short form
                template_seen = True
            depth += 1
        elif kind == "close":
            depth = max(0, depth - 1)
    return None
