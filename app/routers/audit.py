"""``/api/audit``: the audit log of every write attempt, for admins."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from app.deps import Admin, State
from app.errors import documented
from app.schemas import AuditEntry

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=list[AuditEntry], responses=documented(401, 403, 422))
def audit(
    state: State,
    caller: Admin,
    since: Annotated[
        datetime | date | None, Query(description="only entries from this date or time on (UTC), e.g. 2026-11-01")
    ] = None,
) -> list[dict[str, Any]]:
    """Every write attempt, oldest first: when, who (the token's name, or the OS user of the command line),
    what, on which register and version, the result and how many problems. Admin tokens only."""
    return [entry.as_dict() for entry in state.changes.audit.entries(since)]
