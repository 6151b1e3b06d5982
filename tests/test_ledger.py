"""The donations ledger: reading the Department's files, recording once, exporting, refusing damage."""

from __future__ import annotations

import sqlite3
import os
import subprocess
import sys
import pytest
from openpyxl import Workbook

import sim
from sim.ledger.donations import DELIVERY_KIND, DONATION_KIND, read_records, write_records
from sim.ledger.store import Ledger
from tests.conftest import write_csv
from tests.test_bad_input import windows_1258

HEADER = ["donation_id", "date", "donor", "kind", "device", "quantity", "amount_vnd", "earmark_district", "earmark_band", "status"]


def donation(donation_id, date="2026-11-24", donor="Công ty A", kind="cash", device="", quantity="", amount_vnd="",
             earmark_district="", earmark_band="", status="received") -> dict:
    return {"donation_id": donation_id, "date": date, "donor": donor, "kind": kind, "device": device, "quantity": quantity,
            "amount_vnd": amount_vnd, "earmark_district": earmark_district, "earmark_band": earmark_band, "status": status}


GOOD = [
    donation("D1", amount_vnd="5000000"),
    donation("D2", date="24/11/2026", kind="device", device="Tablet", quantity="10", status="pledged"),
    donation("D3", kind="data_package", quantity="20", earmark_district="Bình Hòa"),
]


def run_cli(*args, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *map(str, args)], capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={**os.environ, "SIM_LANG": "en"})  # English messages, as asserted


def ids(db) -> list[str]:
    with Ledger(db) as ledger:
        return [d.donation_id for d in ledger.donations()]


# ---------------------------------------------------------------- reading files

def test_a_good_file_reads_into_records(tmp_path):
    items = read_records(write_csv(tmp_path / "d.csv", GOOD, HEADER), DONATION_KIND)
    first, second, third = (i.record for i in items)
    assert (first.kind, first.amount_vnd, first.quantity, first.device) == ("cash", 5_000_000, 0, "")
    assert (second.date, second.device, second.quantity, second.status) == ("2026-11-24", "tablet", 10, "pledged")
    assert (third.kind, third.device, third.earmark_district) == ("data_package", "", "Bình Hòa")
    assert items[1].source == "d.csv:3"


def test_every_problem_of_a_file_is_named_with_row_column_value_and_expected(tmp_path):
    rows = [donation("D1", date="11/24/2026", amount_vnd="5000000"),
            donation("D2", kind="gift", amount_vnd="1"),
            donation("D3", amount_vnd="1.5"),
            donation("D4", kind="device", quantity="3", status="recieved"),
            donation("D5", kind="device", device="tablet", quantity="3", status="delivered"),
            donation("D6", amount_vnd="100", earmark_band="7")]
    with pytest.raises(sim.InputError) as excinfo:
        read_records(write_csv(tmp_path / "d.csv", rows, HEADER), DONATION_KIND)
    text = str(excinfo.value)
    assert "d.csv, row 2, column 'date': not a date (found '11/24/2026'); expected YYYY-MM-DD or day/month/year" in text
    assert "row 3, column 'kind': unknown kind (found 'gift'); expected cash or device or data_package" in text
    assert "row 4, column 'amount_vnd': amount_vnd is not a whole number ≥ 1 (found '1.5')" in text
    assert "row 5, column 'status': unknown status (found 'recieved')" in text and "Did you mean 'received'?" in text
    assert "row 5, column 'device': device is empty for a gift of devices" in text
    assert "row 6, column 'earmark_district': a delivered gift in kind does not say where it was delivered" in text
    assert "row 7, column 'earmark_band': not a priority band (found '7'); expected 1 to 5" in text


def test_an_id_twice_in_one_file_with_other_content_names_both_rows(tmp_path):
    rows = [GOOD[0], GOOD[1], donation("D1", amount_vnd="6000000")]
    with pytest.raises(sim.InputError) as excinfo:
        read_records(write_csv(tmp_path / "d.csv", rows, HEADER), DONATION_KIND)
    assert ("d.csv, row 4, column 'amount_vnd': donation_id 'D1' appears again with different content (found 6000000); "
            "expected 5000000 as in row 2") in str(excinfo.value)


def test_a_row_repeated_exactly_counts_once(tmp_path):
    items = read_records(write_csv(tmp_path / "d.csv", [GOOD[0], GOOD[0]], HEADER), DONATION_KIND)
    assert [i.record.donation_id for i in items] == ["D1"]


def test_excel_csv_in_the_windows_code_page_with_semicolons_and_vietnamese_words(tmp_path):
    text = ("donation_id;date;donor;kind;device;quantity;amount_vnd;earmark_district;earmark_band;status\n"
            "D9;03/02/2027;Hội Khuyến học;tiền mặt;;;1.000.000;Bình Hòa;;đã nhận\n"
            "D10;04/02/2027;Công ty B;thiết bị;laptop;2;;;;cam kết\n")
    path = tmp_path / "d.csv"
    path.write_bytes(windows_1258(text))
    first, second = (i.record for i in read_records(path, DONATION_KIND))
    assert (first.kind, first.status, first.amount_vnd, first.donor, first.date) == ("cash", "received", 1_000_000, "Hội Khuyến học", "2027-02-03")
    assert (second.kind, second.status, second.device) == ("device", "pledged", "laptop")


def test_xlsx_with_real_date_and_number_cells(tmp_path):
    import datetime as dt

    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["D1", dt.datetime(2026, 11, 24), "Công ty A", "cash", None, None, 5_000_000, None, None, "received"])
    sheet.append(["D2", "24/11/2026", "Công ty B", "device", "desktop", 3, None, "An Bình", 1, "pledged"])
    book.save(tmp_path / "d.xlsx")
    first, second = (i.record for i in read_records(tmp_path / "d.xlsx", DONATION_KIND))
    assert (first.date, first.amount_vnd) == ("2026-11-24", 5_000_000)
    assert (second.quantity, second.earmark_band, second.earmark_district) == (3, 1, "An Bình")


def test_a_missing_column_is_named(tmp_path):
    with pytest.raises(sim.InputError) as excinfo:
        rows = [{k: v for k, v in row.items() if k != "status"} for row in GOOD]
        read_records(write_csv(tmp_path / "d.csv", rows), DONATION_KIND)
    assert "d.csv, row 1, column 'status': this column is missing from the header" in str(excinfo.value)


# ---------------------------------------------------------------- recording once

def test_the_same_file_imported_twice_adds_nothing(tmp_path):
    path = write_csv(tmp_path / "d.csv", GOOD, HEADER)
    db = tmp_path / "ledger.sqlite"
    first, second = run_cli("donations", "import", path, "--db", db), run_cli("donations", "import", path, "--db", db)
    assert first.returncode == 0 and "3 added, 0 already in the ledger" in first.stdout
    assert second.returncode == 0 and "0 added, 3 already in the ledger" in second.stdout
    assert ids(db) == ["D1", "D2", "D3"]


def test_the_same_donations_spelt_differently_are_the_same(tmp_path):
    db = tmp_path / "ledger.sqlite"
    with Ledger(db, create=True) as ledger:
        ledger.record(read_records(write_csv(tmp_path / "a.csv", GOOD, HEADER), DONATION_KIND))
        respelt = [dict(GOOD[2], earmark_district="BÌNH HOÀ"), dict(GOOD[1], date="2026-11-24", kind="thiết bị")]
        report = ledger.record(read_records(write_csv(tmp_path / "b.csv", respelt, HEADER), DONATION_KIND))
    assert (report.added, report.unchanged) == ([], ["D3", "D2"])


def test_a_reused_id_with_other_content_names_both_rows_and_adds_nothing(tmp_path):
    db = tmp_path / "ledger.sqlite"
    assert run_cli("donations", "import", write_csv(tmp_path / "april.csv", GOOD, HEADER), "--db", db).returncode == 0
    later = [donation("D4", amount_vnd="1000000"), dict(GOOD[1], quantity="12")]
    done = run_cli("donations", "import", write_csv(tmp_path / "may.csv", later, HEADER), "--db", db)
    assert done.returncode == 2
    assert ("may.csv, row 3, column 'quantity': donation_id 'D2' is already in the ledger with different content (found 12); "
            "expected 10 as recorded from april.csv row 3 on ") in done.stderr
    assert "Traceback" not in done.stderr
    assert ids(db) == ["D1", "D2", "D3"]  # D4, in the same file, was not added either: one transaction


def test_update_records_a_correction_with_its_history(tmp_path):
    db = tmp_path / "ledger.sqlite"
    run_cli("donations", "import", write_csv(tmp_path / "a.csv", GOOD, HEADER), "--db", db)
    done = run_cli("donations", "import", write_csv(tmp_path / "b.csv", [dict(GOOD[1], status="received")], HEADER),
                   "--db", db, "--update")
    assert done.returncode == 0 and "1 changed (D2)" in done.stdout
    with Ledger(db) as ledger:
        assert {d.donation_id: d.status for d in ledger.donations()}["D2"] == "received"
        events = ledger.db.execute("SELECT record_id, action, before, after, source FROM events ORDER BY seq").fetchall()
    assert [(e[0], e[1]) for e in events] == [("D1", "recorded"), ("D2", "recorded"), ("D3", "recorded"), ("D2", "changed")]
    assert '"status": "pledged"' in events[-1][2] and '"status": "received"' in events[-1][3] and events[-1][4] == "b.csv:2"


def test_status_and_add_on_the_command_line(tmp_path):
    db = tmp_path / "ledger.sqlite"
    added = run_cli("donations", "add", "--donation-id", "D7", "--date", "01/12/2026", "--kind", "cash",
                    "--amount-vnd", "2.000.000", "--status", "pledged", "--db", db)
    assert added.returncode == 0, added.stderr
    assert run_cli("donations", "status", "D7", "đã hủy", "--db", db).returncode == 0
    with Ledger(db) as ledger:
        assert [(d.donation_id, d.amount_vnd, d.status) for d in ledger.donations()] == [("D7", 2_000_000, "cancelled")]
    wrong = run_cli("donations", "status", "D8", "received", "--db", db)
    assert wrong.returncode == 2 and "no donation with this id (found 'D8')" in wrong.stderr
    bad = run_cli("donations", "add", "--donation-id", "D9", "--date", "31/02/2026", "--kind", "cash", "--amount-vnd", "1",
                  "--status", "received", "--db", db)
    assert bad.returncode == 2 and "command line, column '--date': not a date (found '31/02/2026')" in bad.stderr


def test_list_shows_records_and_totals_by_status(tmp_path):
    db = tmp_path / "ledger.sqlite"
    run_cli("donations", "import", write_csv(tmp_path / "a.csv", GOOD, HEADER), "--db", db)
    listed = run_cli("donations", "list", "--db", db)
    assert listed.returncode == 0
    assert "pledged       1 donation: 10 tablets\n" in listed.stdout
    assert "received      2 donations: 5,000,000 VND, 20 data packages" in listed.stdout


def test_export_then_import_gives_the_same_ledger_csv_and_xlsx(tmp_path):
    db = tmp_path / "ledger.sqlite"
    run_cli("donations", "import", write_csv(tmp_path / "a.csv", GOOD, HEADER), "--db", db)
    with Ledger(db) as ledger:
        original = ledger.donations()
    for name in ("out.csv", "out.xlsx"):
        assert run_cli("donations", "export", tmp_path / name, "--db", db).returncode == 0
        copy = tmp_path / f"{name}.sqlite"
        with Ledger(copy, create=True) as ledger:
            ledger.record(read_records(tmp_path / name, DONATION_KIND))
            assert ledger.donations() == original
    assert (tmp_path / "out.csv").read_bytes().startswith("\ufeffdonation_id,date,donor".encode())
    assert (tmp_path / "out.csv").read_text(encoding="utf-8-sig").splitlines()[1] == "D1,2026-11-24,Công ty A,cash,,,5000000,,,received"


def test_deliveries_import_list_export(tmp_path):
    rows = [{"delivery_id": "G1", "date": "05/12/2026", "district": "An Bình", "device": "desktop", "quantity": "3", "note": ""}]
    db = tmp_path / "ledger.sqlite"
    path = write_csv(tmp_path / "g.csv", rows)
    assert run_cli("deliveries", "import", path, "--db", db).returncode == 0
    assert "Delivered: 3 desktops" in run_cli("deliveries", "list", "--db", db).stdout
    write_records(tmp_path / "out.csv", Ledger(db).deliveries(), DELIVERY_KIND)
    assert read_records(tmp_path / "out.csv", DELIVERY_KIND)[0].record == read_records(path, DELIVERY_KIND)[0].record


# ---------------------------------------------------------------- damaged or hand-edited files

def made(tmp_path, count: int = 3):
    db = tmp_path / "ledger.sqlite"
    rows = [donation(f"D{i:04}", amount_vnd=str(1000 + i), donor="Nhà hảo tâm " * 5) for i in range(count)]
    with Ledger(db, create=True) as ledger:
        ledger.record(read_records(write_csv(tmp_path / "many.csv", rows, HEADER), DONATION_KIND))
    return db


def refused(db) -> str:
    done = run_cli("donations", "list", "--db", db)
    assert done.returncode == 2, done.stdout
    assert "Traceback" not in done.stderr
    return done.stderr


def test_no_ledger_at_the_path(tmp_path):
    assert "ledger.sqlite: no ledger here; expected an existing ledger file" in refused(tmp_path / "ledger.sqlite")
    assert not (tmp_path / "ledger.sqlite").exists()


def test_a_file_that_is_not_a_database(tmp_path):
    (tmp_path / "ledger.sqlite").write_text("donation_id,date\nD1,2026-11-24\n")
    assert "not a ledger: the file is not an SQLite database" in refused(tmp_path / "ledger.sqlite")


def test_another_programs_database(tmp_path):
    other = sqlite3.connect(tmp_path / "other.sqlite")
    other.execute("CREATE TABLE t (x)")
    other.commit()
    other.close()
    assert "not a ledger: this SQLite database was not made by sim" in refused(tmp_path / "other.sqlite")


def test_a_value_changed_by_hand_is_detected(tmp_path):
    db = made(tmp_path)
    raw = sqlite3.connect(db)
    raw.execute("UPDATE donations SET amount_vnd = 999999 WHERE donation_id = 'D0001'")
    raw.commit()
    raw.close()
    assert "record 'D0001' in table 'donations' was changed outside sim (its checksum does not match)" in refused(db)


def test_a_table_changed_by_hand_is_detected(tmp_path):
    db = made(tmp_path)
    raw = sqlite3.connect(db)
    raw.execute("CREATE INDEX by_donor ON donations (donor)")
    raw.commit()
    raw.close()
    assert "the ledger's table or index 'by_donor' was changed outside sim" in refused(db)


def test_a_newer_format_is_refused(tmp_path):
    db = made(tmp_path)
    raw = sqlite3.connect(db)
    raw.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    raw.commit()
    raw.close()
    assert "the ledger's format version is not one this sim reads (found '2'); expected version 1" in refused(db)


def test_the_database_refuses_impossible_values_itself(tmp_path):
    raw = sqlite3.connect(made(tmp_path))
    for statement in ("UPDATE donations SET status = 'lost'", "UPDATE donations SET amount_vnd = 0",
                      "UPDATE donations SET date = '24/11/2026'", "UPDATE donations SET kind = 'device'"):
        with pytest.raises(sqlite3.IntegrityError, match="CHECK constraint failed"):
            raw.execute(statement)
    raw.close()


def test_a_truncated_file_is_detected(tmp_path):
    db = made(tmp_path, count=300)
    data = db.read_bytes()
    assert len(data) > 8 * 4096
    db.write_bytes(data[: len(data) // 2])
    assert "the ledger file is damaged" in refused(db)


def test_overwritten_pages_are_detected(tmp_path):
    db = made(tmp_path, count=300)
    data = bytearray(db.read_bytes())
    data[3 * 4096: 5 * 4096] = bytes(range(256)) * 32
    db.write_bytes(bytes(data))
    assert "the ledger file is damaged" in refused(db)
