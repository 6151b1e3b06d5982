"""The roster commands as an analyst runs them: files written, exit codes, keys, end to end."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pandas as pd
import pytest
from openpyxl import load_workbook

from sim.read.errors import InputError
from sim.roster import load_key
from sim.roster.pseudonym import KEY_ENV, default_key_path
from sim.read.tables import read_students
from tests.roster_cases import AREAS_FRAME, learner, write_roster, write_scenario

SHAREABLE = ["allocation.csv", "assignment.json", "coverage.csv", "roster_report.csv", "schools.csv", "schools.xlsx",
             "students.csv", "summary.json", "waiting_list.csv"]


def cli(*args, env=None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True,
                          env={**(os.environ if env is None else env), "SIM_LANG": "en"}, cwd=cwd)  # English messages


def roster_rows() -> list[dict]:
    return [
        learner("A-01", full_name="Lê Văn Tâm"), learner("A-02", full_name="Võ Thị Hoa", grade="12", household="cận nghèo"),
        learner("A-03", full_name="Phạm Minh Khoa", grade="9", has_internet="không"),
        learner("A-04", full_name="Huỳnh Ngọc Vy", has_computer="có"),
        learner("B-01", full_name="Trần Gia Bảo", district="Bình Hòa", school="Trường THPT Bình Hòa", grade="11",
                household="near_poor"),
        learner("B-02", full_name="Nguyễn Thị Lan", district="Bình Hòa", school="Trường Tiểu học Bình Hòa", grade="3",
                household="", covid_orphan="có", has_internet="không"),
        learner("B-03", full_name="Đặng Văn Lộc", district="Bình Hòa", school="Trường THPT Bình Hòa", grade="10"),
    ]


@pytest.fixture
def case(tmp_path):
    write_scenario(tmp_path, budget_vnd=3_000_000, devices={"desktop": {"unit_cost_vnd": 1_000_000}},
                   data_package={"monthly_cost_vnd": 0, "months": 12})
    write_roster(tmp_path / "roster.csv", roster_rows(), headers="vietnamese")
    return tmp_path


def test_roster_aggregate_gives_the_planners_students_csv(case):
    done = cli("roster", "aggregate", case / "roster.csv", "--areas", case / "areas.csv", "--out", case / "students.csv")
    assert done.returncode == 0, done.stderr
    assert (case / "students.csv").read_text(encoding="utf-8-sig") == (
        "district,grade,status,pupils,without_internet\n"
        "An Bình,9,poor,1,1\n"
        "An Bình,10,poor,1,0\n"
        "An Bình,12,near_poor,1,0\n"
        "Bình Hòa,3,covid_orphan,1,1\n"
        "Bình Hòa,10,poor,1,0\n"
        "Bình Hòa,11,near_poor,1,0\n")
    assert read_students(case / "students.csv", AREAS_FRAME)["pupils"].sum() == 6


def test_a_roster_drives_a_plan_end_to_end(case):
    """assign's plan is the plan `sim run` makes from the aggregated students.csv, byte for byte."""
    assert cli("roster", "aggregate", case / "roster.csv", "--areas", case / "areas.csv",
               "--out", case / "students.csv").returncode == 0
    assert cli("run", case / "scenario.yaml", "--out", case / "planned", "--quiet").returncode == 0
    done = cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out")
    assert done.returncode == 0, done.stderr
    for name in ("allocation.csv", "coverage.csv"):
        assert (case / "out" / name).read_bytes() == (case / "planned" / name).read_bytes()
    assert (case / "out" / "students.csv").read_bytes() == (case / "students.csv").read_bytes()
    one, two = (json.loads((case / d / "summary.json").read_text()) for d in ("out", "planned"))
    assert one.pop("seconds") >= 0 and two.pop("seconds") >= 0
    assert one == two
    assert sorted(p.name for p in (case / "out").iterdir()) == sorted(SHAREABLE + ["delivery"])
    record = json.loads((case / "out" / "assignment.json").read_text())
    assert (record["served"], record["waiting"], record["devices"]) == (3, 3, {"desktop": 3})
    assert record["rows"] == {"eligible": 6, "not_eligible": 1, "held_for_review": 0, "invalid": 0}


def test_delivery_lists_per_district_and_school_with_a_signature_column(case):
    assert cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out").returncode == 0
    delivery = case / "out" / "delivery"
    assert stat.S_IMODE(delivery.stat().st_mode) == 0o700
    files = sorted(str(p.relative_to(delivery)) for p in delivery.rglob("*") if p.is_file())
    districts = [f for f in files if f.startswith("by_district/")]
    schools = [f for f in files if f.startswith("by_school/")]
    assert {f.rsplit(".", 1)[1] for f in districts + schools} == {"csv", "xlsx"}
    assert "README.txt" in files and "waiting_list.csv" in files and "waiting_list.xlsx" in files
    book = load_workbook(delivery / "by_district" / "An Bình.xlsx").active
    header = [c.value for c in book[5]]
    assert header == ["STT", "Mã học sinh", "Họ và tên", "Ngày sinh", "Trường", "Lớp", "Diện", "Số chứng nhận hộ nghèo",
                      "Thiết bị", "Gói cước", "Số điện thoại", "Ghi chú", "Ký nhận"]
    names = {row[2] for row in book.iter_rows(min_row=6, values_only=True) if isinstance(row[0], int)}
    csv_names = set(pd.read_csv(delivery / "by_district" / "An Bình.csv", encoding="utf-8-sig")["Họ và tên"])
    assert names == csv_names and names <= {"Lê Văn Tâm", "Võ Thị Hoa", "Phạm Minh Khoa"}
    served = sum(len(pd.read_csv(delivery / f, encoding="utf-8-sig")) for f in schools if f.endswith(".csv"))
    assert served == 3


def test_a_rerun_leaves_no_list_of_an_earlier_run(case):
    write_scenario(case, budget_vnd=10_000_000)  # enough for everyone
    assert cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out").returncode == 0
    before = {p.name for p in (case / "out" / "delivery" / "by_district").iterdir()}
    write_roster(case / "roster.csv", [r for r in roster_rows() if r["district"] == "An Bình"], headers="vietnamese")
    assert cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out").returncode == 0
    after = {p.name for p in (case / "out" / "delivery" / "by_district").iterdir()}
    assert before == {"An Bình.csv", "An Bình.xlsx", "Bình Hòa.csv", "Bình Hòa.xlsx"}
    assert after == {"An Bình.csv", "An Bình.xlsx"}
    assert not [p for p in (case / "out").rglob(".sim-*")]


def test_a_delivery_folder_it_did_not_write_is_left_alone(case):
    (case / "out" / "delivery").mkdir(parents=True)
    (case / "out" / "delivery" / "mine.txt").write_text("keep me")
    done = cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out")
    assert done.returncode == 2 and "delivery folder this program did not write" in done.stderr
    assert (case / "out" / "delivery" / "mine.txt").read_text() == "keep me"


def test_two_runs_give_identical_files(case):
    for out in ("one", "two"):
        assert cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / out,
                   "--quiet").returncode == 0
    files = sorted(p.relative_to(case / "one") for p in (case / "one").rglob("*") if p.is_file())
    assert len(files) >= 15 and any(f.suffix == ".xlsx" and f.parts[0] == "delivery" for f in files)
    for name in files:
        if name.name != "summary.json":  # its run time differs
            assert (case / "one" / name).read_bytes() == (case / "two" / name).read_bytes(), name


def test_rows_with_bad_values_stop_the_run_unless_skipped(case):
    rows = roster_rows() + [learner("C-01", full_name="Mai Thị Hồng", household="pooor")]
    write_roster(case / "roster.csv", rows, headers="vietnamese")
    done = cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out")
    assert done.returncode == 2 and not (case / "out").exists()
    assert "roster.csv, row 9, column 'household': error: unknown household status (found 'pooor')" in done.stderr
    assert "Mai Thị Hồng" not in done.stderr + done.stdout
    done = cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out", "--skip-invalid")
    assert done.returncode == 0, done.stderr
    assert "1 with bad values" in done.stdout
    report = (case / "out" / "roster_report.csv").read_text(encoding="utf-8-sig")
    assert "C-01" not in report and ",9,HS-" in report


def test_roster_check_exit_codes_and_no_names(case):
    done = cli("roster", "check", case / "roster.csv", "--areas", case / "areas.csv", "--out", case / "report.csv")
    assert done.returncode == 0, done.stderr
    assert "roster.csv, row 5, column 'has_computer': not eligible: has a computer" in done.stdout
    write_roster(case / "bad.csv", roster_rows() + [learner("C-01", full_name="Mai Thị Hồng", date_of_birth="31/31/2010")])
    done = cli("roster", "check", case / "bad.csv", "--areas", case / "areas.csv")
    assert done.returncode == 2
    assert "bad.csv, row 9, column 'date_of_birth': error: not a date of birth; expected" in done.stdout
    for secret in ("Mai Thị Hồng", "31/31/2010", "C-01", "0912345678", "GCN-"):
        assert secret not in done.stdout + done.stderr
    missing = cli("roster", "check", case / "roster.csv", cwd=case)  # no --areas, no data/longan here
    assert missing.returncode == 2 and "Give it with --areas PATH" in missing.stderr


def test_template_command_writes_the_shipped_template(tmp_path):
    assert cli("roster", "template", tmp_path / "t.xlsx").returncode == 0
    from sim.roster import template_bytes

    assert (tmp_path / "t.xlsx").read_bytes() == template_bytes()


def test_key_file_options(case, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != KEY_ENV}
    missing = cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out",
                  "--key-file", tmp_path / "nope.key", env=env)
    assert missing.returncode == 2 and "pseudonym key file not found" in missing.stderr
    assert cli("roster", "new-key", tmp_path / "keys" / "round1.key").returncode == 0
    key_file = tmp_path / "keys" / "round1.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600 and len(key_file.read_text().strip()) == 64
    again = cli("roster", "new-key", key_file)
    assert again.returncode == 2 and "a key is never overwritten" in again.stderr
    done = cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out",
               "--key-file", key_file, env=env)
    assert done.returncode == 0, done.stderr
    record = json.loads((case / "out" / "assignment.json").read_text())
    assert record["pseudonym_key_id"] == load_key(key_file).key_id
    assert key_file.read_text().strip() not in "".join(p.read_text(errors="replace") for p in (case / "out").rglob("*")
                                                      if p.is_file())
    inside = case / "out" / "my.key"
    assert cli("roster", "new-key", inside).returncode == 0
    refused = cli("assign", case / "scenario.yaml", "--roster", case / "roster.csv", "--out", case / "out",
                  "--key-file", inside, env=env)
    assert refused.returncode == 2 and "the pseudonym key is inside the output folder" in refused.stderr


def test_the_default_key_is_created_once_with_owner_only_permissions(monkeypatch, tmp_path):
    monkeypatch.delenv(KEY_ENV)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    first = load_key()
    assert first.created and first.path == default_key_path().resolve() == (tmp_path / "config" / "sim" / "pseudonym.key")
    assert stat.S_IMODE(first.path.stat().st_mode) == 0o600
    second = load_key()
    assert not second.created and second.secret == first.secret
    assert "secret" not in repr(second) and second.secret.decode() not in repr(second)
    first.path.unlink()
    with pytest.raises(InputError):
        load_key(create=False)


def test_the_environment_key_wins_over_the_default_file_and_must_be_long(monkeypatch):
    monkeypatch.setenv(KEY_ENV, "short")
    with pytest.raises(InputError) as error:
        load_key()
    assert "too short" in str(error.value) and "short" not in str(error.value).replace("too short", "")


def test_a_key_others_can_read_or_inside_a_repository_gets_a_warning(tmp_path):
    from sim.roster.pseudonym import key_warnings, new_key_file

    (tmp_path / "project" / ".git").mkdir(parents=True)
    key = load_key(new_key_file(tmp_path / "project" / "keys" / "k.key"))
    assert [w.split(": ")[-1] for w in key_warnings(key)] == ["move it out, it must never be committed"]
    key.path.chmod(0o644)
    assert [w.split(": ")[-1] for w in key_warnings(key)] == ["chmod 600 it", "move it out, it must never be committed"]
    assert key_warnings(load_key(new_key_file(tmp_path / "elsewhere.key"))) == []


@pytest.mark.parametrize("language, says", [
    ("vi", {"message": "bị ghi hai lần: trùng mã học sinh với sample_roster.csv dòng 105",
            "expected": "mỗi người học một lần", "hint": "Giữ một dòng, xóa các dòng còn lại rồi chạy lại"}),
    ("en", {"message": "listed twice: the same pupil_id as sample_roster.csv row 105",
            "expected": "each learner once", "hint": "Keep one row and remove the others, then run again"}),
])
def test_the_check_report_is_written_for_the_school_in_its_language(tmp_path, capsys, language, says):
    """roster check --out: the format's columns and kinds, the words in the reader's language."""
    from sim.cli.main import main
    from sim.locale import set_language

    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    set_language(language)
    main(["roster", "check", os.path.join(root, "data", "roster", "sample_roster.csv"),
          "--areas", os.path.join(root, "data", "longan", "areas.csv"), "--out", str(tmp_path / "report.csv")])
    capsys.readouterr()
    report = pd.read_csv(tmp_path / "report.csv", encoding="utf-8-sig", keep_default_na=False)
    assert list(report.columns) == ["file", "row", "kind", "column", "message", "value", "expected", "hint"]
    twice = report[(report["row"] == 24) & (report["column"] == "pupil_id") & (report["kind"] == "held_for_review")].iloc[0]
    assert {k: twice[k] for k in says} == says
