"""An uploaded register (a zip of CSV files or an ``.xlsx`` workbook) read safely into a ``Register``.

Nothing in the zip chooses a path on disk: only members named like the register's tables are written,
under fixed names in a fresh temporary folder (no zip-slip), and the whole upload may unpack to at most
``MAX_EXPANSION`` times the upload bound, counted as it is written (no zip bomb). A workbook is a zip
too, so the same bound is checked on its members before openpyxl opens it.
"""

from __future__ import annotations

import logging
import re
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import IO, Any

from app.audit import Actor
from app.changes import Outcome
from app.deps import AppState
from app.errors import ApiError
from app.schemas import Problem
from graph.model import ReferenceData, Register
from loaders.importers.mapping import parse_mapping
from loaders.importers.release_layouts import Period, read_release_register
from loaders.importers.release_register import build
from loaders.importers.sheet import import_sheet
from loaders.importers.spec_register import validated
from loaders.problem import Problem as RegisterProblem
from loaders.register import InvalidRegister, read_register
from loaders.table import TABLES

log = logging.getLogger("icsgraph.api")

MAX_EXPANSION = 10
MAX_MEMBERS = 1000
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
CHUNK = 1 << 16


def refuse(message: str, fix: str, where: str = "upload", value: str | None = None) -> ApiError:
    problem = Problem(where=where, value=value, expected=fix, message=f"{where}: {message}")
    return ApiError(422, message, fix, error="unreadable_register", problems=[problem])


def register_name(name: str | None, filename: str | None) -> str:
    """The name given, else the file's name without its extension; checked so it can go in a URL."""
    chosen = (name or "").strip() or PurePosixPath((filename or "").replace("\\", "/")).stem.strip()
    if not chosen:
        raise refuse("the register needs a name", "send a name field, or a file name such as cornwall.zip", "name")
    if not NAME.match(chosen):
        raise refuse(
            "the register name may hold only letters, digits, '.', '_' and '-' (up to 64, starting alphanumeric)",
            "send a name field such as greater-manchester",
            "name",
            chosen[:100],
        )
    return chosen


def _copy(source: IO[bytes], target: Path, budget: int) -> int:
    """Copy at most ``budget`` bytes; raise 413 past it. Returns what was written."""
    written = 0
    with target.open("wb") as out:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > budget:
                raise _too_big(budget)
            out.write(chunk)
    return written


def _too_big(budget: int) -> ApiError:
    return ApiError(
        413,
        f"the upload unpacks to more than this server accepts ({budget:,} bytes)",
        "split the register, or raise ICSGRAPH_MAX_UPLOAD on the server",
    )


def _members(archive: zipfile.ZipFile, budget: int) -> list[zipfile.ZipInfo]:
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise refuse(f"the zip holds {len(members)} files", "zip only the register's CSV files")
    # Python's zipfile never inflates a member past its declared size, so the declared total bounds the work.
    if sum(member.file_size for member in members) > budget:
        raise _too_big(budget)
    return members


def _is_workbook(filename: str, names: set[str]) -> bool:
    return filename.lower().endswith(".xlsx") or ("[Content_Types].xml" in names and "xl/workbook.xml" in names)


def _csv_tables(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], folder: Path, budget: int) -> None:
    chosen: dict[str, zipfile.ZipInfo] = {}
    for member in members:
        path = PurePosixPath(member.filename.replace("\\", "/"))
        if member.is_dir() or "__MACOSX" in path.parts or path.name.startswith("._"):
            continue
        table = path.name.lower().removesuffix(".csv")
        if path.name.lower().endswith(".csv") and table in TABLES:
            if table in chosen:
                raise refuse(
                    f"the zip holds two {table}.csv files: {chosen[table].filename} and {member.filename}",
                    "zip one register at a time",
                    member.filename,
                )
            chosen[table] = member
    if not chosen:
        found = ", ".join(sorted(m.filename for m in members)[:20]) or "nothing"
        raise refuse(
            f"the zip holds none of {', '.join(t + '.csv' for t in TABLES)} (found: {found})",
            "zip the register's CSV files (flows.csv at least), or upload an .xlsx workbook",
        )
    folder.mkdir()
    left = budget
    for table, member in chosen.items():
        try:
            with archive.open(member) as source:
                left -= _copy(source, folder / f"{table}.csv", left)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError, OSError, ValueError) as error:
            raise refuse(f"could not unpack {member.filename}: {error}", "zip it again without a password") from None


def _relocated(problems: list[RegisterProblem], prefix: str) -> list[RegisterProblem]:
    """Problems located in the upload's own terms (flows.csv, row 3), not the temporary folder's."""
    return [replace(problem, where=problem.where.replace(prefix, "")) for problem in problems]


def read_upload(upload: IO[bytes], filename: str | None, name: str | None, max_upload_bytes: int) -> Register:
    """The validated register of an uploaded zip or workbook; ``InvalidRegister`` with every problem if not."""
    register_as = register_name(name, filename)
    budget = max_upload_bytes * MAX_EXPANSION
    try:
        archive = zipfile.ZipFile(upload)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise refuse(
            "the upload is neither a zip of CSV files nor an .xlsx workbook",
            "upload a .zip holding flows.csv (and organisations.csv, systems.csv, agreements.csv) or an .xlsx",
            filename or "upload",
        ) from None
    with archive, tempfile.TemporaryDirectory(prefix="icsgraph-upload-") as temporary:
        members = _members(archive, budget)
        if _is_workbook(filename or "", {m.filename for m in members}):
            path = Path(temporary) / f"{register_as}.xlsx"
            upload.seek(0)
            _copy(upload, path, budget)
        else:
            path = Path(temporary) / register_as
            _csv_tables(archive, members, path, budget)
        prefix = f"{temporary}/"
        try:
            register = read_register(path, register_as)
        except InvalidRegister as error:
            error.problems = _relocated(error.problems, prefix)
            raise
        except Exception as error:  # a workbook can be broken in more ways than openpyxl names
            log.info("unreadable upload %r: %r", filename, error)
            raise refuse(
                f"the file could not be read: {error}", "save it again from Excel, or upload CSV files"
            ) from None
    register.path = f"upload:{filename or register_as}"
    register.locations = {key: (where.replace(prefix, ""), row) for key, (where, row) in register.locations.items()}
    return register


MAX_MAPPING = 1_000_000


def read_imported(
    upload: IO[bytes],
    filename: str | None,
    name: str | None,
    max_upload_bytes: int,
    reference: ReferenceData,
    *,
    mapping: IO[bytes] | None = None,
    mapping_name: str | None = None,
    period: Period | None = None,
) -> tuple[Register, dict[str, object]]:
    """A release register workbook (no ``mapping``) or a sheet with its mapping, imported as ``icsgraph import``
    does; with the import's summary. ``InvalidRegister`` lists every problem, located in the user's files."""
    register_as = register_name(name, filename)
    budget = max_upload_bytes * MAX_EXPANSION
    csv = mapping is not None and (filename or "").lower().endswith(".csv")
    if not csv:
        try:
            with zipfile.ZipFile(upload) as archive:  # a workbook is a zip: its members are bounded first
                _members(archive, budget)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            what = "a sheet: an .xlsx workbook or a .csv file" if mapping else "an .xlsx release register workbook"
            raise refuse(f"the upload is not {what}", f"upload {what}", filename or "upload") from None
        upload.seek(0)
    shown = PurePosixPath((filename or "").replace("\\", "/")).name or f"{register_as}.xlsx"
    with tempfile.TemporaryDirectory(prefix="icsgraph-import-") as temporary:
        path = Path(temporary) / (f"{register_as}.csv" if csv else f"{register_as}.xlsx")
        _copy(upload, path, budget)
        try:
            if mapping is None:
                register, summary = build(read_release_register(path, period), reference, register_as, shown)
                register, about = validated(register, reference), summary.as_dict()
            else:
                text = mapping.read(MAX_MAPPING + 1)
                if len(text) > MAX_MAPPING:
                    raise refuse("the mapping is larger than 1 MB", "send the TOML mapping file", "map")
                try:
                    document = text.decode("utf-8-sig")
                except UnicodeDecodeError:
                    raise refuse("the mapping is not UTF-8 text", "send the TOML mapping file", "map") from None
                parsed = parse_mapping(document, mapping_name or "map")
                register, sheet_summary = import_sheet(path, parsed, reference, register_as)
                about = sheet_summary.as_dict()
        except InvalidRegister as error:
            error.problems = [replace(p, where=p.where.replace(str(path), shown)) for p in error.problems]
            raise
        except ApiError:
            raise
        except Exception as error:  # a workbook can be broken in more ways than openpyxl names
            log.info("unreadable import %r: %r", filename, error)
            raise refuse(f"the file could not be read: {error}", "save it again from Excel") from None
    register.path = f"upload:{filename or register_as}"
    register.locations = {
        key: (where.replace(str(path), shown), row) for key, (where, row) in register.locations.items()
    }
    return register, about


def load_upload(
    state: AppState, upload: IO[bytes], filename: str | None, name: str | None, actor: Actor
) -> dict[str, Any]:
    """Read, validate and load an upload as one step (the API's and the upload page's): the load summary,
    or ``ApiError`` / ``InvalidRegister`` with every problem and nothing changed."""
    return load_register(state, read_upload(upload, filename, name, state.settings.max_upload_bytes), actor)


def load_register(state: AppState, register: Register, actor: Actor) -> dict[str, Any]:
    """Load a read register as its next version (locked, validated, logged in the audit log): the load
    summary, or ``InvalidRegister`` and nothing changed."""
    with state.changes.holding():
        (outcome,) = state.changes.load([register], actor)
        return summary(state, outcome, loaded_message(outcome))


def summary(state: AppState, outcome: Outcome, message: str) -> dict[str, Any]:
    infos = state.store.registers()
    return {
        "loaded": outcome.info.as_dict(),
        "graph": state.store.counts(),
        "registers": [info.name for info in infos],
        "unchanged": outcome.unchanged,
        "message": message,
    }


def loaded_message(outcome: Outcome) -> str:
    info = outcome.info
    if outcome.unchanged:
        return f"{info.name} is identical to version {info.version}, which is in the graph: no new version"
    return f"{info.name} loaded as version {info.version}"
