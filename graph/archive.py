"""The embedded store's versions on disk: ``history/NAME/0003.json.gz``, one file per version.

The index of versions (number, hash, when, who, from which file) is in the state file, written in the
same atomic step as the registers (``graph.state``); a version's file is written before that step, so
every version the state file lists has its file. A file it does not list was left by a write killed
before its step; the next writer removes it (``prune``) and may make that version number again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import quote

from graph.history import Version
from graph.state import write_atomically
from graph.store import StoreError

HISTORY_DIR = "history"


def folder_name(name: str) -> str:
    """A register name as one safe folder name: no separators, no leading dot, reversible.

    >>> folder_name("greater-manchester"), folder_name("../etc"), folder_name("a b/c")
    ('greater-manchester', '%2E.%2Fetc', 'a%20b%2Fc')
    """
    quoted = quote(name, safe="-_.")
    return "%2E" + quoted[1:] if quoted.startswith(".") else quoted


class Archive:
    """The version files of one data directory."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / HISTORY_DIR

    def path(self, name: str, version: int) -> Path:
        return self.root / folder_name(name) / f"{version:04d}.json.gz"

    def has(self, version: Version) -> bool:
        return self.path(version.name, version.version).exists()

    def write(self, version: Version, packed: bytes) -> None:
        write_atomically(self.path(version.name, version.version), packed)

    def read(self, version: Version) -> bytes:
        path = self.path(version.name, version.version)
        try:
            return path.read_bytes()
        except OSError as error:
            raise StoreError(
                f"version {version.version} of {version.name!r} is listed but its file {path} cannot be read "
                f"({error.strerror}); restore it from a backup of the data directory"
            ) from error

    def prune(self, history: Mapping[str, Sequence[Version]]) -> list[Path]:
        """Remove the version files the index does not list (a killed write's); the removed. Call it only
        while holding the data directory's lock, or it could take another writer's file before its step."""
        listed = {self.path(v.name, v.version) for versions in history.values() for v in versions}
        removed = []
        for path in self.root.glob("*/*.json.gz") if self.root.is_dir() else ():
            if path not in listed:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                    removed.append(path)
        return removed
