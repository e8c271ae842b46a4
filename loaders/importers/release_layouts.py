"""Reading a data release register workbook, in either of its published layouts, into ``Release`` rows.

- **2017** (NHS Digital's Data Release Register): sheets ``DataReleases`` (one row per file sent, the
  recipient named on each row; its dataset column is headed ``us`` in the September-November 2017 file),
  ``PurposeStatements`` and ``AmendmentsToPreviousRegisters``; the period is in the README sheet's title.
- **current** (NHS England's Data Uses Register): sheets ``Agreements`` (controllers, sole or joint, DSA
  dates), ``Datasets`` (per agreement and dataset: legal basis, common law duty, frequency) and
  ``DataReleases`` (one row per file, with the month it was released).

Headers are found whatever their case, spacing or trailing notes ("Patient Opt-Outs applied (Note: ...").
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

from loaders.importers.names import normalise
from loaders.importers.release_register import Dsa, Release, ReleaseRegister
from loaders.importers.workbook import Sheet, Sheets, UnreadableSheet, Value, read_sheets
from loaders.register import InvalidRegister, Problem
from loaders.table import LIMITS, Limits, UnreadableRegister

Period = tuple[date, date]
# Release field -> the headers that name it (normalised; a header matches when it starts with one).
RELEASE_COLUMNS_2017 = {
    "recipient": ("organisation name", "organisation"),
    "dataset": ("us", "dataset", "data set"),
    "identifiability": ("data provided to customer", "type of data"),
    "legal_basis": ("legal basis for provision of data", "legal basis"),
    "opt_outs": ("patient opt outs applied", "opt outs applied"),
    "one_off": ("one off release or ongoing", "one off"),
    "purpose": ("purpose",),
    "reference": ("nic number", "reference number"),
    "file": ("rowid",),
}
RELEASE_COLUMNS_CURRENT = {
    "reference": ("reference number",),
    "dataset": ("dataset",),
    "identifiability": ("type of data",),
    "legal_basis": ("legal basis for provision of data", "legal basis"),
    "opt_outs": ("patient opt outs applied",),
    "month": ("month file released",),
    "file": ("file reference",),
}
REQUIRED = ("reference", "dataset")
MONTHS = "|".join(calendar.month_name[1:])
PERIOD = re.compile(
    rf"(?P<first>{MONTHS})\s*(?P<first_year>\d{{4}})?\s*(?:to|-|\u2013)\s*(?P<last>{MONTHS})\s+(?P<year>\d{{4}})", re.I
)


def column(sheet: Sheet, candidates: Sequence[str]) -> str | None:
    """The header of ``sheet`` that names a field: equal to a candidate, else the first starting with one."""
    headers = [(normalise(h), h) for h in sheet.headers if h]
    for candidate in candidates:
        exact = [h for key, h in headers if key == candidate]
        started = [h for key, h in headers if key.startswith(candidate + " ")]
        if exact or started:
            return (exact or started)[0]
    return None


def text(cells: Mapping[str, Value], header: str | None) -> str:
    value = cells.get(header, "") if header else ""
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def columns_of(sheet: Sheet, wanted: Mapping[str, Sequence[str]], problems: list[Problem]) -> dict[str, str]:
    """Each field's header; a problem naming the headers there are for each required field missing."""
    found = {name: header for name, candidates in wanted.items() if (header := column(sheet, candidates))}
    for name in REQUIRED:
        if name in wanted and name not in found:
            problems.append(
                Problem(
                    sheet.where,
                    sheet.header_row,
                    None,
                    None,
                    f"no column for the {name.replace('_', ' ')} (a header like {wanted[name][0]!r}); "
                    f"the headers are: {', '.join(h for h in sheet.headers if h)}",
                )
            )
    return found


def one_off_of(value: str) -> bool | None:
    """``One-Off`` (a single release) or anything else a frequency says (ongoing, monthly); blank unknown."""
    words = normalise(value)
    return None if not words else words in ("one off", "oneoff", "single")


def period_in(book: Sheets) -> Period | None:
    """The months a register covers, from a title such as "Data released ... - September to November 2017"
    in the first 40 rows of a sheet."""
    for name in book.names:
        with closing(book.rows(name)) as rows:
            for number, cells in rows:
                if number > 40:
                    break
                for _, cell in cells:
                    match = PERIOD.search(cell) if isinstance(cell, str) else None
                    if match:
                        first = list(calendar.month_name).index(match["first"].capitalize())
                        last = list(calendar.month_name).index(match["last"].capitalize())
                        year = int(match["year"])
                        first_year = int(match["first_year"] or (year if first <= last else year - 1))
                        return date(first_year, first, 1), date(year, last, calendar.monthrange(year, last)[1])
    return None


def month_of(value: Value) -> date:
    """The first day of a release's month: an Excel date, or text like ``April 2023``, ``2023-04``, ``Apr-23``."""
    if isinstance(value, date):
        return date(value.year, value.month, 1)
    for form in ("%B %Y", "%b %Y", "%Y-%m", "%Y-%m-%d", "%b-%y", "%B-%y", "%m/%Y", "%d/%m/%Y"):
        try:
            day = datetime.strptime(str(value).strip(), form)
            return date(day.year, day.month, 1)
        except ValueError:
            continue
    raise ValueError(value)


def day_of(value: Value) -> date:
    """A date cell, or a date typed as ``2023-04-01`` or ``01/04/2023`` (day first, as in England)."""
    if isinstance(value, date):
        return value if not isinstance(value, datetime) else value.date()
    for form in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d %B %Y", "%d %b %Y"):
        try:
            return datetime.strptime(str(value).strip(), form).date()
        except ValueError:
            continue
    raise ValueError(value)


def _releases(sheet: Sheet, fields: Mapping[str, str], problems: list[Problem]) -> list[Release]:
    releases = []
    for number, cells in sheet.rows:
        values = {name: text(cells, header) for name, header in fields.items()}
        missing = [name for name in REQUIRED if not values.get(name)]
        for name in missing:
            problems.append(Problem(sheet.where, number, fields.get(name), None, "a value is required"))
        if missing:
            continue
        releases.append(
            Release(
                where=sheet.where,
                row=number,
                reference=values["reference"],
                dataset=values["dataset"],
                recipient=values.get("recipient", ""),
                identifiability=values.get("identifiability", ""),
                legal_basis=values.get("legal_basis", ""),
                opt_outs=values.get("opt_outs", ""),
                one_off=one_off_of(values.get("one_off", "")),
                purpose=values.get("purpose", ""),
                file=values.get("file", ""),
            )
        )
    return releases


def read_2017(book: Sheets, where: str, sheets: Mapping[str, str], period: Period | None) -> ReleaseRegister:
    problems: list[Problem] = []
    releases: list[Release] = []
    columns: dict[str, dict[str, str]] = {}
    for key in ("datareleases", "amendmentstopreviousregisters"):
        if key not in sheets:
            continue
        sheet = book.sheet(sheets[key])
        fields = columns_of(sheet, RELEASE_COLUMNS_2017, problems)
        if "recipient" not in fields:
            problems.append(Problem(sheet.where, sheet.header_row, None, None, "no 'Organisation Name' column"))
            continue
        columns[sheet.where] = fields
        releases += _releases(sheet, fields, problems)
    objectives: dict[str, str] = {}
    if "purposestatements" in sheets:
        sheet = book.sheet(sheets["purposestatements"])
        reference, objective = column(sheet, ("reference number",)), column(sheet, ("objective for processing",))
        for _, cells in sheet.rows if reference and objective else ():
            objectives.setdefault(text(cells, reference), text(cells, objective))
    return _finished("2017", where, period or period_in(book), releases, {}, objectives, columns, problems)


def read_current(book: Sheets, where: str, sheets: Mapping[str, str], period: Period | None) -> ReleaseRegister:
    problems: list[Problem] = []
    agreements_sheet = book.sheet(sheets["agreements"])
    dsa_fields = {
        name: column(agreements_sheet, candidates)
        for name, candidates in {
            "reference": ("reference number",),
            "title": ("application title",),
            "applicant": ("applicant organisation",),
            "controllers": ("data controller s", "data controllers", "data controller"),
            "joint": ("sole joint", "sole or joint"),
            "start": ("dsa start date",),
            "end": ("dsa end date",),
            "objective": ("objective for processing",),
        }.items()
    }
    agreements: dict[str, Dsa] = {}
    objectives: dict[str, str] = {}
    for number, cells in agreements_sheet.rows:
        reference = text(cells, dsa_fields["reference"])
        if not reference:
            continue
        dates: dict[str, date | None] = {}
        for name in ("start", "end"):
            header = dsa_fields[name]
            try:
                dates[name] = day_of(cells[header]) if header and header in cells else None
            except ValueError:
                problems.append(Problem(agreements_sheet.where, number, header, text(cells, header), "expected a date"))
                dates[name] = None
        controllers = re.split(r"[;\n]", text(cells, dsa_fields["controllers"]))
        agreements[reference] = Dsa(
            agreements_sheet.where,
            number,
            controllers=tuple(c.strip() for c in controllers if c.strip()),
            joint=normalise(text(cells, dsa_fields["joint"])).startswith("joint"),
            applicant=text(cells, dsa_fields["applicant"]),
            start=dates["start"],
            end=dates["end"],
            title=text(cells, dsa_fields["title"]),
        )
        if text(cells, dsa_fields["objective"]):
            objectives[reference] = text(cells, dsa_fields["objective"])
    datasets_sheet = book.sheet(sheets["datasets"])
    about = _datasets(datasets_sheet)
    releases_sheet = book.sheet(sheets["datareleases"])
    fields = columns_of(releases_sheet, RELEASE_COLUMNS_CURRENT, problems)
    months: list[date] = []
    releases = []
    cells_of = dict(releases_sheet.rows)
    month_header = fields.get("month")
    for release in _releases(releases_sheet, fields, problems):
        if release.reference not in agreements:
            problems.append(
                Problem(
                    release.where,
                    release.row,
                    fields.get("reference"),
                    release.reference,
                    f"reference number not in sheet {sheets['agreements']}",
                )
            )
            continue
        cells = cells_of[release.row]
        if month_header and month_header in cells:
            try:
                months.append(month_of(cells[month_header]))
            except ValueError:
                problems.append(
                    Problem(
                        release.where,
                        release.row,
                        month_header,
                        text(cells, month_header),
                        "expected a month such as April 2023",
                    )
                )
        listed = about.get((release.reference, normalise(release.dataset)), {})
        releases.append(
            replace(
                release,
                identifiability=release.identifiability or listed.get("identifiability", ""),
                legal_basis=release.legal_basis or listed.get("legal_basis", ""),
                cldc=listed.get("cldc", ""),
                one_off=one_off_of(listed.get("frequency", "")),
            )
        )
    if period is None and months:
        last = max(months)
        period = (min(months), date(last.year, last.month, calendar.monthrange(last.year, last.month)[1]))
    columns = {releases_sheet.where: fields}
    return _finished("current", where, period, releases, agreements, objectives, columns, problems)


def _datasets(sheet: Sheet) -> dict[tuple[str, str], dict[str, str]]:
    """What the Datasets sheet says of each (reference number, dataset)."""
    fields = {
        "reference": column(sheet, ("reference number",)),
        "dataset": column(sheet, ("dataset",)),
        "identifiability": column(sheet, ("type of data",)),
        "legal_basis": column(sheet, ("legal basis for provision of data", "legal basis")),
        "cldc": column(sheet, ("common law duty of confidentiality", "common law duty")),
        "frequency": column(sheet, ("frequency",)),
    }
    about: dict[tuple[str, str], dict[str, str]] = {}
    for _, cells in sheet.rows:
        values = {name: text(cells, header) for name, header in fields.items()}
        about.setdefault((values["reference"], normalise(values["dataset"])), values)
    return about


def _finished(
    layout: str,
    where: str,
    period: Period | None,
    releases: list[Release],
    agreements: dict[str, Dsa],
    objectives: dict[str, str],
    columns: dict[str, dict[str, str]],
    problems: list[Problem],
) -> ReleaseRegister:
    if period is None:
        problems.append(
            Problem(
                where,
                None,
                None,
                None,
                "cannot tell which months the register covers (no title like "
                "'September to November 2017', no 'Month File Released'): give the period, e.g. "
                "--period 2017-09-01..2017-11-30",
            )
        )
    if problems:
        raise InvalidRegister(Path(where).stem, problems)
    assert period is not None
    return ReleaseRegister(layout, where, period, releases, agreements, objectives, columns)


def read_release_register(path: Path, period: Period | None = None, limits: Limits = LIMITS) -> ReleaseRegister:
    """The releases of a Data Release Register or Data Uses Register workbook; ``period`` overrides the months
    the workbook states. ``InvalidRegister`` lists every problem, each located in the workbook (a sheet past
    ``limits`` at the row where reading stopped)."""
    where = str(path)
    try:
        with read_sheets(path, limits) as book:
            sheets = {re.sub(r"[^a-z]", "", name.lower()): name for name in book.names}
            if {"agreements", "datasets", "datareleases"} <= set(sheets):
                return read_current(book, where, sheets, period)
            if "datareleases" in sheets:
                return read_2017(book, where, sheets, period)
    except UnreadableRegister as error:  # not a workbook, or a sheet past the limits
        raise InvalidRegister(path.stem, error.problems) from None
    except UnreadableSheet as error:  # a sheet the layout needs is blank
        raise InvalidRegister(
            path.stem, [Problem(where, None, None, None, str(error).removeprefix(f"{where}, "))]
        ) from None
    has = ", ".join(book.names) or "no worksheets"
    expected = (
        "not a data release register: expected the sheets DataReleases and PurposeStatements (2017 layout) or "
        f"Agreements, Datasets and DataReleases (Data Uses Register); the workbook has: {has}"
    )
    raise InvalidRegister(path.stem, [Problem(where, None, None, None, expected)])
