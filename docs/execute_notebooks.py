"""Execute every notebook for the manual, as `make report` does, into docs/notebooks/ (not committed)."""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from sim.views.report import execute

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    out = ROOT / "docs" / "notebooks"
    out.mkdir(exist_ok=True)
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        print(f"executing {path.name}", flush=True)
        nbformat.write(execute(path), out / path.name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
