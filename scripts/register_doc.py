"""The generated parts of docs/register.md: what the register declaration, the parser and the CLI say.

The page is prose written by hand around blocks marked ``<!-- BEGIN generated: NAME -->`` ...
``<!-- END generated -->``; ``render_register`` refills each block and leaves the prose alone. Run through
``scripts/gen_docs.py`` (``make docs``); ``tests/test_docs.py`` fails when the page is stale.
"""

from __future__ import annotations

import contextlib
import io
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.cli import main as icsgraph
from graph.schema import TABLES, VOCABULARIES, Column, Kind
from graph.vocab import NOT_LEGAL_ENTITIES, Identifiability, Purpose
from loaders.register import parser_for
from loaders.register_writer import writer_for

PROGRESS = re.compile(r"read .* \(\d+\.\d+ s\)$")
BLOCK = re.compile(r"(<!-- BEGIN generated: (?P<name>[a-z]+) -->\n).*?(<!-- END generated -->)", re.DOTALL)

# (table, column, a cell as people write it): the page shows what the parser stores for each.
SPELLINGS = (
    ("flows", "purposes", "Population Health Management"),
    ("flows", "purposes", "risk-stratification"),
    ("flows", "identifiability", "Pseudonymised"),
    ("flows", "art6", "Art 6(1)(e)"),
    ("flows", "art6", "6.1.e"),
    ("flows", "art9", "9(2)h"),
    ("flows", "joint", "Yes"),
    ("organisations", "legal_entity", "0"),
)

# Two registers icsgraph refuses, as ``{file: text}`` (ids from the bundled reference data): the first
# with bad cells, the second with good cells naming ids that are wrong.
BAD_CELLS = {
    "systems.csv": "system_id,name,system_type,icb\ngmcr,Greater Manchester Care Record,care_record,QOP\n",
    "flows.csv": (
        "flow_id,source,destination,data_categories,purposes,identifiability,controllers,valid_from,valid_to\n"
        "f1,A81001,gmcr,primary_care,direct_care,identifyable,A81001,,\n"
        "f2,A81002,gmcr,primary_care,direct_care,identifiable,,01/04/2024,\n"
        "f3,A81003,gmcr,primary_care,direct_care,identifiable,A81003,2024-04-01,2023-03-31\n"
    ),
}
BAD_IDS = {
    "systems.csv": "system_id,name,system_type,icb\ngmcr,Greater Manchester Care Record,shared_care_record,QOP\n",
    "flows.csv": (
        "flow_id,source,destination,data_categories,purposes,identifiability,controllers,agreements\n"
        "f1,A81001,gm-care-record,primary_care,direct_care,identifiable,A81001,\n"
        "f2,A81002,gmcr,primary_care,direct_care,identifiable,gmcr,jca-2\n"
    ),
    "agreements.csv": "agreement_id,agreement_type,parties,covers\njca-1,art26_arrangement,A81001;A81002,gmcr;QOP\n",
}


def render_register(text: str) -> str:
    """``text`` (docs/register.md) with every generated block filled afresh."""
    blocks: dict[str, Callable[[], str]] = {
        "spellings": spellings,
        "tables": tables,
        "vocabularies": vocabularies,
        "problems": problems,
    }

    def fill(match: re.Match[str]) -> str:
        return match.group(1) + blocks[match.group("name")]() + match.group(3)

    return BLOCK.sub(fill, text)


def spellings() -> str:
    out = ["| column | written | stored as |", "| --- | --- | --- |"]
    for table, name, cell in SPELLINGS:
        column = TABLES[table].column(name)
        value = parser_for(column)(cell)
        stored = writer_for(column)((value,) if column.many else value)
        out.append(f"| `{name}` | `{cell}` | `{stored}` |")
    return "\n".join(out) + "\n"


def holds(column: Column) -> str:
    """What a column's cells hold, in a few words, with a link to its vocabulary."""
    if column.vocabulary is not None:
        link = f"[`{column.vocabulary}`](#{column.vocabulary})"
        return f"list of {link}" if column.many else link
    one, many = {
        Kind.ID: ("id", "ids"),
        Kind.TEXT: ("text", "texts"),
        Kind.BOOLEAN: ("true/false", "true/false"),
        Kind.DATE: ("date", "dates"),
        Kind.ORGANISATION: ("org_id", "org_ids"),
        Kind.NODE: ("org_id or system_id", "org_ids or system_ids"),
        Kind.AGREEMENT: ("agreement_id", "agreement_ids"),
        Kind.FLOW_OR_SYSTEM: ("flow_id or system_id", "flow_ids or system_ids"),
    }[column.kind]
    return f"list of {many}" if column.many else one


def tables() -> str:
    out = []
    for table in TABLES.values():
        out += [
            f"### `{table.file}` ({'required' if table.required else 'optional'})",
            "",
            table.meaning,
            "",
            "| column | required | holds | meaning |",
            "| --- | --- | --- | --- |",
        ]
        for column in table.columns:
            required = "yes" if column.required else "no" if column.default is None else f"no (empty: {column.default})"
            out.append(f"| `{column.name}` | {required} | {holds(column)} | {column.meaning} |")
        out.append("")
    return "\n".join(out)


def _codes(values: object) -> str:
    return ", ".join(f"`{value}`" for value in values)  # type: ignore[attr-defined]


# What the model knows of some vocabularies' values, said beside them.
NOTES: dict[str, Callable[[], str]] = {
    "org_type": lambda: (
        f"Not legal entities, so never lawfully a controller or processor: {_codes(sorted(NOT_LEGAL_ENTITIES))}."
    ),
    "purpose": lambda: (
        f"Every purpose but {_codes(p for p in Purpose if not p.secondary)} is a secondary use of the data."
    ),
    "identifiability": lambda: (
        f"Personal data: {_codes(i for i in Identifiability if i.personal)}; "
        f"not personal data: {_codes(i for i in Identifiability if not i.personal)}."
    ),
    "art6": lambda: "Written as in the law; common spellings are accepted (see Cells).",
    "art9": lambda: "Written as in the law; common spellings are accepted (see Cells).",
}


def vocabularies() -> str:
    out = []
    for name, enum in VOCABULARIES.items():
        used = [
            f"`{table.file}` `{column.name}`"
            for table in TABLES.values()
            for column in table.columns
            if column.vocabulary == name
        ]
        out += [f"### `{name}`", "", f"Used by {', '.join(used)}.", "", _codes(member.value for member in enum)]
        if name in NOTES:
            out += ["", NOTES[name]()]
        out.append("")
    return "\n".join(out)


def validate(files: dict[str, str]) -> str:
    """What ``icsgraph validate my-register`` prints for a register of these files."""
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary) / "my-register"
        folder.mkdir()
        for name, content in files.items():
            (folder / name).write_text(content, encoding="utf-8")
        printed = io.StringIO()
        with contextlib.redirect_stderr(printed), contextlib.redirect_stdout(io.StringIO()):
            status = icsgraph(["validate", str(folder)])
        text = printed.getvalue().replace(f"{temporary}/", "")
    assert status == 1, "an example of a refused register was accepted"
    # The progress line ("read my-register from ...: 2 flows (0.00 s)") times the run: left out, so the
    # page is the same on every run.
    kept = [line for line in text.splitlines() if not PROGRESS.match(line)]
    return "\n".join(["$ icsgraph validate my-register", *kept])


def problems() -> str:
    out = []
    for files in (BAD_CELLS, BAD_IDS):
        listing = "\n\n".join(f"{name}:\n{content.rstrip()}" for name, content in files.items())
        out += ["```", listing, "```", "", "```", validate(files).rstrip(), "```", ""]
    return "\n".join(out)
