"""A sweep's folder: what it is a sweep of, one file per finished run, and the final table.

    DIR/sweep.json          the scenario, the sweep file, the number of runs, the sweep's hash
    DIR/runs/run-000001.json one finished run (its row of the table), written as it completes
    DIR/sweep.csv           the table, one row per run in run order (UTF-8 with a byte-order mark)

Every file is written to a temporary file and renamed, so an interrupted sweep leaves whole run
files only. Run files are not flushed to disk one by one (``fsync`` costs about 5 ms a file here,
more than a run outside its plan): after a power cut a run file may be empty or cut short, and
``done`` then runs that run again; the table and ``sweep.json`` are flushed.

Re-running the same sweep into the same folder skips the runs already there; a folder holding a
sweep of another scenario, other tables or another sweep file is refused (its hash differs), so
results of two sweeps are never mixed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pandas as pd

from sim.read.errors import InputError, Problem
from sim.core.inputs import scenario_sha256
from sim.core.pipeline import package_version
from sim.results.cells import csv_text
from sim.results.write import write_atomic
from sim.read.scenario import Scenario
from sim.sweeps.spec import SweepSpec

FORMAT = 1
MANIFEST, RUNS, TABLE = "sweep.json", "runs", "sweep.csv"


def _frame_sha256(frame: pd.DataFrame) -> str:
    return hashlib.sha256(frame.to_csv(index=False, lineterminator="\n").encode()).hexdigest()


def sweep_sha256(scenario: Scenario, areas: pd.DataFrame, students: pd.DataFrame, spec: SweepSpec) -> str:
    """Hash of everything that decides the runs' results: scenario settings, both tables as read,
    the sweep's settings and the package version."""
    parts = {"format": FORMAT, "version": package_version(), "scenario": scenario_sha256(scenario),
             "areas": _frame_sha256(areas), "students": _frame_sha256(students), "sweep": spec.sha256()}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class SweepFolder:
    """The output folder of one sweep."""

    def __init__(self, out: str | Path):
        self.out = Path(out)
        self.runs_dir = self.out / RUNS

    def run_file(self, run: int) -> Path:
        return self.runs_dir / f"run-{run:06d}.json"

    def open(self, manifest: dict[str, Any]) -> None:
        """Create the folder for this sweep, or check that it already holds this very sweep."""
        path = self.out / MANIFEST
        if path.is_file():
            try:
                found = json.loads(path.read_text(encoding="utf-8")).get("sweep_sha256")
            except (ValueError, AttributeError):
                found = None
            if found != manifest["sweep_sha256"]:
                raise InputError([Problem(
                    str(path), "this folder holds another sweep (another scenario, tables or sweep file)",
                    column="sweep_sha256", value=found, expected=manifest["sweep_sha256"],
                    hint="Choose another --out folder, or delete this one to start over")])
        elif self.runs_dir.is_dir() and any(self.runs_dir.iterdir()):
            raise InputError([Problem(str(self.runs_dir), f"run files without {MANIFEST}: not known to be of this sweep",
                                      expected=f"an empty folder or one with {MANIFEST}",
                                      hint="Choose another --out folder, or delete this one to start over")])
        self.runs_dir.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")

    def done(self, runs: int, columns: list[str]) -> dict[int, dict]:
        """Rows of the runs already finished (a file that is not a whole row of this sweep is redone)."""
        rows = {}
        for file in sorted(self.runs_dir.glob("run-*.json")):
            try:
                row = json.loads(file.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if (isinstance(row, dict) and list(row) == columns and isinstance(row["run"], int)
                    and 1 <= row["run"] <= runs and file.name == self.run_file(row["run"]).name):
                rows[row["run"]] = row
        return rows

    def save(self, row: dict) -> None:
        write_atomic(self.run_file(row["run"]), json.dumps(row, ensure_ascii=False) + "\n", sync=False)

    def write_table(self, table: pd.DataFrame) -> Path:
        path = self.out / TABLE
        write_atomic(path, csv_text(table), encoding="utf-8-sig")
        return path


def table_of(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    """The sweep's table, rows in run order; numbers as nullable integers or floats (empty where a
    failed run has no value)."""
    ordered = sorted(rows, key=lambda row: row["run"])
    frame = pd.DataFrame([[row.get(c) for c in columns] for row in ordered], columns=columns, dtype=object)
    return frame.convert_dtypes()
