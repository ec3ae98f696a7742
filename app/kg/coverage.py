"""The coverage report of `natokg stats`: instances per class, sourced facts, French labels, Wikidata links, time checks."""

from __future__ import annotations

from typing import Any

from ..store.base import select
from .runtime import Runtime
from .timecheck import unstated_days

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
        "triples": runtime.store.triple_count,
        "facts": {"total": counts["facts"], "sourced": counts["sourced"], "share": _share(counts["sourced"], counts["facts"])},
        "french_labels": {"total": counts["entities"], "labelled": counts["french"], "share": _share(counts["french"], counts["entities"])},
        "wikidata": {"total": counts["entities"], "linked": counts["wikidata"], "share": _share(counts["wikidata"], counts["entities"])},
        "time": time_checks(runtime),
    }


def time_checks(runtime: Runtime) -> dict[str, Any]:
    """Day-precise dates no quote states (unless a date note explains them) and open periods that say nothing."""
    days, noted, unstated = unstated_days(select(runtime.store, runtime.queries["check-stated-days"].text))
    open_ends = select(runtime.store, runtime.queries["check-open-ends"].text)
    return {
        "days": {"total": days, "stated": days - noted - len(unstated), "noted": noted,
                 "unexplained": [{"fact": u.fact, "day": u.day} for u in unstated]},
        "open": [{"fact": r["fact"].value, "missing": r["missing"].value} for r in open_ends],
    }
