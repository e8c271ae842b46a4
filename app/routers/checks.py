"""``/api/checks``: every IG check with how many findings it has at a date."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query

import queries
from app.deps import Readable, State
from app.errors import READ_ERRORS
from app.schemas import CheckSummary

router = APIRouter(prefix="/api/checks", tags=["checks"], dependencies=[Readable], responses=READ_ERRORS)


@router.get("", response_model=list[CheckSummary])
def checks(
    state: State, as_of: Annotated[date | None, Query(description="the date to check at (default: today)")] = None
) -> list[dict[str, Any]]:
    """Each IG check (a query of kind ``check``) and its number of findings; ``url`` gives the rows."""
    summaries = []
    for query in queries.CATALOGUE.values():
        if query.kind != "check":
            continue
        raw = {"as_of": as_of} if as_of and any(p.name == "as_of" for p in query.params) else {}
        try:
            params = query.bind(raw)
        except queries.ParamError:
            findings = None  # it needs a parameter this summary cannot guess
        else:
            try:
                findings = len(state.ask(query, params))
            except (OverflowError, ValueError):
                findings = None
        suffix = f"?as_of={as_of.isoformat()}" if as_of and raw else ""
        summaries.append(
            {
                "name": query.name,
                "description": query.description,
                "findings": findings,
                "url": f"/api/queries/{quote(query.name, safe='')}{suffix}",
            }
        )
    return summaries
