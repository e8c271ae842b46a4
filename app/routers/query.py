from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

import queries
from app.output import as_csv

router = APIRouter(prefix="/api/queries", tags=["queries"])


@router.get("")
def catalogue() -> list[dict[str, Any]]:
    """Every named query: its parameters and result columns."""
    return [query.describe() for query in queries.CATALOGUE.values()]


@router.get("/{name}", response_model=None)
def run(name: str, request: Request) -> dict[str, Any] | Response:
    """Run a named query; parameters are query-string values. JSON, or CSV with ``format=csv``."""
    try:
        query = queries.get(name)
    except queries.UnknownQuery as error:
        raise HTTPException(404, str(error)) from None
    raw = dict(request.query_params)
    wants_csv = raw.pop("format", "json") == "csv" or "text/csv" in request.headers.get("accept", "")
    try:
        params = query.bind(raw)
    except queries.ParamError as error:
        raise HTTPException(422, str(error)) from None
    rows = request.app.state.store.run(query, params)
    if wants_csv:
        return PlainTextResponse(as_csv(query.columns, rows), media_type="text/csv")
    return {
        "query": query.name,
        "params": {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in params.items()},
        "count": len(rows),
        "rows": rows,
    }
