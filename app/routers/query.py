"""``/api/queries``: the catalogue, and each named query with its own typed, documented route.

Routes are generated from ``queries.CATALOGUE`` when the app is built, never written per query: each
query's parameters become typed query-string parameters (so ``/docs`` shows them and bad values get a
422 naming the parameter), and ``/api/queries/{name}`` answers for any other name with a 404 that lists
the queries.
"""

from __future__ import annotations

import inspect
import json
import logging
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, Literal, TypeVar

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

import queries
from app.deps import AppState, Readable, State
from app.errors import READ_ERRORS, ApiError, documented
from app.output import as_csv
from app.schemas import QueryInfo, QueryResult
from graph.codec import json_default, plain
from graph.store import Row
from queries.registry import NamedQuery, Param

log = logging.getLogger("icsgraph.api")

Format = Annotated[
    Literal["json", "csv"] | None, Query(description="csv for CSV (or send Accept: text/csv); JSON by default")
]
ROWS = {
    200: {
        "description": "the rows: JSON by default, CSV with format=csv or Accept: text/csv",
        "content": {"text/csv": {"schema": {"type": "string"}}},
    },
    **documented(404),
}
LIMIT = 1_000_000_000
T = TypeVar("T")


def guarded(query: NamedQuery, params: dict[str, Any], compute: Callable[[], T]) -> T:
    """``compute()`` for the query's answer; values no query can use are a 422, not a 500."""
    for key, value in params.items():
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > LIMIT:
            raise ApiError(
                422, f"parameter {key!r}: {value} is out of range", f"use a number between -{LIMIT} and {LIMIT}"
            )
    try:
        return compute()
    except queries.ParamError:
        raise  # says what is wrong and what is allowed; app.errors turns it into a 422
    except (OverflowError, ValueError) as error:
        # Extreme but well-formed values (a date near 9999-12-31 plus a number of days, say).
        log.info("query %s refused %r: %r", query.name, params, error)
        raise ApiError(
            422, f"query {query.name!r} cannot answer for these values: {error}", "use values in range"
        ) from None


def run_named(state: AppState, query: NamedQuery, params: dict[str, Any]) -> list[Row]:
    """The query's rows, cached per graph version."""
    return guarded(query, params, lambda: state.ask(query, params))


def answer(state: AppState, request: Request, query: NamedQuery, raw: dict[str, Any], format: str | None) -> Response:
    """Bind, run and render one query's answer: JSON, or CSV when asked; both cached per graph version.

    The body is returned ready-made, so a cached answer is neither validated against the response model
    nor encoded again (the model still documents it).
    """
    wants_csv = format == "csv" or (format is None and "text/csv" in request.headers.get("accept", ""))
    params = query.bind(raw)
    if wants_csv:
        form, media_type = "csv", "text/csv; charset=utf-8"

        def render(rows: list[Row]) -> bytes:
            return as_csv(query.columns, rows).encode()
    else:
        form, media_type = "json", "application/json"

        def render(rows: list[Row]) -> bytes:
            document = {"query": query.name, "params": params, "count": len(rows), "rows": rows}
            # As FastAPI's JSONResponse writes it.
            text = json.dumps(
                document, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=json_default
            )
            return text.encode()

    body = guarded(query, params, lambda: state.rendered(query, params, form, render))
    return Response(body, media_type=media_type)


def _annotation(param: Param) -> Any:
    kind = param.kind
    if isinstance(kind, type) and issubclass(kind, StrEnum):
        base: Any = kind
        extra: dict[str, Any] = {}
    elif kind is int:
        base, extra = int, {"ge": -LIMIT, "le": LIMIT}
    elif kind is str:
        base, extra = str, {"max_length": 200}
    else:
        base, extra = kind, {}
    described = param.description + ("" if param.default is None else f" (default: {plain(param.default)})")
    return Annotated[base | None, Query(alias=param.name, description=described, **extra)]


def endpoint_for(query: NamedQuery) -> Callable[..., Any]:
    """A route function whose signature declares the query's own parameters."""
    names = [f"p{index}" for index in range(len(query.params))]
    allowed = {param.name for param in query.params} | {"format"}

    def endpoint(request: Request, state: State, format: Format = None, **values: Any) -> Any:
        unknown = sorted(set(request.query_params) - allowed)
        if unknown:
            raise queries.ParamError(
                f"query {query.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are: {', '.join(p.name for p in query.params) or 'none'}"
            )
        raw = {param.name: values[name] for name, param in zip(names, query.params, strict=True)}
        return answer(state, request, query, {k: v for k, v in raw.items() if v is not None}, format)

    keyword = inspect.Parameter.KEYWORD_ONLY
    endpoint.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter("request", keyword, annotation=Request),
            inspect.Parameter("state", keyword, annotation=State),
            inspect.Parameter("format", keyword, annotation=Format, default=None),
            *(
                inspect.Parameter(
                    name,
                    keyword,
                    annotation=_annotation(param),
                    default=inspect.Parameter.empty if param.required else None,
                )
                for name, param in zip(names, query.params, strict=True)
            ),
        ]
    )
    endpoint.__doc__ = query.description
    return endpoint


def build() -> APIRouter:
    """The queries router for the catalogue as it is now."""
    router = APIRouter(prefix="/api/queries", tags=["queries"], dependencies=[Readable], responses=READ_ERRORS)

    @router.get("", response_model=list[QueryInfo])
    def catalogue() -> list[dict[str, Any]]:
        """Every named query and IG check: its parameters (types, defaults, choices) and result columns."""
        return [query.describe() for query in queries.CATALOGUE.values()]

    for query in queries.CATALOGUE.values():
        router.add_api_route(
            f"/{query.name}",
            endpoint_for(query),
            methods=["GET"],
            response_model=QueryResult,
            responses=ROWS,
            summary=f"{query.kind}: {query.name}",
            operation_id=f"query_{query.name.replace('-', '_')}",
        )

    @router.get("/{name}", response_model=QueryResult, responses=ROWS)
    def run(name: str, request: Request, state: State, format: Format = None) -> Any:
        """Run a named query by name; parameters are query-string values."""
        query = queries.get(name)
        raw = {key: value for key, value in request.query_params.items() if key != "format"}
        return answer(state, request, query, raw, format)

    return router
