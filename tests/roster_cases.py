"""Small rosters written as real files, as schools send them (for the roster tests)."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import yaml

import sim
from sim.roster.schema import ROSTER
from tests.conftest import AREAS, write_csv

COLUMNS = [c.name for c in ROSTER]
AREAS_FRAME = pd.DataFrame({"code": ["A1", "B2"], "name": ["An Bình", "Bình Hòa"], "type": ["Huyện", "Huyện"],
                            "population": pd.array([1000, 2000], dtype="Int64"), "lat": [10.5, 10.6],
                            "lon": [106.4, 106.5]})


def learner(pupil_id: str, **values) -> dict:
    """One roster row: a poor grade-10 learner of An Bình with internet and no computer, unless told."""
    row = {"pupil_id": pupil_id, "full_name": f"Nguyễn Văn {pupil_id}", "date_of_birth": "05/09/2008",
           "school": "Trường THPT An Bình", "district": "An Bình", "grade": "10", "household": "nghèo",
           "certificate_no": f"GCN-{pupil_id}", "covid_orphan": "không", "has_computer": "không",
           "has_internet": "có", "phone": "0912345678", "notes": "", "guardian_consent": "có", "child_consent": "có"}
    row.update(values)
    return row


def write_roster(path: Path, rows: list[dict], headers: str = "english", encoding: str = "utf-8") -> Path:
    """headers: ``english`` (column names) or ``vietnamese`` (the template's headers)."""
    names = {c.name: (c.header if headers == "vietnamese" else c.name) for c in ROSTER}
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([names[c] for c in COLUMNS])
        for row in rows:
            writer.writerow([row.get(c, "") for c in COLUMNS])
    return path


def write_scenario(folder: Path, **settings) -> sim.Scenario:
    """A scenario over the two test areas; its students file is a placeholder the rosters replace."""
    write_csv(folder / "areas.csv", AREAS)
    write_csv(folder / "students.csv", [], header=["district", "grade", "status", "pupils", "without_internet"])
    settings.setdefault("devices", {"desktop": {"unit_cost_vnd": 1_000_000}})
    data = {"name": "roster case", "areas": "areas.csv", "students": "students.csv", **settings}
    (folder / "scenario.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return sim.load_scenario(folder / "scenario.yaml")
