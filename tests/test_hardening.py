"""Issue 14, the input half: each way a fuzzer broke a reader or a writer, now a clean message.

Every command here runs in process (``sim.cli.main.main``); a test fails if an exception escapes,
if the exit code is not the documented one, or if the message misses the file, row or reason.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import sqlite3
import time
from pathlib import Path

import pytest

from sim.cli.main import main
from tests.conftest import ROOT

DATA = ROOT / "data"
MAX_LINES, MAX_WIDTH = 25, 300


@pytest.fixture
def folder(tmp_path):
    """A copy of the bundled Long An inputs: scenarios/baseline.yaml, longan/*.csv, donations/*.csv."""
    for sub in ("scenarios", "longan", "donations"):
        shutil.copytree(DATA / sub, tmp_path / sub)
    return tmp_path


def cli(capsys, *argv) -> tuple[int, str]:
    code = main([str(a) for a in argv])
    out = capsys.readouterr()
    message = out.err
    lines = message.splitlines()
    if code != 0:
        assert len(lines) <= MAX_LINES and all(len(line) <= MAX_WIDTH for line in lines), message[:2000]
        assert "Traceback" not in message
    return code, message


def scenario_with(folder: Path, extra: str = "", old: str = "", new: str = "", raw: bytes = b"") -> Path:
    path = folder / "scenarios" / "baseline.yaml"
    text = path.read_text(encoding="utf-8")
    if old:
        assert old in text
        text = text.replace(old, new)
    path.write_bytes((text + extra).encode("utf-8") + raw)
    return path


def run(capsys, folder, scenario=None):
    out = folder / "out"
    code, message = cli(capsys, "run", scenario or folder / "scenarios" / "baseline.yaml", "--out", out, "--quiet")
    if code != 0:
        assert not out.exists() or not any(out.iterdir()), "a failed run wrote files"
    return code, message


# ---------------------------------------------------------------- scenario and sweep YAML

def test_yaml_that_is_not_utf8_names_the_line(folder, capsys):
    path = scenario_with(folder, raw=b"# caf\xe9\n")
    lines = path.read_bytes().count(b"\n")
    code, message = run(capsys, folder)
    assert code == 2 and f"baseline.yaml, line {lines}: not UTF-8 text" in message


def test_a_sweep_file_that_is_not_utf8(folder, capsys):
    grid = folder / "scenarios" / "sweep_grid.yaml"
    grid.write_bytes(grid.read_bytes() + b"# caf\xe9\n")
    code, message = cli(capsys, "sweep", folder / "scenarios" / "baseline.yaml", "--grid", grid, "--out", folder / "out",
                        "--workers", "0", "--quiet")
    assert code == 2 and "sweep_grid.yaml" in message and "not UTF-8 text" in message


@pytest.mark.parametrize("extra, said", [
    ("description: " + "[" * 1000 + "]" * 1000 + "\n", "nested more than"),
    ("sources: &s [*s]\n", "used inside its own anchor"),
])
def test_deep_or_self_referencing_yaml(folder, capsys, extra, said):
    path = scenario_with(folder, old="sources:", new="references:" if "sources" in extra else "sources:", extra=extra)
    code, message = run(capsys, folder, path)
    assert code == 2 and said in message


def test_billion_laughs_is_refused_at_once(folder, capsys):
    laughs = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    laughs += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 8)]
    assert len("\n".join(laughs)) < 2000
    scenario_with(folder, extra="\n".join(laughs) + "\n")
    started = time.perf_counter()
    code, message = run(capsys, folder)
    assert time.perf_counter() - started < 10
    assert code == 2 and "more than 100,000 values (aliases counted in full)" in message and len(message) < 1000


@pytest.mark.parametrize("old, new, value", [
    ("budget_vnd: 2000000000", "budget_vnd: !!float abc", "'abc'"),
    ("name: baseline", "name: !!timestamp 2001-13-99x", "'2001-13-99x'"),
    ("budget_vnd: 2000000000", "budget_vnd: !!int 0x", "'0x'"),
])
def test_tags_with_values_they_cannot_read(folder, capsys, old, new, value):
    code, message = run(capsys, folder, scenario_with(folder, old=old, new=new))
    assert code == 2 and "cannot read" in message and f"(found {value})" in message


def test_a_key_given_twice_names_both_lines(folder, capsys):
    path = scenario_with(folder, extra="budget_vnd: 0\n")
    last = path.read_text(encoding="utf-8").count("\n")
    code, message = run(capsys, folder)
    assert code == 2 and f"the key 'budget_vnd' is given twice, in rows 11 and {last}" in message


@pytest.mark.parametrize("old, new, column", [
    ("budget_vnd: 2000000000", "budget_vnd: 0x7fffffffffffffff", "budget_vnd"),
    ("budget_vnd: 2000000000", "budget_vnd: 1" + "0" * 400, "budget_vnd"),
    ("in_stock: 2687}", "in_stock: 1" + "0" * 400 + "}", "devices.tablet.in_stock"),
    ("months: 12", "months: 9223372036854775807", "data_package.months"),
])
def test_amounts_have_an_upper_bound(folder, capsys, old, new, column):
    code, message = run(capsys, folder, scenario_with(folder, old=old, new=new))
    assert code == 2 and f"key '{column}': too large" in message and "expected at most" in message


# ---------------------------------------------------------------- tables

def _replace_cell(path: Path, row: int, column: str, value: str) -> None:
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    header = lines[0].split(",")
    cells = lines[row - 1].split(",")
    cells[header.index(column)] = value
    lines[row - 1] = ",".join(cells)
    path.write_text("\n".join(lines), encoding="utf-8")


@pytest.mark.parametrize("file, column", [("areas.csv", "name"), ("students.csv", "district")])
def test_a_cell_over_the_csv_limit(folder, capsys, file, column):
    _replace_cell(folder / "longan" / file, 3, column, '"' + "x" * 140_000)
    code, message = run(capsys, folder)
    assert code == 2 and f"{file}, row 3: cannot read the row as CSV" in message and "131,072" in message


@pytest.mark.parametrize("kind, file, column", [("donations", "season_2023.csv", "donor"),
                                                ("deliveries", "season_2023_deliveries.csv", "note")])
def test_a_cell_over_the_csv_limit_in_the_ledger_files(folder, capsys, kind, file, column):
    _replace_cell(folder / "donations" / file, 2, column, "y" * 140_000)
    code, message = cli(capsys, kind, "import", folder / "donations" / file, "--db", folder / "l.sqlite")
    assert code == 2 and f"{file}, row 2: cannot read the row as CSV" in message
    assert not (folder / "l.sqlite").exists()


def test_extra_cells_name_the_row(folder, capsys):
    path = folder / "donations" / "season_2023_deliveries.csv"
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    lines[2] = lines[2] + ", not cut"  # an unquoted comma in the note
    path.write_text("\n".join(lines), encoding="utf-8")
    code, message = cli(capsys, "deliveries", "import", path, "--db", folder / "l.sqlite")
    assert code == 2 and "row 3: 7 cells in a row but 6 columns in the header (found ' not cut')" in message


def test_a_column_twice_in_the_header(folder, capsys):
    path = folder / "longan" / "students.csv"
    lines = path.read_text(encoding="utf-8-sig").split("\n")
    lines = [line + "," + line.split(",")[3] if line else line for line in lines]
    path.write_text("\n".join(lines), encoding="utf-8")
    code, message = run(capsys, folder)
    assert code == 2 and "students.csv, row 1, column 'pupils': a column appears twice in the header" in message


@pytest.mark.parametrize("file, row, column, value, said", [
    ("students.csv", 2, "pupils", "1e30", "pupils is too large"),
    ("students.csv", 2, "pupils", "9223372036854775807", "pupils is too large"),
    ("students.csv", 2, "grade", "9" * 400, "unknown grade"),
    ("students.csv", 2, "without_internet", str(2 ** 64), "without_internet is too large"),
    ("areas.csv", 2, "population", str(2 ** 64), "population is too large"),
    ("areas.csv", 2, "lat", "nan", "lat is not a coordinate"),
])
def test_huge_numbers_in_tables(folder, capsys, file, row, column, value, said):
    _replace_cell(folder / "longan" / file, row, column, value)
    code, message = run(capsys, folder)
    assert code == 2 and f"{file}, row {row}, column '{column}': {said}" in message


@pytest.mark.parametrize("column, value, said", [
    ("amount_vnd", str(2 ** 64), "amount_vnd is too large"),
    ("amount_vnd", "²", "amount_vnd is not a whole number"),
    ("amount_vnd", "1" + "0" * 400, "amount_vnd is"),
    ("donation_id", "\x00", "the id holds an invisible or control character"),
    ("donation_id", "LA23\u200b-001", "the id holds an invisible or control character"),
])
def test_bad_donation_cells(folder, capsys, column, value, said):
    path = folder / "donations" / "season_2023.csv"
    _replace_cell(path, 2, column, value)
    code, message = cli(capsys, "donations", "import", path, "--db", folder / "l.sqlite")
    assert code == 2 and f"season_2023.csv, row 2, column '{column}': {said}" in message


def test_a_delivery_id_with_a_nul(folder, capsys):
    path = folder / "donations" / "season_2023_deliveries.csv"
    _replace_cell(path, 3, "delivery_id", "GIAO\x00")
    code, message = cli(capsys, "deliveries", "import", path, "--db", folder / "l.sqlite")
    assert code == 2 and "row 3, column 'delivery_id': the id holds an invisible or control character" in message


# ---------------------------------------------------------------- disk full, read-only

def _disk_full(monkeypatch):
    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)


def test_disk_full_during_run_names_the_file(folder, capsys, monkeypatch):
    _disk_full(monkeypatch)
    out = folder / "out"
    code, message = cli(capsys, "run", folder / "scenarios" / "baseline.yaml", "--out", out, "--quiet")
    assert code == 2 and f"cannot write or read" not in message
    assert f"cannot read or write {out / 'allocation.csv'}: {os.strerror(errno.ENOSPC)}" in message
    assert [p.name for p in out.iterdir()] == []  # no temporary file left, nothing half-written


def test_disk_full_during_a_sweep_names_the_file(folder, capsys, monkeypatch):
    grid = folder / "g.yaml"
    grid.write_text("grid:\n  budget_vnd: [1000000000]\n", encoding="utf-8")
    _disk_full(monkeypatch)
    code, message = cli(capsys, "sweep", folder / "scenarios" / "baseline.yaml", "--grid", grid, "--out", folder / "out",
                        "--workers", "0", "--quiet")
    assert code == 2 and f"cannot read or write {folder / 'out'}" in message and os.strerror(errno.ENOSPC) in message


def test_a_read_only_ledger_says_so(folder, capsys, monkeypatch):
    db = folder / "l.sqlite"
    assert cli(capsys, "donations", "import", folder / "donations" / "season_2023.csv", "--db", db)[0] == 0
    real = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda database, *a, **k: real(re.sub("mode=rwc?", "mode=ro", database), *a, **k))
    before = db.read_bytes()
    code, message = cli(capsys, "deliveries", "import", folder / "donations" / "season_2023_deliveries.csv", "--db", db)
    assert code == 2 and f"cannot read or write {db}: the ledger cannot be written" in message and "read-only" in message
    code, message = cli(capsys, "donations", "status", "LA23-002", "received", "--db", db)
    assert code == 2 and "read-only" in message
    assert db.read_bytes() == before


# ---------------------------------------------------------------- nothing destroyed by a typo

def test_export_never_replaces_the_ledger(folder, capsys):
    db = folder / "l.sqlite"
    assert cli(capsys, "donations", "import", folder / "donations" / "season_2023.csv", "--db", db)[0] == 0
    before = db.read_bytes()
    for force in ([], ["--force"]):
        code, message = cli(capsys, "donations", "export", db, "--db", db, *force)
        assert code == 2 and "l.sqlite: the output file is also an input of this command" in message
    assert db.read_bytes() == before


def test_export_over_another_kind_of_file_needs_force(folder, capsys):
    db = folder / "l.sqlite"
    cli(capsys, "donations", "import", folder / "donations" / "season_2023.csv", "--db", db)
    other = folder / "donations" / "season_2023_deliveries.csv"
    before = other.read_bytes()
    code, message = cli(capsys, "donations", "export", other, "--db", db)
    assert code == 2 and "already exists and is not one this command wrote" in message and "--force" in message
    assert other.read_bytes() == before
    target = folder / "export.csv"
    assert cli(capsys, "donations", "export", target, "--db", db)[0] == 0
    assert cli(capsys, "donations", "export", target, "--db", db)[0] == 0  # its own export again: replaced
    assert cli(capsys, "donations", "export", other, "--db", db, "--force")[0] == 0


def test_roster_commands_never_write_over_a_roster(tmp_path, capsys):
    roster = tmp_path / "r.csv"
    shutil.copy(DATA / "roster" / "sample_roster.csv", roster)
    before = roster.read_bytes()
    areas = DATA / "longan" / "areas.csv"
    code, message = cli(capsys, "roster", "check", roster, "--areas", areas, "--out", roster, "--force")
    assert code == 2 and "r.csv: the output file is also an input of this command" in message
    code, message = cli(capsys, "roster", "template", roster)
    assert code == 2 and "r.csv: the template file already exists" in message
    assert roster.read_bytes() == before
    template = tmp_path / "t.xlsx"
    assert cli(capsys, "roster", "template", template)[0] == 0
    assert cli(capsys, "roster", "template", template)[0] == 0  # the same template again
    assert cli(capsys, "roster", "template", roster, "--force")[0] == 0


def test_sweep_keeps_an_unrelated_sweep_csv(folder, capsys):
    out = folder / "out"
    out.mkdir()
    (out / "sweep.csv").write_text("my,own,table\n1,2,3\n", encoding="utf-8")
    grid = folder / "g.yaml"
    grid.write_text("grid:\n  budget_vnd: [1000000000]\n", encoding="utf-8")
    args = ["sweep", folder / "scenarios" / "baseline.yaml", "--grid", grid, "--out", out, "--workers", "0", "--quiet"]
    code, message = cli(capsys, *args)
    assert code == 2 and "sweep.csv: the output file already exists" in message
    assert (out / "sweep.csv").read_text(encoding="utf-8") == "my,own,table\n1,2,3\n"
    assert cli(capsys, *args, "--force")[0] == 0
    assert cli(capsys, *args)[0] == 0  # the same sweep resumed: its own sweep.csv


def test_run_keeps_files_of_another_kind_in_out(folder, capsys):
    out = folder / "out"
    out.mkdir()
    (out / "summary.json").write_text("not json", encoding="utf-8")
    code, message = cli(capsys, "run", folder / "scenarios" / "baseline.yaml", "--out", out, "--quiet")
    assert code == 2 and "summary.json: the output file already exists" in message
    assert (out / "summary.json").read_text(encoding="utf-8") == "not json"
    assert cli(capsys, "run", folder / "scenarios" / "baseline.yaml", "--out", out, "--quiet", "--force")[0] == 0
    assert cli(capsys, "run", folder / "scenarios" / "baseline.yaml", "--out", out, "--quiet")[0] == 0  # its own results
    code, message = cli(capsys, "run", folder / "scenarios" / "baseline.yaml", "--out", folder / "longan" / "areas.csv")
    assert code == 2 and "--out names a file, not a folder" in message
