"""Model records to and from plain JSON-able dicts, for persistence and for the Neo4j store.

Dates become ISO strings (which also compare correctly as strings, as Cypher does), enums their
values, tuples lists; ``None`` fields are left out.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, TypeVar

T = TypeVar("T")


def to_record(obj: Any) -> dict[str, Any]:
    """A dataclass as a flat dict of JSON values.

    >>> from graph.model import Agreement
    >>> from graph.vocab import AgreementType
    >>> to_record(Agreement("a1", AgreementType.DSA, ("X", "Y"), start=date(2024, 1, 31)))
    {'agreement_id': 'a1', 'agreement_type': 'dsa', 'parties': ['X', 'Y'], 'start': '2024-01-31', 'source_register': ''}
    """
    record: dict[str, Any] = {}
    for field in dataclasses.fields(obj):
        if not field.compare:
            continue
        value = getattr(obj, field.name)
        if value is None:
            continue
        record[field.name] = _plain(value)
    return record


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    return value


@cache
def _converters(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls)
    return {field.name: hints[field.name] for field in dataclasses.fields(cls)}


def from_record(cls: type[T], record: typing.Mapping[str, Any]) -> T:
    """The dataclass back from ``to_record``'s dict; unknown keys are ignored."""
    hints = _converters(cls)  # type: ignore[arg-type]  # classes are hashable
    values = {name: _typed(hints[name], value) for name, value in record.items() if name in hints and value is not None}
    return cls(**values)


def _typed(hint: Any, value: Any) -> Any:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _typed(options[0], value)
    if origin is tuple:
        item = typing.get_args(hint)[0]
        return tuple(_typed(item, v) for v in value)
    if isinstance(hint, type) and issubclass(hint, Enum):
        return hint(value)
    if hint is date:
        return date.fromisoformat(value)
    return value
