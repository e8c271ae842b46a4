"""An imported register checked by the real loader: written as the writer writes it, read as the loader reads it.

Importers build records in code; the rules a register must satisfy live in ``loaders.register`` alone, so an
import passes through them rather than a copy of them.
"""

from __future__ import annotations

from graph.model import ReferenceData, Register
from loaders.register import parse_register, validate_together
from loaders.register_writer import register_tables
from loaders.table import parse_rows


def validated(register: Register, reference: ReferenceData) -> Register:
    """The register as ``icsgraph load`` would read it from the files the writer makes, checked against the
    reference data; ``InvalidRegister`` if the loader refuses it."""
    tables = {
        name: parse_rows(name, f"{name}.csv", [list(row) for row in rows])
        for name, rows in register_tables(register).items()
    }
    read = parse_register(register.name, register.path, tables)
    validate_together(reference, {}, [read])
    return read
