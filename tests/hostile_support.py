"""Hostile registers for the hardening tests (and ``bench/hostile.py``), and a reader run in its own process.

The workbooks are tiny files whose sheets imply enormous grids; reading one is measured in a child
process, whose own peak resident memory is the figure (``VmHWM``, Linux), so nothing else the test run
allocated counts. The child caps its address space, so a reader that would build the grid fails there
instead of taking the machine. The child reads as the register loader does, or imports the file through
``FLOW_MAPPING`` as ``icsgraph import sheet`` and ``POST /api/registers`` with a ``map`` part do.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

ROOT = Path(__file__).resolve().parent.parent
XFD = 16_384  # Excel's last column
FLOW_HEADER = ["flow_id", "source", "destination", "data_categories", "purposes", "identifiability", "controllers"]
FLOW_MAPPING = '[[table]]\nregister = "flows"\nsheet = "flows"\n[table.columns]\n' + "".join(
    f'{column} = "{column}"\n' for column in FLOW_HEADER
)
"""A sheet mapping that reads the flows sheet of these workbooks under its own headers."""

CHILD = """
import json, resource, sys, time
from pathlib import Path
resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))
from loaders.register import InvalidRegister, read_register
mode, path = sys.argv[1], Path(sys.argv[2])
sys.path.insert(0, "tests")
from hostile_support import FLOW_MAPPING
started = time.perf_counter()
counts, problems = None, []
if mode in ("upload", "import-upload"):
    from fastapi.testclient import TestClient
    from app.main import create_app
    from app.settings import Settings
    from graph.memory import MemoryStore
    from support import tiny_reference
    app = create_app(Settings(data_dir=None, write_token="t", read_token=None), MemoryStore(tiny_reference(), None))
    files = {"file": (path.name, path.read_bytes())}
    if mode == "import-upload":
        files["map"] = ("map.toml", FLOW_MAPPING.encode())
    started = time.perf_counter()
    response = TestClient(app).post("/api/registers", files=files, headers={"Authorization": "Bearer t"})
    status, body = response.status_code, response.json()
    problems = body.get("problems") or []
elif mode == "import":
    import contextlib, io, tempfile
    from app.cli import main
    from app.stores import reference_data
    reference_data()  # the bundled reference data, read before the clock as the import's fixed cost
    folder = Path(tempfile.mkdtemp())
    (folder / "map.toml").write_text(FLOW_MAPPING)
    said = io.StringIO()
    started = time.perf_counter()
    with contextlib.redirect_stderr(said):
        status = main(["import", "sheet", str(path), "--map", str(folder / "map.toml"), "--out", str(folder / "out")])
    problems = said.getvalue().splitlines()
elif mode == "trace":
    import tracemalloc
    tracemalloc.start()
    register = read_register(path)
    traced, traced_peak = tracemalloc.get_traced_memory()
    counts, status = register.counts(), 200
else:
    try:
        counts = read_register(path).counts()
        status = 200
    except InvalidRegister as error:
        status, problems = 422, [problem.as_dict() for problem in error.problems]
seconds = time.perf_counter() - started
# VmHWM is this program's own high-water mark: ru_maxrss would start from the parent's size at the fork.
memory = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines())
peak = int(memory["VmHWM"].split()[0]) / 1024
figures = {"status": status, "counts": counts, "problems": problems[:20], "seconds": seconds, "peak_mib": peak}
if mode == "trace":
    figures.update(traced_mib=traced / 2**20, traced_peak_mib=traced_peak / 2**20)
print(json.dumps(figures))
"""


def measured(path: Path, mode: str = "read") -> dict[str, Any]:
    """Read (``read``), upload in process (``upload``, over ``support.tiny_reference``), read under
    tracemalloc (``trace``), import through ``FLOW_MAPPING`` with the CLI (``import``: ``icsgraph import
    sheet``) or upload with it as a ``map`` part (``import-upload``), in a fresh Python.

    Gives the outcome (an HTTP status; for ``import``, the command's exit code and its stderr lines as the
    problems), the first problems, the seconds taken and the child's peak memory in MiB; with ``trace``,
    the memory the register holds once read and the peak while reading (``traced_mib``, ``traced_peak_mib``),
    both as Python allocated them.
    """
    done = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(path)], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    if done.returncode != 0:
        raise AssertionError(f"the reader died ({done.returncode}): {done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    return figures


def _saved(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def wide_workbook(path: Path, rows: int) -> Path:
    """A flows sheet with a header, then ``rows`` rows each holding one value, at column XFD."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "flows"
    sheet.append(FLOW_HEADER)
    for row in range(2, rows + 2):
        sheet.cell(row=row, column=XFD, value="x")
    path.write_bytes(_saved(workbook))
    return path


def formatted_workbook(path: Path, tables: dict[str, list[list[object]]], rows: int) -> Path:
    """The tables as sheets; the flows sheet then has ``rows`` more rows holding only a bold empty cell at XFD.

    Formatting a far cell is what a user does by accident; the cells hold nothing, so the register loads.
    """
    workbook = Workbook()
    workbook.remove(workbook.active)
    for name, grid in tables.items():
        sheet = workbook.create_sheet(name)
        for cells in grid:
            sheet.append(cells)
    flows = workbook["flows"]
    start = flows.max_row + 1
    for row in range(start, start + rows):
        flows.cell(row=row, column=XFD).font = Font(bold=True)
    path.write_bytes(_saved(workbook))
    return path
