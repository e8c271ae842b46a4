"""Time and peak memory of reading hostile workbooks: tiny files whose sheets imply enormous grids.

    python bench/hostile.py

Builds the workbooks of ``tests/hostile_support.py`` (rows holding one value at column XFD, about 12 KB
and 22 KB; a valid register whose flows sheet has 3,000 more rows holding only a formatted empty cell at
XFD), then reads each in a fresh process, as ``icsgraph load`` does and as an upload to the API does; the
wide ones are also imported through a mapping, as ``icsgraph import sheet`` and an upload with a ``map`` do.
Prints one JSON object. Not part of the tests: the tests assert the refusal and the memory, not the time.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from fixtures.make_fixtures import good_tables  # noqa: E402
from hostile_support import formatted_workbook, measured, wide_workbook  # noqa: E402


def main() -> None:
    figures = {}
    with tempfile.TemporaryDirectory(prefix="icsgraph-bench-hostile-") as temporary:
        folder = Path(temporary)
        typed = {name: [list(row) for row in grid] for name, grid in good_tables().items()}
        workbooks = {
            "wide, 1,300 rows": wide_workbook(folder / "wide-1300.xlsx", 1_300),
            "wide, 3,300 rows": wide_workbook(folder / "wide-3300.xlsx", 3_300),
            "formatted empty cells, 3,000 rows": formatted_workbook(folder / "formatted.xlsx", typed, 3_000),
        }
        for label, path in workbooks.items():
            # The wide workbooks are also imported through a mapping, by the CLI and by the API.
            imports = ("import", "import-upload") if label.startswith("wide") else ()
            for mode in ("read", "upload", *imports):
                result = measured(path, mode)
                figures[f"{label} ({path.stat().st_size:,} bytes), {mode}"] = {
                    "status": result["status"],
                    "seconds": round(result["seconds"], 2),
                    "peak_mib": round(result["peak_mib"], 1),
                }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
