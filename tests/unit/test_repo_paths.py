"""The repository stands alone: no file names a path of the machine it was written on.

A path such as ``/home/<user>/...`` or ``/work/...`` in a script, a doc or a test works on one machine
and on no user's clone, so every tracked text file is searched for one.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MACHINE_PATH = re.compile(r"(?<![A-Za-z0-9_.~])/(?:work|root|home|Users)/[A-Za-z]")


def tracked_files() -> list[Path]:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=False)
    if listed.returncode == 0 and listed.stdout:
        return [ROOT / name for name in listed.stdout.decode().split("\0") if name]
    return [path for path in ROOT.rglob("*") if path.is_file() and ".git" not in path.parts]


def machine_paths(text: str) -> list[str]:
    """The machine paths in ``text``, each with its line.

    >>> home = "/" + "home"  # written in two parts, so this file does not match itself
    >>> [hit[:12] for hit in machine_paths(f"x = Path('{home}/alice/data')\\nok = 'docs{home}/page'\\n")]
    ['1: x = Path(']
    """
    return [
        f"{number}: {line.strip()}" for number, line in enumerate(text.splitlines(), 1) if MACHINE_PATH.search(line)
    ]


def test_no_tracked_file_names_a_path_of_this_machine() -> None:
    found = []
    for path in tracked_files():
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary: workbooks, images
        found += [f"{path.relative_to(ROOT)}:{hit}" for hit in machine_paths(data.decode("utf-8", "replace"))]
    assert found == [], "paths of one machine in the repository:\n" + "\n".join(found)


def test_the_search_would_catch_one() -> None:
    work = "/" + "work"  # written in two parts, so this file does not match itself
    assert machine_paths(f'REFERENCE = Path("{work}/shared/data/reference")')
    assert not machine_paths("see data/reference/README.md and ~/.local/share/icsgraph")
