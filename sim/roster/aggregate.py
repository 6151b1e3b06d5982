"""From eligible learners to the planner's students table: counts per district x grade x status.

Only rows whose outcome is ``eligible`` count; ``pupils`` is how many, ``without_internet`` how many
of them have no internet at home. The CSV is exactly what ``python -m sim run`` reads.
"""

from __future__ import annotations

import pandas as pd

from sim.core.rules import STATUSES, grade_label
from sim.read.schema import STUDENTS, column_names
from sim.results.cells import csv_text
from sim.roster.read import Roster


def students_table(roster: Roster) -> pd.DataFrame:
    """The reader's form (``sim.tables.read_students``): area code, grade 1-13, status, counts."""
    learners = roster.eligible.assign(offline=lambda t: ~t["has_internet"].astype(bool))
    table = learners.groupby(["area", "grade", "status"], as_index=False, sort=True).agg(
        pupils=("offline", "size"), without_internet=("offline", "sum"))
    return table.astype({"grade": "int64", "pupils": "int64", "without_internet": "int64"})[
        ["area", "grade", "status", "pupils", "without_internet"]]


def students_frame(roster: Roster) -> pd.DataFrame:
    """The students CSV as a table: districts by name in the areas file's order, grades 1-12 then
    higher, statuses in priority order."""
    table = students_table(roster)
    area_order = {code: i for i, code in enumerate(roster.areas["code"])}
    status_order = {s: i for i, s in enumerate(STATUSES)}
    table = table.assign(_a=table["area"].map(area_order), _s=table["status"].map(status_order))
    table = table.sort_values(["_a", "grade", "_s"], ignore_index=True)
    names = dict(zip(roster.areas["code"], roster.areas["name"]))
    table = table.assign(district=table["area"].map(names), grade=table["grade"].map(grade_label))
    return table[column_names(STUDENTS)]


def students_csv(roster: Roster) -> str:
    """The planner's ``students.csv`` text: ``district,grade,status,pupils,without_internet``."""
    return csv_text(students_frame(roster))
