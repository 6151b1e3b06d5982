"""Bad files get a message naming file, row, column, value and what is expected; never a traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata

import pytest

import sim
from tests.conftest import AREAS, student, write_csv

GOOD = [student("An Bình", 10, "poor", 4, 1), student("Bình Hòa", 3, "near_poor", 2, 0)]


def run_cli(*args: str, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True, cwd=cwd,
                          env={**os.environ, "SIM_LANG": "en"})  # English messages, as asserted below


def windows_1258(text: str) -> bytes:
    """Text as Excel's "CSV" writes it on Vietnamese Windows: base letters precomposed, tones apart."""
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = []
    for ch in text:
        parts = unicodedata.normalize("NFD", ch)
        out.append(unicodedata.normalize("NFC", "".join(p for p in parts if p not in tones)))
        out.extend(p for p in parts if p in tones)
    return "".join(out).encode("cp1258")


def solve_with_students(case, tmp_path, rows, header=None, encoding="utf-8", **settings):
    scenario = case(GOOD, **settings)
    write_csv(tmp_path / "students.csv", rows, header=header, encoding="utf-8" if encoding == "cp1258" else encoding)
    if encoding == "cp1258":
        path = tmp_path / "students.csv"
        path.write_bytes(windows_1258(path.read_text(encoding="utf-8")))
    return sim.solve(scenario, compare=False)


def message(excinfo) -> str:
    return str(excinfo.value)


def test_missing_column_names_it_and_suggests_the_misspelt_one(case, tmp_path):
    rows = [{"district": "An Bình", "grade": 10, "status": "poor", "pupil": 4, "without_internet": 1}]
    with pytest.raises(sim.InputError) as excinfo:
        solve_with_students(case, tmp_path, rows)
    text = message(excinfo)
    assert "students.csv, row 1, column 'pupils': this column is missing from the header" in text
    assert "Is 'pupil' meant to be 'pupils'?" in text


def test_unknown_district_suggests_the_nearest(case, tmp_path):
    with pytest.raises(sim.InputError) as excinfo:
        solve_with_students(case, tmp_path, [GOOD[0], student("Binh Hoa xa", 3, "poor", 1)])
    text = message(excinfo)
    assert "students.csv, row 3, column 'district': unknown district (found 'Binh Hoa xa')" in text
    assert "Did you mean 'Bình Hòa'?" in text


@pytest.mark.parametrize("field,value,expected", [
    ("pupils", -3, "pupils is not a whole number ≥ 0 (found '-3'); expected an integer ≥ 0"),
    ("pupils", "2.5", "pupils is not a whole number ≥ 0 (found '2.5')"),
    ("without_internet", -1, "without_internet is not a whole number ≥ 0 (found '-1')"),
    ("without_internet", 9, "without_internet is larger than pupils (found '9'); expected at most pupils (4)"),
    ("grade", 13, "unknown grade (found '13'); expected 1 to 12, or higher"),
])
def test_bad_numbers(case, tmp_path, field, value, expected):
    row = dict(GOOD[0], **{field: value})
    with pytest.raises(sim.InputError) as excinfo:
        solve_with_students(case, tmp_path, [GOOD[1], row])
    assert f"students.csv, row 3, column '{field}': {expected}" in message(excinfo)


def test_misspelt_status(case, tmp_path):
    with pytest.raises(sim.InputError) as excinfo:
        solve_with_students(case, tmp_path, [dict(GOOD[0], status="pooor")])
    assert "row 2, column 'status': unknown status (found 'pooor'); expected poor or near_poor or covid_orphan. Did you mean 'poor'?" in message(excinfo)


def test_every_problem_of_a_file_is_reported_at_once(case, tmp_path):
    rows = [dict(GOOD[0], status="pooor"), dict(GOOD[1], pupils=-1), dict(GOOD[1], district="Nowhere")]
    with pytest.raises(sim.InputError) as excinfo:
        solve_with_students(case, tmp_path, rows)
    assert [(p.row, p.column) for p in excinfo.value.problems] == [(2, "status"), (3, "pupils"), (4, "district")]


def test_excel_bom_nfd_names_and_status_variants_are_read(case, tmp_path):
    nfd = unicodedata.normalize("NFD", "Bình Hoà")  # decomposed, old tone placement
    rows = [student("AN BÌNH", 10, "Poor", 4, 1), student(nfd, 3, "near-poor", 2, 0), student("B2", 3, "cận nghèo", 1, 0)]
    result = solve_with_students(case, tmp_path, rows, encoding="utf-8-sig", budget_vnd=10**9)
    table = result.inputs.students
    assert table.set_index(["area", "grade", "status"])["pupils"].to_dict() == {
        ("A1", 10, "poor"): 4, ("B2", 3, "near_poor"): 3}  # rows of one cell add up


def test_windows_code_page_csv_is_read(case, tmp_path):
    result = solve_with_students(case, tmp_path, GOOD, encoding="cp1258", budget_vnd=10**9)
    assert set(result.coverage["district"]) == {"An Bình", "Bình Hòa"}


def test_semicolon_separated_csv_is_read(case, tmp_path):
    scenario = case(GOOD, budget_vnd=10**9)
    (tmp_path / "students.csv").write_text(
        "district;grade;status;pupils;without_internet\nAn Bình;10;poor;4;1\n", encoding="utf-8")
    assert sim.solve(scenario, compare=False).summary["pupils"] == 4


def test_students_from_xlsx(case, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["district", "grade", "status", "pupils", "without_internet"])
    sheet.append(["An Bình", 10, "poor", 4, 1])
    sheet.append(["Bình Hòa", "higher", "near_poor", 2, 0])
    book.save(tmp_path / "students.xlsx")
    scenario = case(GOOD, budget_vnd=10**9)
    scenario.students = tmp_path / "students.xlsx"
    assert sim.solve(scenario, compare=False).summary["pupils"] == 6


def test_duplicate_area_codes_and_bad_coordinates(case, tmp_path):
    areas = [dict(AREAS[0]), dict(AREAS[1], code="A1", lat="north")]
    with pytest.raises(sim.InputError) as excinfo:
        sim.solve(case(GOOD, areas=areas), compare=False)
    text = message(excinfo)
    assert "areas.csv, row 3, column 'code': code appears twice (found 'A1')" in text
    assert "row 3, column 'lat': lat is not a coordinate (found 'north')" in text


def test_unknown_yaml_key_suggests_the_known_one(case, tmp_path):
    case(GOOD)
    (tmp_path / "scenario.yaml").write_text("areas: areas.csv\nstudents: students.csv\nbudjet_vnd: 5\n", encoding="utf-8")
    with pytest.raises(sim.InputError) as excinfo:
        sim.load_scenario(tmp_path / "scenario.yaml")
    assert "scenario.yaml, line 3, key 'budjet_vnd': unknown key 'budjet_vnd'" in message(excinfo)
    assert "Did you mean 'budget_vnd'?" in message(excinfo)


def test_unknown_nested_yaml_key(case, tmp_path):
    case(GOOD)
    (tmp_path / "scenario.yaml").write_text(
        "areas: areas.csv\nstudents: students.csv\ndevices:\n  tablet: {unit_cost_vnd: 5, in_stok: 3}\n", encoding="utf-8")
    with pytest.raises(sim.InputError) as excinfo:
        sim.load_scenario(tmp_path / "scenario.yaml")
    assert "line 4, key 'devices.tablet.in_stok': unknown key 'in_stok'" in message(excinfo)
    assert "Did you mean 'in_stock'?" in message(excinfo)


def test_earmark_for_unknown_district_cannot_be_satisfied(case):
    scenario = case(GOOD, earmarks=[{"district": "Binh Hoa", "budget_vnd": 5}])
    with pytest.raises(sim.ScenarioError) as excinfo:
        sim.solve(scenario)
    assert "the earmark names a district that is not in the areas file (found 'Binh Hoa')" in message(excinfo)
    assert "Did you mean 'Bình Hòa'?" in message(excinfo)


def test_negative_budget_cannot_be_satisfied(case):
    with pytest.raises(sim.ScenarioError) as excinfo:
        sim.solve(case(GOOD, budget_vnd=-1))
    assert "key 'budget_vnd': the budget is negative (found -1)" in message(excinfo)


# ------------------------------------------------------------------ the command line

def test_cli_exit_2_with_a_message_and_no_traceback(case, tmp_path):
    case(GOOD)
    write_csv(tmp_path / "students.csv", [dict(GOOD[0], status="pooor")])
    done = run_cli("run", tmp_path / "scenario.yaml", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "row 2, column 'status': unknown status" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()


def test_cli_exit_3_when_the_scenario_cannot_be_satisfied(case, tmp_path):
    case(GOOD, budget_vnd=-5)
    done = run_cli("run", tmp_path / "scenario.yaml", "--out", tmp_path / "out")
    assert done.returncode == 3
    assert "the scenario cannot be satisfied" in done.stderr and "budget is negative" in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_missing_scenario_file(tmp_path):
    done = run_cli("run", tmp_path / "nope.yaml", "--out", tmp_path / "out")
    assert done.returncode == 2
    assert "nope.yaml: file not found" in done.stderr


def test_a_failed_run_leaves_earlier_results_intact(case, tmp_path):
    case(GOOD, budget_vnd=10**9)
    out = tmp_path / "out"
    assert run_cli("run", tmp_path / "scenario.yaml", "--out", out, "--quiet").returncode == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    write_csv(tmp_path / "students.csv", [dict(GOOD[0], pupils="many")])
    assert run_cli("run", tmp_path / "scenario.yaml", "--out", out).returncode == 2
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
