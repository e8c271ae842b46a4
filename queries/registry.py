"""The catalogue of named queries: each declared once, with its parameters, columns and both engines.

The CLI, the API and the documentation are generated from ``CATALOGUE``; nothing is written per query
by hand anywhere else.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from graph.codec import plain
from graph.store import CypherRunner, Row

if TYPE_CHECKING:
    from graph.view import GraphView


class ParamError(ValueError):
    """A parameter is unknown, missing or of the wrong form; the message says what is allowed."""


@dataclass(frozen=True, slots=True)
class Param:
    name: str
    kind: type  # str, bool, int, date, or a StrEnum of allowed values
    description: str
    default: Any = None
    required: bool = False

    @property
    def type_name(self) -> str:
        if isinstance(self.kind, type) and issubclass(self.kind, StrEnum):
            return "choice"
        return {str: "string", bool: "boolean", int: "integer", date: "date"}[self.kind]

    @property
    def choices(self) -> tuple[str, ...]:
        if isinstance(self.kind, type) and issubclass(self.kind, StrEnum):
            return tuple(member.value for member in self.kind)
        return ()

    def parse(self, raw: Any) -> Any:
        """The typed value of a raw parameter (text from a URL or the command line, or already typed)."""
        if self.kind is bool:
            if isinstance(raw, bool):
                return raw
            lowered = str(raw).strip().lower()
            if lowered in ("true", "1", "yes"):
                return True
            if lowered in ("false", "0", "no"):
                return False
            raise ParamError(f"parameter {self.name!r}: {raw!r} is not a boolean; use true or false")
        if self.kind is int:
            try:
                return int(raw)
            except (TypeError, ValueError):
                raise ParamError(f"parameter {self.name!r}: {raw!r} is not a whole number") from None
        if self.kind is date:
            if isinstance(raw, date):
                return raw
            try:
                return date.fromisoformat(str(raw).strip())
            except ValueError:
                raise ParamError(f"parameter {self.name!r}: {raw!r} is not a date; use YYYY-MM-DD") from None
        if self.choices:
            value = str(raw).strip().lower()
            if value not in self.choices:
                raise ParamError(
                    f"parameter {self.name!r}: {raw!r} is not allowed; use one of {', '.join(self.choices)}"
                )
            return value
        value = str(raw).strip()
        if not value:
            raise ParamError(f"parameter {self.name!r} is empty; leave it out or give a value")
        return value


AS_OF = Param(
    "as_of", date, "Only flows live at this date count (status live, date within valid_from..valid_to); default today"
)

NetworkxImpl = Callable[["GraphView", Mapping[str, Any]], list[Row]]
CypherImpl = Callable[[CypherRunner, Mapping[str, Any]], list[Row]]


@dataclass(frozen=True, slots=True)
class NamedQuery:
    name: str
    description: str
    params: tuple[Param, ...]
    columns: tuple[str, ...]
    networkx: NetworkxImpl
    cypher: CypherImpl
    kind: str = "question"  # or "check"
    extra: Mapping[str, Any] = field(default_factory=dict)

    def bind(self, raw: Mapping[str, Any], today: date | None = None) -> dict[str, Any]:
        """Checked, typed parameters with defaults filled in; ``as_of`` defaults to today."""
        known = {param.name: param for param in self.params}
        unknown = sorted(set(raw) - set(known))
        if unknown:
            raise ParamError(
                f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"its parameters are: {', '.join(known) or 'none'}"
            )
        bound: dict[str, Any] = {}
        for param in self.params:
            if param.name in raw and raw[param.name] is not None and raw[param.name] != "":
                bound[param.name] = param.parse(raw[param.name])
            elif param.required:
                raise ParamError(f"query {self.name!r} needs parameter {param.name!r}: {param.description}")
            elif param.name == "as_of":
                bound[param.name] = today or date.today()
            else:
                bound[param.name] = param.default
        return bound

    def on_networkx(self, view: GraphView, params: Mapping[str, Any]) -> list[Row]:
        return self.networkx(view, params)

    def on_cypher(self, run: CypherRunner, params: Mapping[str, Any]) -> list[Row]:
        return self.cypher(run, params)

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "parameters": [
                {
                    "name": p.name,
                    "type": p.type_name,
                    "required": p.required,
                    "default": plain(p.default),
                    "choices": list(p.choices),
                    "description": p.description,
                }
                for p in self.params
            ],
            "columns": list(self.columns),
        }


CATALOGUE: dict[str, NamedQuery] = {}


def declare(query: NamedQuery) -> NamedQuery:
    if query.name in CATALOGUE:
        raise ValueError(f"query {query.name!r} declared twice")
    CATALOGUE[query.name] = query
    return query


class UnknownQuery(LookupError):
    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"no query named {name!r}; the queries are: {', '.join(sorted(CATALOGUE))}")


def get(name: str) -> NamedQuery:
    try:
        return CATALOGUE[name]
    except KeyError:
        raise UnknownQuery(name) from None
