"""No name, date of birth, phone, certificate number or pupil id outside the delivery lists.

A full run on a synthetic roster (the commands and notebook 05, executed) is scanned: every file
outside DIR/delivery, everything the commands printed, and the executed notebook with its
outputs. The same scan run on the delivery lists must find the names: the scanner works.
"""

from __future__ import annotations

import re
import os
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient

from sim.read.names import ascii_fold
from sim.roster import read_roster, roster_file_bytes, synthetic_roster
from sim.roster.synthetic import COLLEGES, PATRONS
from sim.roster.values import parse_date
from sim.read.tables import read_areas, read_students
from tests.conftest import BASELINE, ROOT

LONGAN = ROOT / "data" / "longan"
NOTEBOOK = ROOT / "notebooks" / "05_delivery_lists.ipynb"


def normal(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


class Secrets:
    """The personal values of some rosters, and a scanner that finds them in any text."""

    def __init__(self, roster_files: list[Path], areas):
        learners = read_roster(roster_files, areas).learners
        self.names = {normal(n) for n in learners["full_name"] if n}
        self.folded = {ascii_fold(n) for n in self.names}
        values = set()
        for d in learners["date_of_birth"].dropna():
            values |= {d.strftime("%d/%m/%Y"), d.isoformat(), f"{d.day}/{d.month}/{d.year}"}
        for column in ("pupil_id", "phone", "certificate_no"):
            values |= {normal(v) for v in learners[column] if v}
        self.values = values
        self.digit_lengths = {len(v) for v in values if v.isdigit()}
        assert len(self.names) > 1000 and len(values) > 4000

    def found_in(self, text: str) -> list[str]:
        text = normal(text)
        words = re.findall(r"\w+", text)
        folded = re.findall(r"\w+", ascii_fold(text))
        found = set()
        for tokens, names in ((words, self.names), (folded, self.folded)):
            for n in (3, 4, 5):
                found |= {" ".join(tokens[i:i + n]) for i in range(len(tokens) - n + 1)} & names
        # values as whole tokens, as parts of tokens (split at - / . _), dates inside timestamps,
        # and ids or phones hidden in longer runs of digits
        pieces = set(re.findall(r"[\w/.\-]+", text)) | set(re.findall(r"[^\W_]+", text))
        pieces |= set(re.findall(r"\d{1,2}/\d{1,2}/\d{4}|\d{4}-\d{2}-\d{2}", text))
        for run in re.findall(r"\d{12,}", text):
            pieces |= {run[i:i + n] for n in self.digit_lengths for i in range(len(run) - n + 1)}
        return sorted(found | (self.values & pieces))


def file_text(path: Path) -> str:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as book:
            return "\n".join(book.read(n).decode("utf-8", "replace") for n in book.namelist())
    return path.read_bytes().decode("utf-8", "replace")


def outside_delivery(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and "delivery" not in p.relative_to(folder).parts]


def cli(*args) -> str:
    done = subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, "SIM_LANG": "en"})
    assert done.returncode in (0, 2), done.stderr
    return done.stdout + done.stderr


def test_personal_data_stays_in_the_delivery_lists(tmp_path, monkeypatch):
    areas = read_areas(LONGAN / "areas.csv")
    roster = synthetic_roster(areas, read_students(LONGAN / "students.csv", areas), learners=2000, seed=5)
    source = tmp_path / "in" / "roster.csv"
    source.parent.mkdir()
    source.write_bytes(roster_file_bytes(roster))
    out = tmp_path / "out"
    logs = [
        cli("roster", "check", source, "--areas", LONGAN / "areas.csv", "--out", out / "check_report.csv"),
        cli("roster", "aggregate", source, "--areas", LONGAN / "areas.csv", "--out", out / "students_agg.csv"),
        cli("roster", "aggregate", source, "--areas", LONGAN / "areas.csv", "--out", out / "students_agg.csv",
            "--skip-invalid"),
        cli("assign", BASELINE, "--roster", source, "--out", out),  # refused: rows with bad values
        cli("assign", BASELINE, "--roster", source, "--out", out, "--skip-invalid"),
    ]
    assert "Delivery lists" in logs[-1]

    monkeypatch.setenv("SIM_NOTEBOOK_OUT", str(tmp_path / "notebook"))
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(notebook, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    rendered = nbformat.writes(notebook)
    # the notebook ran to the end: its last line, in Vietnamese (the default) or English (SIM_LANG=en)
    assert "Danh sách bàn giao (dữ liệu cá nhân" in rendered or "Delivery lists (personal data" in rendered
    notebook_roster = tmp_path / "notebook" / "rosters" / "synthetic_roster.xlsx"

    secrets = Secrets([source, notebook_roster], areas)
    schools = " ".join(PATRONS + COLLEGES + list(areas["name"]))
    assert secrets.found_in(schools) == [], "a made-up name is also a school or district name: the scan would be wrong"

    shared = outside_delivery(out) + outside_delivery(tmp_path / "notebook" / "plan")
    assert {p.name for p in shared} >= {"allocation.csv", "coverage.csv", "summary.json", "waiting_list.csv",
                                        "schools.csv", "schools.xlsx", "roster_report.csv", "assignment.json"}
    leaks = {str(p): secrets.found_in(file_text(p) + "\n" + str(p.relative_to(tmp_path))) for p in shared}
    leaks["printed by the commands"] = secrets.found_in("\n".join(logs))
    leaks["notebook 05, executed"] = secrets.found_in(rendered)
    assert {where: found[:5] for where, found in leaks.items() if found} == {}

    # the scanner works: the delivery lists do hold the names, dates and phones
    lists = [p for p in (out / "delivery").rglob("*") if p.is_file()]
    found = set().union(*(secrets.found_in(file_text(p)) for p in lists))
    assert len(found & secrets.names) > 1000 and len(found & secrets.values) > 3000


def _malformed_csv(roster) -> str:
    """The roster as a CSV a careless export makes: some rows shifted right by an unquoted comma in
    the name, some shifted left by a missing cell, some with a name, phone or certificate typed in
    a column that holds no personal data."""
    from sim.roster.schema import ROSTER

    present = [c for c in ROSTER if c.name in roster.columns]  # the synthetic roster has no consent columns
    columns = [c.name for c in present]
    lines = [",".join(c.header for c in present)]
    for k, row in enumerate(roster[columns].itertuples(index=False)):
        cells = [str(v).replace(",", " ") for v in row]
        kind = k % 10
        if kind == 1:  # "Nguyễn, Văn An" unquoted: every cell after the name moves one to the right
            words = cells[1].split(" ", 1)
            cells[1] = words[0] + "," + (words[1] if len(words) > 1 else "")
        elif kind == 2:  # a missing cell: every cell after the name moves one to the left
            del cells[3]
        elif kind == 3:
            cells[4] = row.full_name  # the name in the district column
        elif kind == 4:
            cells[5], cells[8] = row.phone or row.pupil_id, row.certificate_no or row.date_of_birth  # grade, covid_orphan
        elif kind == 5:
            cells[6], cells[9] = row.full_name, row.pupil_id  # household, has_computer
        elif kind == 6:
            cells[3] = row.full_name  # the school column: rows with bad values elsewhere stay out of schools.csv
            cells[4] = "Nowhere"
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


def test_malformed_rows_leak_no_personal_data(tmp_path):
    """Shifted columns, missing cells and values in the wrong column: messages, the check report,
    the shareable outputs and everything printed hold no personal datum; only delivery/ does."""
    areas = read_areas(LONGAN / "areas.csv")
    roster = synthetic_roster(areas, read_students(LONGAN / "students.csv", areas), learners=1500, seed=21)
    source = tmp_path / "in" / "roster.csv"
    source.parent.mkdir()
    source.write_text(_malformed_csv(roster), encoding="utf-8-sig")
    out = tmp_path / "out"
    logs = [
        cli("roster", "check", source, "--areas", LONGAN / "areas.csv", "--out", out / "check_report.csv"),
        cli("roster", "aggregate", source, "--areas", LONGAN / "areas.csv", "--out", out / "students_agg.csv"),
        cli("assign", BASELINE, "--roster", source, "--out", out),  # refused: rows with bad values
        cli("assign", BASELINE, "--roster", source, "--out", out, "--skip-invalid"),
    ]
    assert "Delivery lists" in logs[-1]
    checked = read_roster(source, areas)
    assert checked.counts()["invalid"] > 500
    messages = "\n".join(map(str, checked.issues))
    assert "value hidden: may be personal data" in messages

    secrets = Secrets.__new__(Secrets)
    secrets.names = {normal(n) for n in roster["full_name"]}
    secrets.folded = {ascii_fold(n) for n in secrets.names}
    values = set()
    for day in filter(None, map(parse_date, roster["date_of_birth"])):
        values |= {day.strftime("%d/%m/%Y"), day.isoformat(), f"{day.day}/{day.month}/{day.year}"}
    for column in ("pupil_id", "phone", "certificate_no"):
        values |= {normal(v) for v in roster[column] if v}
    secrets.values, secrets.digit_lengths = values, {len(v) for v in values if v.isdigit()}

    shared = outside_delivery(out)
    assert {p.name for p in shared} >= {"check_report.csv", "roster_report.csv", "schools.csv", "schools.xlsx",
                                        "waiting_list.csv", "students.csv"}
    leaks = {str(p): secrets.found_in(file_text(p) + "\n" + str(p.relative_to(tmp_path))) for p in shared}
    leaks["printed by the commands"] = secrets.found_in("\n".join(logs))
    leaks["messages"] = secrets.found_in(messages + "\n" + str(checked.reasons()))
    assert {where: found[:5] for where, found in leaks.items() if found} == {}
    lists = [p for p in (out / "delivery").rglob("*") if p.is_file()]
    found = set().union(*(secrets.found_in(file_text(p)) for p in lists))
    assert len(found & secrets.names) > 300
