"""Typed dependencies the routers declare: the app's state, cached answers, access rules, paging."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import hmac
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.audit import Actor
from app.cache import AnswerCache
from app.changes import Changes, lock_dir
from app.errors import ApiError
from app.ratelimit import RateLimit
from app.settings import Settings
from app.tokens import TokensFile, tokens_path
from graph.model import ReferenceData
from graph.store import Query as StoreQuery
from graph.store import Row, Store
from queries.search import SearchIndexes

log = logging.getLogger("icsgraph.api")


@dataclass(frozen=True, slots=True)
class Caller:
    """Who a request is: a token's name, its role, and for a writer the globs of the registers it may write."""

    name: str
    role: str
    registers: tuple[str, ...] = ()

    def may_write(self, register: str) -> bool:
        if self.role == "admin":
            return True
        return self.role == "writer" and any(fnmatch.fnmatchcase(register, glob) for glob in self.registers)


# The one-person tokens of the environment: the write token acts as an admin, the read token as a reader.
WRITE_TOKEN = Caller("ICSGRAPH_WRITE_TOKEN", "admin")
READ_TOKEN = Caller("ICSGRAPH_READ_TOKEN", "reader")


@dataclass
class AppState:
    """What every request shares: settings, the store, its reference data, the answer cache, the write
    path (``changes``), the tokens and the write rate limit."""

    settings: Settings
    store: Store
    reference: ReferenceData
    cache: AnswerCache = field(default_factory=AnswerCache)
    search: SearchIndexes = field(default_factory=SearchIndexes)
    # Validate-then-replace must not interleave with another write, in this process or another, or one
    # could strand the other's flows or write back a graph without them.
    changes: Changes = field(init=False)
    tokens: TokensFile | None = field(init=False)
    limit: RateLimit = field(init=False)

    def __post_init__(self) -> None:
        self.changes = Changes(self.store, self.reference, self.settings, on_wait=log.warning)
        self.changes.recover_if_free()  # a write the last server was killed in is logged now
        path = tokens_path(self.settings.tokens, lock_dir(self.store, self.settings))
        self.tokens = TokensFile(path) if path is not None else None
        self.limit = RateLimit(self.settings.write_rate)

    def ask(self, query: StoreQuery, params: Mapping[str, Any]) -> list[Row]:
        """The query's rows, from the cache when the graph has not changed since."""
        return self.cache.run(self.store, query, params)

    def rendered(
        self, query: StoreQuery, params: Mapping[str, Any], form: str, render: Callable[[list[Row]], bytes]
    ) -> bytes:
        """The answer rendered as ``form`` (json, csv), from the cache when the graph has not changed."""
        return self.cache.rendered(self.store, query, params, form, render)

    @property
    def scoped(self) -> bool:
        """With a tokens file in place, every request but the health probe needs a token."""
        return self.tokens is not None and self.tokens.exists()

    def identify(self, given: str | None) -> Caller | None:
        """The caller a token names, or None for no token or a wrong one."""
        if given is None:
            return None
        # Both comparisons always run, so which token matched does not show in the timing either.
        read_ok, write_ok = same(given, self.settings.read_token), same(given, self.settings.write_token)
        if write_ok:
            return WRITE_TOKEN
        if read_ok:
            return READ_TOKEN
        if self.scoped and self.tokens is not None:
            token = self.tokens.verify(given)
            if token is not None:
                return Caller(token.name, token.role, token.registers)
        return None


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


def unauthorised(message: str, fix: str, basic: bool = False) -> ApiError:
    challenge = 'Bearer realm="icsgraph", Basic realm="icsgraph"' if basic else 'Bearer realm="icsgraph"'
    return ApiError(401, message, fix, error="unauthorised", headers={"WWW-Authenticate": challenge})


def require_read(request: Request, state: State, credentials: Credentials) -> Caller | None:
    """Reads are open unless a read token or a tokens file is configured; then any valid token reads."""
    if state.settings.read_token is None and not state.scoped:
        return None
    given = credentials.credentials if credentials else basic_password(request)
    caller = state.identify(given)
    if caller is not None:
        return caller
    raise unauthorised(
        "this server needs a token to read" if given is None else "the token is not valid",
        "send Authorization: Bearer <read token> (in a browser: any user name and the token as password)",
        basic=True,
    )


def action_of(request: Request) -> str:
    """The audit log's name for the write a request asks for."""
    if request.method == "DELETE":
        return "remove"
    return "rollback" if request.url.path.endswith("/rollback") else "load"


def require_write(request: Request, state: State, credentials: Credentials) -> Caller:
    """Writes need a writer or admin token (or the write token); with none configured they are refused,
    never open. Each token's writes are rate-limited. A refusal is logged in the audit log."""
    caller: Caller | None = None
    try:
        if state.settings.write_token is None and not state.scoped:
            raise ApiError(
                403,
                "writes are disabled: this server has no write token configured",
                "start the server with ICSGRAPH_WRITE_TOKEN set, or add tokens with `icsgraph token add`, "
                "then send Authorization: Bearer <token>",
                error="writes_disabled",
            )
        caller = state.identify(credentials.credentials if credentials else None)
        if caller is None or caller is READ_TOKEN:
            needs = "a writer or admin token" if state.scoped else "the write token"
            raise unauthorised(
                f"a write needs {needs}" if credentials is None else "the token is not valid for writing",
                f"send Authorization: Bearer <{'writer or admin token' if state.scoped else 'write token'}>",
            )
        if caller.role == "reader":
            raise ApiError(
                403,
                f"token {caller.name!r} is a reader: it may not write",
                "ask the server's admin for a writer token for your registers (icsgraph token add NAME --role "
                "writer --registers GLOB)",
            )
        wait = state.limit.wait(caller.name)
        if wait:
            raise ApiError(
                429,
                f"token {caller.name!r} has made more than {state.settings.write_rate:g} writes in a minute",
                f"wait {wait} s and send it again",
                error="rate_limited",
                headers={"Retry-After": str(wait)},
            )
    except ApiError as error:
        who = Actor(caller.name if caller is not None else "unknown", "api")
        state.changes.refused(who, action_of(request), request.path_params.get("name"), error)
        raise
    return caller


def may_write(state: AppState, request: Request, caller: Caller, register: str) -> None:
    """Refuse (403, naming the globs the token has) a writer's write to a register outside them."""
    if caller.may_write(register):
        return
    error = ApiError(
        403,
        f"token {caller.name!r} may write only registers matching {', '.join(caller.registers)}; not {register!r}",
        "name the register to match one of those, or ask the server's admin for a token that covers it",
    )
    state.changes.refused(Actor(caller.name, "api"), action_of(request), register, error)
    raise error


def require_admin(request: Request, state: State, credentials: Credentials) -> Caller:
    """The audit log is an admin's: an admin token or the write token."""
    if state.settings.write_token is None and not state.scoped:
        raise ApiError(
            403,
            "the audit log needs an admin token, and this server has none configured",
            "set ICSGRAPH_WRITE_TOKEN, or add one with `icsgraph token add NAME --role admin`",
        )
    caller = state.identify(credentials.credentials if credentials else None)
    if caller is None:
        raise unauthorised(
            "the audit log needs an admin token" if credentials is None else "the token is not valid",
            "send Authorization: Bearer <admin token>",
        )
    if caller.role != "admin":
        raise ApiError(403, f"token {caller.name!r} is a {caller.role}: the audit log is for admins", "ask an admin")
    return caller


Readable = Depends(require_read)
Writable = Depends(require_write)
Writer = Annotated[Caller, Depends(require_write)]
Admin = Annotated[Caller, Depends(require_admin)]


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
