"""``GET /health``: the store in use and what the graph holds. Always open, for probes."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from app.deps import State
from app.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
def health(state: State) -> dict[str, Any]:
    """The store in use and what the graph holds."""
    store = state.store
    return {"status": "ok", "store": store.kind, "counts": store.counts(), "registers": len(store.registers())}
