"""Typed dependencies the routers declare: the app's state, cached answers, access rules, paging."""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.cache import AnswerCache
from app.changes import Changes
from app.errors import ApiError
from app.settings import Settings
from graph.model import ReferenceData
from graph.store import Query as StoreQuery
from graph.store import Row, Store

log = logging.getLogger("icsgraph.api")


@dataclass
class AppState:
    """What every request shares: settings, the store, its reference data and the answer cache."""

    settings: Settings
    store: Store
    reference: ReferenceData
    cache: AnswerCache = field(default_factory=AnswerCache)
    # Validate-then-replace must not interleave with another write, in this process or another, or one
    # could strand the other's flows or write back a graph without them.
    changes: Changes = field(init=False)

    def __post_init__(self) -> None:
        self.changes = Changes(self.store, self.reference, self.settings, on_wait=log.warning)

    def ask(self, query: StoreQuery, params: Mapping[str, Any]) -> list[Row]:
        """The query's rows, from the cache when the graph has not changed since."""
        return self.cache.run(self.store, query, params)

    def rendered(
        self, query: StoreQuery, params: Mapping[str, Any], form: str, render: Callable[[list[Row]], bytes]
    ) -> bytes:
        """The answer rendered as ``form`` (json, csv), from the cache when the graph has not changed."""
        return self.cache.rendered(self.store, query, params, form, render)


def get_state(request: Request) -> AppState:
    state: AppState = request.app.state.icsgraph
    return state


State = Annotated[AppState, Depends(get_state)]

bearer = HTTPBearer(auto_error=False, description="Authorization: Bearer <token>")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def same(given: str, expected: str | None) -> bool:
    """Constant-time comparison, so a wrong token's timing tells nothing about the right one."""
    if expected is None:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogateescape"), expected.encode("utf-8", "surrogateescape"))


def basic_password(request: Request) -> str | None:
    """The password of HTTP Basic credentials: browsers send it on every page once asked."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    return decoded.partition(":")[2]


def require_read(request: Request, state: State, credentials: Credentials) -> None:
    """Reads are open unless a read token is configured; then the read or the write token is needed."""
    settings = state.settings
    if settings.read_token is None:
        return
    given = credentials.credentials if credentials else basic_password(request)
    # Both comparisons always run, so which token matched does not show in the timing either.
    read_ok, write_ok = same(given or "", settings.read_token), same(given or "", settings.write_token)
    if given is not None and (read_ok or write_ok):
        return
    raise ApiError(
        401,
        "this server needs a token to read" if given is None else "the token is not valid",
        "send Authorization: Bearer <read token> (in a browser: any user name and the token as password)",
        error="unauthorised",
        headers={"WWW-Authenticate": 'Bearer realm="icsgraph", Basic realm="icsgraph"'},
    )


def require_write(state: State, credentials: Credentials) -> None:
    """Writes need the write token; with none configured they are refused, never open."""
    expected = state.settings.write_token
    if expected is None:
        raise ApiError(
            403,
            "writes are disabled: this server has no write token configured",
            "start the server with ICSGRAPH_WRITE_TOKEN set, then send Authorization: Bearer <that token>",
            error="writes_disabled",
        )
    if credentials is None or not same(credentials.credentials, expected):
        raise ApiError(
            401,
            "a write needs the write token" if credentials is None else "the write token is not valid",
            "send Authorization: Bearer <write token>",
            error="unauthorised",
            headers={"WWW-Authenticate": 'Bearer realm="icsgraph"'},
        )


Readable = Depends(require_read)
Writable = Depends(require_write)


@dataclass(frozen=True, slots=True)
class Paging:
    limit: int
    offset: int


def paging(
    limit: Annotated[int, Query(ge=1, le=1000, description="how many items per page")] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000_000, description="how many items to skip")] = 0,
) -> Paging:
    return Paging(limit, offset)


Pages = Annotated[Paging, Depends(paging)]
