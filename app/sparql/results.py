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
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from ..core.formats import Format

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


def _written_once(write: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`write`, each term written once per answer: its rows repeat the same frameworks, roles, datatypes and flags
    (10,000 rows of `partners-on-date` are 100,000 terms, 2,000 of them distinct)."""
    written: dict[Any, Any] = {}

    def once(term: Any) -> Any:
        found = written.get(term)
        if found is None:
            found = written[term] = write(term)
        return found

    return once


def write_solutions(variables: Sequence[str], rows: Iterable[Row], fmt: Format, *, truncated: bool) -> bytes:
    if fmt.name == "json":
        json_term = _written_once(_json_term)
        bindings = [{v: json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        # The flag goes first: strict parsers (pyoxigraph's among them) reject members after "results".
        doc: dict[str, Any] = {"truncated": True} if truncated else {}
        doc.update({"head": {"vars": list(variables)}, "results": {"bindings": bindings}})
        # compact, as Oxigraph's own serialiser writes it: a whole answer is the same bytes whichever wrote it
        return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if fmt.name == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
               "<head>", *(f"<variable name={quoteattr(v)}/>" for v in variables), "</head>"]
        if truncated:
            out.append("<!-- truncated: more rows matched than the server returns -->")
        out.append("<results>")
        xml_term = _written_once(_xml_term)
        names = [quoteattr(v) for v in variables]
        for row in rows:
            out.append("<result>")
            out.extend(f"<binding name={name}>{xml_term(t)}</binding>" for name, t in zip(names, row, strict=True) if t is not None)
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
