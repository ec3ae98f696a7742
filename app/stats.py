"""The coverage report of `natokg stats`: instances per class, sourced facts, French labels, Wikidata links."""

from __future__ import annotations

from typing import Any

from app.runtime import Runtime
from app.store import select

NKG = "https://w3id.org/natokg/ontology#"
ORG = "http://www.w3.org/ns/org#"


def _short(iri: str) -> str:
    return iri.replace(NKG, "nkg:").replace(ORG, "org:")


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def coverage(runtime: Runtime) -> dict[str, Any]:
    classes = {_short(r["class"].value): int(r["instances"].value) for r in select(runtime.store, runtime.queries["class-counts"].text)}
    [row] = select(runtime.store, runtime.queries["coverage"].text)
    counts = {k: int(v.value) for k, v in row.items()}
    return {
        "classes": classes,
        "triples": getattr(runtime.store, "triple_count", None),
        "facts": {"total": counts["facts"], "sourced": counts["sourced"], "share": _share(counts["sourced"], counts["facts"])},
        "french_labels": {"total": counts["entities"], "labelled": counts["french"], "share": _share(counts["french"], counts["entities"])},
        "wikidata": {"total": counts["entities"], "linked": counts["wikidata"], "share": _share(counts["wikidata"], counts["entities"])},
    }
