"""Approved plans, named learners for an approved version, confirmed handovers, the audit chain.

One season is run once (module fixture) through the command line, as an analyst would: the
sample roster aggregated, two donations, replan, approve, assign --version, a signed list back.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sim.cli.main import main
from sim.ledger.audit import canonical, entry_hash
from sim.ledger.store import Ledger

ROOT = Path(__file__).resolve().parents[1]
KEY = "k" * 40


def run(*argv) -> int:
    return main([str(a) for a in argv])


def sign(list_xlsx: Path, out: Path, marks: dict[int, str | None]) -> int:
    """Fill the 'Ký nhận' column of a delivery list: row n (1-based) gets marks.get(n, 'Đã ký')."""
    book = load_workbook(list_xlsx)
    sheet = book.active
    header = [c.value for c in sheet[5]]
    column = header.index("Ký nhận") + 1
    n = 0
    for r in range(6, sheet.max_row + 1):
        if not isinstance(sheet.cell(r, 1).value, int):
            break
        n += 1
        sheet.cell(r, column, marks.get(n, "Đã ký"))
    book.save(out)
    return n


@pytest.fixture(scope="module")
def season(tmp_path_factory):
    folder = tmp_path_factory.mktemp("season")
    mp = pytest.MonkeyPatch()
    mp.setenv("SIM_PSEUDONYM_KEY", KEY)
    assert run("roster", "aggregate", ROOT / "data/roster/sample_roster.csv", "--out", folder / "students.csv",
               "--skip-invalid") == 0
    text = (ROOT / "data/scenarios/rolling.yaml").read_text(encoding="utf-8")
    text = text.replace("areas: ../longan/areas.csv", f"areas: {ROOT / 'data/longan/areas.csv'}")
    text = text.replace("students: ../longan/students.csv", f"students: {folder / 'students.csv'}")
    (folder / "rolling.yaml").write_text(text, encoding="utf-8")
    lines = (ROOT / "data/donations/season_2023.csv").read_text(encoding="utf-8").splitlines()
    (folder / "donations.csv").write_text("\n".join(lines[:3] + [lines[7]]) + "\n", encoding="utf-8")  # 001, 002, 007
    db = folder / "ledger.sqlite"
    assert run("donations", "import", folder / "donations.csv", "--db", db) == 0
    assert run("replan", folder / "rolling.yaml", "--db", db, "--out", folder / "r1", "--quiet") == 0
    assert run("plans", "approve", 1, "--by", "Nguyễn Văn A", "--note", "QĐ 1", "--db", db) == 0
    assert run("assign", folder / "rolling.yaml", "--version", 1, "--roster", ROOT / "data/roster/sample_roster.csv",
               "--out", folder / "a1", "--db", db, "--skip-invalid", "--quiet") == 0
    rows = sign(folder / "a1/delivery/by_district/Tân An.xlsx", folder / "signed.xlsx", {1: None, 2: "chuyển trường"})
    assert run("handovers", "import", folder / "signed.xlsx", "--version", 1, "--date", "05/12/2026", "--db", db) == 0
    yield {"folder": folder, "db": db, "signed_rows": rows}
    mp.undo()


def copy_db(season, tmp_path) -> Path:
    db = tmp_path / "ledger.sqlite"
    shutil.copy(season["db"], db)
    return db


def test_an_approved_version_cannot_be_changed_or_deleted(season, tmp_path, capsys):
    db = copy_db(season, tmp_path)
    raw = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="approved: it cannot be changed"):
        raw.execute("UPDATE plan_versions SET scenario_name = 'x' WHERE version = 1")
    with pytest.raises(sqlite3.IntegrityError, match="approved: it cannot be deleted"):
        raw.execute("DELETE FROM plan_versions WHERE version = 1")
    with pytest.raises(sqlite3.IntegrityError, match="approval is final"):
        raw.execute("DELETE FROM approvals")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        raw.execute("UPDATE audit SET kind = 'purge'")
    raw.close()
    assert run("plans", "approve", 1, "--by", "Người khác", "--db", db) == 2
    assert "this plan version is approved already" in capsys.readouterr().err
    assert run("plans", "approve", 9, "--by", "X", "--db", db) == 2
    assert run("plans", "approve", 1, "--by", "  ", "--db", db) == 2


def test_assign_names_the_approved_counts_exactly(season):
    folder = season["folder"]
    allocation = Ledger(season["db"]).version(1).allocation
    schools = (folder / "a1/schools.csv").read_text(encoding="utf-8-sig")
    record = json.loads((folder / "a1/assignment.json").read_text(encoding="utf-8"))
    for device in ("tablet", "laptop", "desktop"):
        assert record["devices"].get(device, 0) == int(allocation.loc[allocation["device"] == device, "devices"].sum())
    assert record["data_packages"] == int(allocation["data_packages"].sum())
    assert "Họ và tên" not in schools


def test_assign_a_version_that_is_not_approved_is_refused(season, tmp_path, capsys):
    db = copy_db(season, tmp_path)
    folder = season["folder"]
    assert run("replan", folder / "rolling.yaml", "--db", db, "--out", tmp_path / "r2", "--quiet") == 0
    assert run("assign", folder / "rolling.yaml", "--version", 2, "--roster", ROOT / "data/roster/sample_roster.csv",
               "--out", tmp_path / "a2", "--db", db, "--skip-invalid") == 2
    assert "this plan version is not approved" in capsys.readouterr().err
    assert not (tmp_path / "a2").exists()


def test_a_changed_roster_is_reported(season, tmp_path, monkeypatch):
    monkeypatch.setenv("SIM_PSEUDONYM_KEY", KEY)
    lines = (ROOT / "data/roster/sample_roster.csv").read_text(encoding="utf-8-sig").splitlines()
    tan_an = [i for i, line in enumerate(lines) if ",Tân An," in line]
    gone = lines[tan_an[0]]
    other = next(lines[i] for i in tan_an if lines[i].split(",")[5] != gone.split(",")[5])  # another grade
    new = ",".join(["7990000001", "Học Sinh Mới", *other.split(",")[2:]])
    changed = [line for line in lines if line != gone] + [new]
    (tmp_path / "roster.csv").write_text("\n".join(changed) + "\n", encoding="utf-8")
    db = copy_db(season, tmp_path)
    folder = season["folder"]
    assert run("assign", folder / "rolling.yaml", "--version", 1, "--roster", tmp_path / "roster.csv", "--out",
               tmp_path / "a", "--db", db, "--skip-invalid", "--quiet") == 0
    import pandas as pd

    changes = pd.read_csv(tmp_path / "a/roster_changes.csv", encoding="utf-8-sig")
    assert changes["learners_gone"].sum() >= 1 and changes["new_learners"].sum() >= 1
    waiting = pd.read_csv(tmp_path / "a/waiting_list.csv", encoding="utf-8-sig")
    assert len(waiting) >= 1  # the new learner waits: the approved version did not count them


def test_handovers_are_recorded_by_pseudonym_and_counted(season, capsys):
    with Ledger(season["db"]) as ledger:
        rows = ledger.db.execute("SELECT pseudonym, outcome FROM handovers").fetchall()
    assert len(rows) == season["signed_rows"]
    assert {o for _, o in rows} == {"handed_over", "not_collected", "moved"}
    assert all(p.startswith("HS-") for p, _ in rows)
    text = season["db"].read_bytes()
    signed = load_workbook(season["folder"] / "signed.xlsx").active
    for r in range(6, 6 + season["signed_rows"]):
        assert str(signed.cell(r, 2).value).encode() not in text  # no pupil id in the ledger
        assert str(signed.cell(r, 3).value).encode("utf-8") not in text  # no name
    assert run("handovers", "status", "--by", "district", "--db", season["db"]) == 0
    out = capsys.readouterr().out
    line = next(l for l in out.splitlines() if "Tân An" in l).split()
    planned, handed, not_collected, moved, no_news, outstanding, returned = map(int, line[-7:])
    assert (planned, handed, outstanding) == (season["signed_rows"], season["signed_rows"] - 2, 2)


def test_importing_the_same_signed_list_twice_records_nothing(season, tmp_path, capsys):
    db = copy_db(season, tmp_path)
    assert run("handovers", "import", season["folder"] / "signed.xlsx", "--version", 1, "--db", db) == 0
    assert "recorded nothing new" in capsys.readouterr().out


def test_a_return_and_a_csv_of_ids(season, tmp_path, capsys):
    db = copy_db(season, tmp_path)
    signed = load_workbook(season["folder"] / "signed.xlsx").active
    first_signed = str(signed.cell(8, 2).value)  # row 3 of the list: signed
    (tmp_path / "returned.csv").write_text(f"Mã học sinh,Tình trạng\n{first_signed},trả lại\n", encoding="utf-8")
    assert run("handovers", "import", tmp_path / "returned.csv", "--version", 1, "--db", db) == 0
    assert "1 returned" in capsys.readouterr().out  # English in tests (conftest); Vietnamese: "1 trả lại"
    (tmp_path / "stranger.csv").write_text("pupil_id\n000000000000\n", encoding="utf-8")
    assert run("handovers", "import", tmp_path / "stranger.csv", "--version", 1, "--db", db) == 2
    err = capsys.readouterr().err
    assert "not on the delivery list" in err and "000000000000" not in err


def test_replan_pools_what_was_not_handed_over(season, tmp_path):
    from sim.ledger.handovers import confirmed

    with Ledger(season["db"]) as ledger:
        handed = confirmed(ledger.db)
        listed = json.loads(ledger.db.execute("SELECT rows_json FROM delivery_lists").fetchone()[0])
    tan_an = sum(n for (d, _), n in handed.items() if d == "Tân An")
    assert tan_an == season["signed_rows"] - 2
    db = copy_db(season, tmp_path)
    assert run("replan", season["folder"] / "rolling.yaml", "--db", db, "--out", tmp_path / "r2", "--quiet") == 0
    with Ledger(db) as ledger:
        state = ledger.version(2).ledger_state
    assert sum(n for d, _, n in state["handovers"] if d == "Tân An") == tan_an
    assert sum(1 for r in listed if r["district"] == "Tân An") == season["signed_rows"]


def test_audit_verify_passes_then_names_an_edited_entry(season, tmp_path, capsys):
    db = copy_db(season, tmp_path)
    assert run("audit", "verify", "--db", db) == 0
    assert "audit trail intact" in capsys.readouterr().out
    raw = sqlite3.connect(db)
    trigger = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'audit_is_not_changed'").fetchone()[0]
    seq, content = raw.execute("SELECT seq, content FROM audit WHERE kind = 'donation' ORDER BY seq LIMIT 1 OFFSET 1").fetchone()
    raw.execute("DROP TRIGGER audit_is_not_changed")
    raw.execute("UPDATE audit SET content = ? WHERE seq = ?", (content.replace("1200", "1300"), seq))
    raw.execute(trigger)
    raw.commit()
    raw.close()
    assert run("audit", "verify", "--db", db) == 1
    assert f"first at entry {seq} (donation" in capsys.readouterr().err


def test_audit_verify_names_a_donation_edited_with_a_forged_checksum(season, tmp_path, capsys):
    from sim.ledger.store import _DONATION_FIELDS, checksum

    db = copy_db(season, tmp_path)
    raw = sqlite3.connect(db)
    names = [f.strip() for f in _DONATION_FIELDS.split(",")]
    row = dict(zip(names, raw.execute(f"SELECT {_DONATION_FIELDS} FROM donations WHERE donation_id = 'LA23-001'").fetchone()))
    row["amount_vnd"] = 1
    raw.execute("UPDATE donations SET amount_vnd = 1, checksum = ? WHERE donation_id = 'LA23-001'", (checksum(row),))
    raw.commit()
    seq = raw.execute("SELECT max(seq) FROM audit WHERE kind = 'donation' AND ref = 'LA23-001'").fetchone()[0]
    raw.close()
    assert run("audit", "verify", "--db", db) == 1
    assert f"first at entry {seq} (donation LA23-001)" in capsys.readouterr().err


def test_the_chain_is_what_the_readme_says(season):
    raw = sqlite3.connect(season["db"])
    previous = "0" * 64
    for seq, at, kind, ref, content, prev, stored in raw.execute("SELECT * FROM audit ORDER BY seq"):
        assert prev == previous and canonical(json.loads(content)) == content
        assert stored == entry_hash(seq, at, kind, ref, json.loads(content), prev)
        previous = stored
    kinds = [k for (k,) in raw.execute("SELECT kind FROM audit ORDER BY seq")]
    assert kinds == ["donation"] * 3 + ["plan_version", "approval", "delivery_list", "handovers"]


def test_trace_a_donation(season, capsys):
    assert run("audit", "trace", "LA23-007", "--db", season["db"]) == 0
    out = capsys.readouterr().out
    assert "plan version 1 (approved): counted 1 of it" in out
    assert "earmarked for Tân Hưng" in out
    assert run("audit", "trace", "LA23-999", "--db", season["db"]) == 2


def test_an_older_ledger_gets_its_trail(tmp_path):
    from sim.ledger.audit import verify
    from sim.ledger.store import SCHEMA

    db = tmp_path / "old.sqlite"
    raw = sqlite3.connect(db)
    for statement in SCHEMA:
        raw.execute(statement)
    raw.executemany("INSERT INTO meta VALUES (?, ?)", [("application", "sim ledger"), ("schema_version", "1"),
                                                        ("created_at", "2025-01-01")])
    raw.commit()
    raw.close()
    assert run("donations", "import", ROOT / "data/donations/season_2023.csv", "--db", db) == 0
    with Ledger(db) as ledger:
        assert verify(ledger.db).ok and verify(ledger.db).entries == 22


def test_publish_shows_no_learner_and_no_small_group(season, tmp_path):
    import csv
    import re

    assert run("publish", "--out", tmp_path / "site", "--db", season["db"], "--areas", ROOT / "data/longan/areas.csv") == 0
    pages = sorted((tmp_path / "site").rglob("*.html"))
    assert len(pages) == 16
    text = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "<script" not in text.lower() and "http://" not in text and "https://" not in text
    with open(ROOT / "data/roster/sample_roster.csv", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    personal = ["Mã học sinh", "Họ và tên", "Ngày sinh", "Số chứng nhận hộ nghèo", "Số điện thoại", "Ghi chú", "Trường"]
    values = {r[c].strip() for r in rows for c in personal if len(r[c].strip()) >= 4}
    values |= {"-".join(reversed(r["Ngày sinh"].split("/"))) for r in rows if r["Ngày sinh"].count("/") == 2}
    assert len(values) > 300
    found = [v for v in values if v in text or v.replace("&", "&amp;") in text]
    assert not found, f"{len(found)} roster values in the published pages"
    cells = re.findall(r'<td class="n">([^<]*)</td>', text)
    assert cells
    for cell in cells:
        assert cell in ("0", "&lt;5", "…") or int(cell.replace(",", "")) >= 5, cell
    assert "&lt;5" in text  # the sample season has small groups: they are hidden, not left out
    head = sqlite3.connect(season["db"]).execute("SELECT hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()[0]
    assert head in (tmp_path / "site/index.html").read_text(encoding="utf-8")


def test_anonymous_donors_and_suppression_rules():
    from sim.publish.site import donor_name, suppressed

    assert donor_name("Bạn đọc báo G (ẩn danh)") == "Ẩn danh" and donor_name("Anonymous") == "Ẩn danh"
    assert donor_name("Công ty C") == "Công ty C"
    assert suppressed([0, 3, 7, 12], 5) == ["0", "<5", "…", "12"]  # one hidden cell hides the next smallest too
    assert suppressed([2, 3, 40], 5) == ["<5", "<5", "40"]


def test_purge_deletes_the_lists_of_closed_rounds_and_keeps_the_trail(season, tmp_path, capsys):
    db = copy_db(season, tmp_path)
    delivery = season["folder"] / "a1" / "delivery"
    assert run("roster", "purge", "--before", "01/12/2026", "--db", db) == 0  # closed 05/12/2026: not yet
    assert "Nothing to purge" in capsys.readouterr().out and delivery.is_dir()
    keep = tmp_path / "keep"
    shutil.copytree(season["folder"] / "a1", keep)
    with sqlite3.connect(db) as raw:  # the copy's list lives in keep/delivery
        raw.execute("UPDATE delivery_lists SET folder = ?", (str(keep / "delivery"),))
    assert run("roster", "purge", "--before", "2027-01-01", "--db", db) == 0
    assert not (keep / "delivery").exists() and (keep / "schools.csv").is_file()
    assert run("audit", "verify", "--db", db) == 0
    kinds = [k for (k,) in sqlite3.connect(db).execute("SELECT kind FROM audit ORDER BY seq")]
    assert kinds[-1] == "purge"


def test_the_privacy_record_lists_every_roster_column(tmp_path):
    from sim.roster.schema import ROSTER

    assert run("privacy", "record", "--out", tmp_path / "record.md") == 0
    text = (tmp_path / "record.md").read_text(encoding="utf-8")
    assert all(f"`{c.name}`" in text for c in ROSTER)
    assert "delivery/" in text and "purge" in text and "HMAC-SHA256" in text
