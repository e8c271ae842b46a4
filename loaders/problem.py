"""A problem with a register, located as precisely as it allows: the one shape every loader reports in.

It sits below both the file readers (``loaders.table`` and the readers beside it) and the validation of
cells (``loaders.register``), so that a bad byte and a bad vocabulary value are told the same way.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a register, located as precisely as the problem allows."""

    where: str
    row: int | None
    column: str | None
    value: str | None
    expected: str

    def __str__(self) -> str:
        place = self.where
        if self.row is not None:
            place += f", row {self.row}"
        if self.column is not None:
            place += f", column {self.column}"
        found = f": {self.value!r}" if self.value is not None else ""
        return f"{place}{found}: {self.expected}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "where": self.where,
            "row": self.row,
            "column": self.column,
            "value": self.value,
            "expected": self.expected,
            "message": str(self),
        }
