from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

router = APIRouter(tags=["health"])


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """The store in use and what the graph holds."""
    store = request.app.state.store
    return {"status": "ok", "store": store.kind, "counts": store.counts(), "registers": len(store.registers())}
