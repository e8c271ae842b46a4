"""Which encoding a CSV file is in, decided from its bytes, and where the bytes are that fit none.

Excel saves CSV as UTF-8 (``CSV UTF-8``, with a byte-order mark) or, as plain ``CSV`` on Windows, as
Windows-1252. A file is read as UTF-8 when it is valid UTF-8. It is read as Windows-1252 only when it
looks like it: its non-ASCII bytes never once form a UTF-8 character, as they almost never do in
Windows-1252 text. A file that is UTF-8 but for some stray bytes is not re-read in another encoding
(which would turn every ``é`` into ``Ã©``); its stray bytes are reported, each with line, byte offset,
row and column, and nothing is guessed. Bytes that Windows-1252 leaves undefined are reported too.

The decision reads the file once in chunks (about 15 ms for 50 MB of ASCII); locating bad bytes reads it
again, only when there are some.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from loaders.problem import Problem
from loaders.table import column_letter, header_of

CHUNK = 1 << 20
# A byte that is not UTF-8 is decoded by "surrogateescape" to one of these, so it can be found and counted.
ESCAPED = re.compile("[\udc80-\udcff]")
# A character that UTF-8 wrote with several bytes: evidence that the file is UTF-8.
WIDE = re.compile("[^\x00-\x7f\udc80-\udcff]")
CP1252_UNDEFINED = re.compile("[\udc81\udc8d\udc8f\udc90\udc9d]")
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
LINE_BREAK = re.compile(r"\r\n?|\n")
LOCATED = 100
"""Bad bytes located per file; the rest are counted."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What a file's bytes say about its encoding."""

    byte_order_mark: bool = False
    utf16: bool = False
    escaped: bool = False  # some byte is not UTF-8
    wide: bool = False  # some character is UTF-8 of several bytes
    cp1252_undefined: bool = False  # some non-UTF-8 byte is one Windows-1252 leaves undefined

    @property
    def encoding(self) -> str | None:
        """The encoding to read the file in, or None when it is neither cleanly."""
        if self.utf16:
            return None
        if not self.escaped:
            return "utf-8-sig"
        if self.wide or self.byte_order_mark or self.cp1252_undefined:
            return None
        return "cp1252"


def _texts(path: Path) -> Iterator[str]:
    """The file as text in chunks, every byte that is not UTF-8 decoded to a surrogate (reversibly)."""
    decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            yield decoder.decode(chunk)
        yield decoder.decode(b"", final=True)


def evidence(path: Path) -> Evidence:
    """Read the file's bytes once and weigh them.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> def weigh(data): (folder / "f.csv").write_bytes(data); return evidence(folder / "f.csv").encoding
    >>> weigh("Café — naïve".encode()), weigh("Café".encode("cp1252")), weigh("Café — ".encode() + b"\\x92")
    ('utf-8-sig', 'cp1252', None)
    """
    with path.open("rb") as file:
        start = file.read(4)
    escaped = wide = undefined = False
    for text in _texts(path):
        if text.isascii():
            continue
        escaped = escaped or ESCAPED.search(text) is not None
        wide = wide or WIDE.search(text) is not None
        undefined = undefined or CP1252_UNDEFINED.search(text) is not None
        if escaped and wide:
            break
    return Evidence(start.startswith(codecs.BOM_UTF8), start.startswith(UTF16_BOMS), escaped, wide, undefined)


@dataclass(frozen=True, slots=True)
class BadByte:
    byte: int
    offset: int
    line: int


def _bad_bytes(path: Path, pattern: re.Pattern[str]) -> tuple[list[BadByte], int]:
    """The first ``LOCATED`` bytes matching ``pattern`` (as escaped characters) with offset and line; the count."""
    found: list[BadByte] = []
    total = 0
    offset, line = 0, 1
    held = ""
    for chunk in _texts(path):
        # A CR at the end of a chunk may be the first half of a CRLF: count it with what follows.
        text, held = held + chunk, ""
        if text.endswith("\r"):
            text, held = text[:-1], "\r"
        position = 0
        for match in pattern.finditer(text):
            total += 1
            if len(found) >= LOCATED:
                continue
            before = text[position : match.start()]
            offset += len(before.encode("utf-8", "surrogateescape"))
            line += len(LINE_BREAK.findall(before))
            found.append(BadByte(ord(match.group()) - 0xDC00, offset, line))
            position = match.start()
        rest = text[position:]
        offset += len(rest.encode("utf-8", "surrogateescape"))
        line += len(LINE_BREAK.findall(rest))
    return found, total


def _cells(path: Path, pattern: re.Pattern[str]) -> Iterator[tuple[int, str, str]]:
    """Row, column and cell of each byte matching ``pattern``, in file order."""
    with path.open("rb") as raw, io.TextIOWrapper(raw, "utf-8", errors="surrogateescape", newline="") as text:
        header: tuple[str, ...] = ()
        for number, cells in enumerate(csv.reader(text), start=1):
            for index, cell in enumerate(cells):
                for _ in pattern.finditer(cell):
                    named = header[index] if index < len(header) and header[index] else column_letter(index + 1)
                    yield number, named, cell
            if not header and any(cell.strip() for cell in cells):
                header = header_of(cells)


def bad_byte_problems(path: Path, found: Evidence) -> list[Problem]:
    """Each byte that stops the file being read as what it is, located (at most ``LOCATED``, then a count)."""
    if found.utf16:
        return [
            Problem(
                str(path),
                None,
                None,
                None,
                "the file is UTF-16 (Excel's 'Unicode Text'): save it from Excel as 'CSV UTF-8 (Comma delimited)'",
            )
        ]
    utf8 = found.wide or found.byte_order_mark
    pattern = ESCAPED if utf8 else CP1252_UNDEFINED
    encoding = "utf-8" if utf8 else "cp1252"
    located, total = _bad_bytes(path, pattern)
    problems = []
    for bad, (row, column, cell) in zip(located, _cells(path, pattern), strict=False):
        # The cell as read, the bad byte shown as U+FFFD where it sits.
        value = cell.encode("utf-8", "surrogateescape").decode(encoding, "replace")
        if utf8:
            why = "is not UTF-8, though the rest of the file is, so no other encoding was guessed"
        else:
            why = "is neither UTF-8 nor Windows-1252 (the encoding the rest of the file is in)"
        problems.append(
            Problem(
                str(path),
                row,
                column,
                value if len(value) <= 60 else value[:59] + "…",
                f"line {bad.line}, byte offset {bad.offset:,}: byte 0x{bad.byte:02X} {why}: retype the character "
                "(shown as \ufffd) and save the file from Excel as 'CSV UTF-8 (Comma delimited)'",
            )
        )
    if total > len(problems):
        problems.append(
            Problem(str(path), None, None, None, f"... {total - len(problems):,} more such bytes in the file")
        )
    return problems


class Undecodable(ValueError):
    """A file whose bytes fit no encoding cleanly; ``problems`` locates each bad byte."""

    def __init__(self, path: Path, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(problem) for problem in problems[:3]) or f"{path}: undecodable")


def read_text(path: Path) -> str:
    """The whole text of a (small) CSV file, decoded by the rules above, or ``Undecodable`` saying where.

    For files read whole, such as a DSPT status extract or a sheet to import; a register's CSV is
    streamed by ``loaders.csv_file`` instead.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> (folder / "f.csv").write_bytes("Café".encode("cp1252")) and read_text(folder / "f.csv")
    'Café'
    """
    found = evidence(path)
    if found.encoding is None:
        raise Undecodable(path, bad_byte_problems(path, found))
    return path.read_text(encoding=found.encoding)
