"""Every error as a 4xx JSON body that says what was wrong and how to fix it; no input gives a 500.

Handlers turn the project's own exceptions (unknown query, bad parameter, invalid register, store
trouble), FastAPI's validation errors and Starlette's HTTP errors into ``ErrorBody``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import queries
from app.schemas import ErrorBody, Problem
from app.views.errors import NotFound, ViewError
from graph.store import ChangedSinceValidated, StoreError
from loaders.register import InvalidRegister

log = logging.getLogger("icsgraph.api")

CODES = {
    400: "bad_request",
    401: "unauthorised",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "store_unavailable",
}
TOO_LARGE_FIX = "zip the register (CSV compresses well), split it, or raise ICSGRAPH_MAX_UPLOAD on the server"
# An answer lists at most this many problems, with the total: 40,000 unknown ids made a 12.6 MB answer.
MAX_PROBLEMS = 1_000


class ApiError(Exception):
    """An answer other than success, raised anywhere below a route."""

    def __init__(
        self,
        status: int,
        message: str,
        fix: str | None = None,
        *,
        error: str | None = None,
        problems: Sequence[Problem] | None = None,
        problem_count: int | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """``problems`` beyond ``MAX_PROBLEMS`` are dropped; ``problem_count`` says how many there were in all
        (by default, as many as given)."""
        super().__init__(message)
        self.status = status
        if problems is not None and problem_count is None:
            problem_count = len(problems)
        self.body = ErrorBody(
            error=error or CODES.get(status, "error"),
            message=message,
            fix=fix,
            problems=list(problems[:MAX_PROBLEMS]) if problems is not None else None,
            problem_count=problem_count,
        )
        self.headers = dict(headers or {})


def respond(error: ApiError) -> JSONResponse:
    return JSONResponse(error.body.model_dump(), status_code=error.status, headers=error.headers)


def not_found(what: str, identifier: str, fix: str) -> ApiError:
    return ApiError(404, f"no {what} {identifier!r}", fix)


def register_problems(error: InvalidRegister) -> list[Problem]:
    """The first ``MAX_PROBLEMS`` of the register's problems, as the API shows them."""
    return [Problem(**problem.as_dict()) for problem in error.problems[:MAX_PROBLEMS]]


def listed(count: int) -> str:
    """How many of ``count`` problems an answer lists."""
    return f"; the first {MAX_PROBLEMS:,} are listed" if count > MAX_PROBLEMS else ""


def _shown(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    return text if len(text) <= 200 else text[:199] + "…"


def validation_problems(error: RequestValidationError) -> list[Problem]:
    problems = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        where = ".".join(location) or "request"
        column = location[-1] if len(location) > 1 else None
        expected = str(item.get("msg", "invalid value"))
        value = _shown(item.get("input"))
        problems.append(
            Problem(
                where=where,
                column=column,
                value=value,
                expected=expected,
                message=f"{where}: {expected}" + (f" (got {value!r})" if value is not None else ""),
            )
        )
    return problems


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    @app.exception_handler(ApiError)
    async def api_error(request: Request, error: ApiError) -> JSONResponse:
        return respond(error)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, error: RequestValidationError) -> JSONResponse:
        problems = validation_problems(error)
        message = "; ".join(problem.message for problem in problems[:5])
        return respond(
            ApiError(
                422,
                f"the request is not valid: {message}",
                "correct the parts listed in problems; /docs shows each parameter's type and allowed values",
                problems=problems,
            )
        )

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> JSONResponse:
        fix = {
            404: "see /docs for the API's routes and /views/ for the network views",
            405: "see /docs for the methods each route accepts",
            413: TOO_LARGE_FIX,
        }.get(error.status_code)
        message = error.detail if isinstance(error.detail, str) else str(error.detail)
        return respond(ApiError(error.status_code, message, fix, headers=error.headers))

    @app.exception_handler(queries.UnknownQuery)
    async def unknown_query(request: Request, error: queries.UnknownQuery) -> JSONResponse:
        return respond(ApiError(404, str(error), "list the queries at /api/queries"))

    @app.exception_handler(queries.ParamError)
    async def bad_parameter(request: Request, error: queries.ParamError) -> JSONResponse:
        return respond(ApiError(422, str(error), "GET /api/queries lists each query's parameters and types"))

    @app.exception_handler(InvalidRegister)
    async def invalid_register(request: Request, error: InvalidRegister) -> JSONResponse:
        count = len(error.problems)
        return respond(
            ApiError(
                422,
                f"register {error.name!r} has {count:,} problem(s){listed(count)}; nothing was loaded",
                "correct every problem listed (file, row, column, value, what was expected) and upload again; "
                "icsgraph validate lists them all",
                error="invalid_register",
                problems=register_problems(error),
                problem_count=count,
            )
        )

    @app.exception_handler(StoreError)
    async def store_error(request: Request, error: StoreError) -> JSONResponse:
        log.warning("store error on %s: %s", request.url.path, error)
        if isinstance(error, ChangedSinceValidated):  # another writer got in first: the same upload may pass
            return respond(
                ApiError(409, str(error), "send the same request again: it is checked against the graph as now")
            )
        return respond(ApiError(503, f"the store could not answer: {error}", "try again; check the store is up"))

    @app.exception_handler(ViewError)
    async def view_error(request: Request, error: ViewError) -> JSONResponse:
        return respond(ApiError(404 if isinstance(error, NotFound) else 422, error.message, error.fix))


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error answers a route can give, all with an ``ErrorBody``."""
    return {code: {"model": ErrorBody, "description": CODES[code].replace("_", " ")} for code in codes}


READ_ERRORS = documented(401, 422)
