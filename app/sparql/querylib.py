"""The named queries of `queries/*.rq`: their self-describing headers, and binding their parameters.

A header is the leading comment block of a file:

    # title: NATO members on a date
    # description: Countries that were members of NATO on a given day.
    # param: date (date, required): the day, YYYY-MM-DD
    # param: lang (lang, default en): language of the labels
    # columns: country, label, joined

`title-fr:` and `description-fr:` lines, where present, say the same in French (for the query page).

Parameters are validated and converted to RDF terms, then bound by an inline VALUES block, the same
way for both stores (`inline_values`): what a user typed is never pasted into query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pyoxigraph as ox

from ..core.errors import InvalidParameter
from ..core.settings import CANONICAL_ID_BASE
from .lexer import tokens
from .policy import QueryForm, inspect_query, where_group_start

XSD = "http://www.w3.org/2001/XMLSchema#"
_PARAM = re.compile(
    r"^(?P<name>[a-z][a-z0-9_]*)\s*\((?P<type>\w+)(?:,\s*(?P<mode>required|default\s+(?P<default>[^)]*)))?\)\s*:\s*(?P<doc>.*)$"
)
_LANG = re.compile(r"^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{1,8})*$")
_YEAR = re.compile(r"^[0-9]{4}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
PARAM_TYPES = ("iri", "date", "year", "string", "lang", "integer", "boolean")


class QueryFileError(Exception):
    """A file in queries/ has a bad header or does not parse."""


@dataclass(frozen=True)
class Parameter:
    name: str
    type: str
    required: bool
    default: str | None
    description: str

    def convert(self, raw: str, *, iri_base: str) -> ox.NamedNode | ox.Literal:
        """Validate a raw parameter value and turn it into an RDF term.

        :raises InvalidParameter: naming the parameter and what was expected.
        """
        def bad(expected: str) -> InvalidParameter:
            return InvalidParameter(f"Parameter '{self.name}' must be {expected}; got {raw!r}.", parameters=[self.name])

        if self.type == "iri":
            if not raw.startswith(iri_base) or any(c in raw for c in '<>"{}|^`\\ \t\n'):
                raise bad(f"an IRI of this graph, starting with {iri_base}")
            try:
                return ox.NamedNode(raw)
            except ValueError:  # not an IRI at all (a bad percent-escape, say)
                raise bad(f"an IRI of this graph, starting with {iri_base}") from None
        if self.type == "date":
            if not _DATE.match(raw):
                raise bad("a date, YYYY-MM-DD")
            try:
                date.fromisoformat(raw)
            except ValueError:
                raise bad("a real calendar date, YYYY-MM-DD") from None
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "date"))
        if self.type == "year":
            if not _YEAR.match(raw):
                raise bad("a year, YYYY")
            return ox.Literal(raw, datatype=ox.NamedNode(XSD + "gYear"))
        if self.type == "integer":
            if not re.fullmatch(r"-?[0-9]{1,12}", raw):
                raise bad("an integer")
            return ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer"))
        if self.type == "boolean":
            if raw.lower() not in ("true", "false"):
                raise bad("true or false")
            return ox.Literal(raw.lower(), datatype=ox.NamedNode(XSD + "boolean"))
        if self.type == "lang":
            if not _LANG.match(raw):
                raise bad("a language tag such as en or fr")
            return ox.Literal(raw.lower())
        if len(raw) > 500:
            raise bad("a string of at most 500 characters")
        return ox.Literal(raw)


    def json_schema(self, *, iri_base: str) -> dict[str, object]:
        """The values `convert` takes, as JSON Schema (for OpenAPI); narrower where a regular expression cannot say it all."""
        if self.type == "iri":
            return {"type": "string", "pattern": f"^{re.escape(iri_base)}[A-Za-z0-9._~/-]*$"}
        if self.type == "date":
            return {"type": "string", "format": "date", "pattern": _DATE.pattern}
        if self.type == "year":
            return {"type": "string", "pattern": _YEAR.pattern}
        if self.type == "integer":
            return {"type": "integer", "minimum": -(10**12 - 1), "maximum": 10**12 - 1}
        if self.type == "boolean":
            return {"type": "string", "enum": ["true", "false"]}
        if self.type == "lang":
            return {"type": "string", "pattern": _LANG.pattern}
        return {"type": "string", "maxLength": 500}


@dataclass(frozen=True)
class NamedQuery:
    name: str
    text: str
    title: str
    description: str
    form: QueryForm
    parameters: tuple[Parameter, ...] = ()
    columns: tuple[str, ...] = field(default=())
    title_fr: str = ""  # the title and description in French, where the header gives them
    description_fr: str = ""

    def title_in(self, lang: str) -> str:
        """The title in `lang` (en or fr), in English where the header has no French one."""
        return self.title_fr if lang == "fr" and self.title_fr else self.title

    def description_in(self, lang: str) -> str:
        return self.description_fr if lang == "fr" and self.description_fr else self.description

    def bind(self, raw: Mapping[str, str | Sequence[str]], *, iri_base: str) -> dict[str, Binding]:
        """Check names and values of raw parameters; return the terms to bind (several values of one
        parameter, given as a sequence, bind it to each in turn: a VALUES block of several rows).

        :raises InvalidParameter: unknown, missing or malformed parameter.
        """
        known = {p.name for p in self.parameters}
        unknown = sorted(set(raw) - known)
        if unknown:
            raise InvalidParameter(
                f"Unknown parameter(s) {', '.join(unknown)} for query '{self.name}'; it takes: {', '.join(sorted(known)) or 'none'}.",
                parameters=unknown,
            )
        bindings: dict[str, Binding] = {}
        for param in self.parameters:
            value = raw.get(param.name, param.default)
            if value is None or value == "":
                if param.required:
                    raise InvalidParameter(f"Parameter '{param.name}' is required.", parameters=[param.name])
                continue
            if isinstance(value, str):
                bindings[param.name] = param.convert(value, iri_base=iri_base)
            else:
                bindings[param.name] = tuple(param.convert(v, iri_base=iri_base) for v in value)
        return bindings


def parse_header(name: str, text: str) -> NamedQuery:
    """Read the comment header of a query file.

    :raises QueryFileError: if the title is missing or a parameter line is malformed.
    """
    title = ""
    description: list[str] = []
    french: dict[str, list[str]] = {"title-fr": [], "description-fr": []}
    params: list[Parameter] = []
    columns: tuple[str, ...] = ()
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break
        key, _, value = stripped.lstrip("#").strip().partition(":")
        value = value.strip()
        if key == "title":
            title = value
        elif key == "description":
            description.append(value)
        elif key in french:
            french[key].append(value)
        elif key == "param":
            match = _PARAM.match(value)
            if not match or match["type"] not in PARAM_TYPES:
                raise QueryFileError(f"{name}.rq: bad parameter line {value!r}; "
                                     f"expected 'NAME (TYPE[, required|, default X]): doc' with TYPE in {PARAM_TYPES}")
            params.append(Parameter(match["name"], match["type"], match["mode"] == "required",
                                    match["default"].strip() if match["default"] else None, match["doc"].strip()))
        elif key == "columns":
            columns = tuple(c.strip() for c in value.split(",") if c.strip())
    if not title:
        raise QueryFileError(f"{name}.rq: the header needs a '# title:' line")
    return NamedQuery(name, text, title, " ".join(description), inspect_query(text).form, tuple(params), columns,
                      " ".join(french["title-fr"]), " ".join(french["description-fr"]))


class QueryLibrary:
    """All named queries, parsed and checked once at start-up."""

    def __init__(self, queries: Mapping[str, NamedQuery]) -> None:
        self._queries = dict(queries)

    @classmethod
    def load(cls, folder: Path, *, id_base: str = CANONICAL_ID_BASE) -> QueryLibrary:
        """Read every `*.rq` file, move its data IRIs under `id_base`, and make Oxigraph parse it.

        :raises QueryFileError: on the first broken file.
        """
        scratch = ox.Store()
        queries = {}
        for path in sorted(folder.glob("*.rq")):
            text = path.read_text(encoding="utf-8").replace(f"<{CANONICAL_ID_BASE}", f"<{id_base}")
            query = parse_header(path.stem, text)
            try:
                scratch.query(query.text)  # parses; the empty store makes evaluation trivial
            except SyntaxError as exc:
                raise QueryFileError(f"{path}: {exc}") from exc
            queries[query.name] = query
        return cls(queries)

    def __getitem__(self, name: str) -> NamedQuery:
        return self._queries[name]

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(sorted(self._queries.values(), key=lambda q: q.name))

    def __len__(self) -> int:
        return len(self._queries)


Term = ox.NamedNode | ox.Literal | ox.BlankNode
Binding = Term | tuple[Term, ...]  # one value, or several: the query runs for each


def inline_values(text: str, bindings: Mapping[str, Binding]) -> str:
    """Bind variables with an inline VALUES block at the start of the top-level WHERE group.

    The terms were validated and are written by pyoxigraph in N-Triples syntax, so nothing a user
    typed is pasted as SPARQL. Inside the group the block joins before any BIND or FILTER, the
    same answers as pre-binding for queries that use the variable in their patterns (as ours do),
    and it works the same way on the embedded store and on any remote SPARQL 1.1 endpoint
    (pyoxigraph's own substitutions demand that the variable be projected).
    """
    if not bindings:
        return text
    names = sorted(bindings)
    rows: list[list[str]] = [[]]
    for name in names:
        value = bindings[name]
        choices = [str(v) for v in value] if isinstance(value, tuple) else [str(value)]
        rows = [[*row, choice] for row in rows for choice in choices]
    block = f" VALUES ({' '.join('?' + n for n in names)}) {{ {' '.join('(' + ' '.join(row) + ')' for row in rows)} }} "
    start = where_group_start(text)
    if start is None:
        return f"{text}\n{block}"
    return text[:start] + block + text[start:]


def paged(text: str, *, limit: int, offset: int) -> str:
    """The query cut to one page: LIMIT and OFFSET written from integers (never from text a client sent)."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset are not negative")
    return f"{text}\nLIMIT {int(limit)} OFFSET {int(offset)}"


def unordered(text: str) -> str:
    """The query without its top-level ORDER BY clause (those of subqueries stay).

    A count does not depend on the order, and an engine sorts every solution before it counts or cuts
    them: at a million solutions the sort is most of the cost.
    """
    depth, start = 0, None
    for token in tokens(text):
        if token.text in ("{", "}"):
            depth += 1 if token.text == "{" else -1
        elif depth == 0 and token.kind == "word":
            word = token.text.upper()
            if start is None and word == "ORDER":
                start = token.start
            elif start is not None and word in ("LIMIT", "OFFSET", "VALUES"):
                return text[:start] + text[token.start:]
    return text if start is None else text[:start]


def counted(text: str) -> str:
    """`SELECT (COUNT(*) AS ?total)` over the solutions of a SELECT (its bindings already inlined).

    The prologue (BASE, PREFIX) stays in front; the SELECT becomes a subquery without its ORDER BY.
    """
    select = next((t for t in tokens(text) if t.kind == "word" and t.text.upper() == "SELECT"), None)
    if select is None:
        raise ValueError("not a SELECT query")
    return f"{text[:select.start]}SELECT (COUNT(*) AS ?total) WHERE {{\n{{ {unordered(text[select.start:])} }}\n}}"
