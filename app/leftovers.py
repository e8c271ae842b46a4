"""What a killed process leaves behind, cleared at start-up: upload folders in the temporary directory
and half-written files in the data directory (``graph.state.sweep``).

An upload is unpacked into an ``icsgraph-upload-*`` folder that is removed when it has been read; a
server killed meanwhile leaves it. Reading an upload takes seconds, so a folder untouched for longer
than ``STALE_AFTER`` is a leftover, whichever server made it; a younger one may be another server's
upload in progress, and stays.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from graph.state import STALE_AFTER, sweep

UPLOAD_PREFIX = "icsgraph-upload-"


def sweep_uploads(directory: Path | None = None, stale_after: float = STALE_AFTER) -> list[Path]:
    """Remove the stale upload folders in ``directory`` (default: the temporary directory); the removed."""
    root = directory or Path(tempfile.gettempdir())
    removed = []
    now = time.time()
    for folder in root.glob(f"{UPLOAD_PREFIX}*"):
        try:
            if not folder.is_dir() or now - newest_change(folder) <= stale_after:
                continue
        except FileNotFoundError:
            continue  # removed by its own server meanwhile
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def newest_change(folder: Path) -> float:
    """When anything in the folder last changed (a file still being written counts)."""
    return max([folder.stat().st_mtime, *(path.stat().st_mtime for path in folder.rglob("*"))])


def sweep_data(directory: Path | None) -> list[Path]:
    """Remove the temporary files a killed writer left in the data directory; the removed."""
    return sweep(directory) if directory is not None else []
