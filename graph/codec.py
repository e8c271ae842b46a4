"""Values and model records as JSON has them, and records back: the one JSON encoding of the project.

Dates become ISO strings (which also compare correctly as strings, as Cypher does), enums their
values, tuples lists. ``to_record``/``from_record`` serve persistence and the Neo4j store (``None``
fields left out); ``plain`` and ``json_default`` serve the API, the CLI and the answer cache.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Iterable
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")
Convert = Callable[[Any], Any]


def plain(value: Any) -> Any:
    """One value as JSON has it: enums as their values, dates as ISO strings, tuples and lists as lists.

    >>> from graph.vocab import Purpose
    >>> plain((Purpose.PLANNING, date(2024, 1, 31))), plain(None)
    (['planning', '2024-01-31'], None)
    """
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [plain(item) for item in value]
    return value


def json_default(value: Any) -> Any:
    """``json.dumps``'s ``default``: dates, enums and tuples as ``plain`` writes them, records as ``to_record``.

    >>> import json
    >>> json.dumps({"as_of": date(2024, 1, 31)}, default=json_default)
    '{"as_of": "2024-01-31"}'
    """
    if isinstance(value, Enum | date):
        return plain(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return to_record(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def to_record(obj: Any) -> dict[str, Any]:
    """A dataclass as a flat dict of JSON values.

    >>> from graph.model import Agreement
    >>> from graph.vocab import AgreementType
    >>> to_record(Agreement("a1", AgreementType.DSA, ("X", "Y"), start=date(2024, 1, 31)))
    {'agreement_id': 'a1', 'agreement_type': 'dsa', 'parties': ['X', 'Y'], 'start': '2024-01-31', 'covers': [],
     'source_register': ''}
    """
    record: dict[str, Any] = {}
    for name, plain in _plainers(type(obj)):  # type: ignore[arg-type]  # classes are hashable
        value = getattr(obj, name)
        if value is None:
            continue
        record[name] = value if plain is None else plain(value)
    return record


@cache
def _plainers(cls: type) -> tuple[tuple[str, Convert | None], ...]:
    """Per compared field, the function that makes its value plain JSON (None: already plain)."""
    hints = typing.get_type_hints(cls)
    plain = _for_hint(list, lambda enum: lambda member: member.value, date.isoformat)
    return tuple((field.name, plain(hints[field.name])) for field in dataclasses.fields(cls) if field.compare)


@cache
def _converters(cls: type) -> dict[str, Convert | None]:
    """Per field, the function that types its JSON value (None: kept as is), worked out once per class."""
    hints = typing.get_type_hints(cls)
    typed = _for_hint(tuple, _typed_enum, date.fromisoformat)
    return {field.name: typed(hints[field.name]) for field in dataclasses.fields(cls)}


def _typed_enum(enum: type[Enum]) -> Convert:
    members = {member.value: member for member in enum}
    return lambda value: members.get(value) or enum(value)  # a dict lookup; enum() raises for a bad value


def from_record(cls: type[T], record: typing.Mapping[str, Any]) -> T:
    """The dataclass back from ``to_record``'s dict; unknown keys are ignored.

    >>> from graph.model import Agreement
    >>> agreement = from_record(Agreement, {"agreement_id": "a1", "agreement_type": "dsa", "parties": ["X"]})
    >>> agreement.agreement_type, agreement.parties, from_record(Agreement, to_record(agreement)) == agreement
    (<AgreementType.DSA: 'dsa'>, ('X',), True)
    """
    converters = _converters(cls)  # type: ignore[arg-type]  # classes are hashable
    values = {}
    for name, value in record.items():
        if value is None or name not in converters:
            continue
        convert = converters[name]
        values[name] = value if convert is None else convert(value)
    return cls(**values)


def _for_hint(
    sequence: Callable[[Iterable[Any]], Any], enum: Callable[[type[Enum]], Convert], day: Convert
) -> Callable[[Any], Convert | None]:
    """Builds, for a type hint, the converter of one direction (to JSON or back): Optional is unwrapped,
    tuples become ``sequence`` of their converted items, enums and dates use ``enum`` and ``day``."""

    def convert(hint: Any) -> Convert | None:
        origin = typing.get_origin(hint)
        if origin in (typing.Union, types.UnionType):
            options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
            return convert(options[0])
        if origin is tuple:
            item = convert(typing.get_args(hint)[0])
            if item is None:
                return sequence
            return lambda values: sequence(item(v) for v in values)
        if isinstance(hint, type) and issubclass(hint, Enum):
            return enum(hint)
        if hint is date:
            return day
        return None

    return convert
