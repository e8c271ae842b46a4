"""``/api/search``: find a practice, trust, council, ICB, system or flow by name or code."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.deps import Readable, State
from app.errors import READ_ERRORS
from app.schemas import SearchResult
from app.views.network import Links
from app.views.search_page import hit_url

router = APIRouter(prefix="/api/search", tags=["search"], dependencies=[Readable], responses=READ_ERRORS)
LINKS = Links("")

Q = Annotated[
    str, Query(min_length=1, max_length=200, description="part of a name, or a code (ODS, system or flow id)")
]
Limit = Annotated[int, Query(ge=1, le=50, description="how many matches at most")]


@router.get("", response_model=SearchResult)
def search(state: State, q: Q, limit: Limit = 10) -> dict[str, Any]:
    """Matches ranked: the exact code first, then names (or codes) starting with the query, then names with
    a word starting with each word of the query, then names holding it anywhere. The index is built once
    per version of the graph."""
    hits = state.search.of(state.store).search(q, limit)
    return {"query": q, "count": len(hits), "results": [{**hit, "url": hit_url(LINKS, hit)} for hit in hits]}
