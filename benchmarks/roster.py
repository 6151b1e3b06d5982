"""Time the roster workflow on synthetic rosters: read and check, plan and assign, write the lists.

Usage: .venv/bin/python benchmarks/roster.py [LEARNERS ...]   (default 3000 20000)
Uses a throwaway pseudonym key; writes to a temporary folder it deletes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

import sim
from sim.roster import assign, load_key, read_roster, roster_file_bytes, synthetic_roster
from sim.read.tables import read_areas, read_students

ROOT = Path(__file__).resolve().parents[1]


def main(sizes: list[int]) -> None:
    os.environ["SIM_PSEUDONYM_KEY"] = secrets.token_hex(32)
    scenario = sim.load_scenario(ROOT / "data" / "scenarios" / "baseline.yaml")
    areas = read_areas(scenario.areas)
    students = read_students(scenario.students, areas)
    for size in sizes:
        folder = Path(tempfile.mkdtemp(prefix="sim-bench-"))
        try:
            path = folder / "roster.xlsx"
            path.write_bytes(roster_file_bytes(synthetic_roster(areas, students, size, seed=1), xlsx=True))
            started = time.perf_counter()
            roster = read_roster(path, areas)
            read = time.perf_counter()
            run = assign(scenario, roster, load_key(), skip_invalid=True)
            planned = time.perf_counter()
            run.write(folder / "out")
            written = time.perf_counter()
            print(f"{size:>7,} learners (XLSX): read and check {read - started:5.1f} s, plan and assign "
                  f"{planned - read:5.1f} s, write lists {written - planned:5.1f} s")
        finally:
            shutil.rmtree(folder)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [3000, 20000])
