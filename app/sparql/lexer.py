"""The one SPARQL lexer (https://www.w3.org/TR/sparql11-query/#terminals): the policy check and the planner read its tokens.

It guards a security boundary: the policy refuses SERVICE, LOAD and updates by the keywords it finds
here, so a keyword must never hide inside another token the engine would read differently. Comments,
strings, IRIs, variables, prefixed names, blank node labels and language tags are whole tokens, so
`"SERVICE"`, `<SERVICE>`, `?service`, `ex:SERVICE` and `@en` carry no keyword, while `.SERVICE` or
`}SERVICE` do. What the lexer cannot read becomes an `other` token of one character and lexing goes
on: nothing after an unreadable character is skipped.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from ..core.memo import keep_recent

_ESCAPE = r"\\[_~.\-!$&'()*+,;=/?#@%]"
_LOCAL_START = rf"(?:[\w:]|%[0-9A-Fa-f]{{2}}|{_ESCAPE})"
_LOCAL_MIDDLE = rf"(?:[\w.:\-\u00B7]|%[0-9A-Fa-f]{{2}}|{_ESCAPE})"
_LOCAL_END = rf"(?:[\w:\-\u00B7]|%[0-9A-Fa-f]{{2}}|{_ESCAPE})"

_TOKEN = re.compile(  # a run of white space is one match, dropped: `tokens` puts it back when asked
    rf"""
    (?P<space>[\x20\t\r\n]+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
       |'(?:[^'\\\n\r]|\\.)*'|"(?:[^"\\\n\r]|\\.)*")
  | (?P<iri><[^<>"{{}}|^`\\\x00-\x20]*>)
  | (?P<var>[?$]\w+)
  | (?P<bnode>_:\w(?:[\w.\-]*[\w\-])?)
  | (?P<pname>(?:[^\W\d_](?:[\w.\-\u00B7]*[\w\-\u00B7])?)?:(?:{_LOCAL_START}(?:{_LOCAL_MIDDLE}*{_LOCAL_END})?)?)
  | (?P<number>[+\-]?(?:[0-9]*\.[0-9]+|[0-9]+)(?:[eE][+\-]?[0-9]+)?)
  | (?P<word>[A-Za-z][A-Za-z0-9_]*)
  | (?P<lang>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<caret>\^\^)
  | (?P<open>[({{\[])
  | (?P<close>[)}}\]])
  | (?P<punct>[.;,*|/^!=<>+\-&?])
  | (?P<other>[^\x20\t\r\n])
    """,
    re.VERBOSE | re.DOTALL,
)
# A text up to CACHED_QUERY_CHARS long has its readings kept (tokens, policy, plan), each reading keeping at
# most CACHED_QUERY_TOTAL characters of texts in all: a named query (3-6,000 characters with its comments) is
# read once, not at every request, and many long texts evict each other instead of adding up.
CACHED_QUERY_CHARS = 32_768
CACHED_QUERY_TOTAL = 2_097_152
_ABSOLUTE_IRI = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]*:")


class Token(NamedTuple):
    kind: str  # a group name of the pattern above
    text: str
    start: int
    end: int


_new_token = tuple.__new__  # as Token._make does, without its length check: four fields are always given


def tokens(text: str, *, layout: bool = False) -> tuple[Token, ...]:
    """The tokens of `text`, in order; white space and comments only when `layout` is asked for."""
    found = _tokens(text)
    if not layout:
        return tuple(t for t in found if t.kind != "comment")
    spaced: list[Token] = []
    position = 0
    for token in found:
        if token.start > position:
            spaced.append(Token("space", text[position:token.start], position, token.start))
        spaced.append(token)
        position = token.end
    if position < len(text):
        spaced.append(Token("space", text[position:], position, len(text)))
    return tuple(spaced)


@keep_recent(max_chars=CACHED_QUERY_CHARS, total_chars=CACHED_QUERY_TOTAL)
def _tokens(text: str) -> tuple[Token, ...]:
    """Every token but white space, kept for recent short texts: the policy check and the planner read the same ones.

    White space is matched as a run rather than left to match no group (finditer would then try every
    alternative at each white-space character), and the tuples are made as Token's own `_make` makes
    them, without its keyword-argument constructor: together a fifth less time per uncached text.
    """
    return tuple([_new_token(Token, (kind, m.group(), m.start(), m.end())) for m in _TOKEN.finditer(text)
                  if (kind := m.lastgroup or "other") != "space"])


def is_absolute_iri(token: Token) -> bool:
    """An `iri` token with a scheme (`<http://...>`); one without needs a base IRI to resolve."""
    return token.kind == "iri" and _ABSOLUTE_IRI.match(token.text) is not None
