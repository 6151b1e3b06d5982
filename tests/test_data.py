"""The bundled Long An data is what its seeded script builds, and follows the file contract."""

from __future__ import annotations

import importlib.util
import unicodedata

import pandas as pd

import sim
from sim.read.tables import read_areas, read_students
from tests.conftest import BASELINE, ROOT

LONGAN = ROOT / "data" / "longan"


def test_students_csv_is_what_the_seeded_script_builds(tmp_path):
    spec = importlib.util.spec_from_file_location("make_students", LONGAN / "make_students.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(["--out", str(tmp_path / "students.csv")])
    assert (tmp_path / "students.csv").read_bytes() == (LONGAN / "students.csv").read_bytes()


def test_areas_are_the_15_districts_with_nfc_names():
    areas = read_areas(LONGAN / "areas.csv")
    assert len(areas) == 15
    assert list(areas["code"]) == [str(c) for c in range(794, 809)]
    assert all(unicodedata.is_normalized("NFC", n) for n in areas["name"])
    assert areas["population"].sum() == 1_688_547


def test_students_follow_the_contract_and_calibration():
    students = read_students(LONGAN / "students.csv", read_areas(LONGAN / "areas.csv"))
    totals = students.groupby("status")["pupils"].sum()
    assert 2_500 < totals["poor"] < 3_300 and 6_000 < totals["near_poor"] < 7_500 and 80 <= totals["covid_orphan"] <= 120
    assert (students["without_internet"] <= students["pupils"]).all()
    assert set(students["area"]) == {str(c) for c in range(794, 809)}


def test_baseline_scenario():
    scenario = sim.load_scenario(BASELINE)
    assert scenario.devices["tablet"].in_stock == 2687
    assert scenario.data_package.in_stock == 2687
    assert [m.district for m in scenario.earmarks] == ["Đức Huệ"]
    assert isinstance(pd.read_csv(scenario.students), pd.DataFrame)


def test_the_seeded_script_prints_in_vietnamese_unless_sim_lang_is_en(tmp_path, capsys, monkeypatch):
    spec = importlib.util.spec_from_file_location("make_students", LONGAN / "make_students.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.delenv("SIM_LANG", raising=False)
    module.main(["--out", str(tmp_path / "students.csv")])
    said = capsys.readouterr().out
    assert said.startswith("Đã ghi 460 dòng vào ") and "Tổng của tỉnh" in said
    assert "  hộ nghèo               2.856      80   2.936            1.093" in said, said
    monkeypatch.setenv("SIM_LANG", "en")
    module.main(["--out", str(tmp_path / "students.csv")])
    said = capsys.readouterr().out
    assert said.startswith("wrote 460 rows to ") and "  poor                   2,856      80   2,936            1,093" in said, said
