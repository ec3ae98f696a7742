"""SHACL validation of the data with pyshacl (https://www.w3.org/TR/shacl/), as a typed report."""

from __future__ import annotations

import re

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS
from rdflib.term import Node

from .report import ValidationReport, ValidationResult
from .sources import Sources

SH = Namespace("http://www.w3.org/ns/shacl#")


def _english_message(graph: Graph, result: URIRef) -> str:
    messages = list(graph.objects(result, SH.resultMessage))
    for message in messages:
        if isinstance(message, Literal) and message.language == "en":
            return str(message)
    # Templated SPARQL messages come back without language tags (pyshacl): show them all.
    return " / ".join(sorted(str(m) for m in messages))


def _parent_shape(shapes: Graph, shape: URIRef) -> URIRef:
    """The named node shape that holds a (blank) property shape, or the shape itself."""
    for parent in shapes.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            return parent
    return shape


def _short(node: object, graph: Graph, depth: int = 0) -> str:
    """A prefixed name for an IRI; a blank node is named by what points at it (an interval by its membership)."""
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.normalizeUri(node)
        except Exception:
            return str(node)
    if isinstance(node, BNode) and depth < 3:
        for subject, predicate in graph.subject_predicates(node):
            return f"[{_short(predicate, graph)} of {_short(subject, graph, depth + 1)}]"
    return str(node)


def _without_sparql_constraints(shapes: Graph) -> Graph:
    core = Graph()
    for triple in shapes:
        if triple[1] != SH.sparql:
            core.add(triple)
    return core


def _pyshacl_results(data: Graph, merged: Graph, shapes: Graph) -> list[ValidationResult]:
    """SHACL Core constraints, with pyshacl. Inference is off: pyshacl's RDFS/OWL-RL inference adds
    triples that break closed shapes."""
    import pyshacl  # imported here: a start-up with a cached report never needs it

    _, report_graph, _ = pyshacl.validate(
        merged,
        shacl_graph=_without_sparql_constraints(shapes),
        inference="none",
        allow_warnings=True,
    )
    results = []
    for result in report_graph.subjects(RDF.type, SH.ValidationResult):
        severity = report_graph.value(result, SH.resultSeverity)
        source = report_graph.value(result, SH.sourceShape)
        path = report_graph.value(result, SH.resultPath)
        value = report_graph.value(result, SH.value)
        shape = _parent_shape(shapes, source) if source is not None else None
        results.append(
            ValidationResult(
                focus=_short(report_graph.value(result, SH.focusNode), data),
                path=_short(path, data) if path is not None else None,
                severity=str(severity).rsplit("#", 1)[-1],
                message=_english_message(report_graph, result),
                source_shape=_short(shape, shapes) if shape is not None else "",
                value=_short(value, data) if value is not None else None,
            )
        )
    return results


def _targets(shape: URIRef, shapes: Graph, store: ox.Store) -> set[object]:
    """The focus nodes of a shape, as terms of `store` (so blank nodes compare equal)."""
    patterns = [f"{{ ?this a/<{RDFS.subClassOf}>* <{c}> }}" for c in shapes.objects(shape, SH.targetClass)]
    patterns += [f"{{ ?x <{p}> ?this }}" for p in shapes.objects(shape, SH.targetObjectsOf)]
    patterns += [f"{{ ?this <{p}> ?x }}" for p in shapes.objects(shape, SH.targetSubjectsOf)]
    patterns += [f"{{ BIND (<{n}> AS ?this) }}" for n in shapes.objects(shape, SH.targetNode)]
    if not patterns:
        return set()
    return {solution["this"] for solution in store.query(f"SELECT DISTINCT ?this WHERE {{ {' UNION '.join(patterns)} }}")}  # type: ignore[union-attr]


def _describe_focus(term: object, store: ox.Store, data: Graph) -> str:
    """A readable name for a focus node; a blank node is named by what points at it."""
    if isinstance(term, ox.NamedNode):
        return _short(URIRef(term.value), data)
    for quad in store.quads_for_pattern(None, None, term):  # type: ignore[arg-type]
        return f"[{_short(URIRef(quad.predicate.value), data)} of {_describe_focus(quad.subject, store, data)}]"
    return str(term)


def _prefix_block(shapes: Graph, constraint: Node) -> str:
    lines = []
    for source in shapes.objects(constraint, SH.prefixes):
        for declaration in shapes.objects(source, SH.declare):
            prefix = shapes.value(declaration, SH.prefix)
            namespace = shapes.value(declaration, SH.namespace)
            lines.append(f"PREFIX {prefix}: <{namespace}>")
    return "\n".join(lines)


def _sparql_results(data: Graph, merged: Graph, shapes: Graph) -> list[ValidationResult]:
    """SHACL-SPARQL constraints (https://www.w3.org/TR/shacl/#sparql-constraints), evaluated on Oxigraph.

    pyshacl evaluates them node by node and took 95% of validation time; Oxigraph answers each
    constraint once for all focus nodes, which is the same result for constraints whose
    `$this` is only joined on (as ours are), then filtered to the shape's targets.
    """
    store = ox.Store()
    store.bulk_load(merged.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
    results = []
    for shape in sorted({s for s in shapes.subjects(SH.sparql, None) if isinstance(s, URIRef)}, key=str):
        if shapes.value(shape, SH.deactivated) == Literal(True):
            continue
        severity = str(shapes.value(shape, SH.severity) or SH.Violation).rsplit("#", 1)[-1]
        focus = _targets(shape, shapes, store)
        for constraint in shapes.objects(shape, SH.sparql):
            query = f"{_prefix_block(shapes, constraint)}\n{shapes.value(constraint, SH.select)}".replace("$this", "?this")
            templates = [m for m in shapes.objects(constraint, SH.message) if isinstance(m, Literal)]
            template = next((str(m) for m in templates if m.language == "en"), str(templates[0]) if templates else "")
            for solution in store.query(query):  # type: ignore[union-attr]
                this = solution["this"]
                if this is None or this not in focus:
                    continue
                message = _fill_template(template, solution)
                results.append(ValidationResult(
                    focus=_describe_focus(this, store, data),
                    path=None,
                    severity=severity,
                    message=message,
                    source_shape=_short(shape, shapes),
                ))
    return results


def _fill_template(template: str, solution: ox.QuerySolution) -> str:
    """Replace `{?var}` and `{$var}` in a SHACL-SPARQL message with the solution's values."""
    return re.sub(r"\{[?$](\w+)\}", lambda match: _term_text(solution[match.group(1)]), template)


def _term_text(term: object) -> str:
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal, ox.BlankNode)) else ""


def validate_graph(data: Graph, ontology: Graph, shapes: Graph) -> ValidationReport:
    """Validate `data` against `shapes`, with `ontology` giving the class hierarchy."""
    # pyshacl can report one defect twice (directly and through an sh:node of another shape): once is enough.
    merged = data + ontology  # data with the class hierarchy: what both engines check
    results = list(dict.fromkeys(_pyshacl_results(data, merged, shapes) + _sparql_results(data, merged, shapes)))
    results.sort(key=lambda r: (r.severity != "Violation", r.source_shape, r.focus))
    return ValidationReport(results)


def validate_sources(sources: Sources) -> ValidationReport:
    return validate_graph(sources.data, sources.ontology, sources.shapes)
