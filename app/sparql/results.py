"""Writing SELECT/ASK answers and graphs in the SPARQL 1.1 result formats and RDF syntaxes.

JSON: https://www.w3.org/TR/sparql11-results-json/ ; XML: https://www.w3.org/TR/rdf-sparql-XMLres/ ;
CSV/TSV: https://www.w3.org/TR/sparql11-results-csv-tsv/ . A cut answer carries `"truncated": true`
(JSON) or a comment (XML); the HTTP layer adds a header for every format.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from json.encoder import encode_basestring  # how json.dumps(ensure_ascii=False) writes a str
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..core.formats import Format
from ..core.vocab import XSD

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Row = Sequence[Any]  # one value per variable, None when unbound

def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {  # type: ignore[dict-item]
            "subject": _json_term(term.subject), "predicate": _json_term(term.predicate), "object": _json_term(term.object)}}
    raise TypeError(f"not an RDF term: {term!r}")


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_term(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, (ox.NamedNode, ox.Literal)):
        return term.value
    return str(term)


def _tsv_term(term: Any) -> str:
    if term is None:
        return ""
    text = str(term)  # pyoxigraph prints terms in N-Triples syntax
    return text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _json_iri(iri: str) -> str:
    return '{"type":"uri","value":' + encode_basestring(iri) + "}"


def _json_string(text: str) -> str:
    return '{"type":"literal","value":' + encode_basestring(text) + "}"


def _json_lang_string(value: tuple[str, str]) -> str:
    return '{"type":"literal","value":' + encode_basestring(value[0]) + ',"xml:lang":' + encode_basestring(value[1].lower()) + "}"


def _json_typed(value: tuple[str, str]) -> str:
    if value[1] == XSD_STRING:
        return _json_string(value[0])
    return '{"type":"literal","value":' + encode_basestring(value[0]) + ',"datatype":' + encode_basestring(value[1]) + "}"


def _json_text(term: Any) -> str:
    """The JSON text of one term, as `json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))` writes
    it, without making the dict: an answer's terms are most of its cost (10,000 rows of `partners-on-date` are 100,000)."""
    if isinstance(term, ox.NamedNode):
        return _json_iri(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return _json_lang_string((term.value, term.language))
        return _json_typed((term.value, term.datatype.value))
    return json.dumps(_json_term(term), ensure_ascii=False, separators=(",", ":"))


class _WrittenOnce(dict[Any, str]):
    """Each term written once per answer: its rows repeat the same frameworks, roles, datatypes and flags (10,000
    rows of `partners-on-date` are 100,000 terms, 2,000 of them distinct). A term written before is a dict lookup."""

    def __init__(self, write: Callable[[Any], str]) -> None:
        super().__init__()
        self._write = write

    def __missing__(self, term: Any) -> str:
        text = self[term] = self._write(term)
        return text


def _json_answer(variables: Sequence[str], rows: Iterable[Row], writers: Sequence[Mapping[Any, str]], truncated: bool) -> bytes:
    """A SELECT answer in JSON, compact as Oxigraph's own serialiser writes it (a whole answer is the same bytes
    whichever wrote it), each row's values written by its column's writer."""
    names = [encode_basestring(v) + ":" for v in variables]
    bindings = ",".join(["{" + ",".join([name + write[t] for name, write, t in zip(names, writers, row, strict=True)
                                         if t is not None]) + "}" for row in rows])
    # The flag goes first: strict parsers (pyoxigraph's among them) reject members after "results".
    head = ",".join(encode_basestring(v) for v in variables)
    return (('{"truncated":true,' if truncated else "{") + '"head":{"vars":[' + head + ']},"results":{"bindings":['
            + bindings + "]}}").encode("utf-8")


def write_solutions(variables: Sequence[str], rows: Iterable[Row], fmt: Format, *, truncated: bool) -> bytes:
    if fmt.name == "json":
        return _json_answer(variables, rows, [_WrittenOnce(_json_text)] * len(variables), truncated)
    if fmt.name == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head>"]
        if truncated:
            out.append("<!-- truncated: more rows matched than the server returns -->")
        out.append("<results>")
        xml_term = _WrittenOnce(_xml_term)
        names = [quoteattr(v) for v in variables]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={name}>{xml_term[t]}</binding>" for name, t in zip(names, row, strict=True) if t is not None)
            out.append("</result>")
        out.append("</results>\n</sparql>\n")
        return "\n".join(out).encode("utf-8")
    if fmt.name == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_term(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    if fmt.name == "tsv":
        lines = ["\t".join(f"?{v}" for v in variables)]
        lines.extend("\t".join(_tsv_term(t) for t in row) for row in rows)
        return ("\n".join(lines) + "\n").encode("utf-8")
    raise ValueError(f"{fmt.name} is not a result format")


def write_boolean(value: bool, fmt: Format) -> bytes:
    if fmt.name == "json":
        return json.dumps({"head": {}, "boolean": value}, separators=(",", ":")).encode("utf-8")
    if fmt.name == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return ("true\n" if value else "false\n").encode("utf-8")


PREFIXED = (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.RDF_XML, ox.RdfFormat.N3)  # the syntaxes that use prefixes


def prefix_arguments(rdf_format: ox.RdfFormat, prefixes: Mapping[str, str] | None) -> dict[str, Any]:
    """Oxigraph's `prefixes` keyword (its serialisers and `Store.dump`), for a syntax that writes prefixes."""
    return {"prefixes": dict(prefixes)} if prefixes and rdf_format in PREFIXED else {}


def write_triples(triples: Iterable[ox.Triple], fmt: Format, *, prefixes: dict[str, str] | None = None) -> bytes:
    rdf_format = fmt.oxigraph
    if not isinstance(rdf_format, ox.RdfFormat):
        raise ValueError(f"{fmt.name} is not an RDF syntax")
    data = ox.serialize(triples, format=rdf_format, **prefix_arguments(rdf_format, prefixes))
    assert data is not None
    return data


# Answers given as plain values (an index's rows: app.store.lists), each column of one kind of term, written without
# making a term of each value: at 5M triples, 10,000 rows of `partners-on-date` took 45 ms to make terms of.
IRI = "iri"  # the IRI
STRING = "string"  # a literal's text (an xsd:string)
LANG_STRING = "lang"  # (text, language tag): a language-tagged string (its tag in lower case, as Oxigraph keeps tags)
TYPED = "typed"  # (lexical form, datatype IRI): a literal of that datatype
BOOLEAN = "boolean"  # a bool: an xsd:boolean
XSD_BOOLEAN = XSD + "boolean"

_JSON_PLAIN: dict[str, Callable[[Any], str]] = {
    IRI: _json_iri,
    STRING: _json_string,
    LANG_STRING: _json_lang_string,
    TYPED: _json_typed,
    BOOLEAN: lambda flag: _json_typed(("true" if flag else "false", XSD_BOOLEAN)),
}


def plain_term(kind: str, value: Any) -> Any:
    """The term a plain value of `kind` stands for."""
    if kind == IRI:
        return ox.NamedNode(value)
    if kind == STRING:
        return ox.Literal(value)
    if kind == LANG_STRING:
        return ox.Literal(value[0], language=value[1])
    if kind == TYPED:
        return ox.Literal(value[0], datatype=ox.NamedNode(value[1]))
    if kind == BOOLEAN:
        return ox.Literal("true" if value else "false", datatype=ox.NamedNode(XSD_BOOLEAN))
    raise ValueError(f"no kind of term {kind!r}")


def write_plain(variables: Sequence[str], kinds: Sequence[str], rows: Sequence[Row], fmt: Format, *, truncated: bool) -> bytes:
    """Rows of plain values (None: unbound), each column of its kind (IRI, STRING, ...), written as write_solutions
    writes the terms they stand for, byte for byte: JSON straight from the values, the other formats from their terms."""
    if fmt.name == "json":
        return _json_answer(variables, rows, [_WrittenOnce(_JSON_PLAIN[kind]) for kind in kinds], truncated)
    terms = [[None if value is None else plain_term(kind, value) for kind, value in zip(kinds, row, strict=True)] for row in rows]
    return write_solutions(variables, terms, fmt, truncated=truncated)
