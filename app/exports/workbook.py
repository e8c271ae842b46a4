"""Writing sheets of text to an ``.xlsx`` workbook: a block of lines above a table, every cell text.

Every cell is written as text, whatever it starts with: a name beginning ``=`` is a name, not a formula
for a spreadsheet to run (openpyxl would otherwise store it as one).
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

WIDEST = 60  # characters: a wider column would push the rest of the table off screen


@dataclass(frozen=True, slots=True)
class Sheet:
    """One sheet: lines above the table (``above``), then the table's header at row ``header_row``."""

    title: str
    columns: Sequence[str]
    rows: Sequence[Mapping[str, str]]
    above: Sequence[Sequence[str]] = field(default_factory=list)
    header_row: int = 1


def as_text(cell: Cell, value: str) -> None:
    cell.value = value
    cell.data_type = "s"  # text, never a formula


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """The workbook holding ``sheets`` in order, as the bytes of an ``.xlsx`` file."""
    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        if len(sheet.above) >= sheet.header_row:
            raise ValueError(
                f"sheet {sheet.title!r}: {len(sheet.above)} lines above a header at row {sheet.header_row}"
            )
        page = book.create_sheet(sheet.title)
        for number, line in enumerate(sheet.above, start=1):
            for column, value in enumerate(line, start=1):
                if value:
                    as_text(page.cell(number, column), value)
        bold, wrapped = Font(bold=True), Alignment(wrap_text=True, vertical="top")
        for column, name in enumerate(sheet.columns, start=1):
            header = page.cell(sheet.header_row, column)
            as_text(header, name)
            header.font, header.alignment = bold, wrapped
        for number, row in enumerate(sheet.rows, start=sheet.header_row + 1):
            for column, name in enumerate(sheet.columns, start=1):
                value = row.get(name, "")
                if value:
                    cell = page.cell(number, column)
                    as_text(cell, value)
                    cell.alignment = wrapped
        for column, name in enumerate(sheet.columns, start=1):
            longest = max([len(name) // 2, *(len(row.get(name, "")) for row in sheet.rows)], default=10)
            page.column_dimensions[get_column_letter(column)].width = max(12, min(WIDEST, longest + 2))
        page.freeze_panes = page.cell(sheet.header_row + 1, 1)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
