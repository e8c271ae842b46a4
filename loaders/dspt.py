"""DSPT status: each organisation's latest Data Security and Protection Toolkit assessment, by ODS code.

The bundled file (``data/reference/derived-dspt-status-2022-02``) is NHSX's February 2022 extract of
the published statuses of trusts, CSUs and CCGs (2020/21 assessments). A newer file of the same columns
(``Code``, ``Latest.Status``, ``Date.Of.Publication``) replaces it when ``$ICSGRAPH_DSPT`` names it
(``icsgraph --dspt FILE``). ``Latest.Status`` reads like ``20/21 Standards Met``: the year is kept as the
edition, the rest as the status. An empty status means none on record.
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from pathlib import Path

from graph.model import DsptStatus
from graph.vocab import DSPT_STATUSES
from loaders.encoding import Undecodable, read_text

ENV_VAR = "ICSGRAPH_DSPT"
BUNDLED_FILE = "derived-dspt-status-2022-02/data_DSPTmetric_20220208.csv"
CODE, STATUS, PUBLISHED = "Code", "Latest.Status", "Date.Of.Publication"
_EDITION = re.compile(r"^(?P<start>\d{2})\s*/\s*(?P<end>\d{2})\s+(?P<status>.+)$")


class InvalidDspt(ValueError):
    """A DSPT status file that cannot be read; the message says where and what was expected."""


def parse_status(text: str) -> tuple[str, str | None]:
    """The status and its assessment year (edition) from a published status text.

    >>> parse_status("20/21 Approaching Standards"), parse_status("standards  met")
    (('Approaching Standards', '2020/21'), ('Standards Met', None))
    """
    text = " ".join(text.split())
    match = _EDITION.match(text)
    edition = None
    if match:
        edition, text = f"20{match['start']}/{match['end']}", match["status"]
    known = {status.lower(): status for status in DSPT_STATUSES}  # spelled as the DSPT spells them
    return known.get(text.lower(), text), edition


def parse_published(text: str) -> date:
    """A publication date as the file writes it: ``30/06/2021`` (day first) or ISO.

    >>> parse_published("30/06/2021"), parse_published("2021-06-30")
    (datetime.date(2021, 6, 30), datetime.date(2021, 6, 30))
    """
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    raise ValueError(text)


def parse_dspt(rows: Iterable[tuple[int, Mapping[str, str]]], where: str) -> dict[str, DsptStatus]:
    """Each organisation's latest status (the most recently published, when a code repeats).

    >>> parse_dspt([(2, {"Code": "RXX", "Latest.Status": "20/21 Standards Met", "Date.Of.Publication": "30/06/2021"}),
    ...             (3, {"Code": "0AR", "Latest.Status": "", "Date.Of.Publication": ""})], "dspt.csv")
    {'RXX': DsptStatus(status='Standards Met', edition='2020/21', published=datetime.date(2021, 6, 30))}
    """
    statuses: dict[str, DsptStatus] = {}
    problems: list[str] = []
    for number, row in rows:
        code, text, published_text = (row.get(column, "").strip() for column in (CODE, STATUS, PUBLISHED))
        if not code or not text:
            continue  # no organisation, or no status on record for it
        published = None
        if published_text:
            try:
                published = parse_published(published_text)
            except ValueError:
                problems.append(f"row {number}, column {PUBLISHED}: {published_text!r}: expected a date DD/MM/YYYY")
                continue
        status, edition = parse_status(text)
        latest = statuses.get(code)
        if latest is None or (published and (latest.published is None or published > latest.published)):
            statuses[code] = DsptStatus(status, edition, published)
    if problems:
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise InvalidDspt(f"{where}: " + "; ".join(problems[:3]) + more)
    return statuses


def read_dspt(path: Path) -> dict[str, DsptStatus]:
    """The statuses in a DSPT status CSV file (UTF-8 or Windows-1252, header row first)."""
    try:
        text = read_text(path)
    except OSError as error:
        raise InvalidDspt(f"{path}: cannot read the DSPT status file ({error.strerror or error})") from None
    except Undecodable as error:
        raise InvalidDspt(f"{path}: {error}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [cell.strip() for cell in next(reader, [])]
    missing = [column for column in (CODE, STATUS, PUBLISHED) if column not in header]
    if missing:
        raise InvalidDspt(
            f"{path}: not a DSPT status file: no column {', '.join(missing)} "
            f"(expected the columns {CODE}, {STATUS}, {PUBLISHED}; found: {', '.join(h for h in header if h)[:300]})"
        )
    rows = ((number, dict(zip(header, cells, strict=False))) for number, cells in enumerate(reader, start=2))
    return parse_dspt(rows, str(path))


def dspt_file(root: Path) -> Path | None:
    """The DSPT status file to read: ``$ICSGRAPH_DSPT`` if set, else the one bundled under ``root``.

    None when neither exists: a reference folder of one's own may carry no DSPT file.
    """
    configured = os.environ.get(ENV_VAR)
    if configured:
        return Path(configured)
    bundled = root / BUNDLED_FILE
    return bundled if bundled.is_file() else None
