"""Liveness and a summary of what is loaded."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from ...kg.runtime import Runtime
from ..state import runtime_of

router = APIRouter(tags=["Service"])


class Health(BaseModel):
    status: str
    store: str
    triples: int | None
    queries: int
    warnings: int | None


@router.get("/health", summary="Service health")
async def health(request: Request) -> Health:
    """Answers at once, without touching the query workers, even while long queries run."""
    runtime: Runtime = runtime_of(request)
    return Health(
        status="ok",
        store="remote" if runtime.settings.sparql_endpoint else "embedded",
        triples=runtime.store.triple_count,
        queries=len(runtime.queries),
        warnings=len(runtime.report.warnings) if runtime.report else None,
    )
