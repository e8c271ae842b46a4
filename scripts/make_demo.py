"""Rebuild the bundled demo registers: ``python scripts/make_demo.py [--out DIR]`` (default data/demo).

The same as ``icsgraph synth --demo --out DIR``: the scenario is ``loaders/synth/demo.py``.
"""

import sys
from pathlib import Path

from app.cli import main

out = sys.argv[1:] or ["--out", str(Path(__file__).resolve().parent.parent / "data" / "demo")]
sys.exit(main(["synth", "--demo", *out]))
