"""Where a ledger record came from (issue 12): the ledger stores it in no language (``april.csv:3``,
``command-line``) and the reader sees it in theirs when it is shown (``april.csv, dòng 3`` in
Vietnamese, ``april.csv row 3`` in English). Ledgers written before hold English words
(``april.csv row 3``, ``command line``): they still open, verify and are shown in the reader's language.

tests/conftest.py sets English for every test: the Vietnamese ones set their language here."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys

import pytest

from sim.cli.main import main
from sim.ledger.audit import verify
from sim.ledger.donations import DONATION_KIND, from_columns, read_records
from sim.ledger.sources import BY_HAND, COMMAND_LINE, file_row, parse, shown
from sim.ledger.store import Ledger
from sim.locale import set_language
from tests.conftest import ROOT, write_csv
from tests.test_ledger import GOOD, HEADER, donation

SEASON = ROOT / "data" / "donations"


def stored(db, table: str = "donations") -> dict[str, str]:
    key = {"donations": "donation_id", "deliveries": "delivery_id"}[table]
    with sqlite3.connect(db) as raw:
        return dict(raw.execute(f"SELECT {key}, source FROM {table}"))


def conflict(tmp_path, capsys) -> str:
    """Import april.csv, then may.csv giving D2 other content: the error that names where D2 came from."""
    db = tmp_path / "ledger.sqlite"
    if not db.exists():
        assert main(["donations", "import", str(write_csv(tmp_path / "april.csv", GOOD, HEADER)), "--db", str(db)]) == 0
    capsys.readouterr()
    may = write_csv(tmp_path / "may.csv", [dict(GOOD[1], quantity="12")], HEADER)
    assert main(["donations", "import", str(may), "--db", str(db)]) == 2
    return capsys.readouterr().err


# ---------------------------------------------------------------- what is stored


@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_ledger_stores_a_files_row_in_no_language(tmp_path, language):
    set_language(language)
    items = read_records(write_csv(tmp_path / "d.csv", GOOD, HEADER), DONATION_KIND)
    assert [i.source for i in items] == ["d.csv:2", "d.csv:3", "d.csv:4"]
    assert [(i.file, i.row) for i in items] == [("d.csv", 2), ("d.csv", 3), ("d.csv", 4)]
    db = tmp_path / "ledger.sqlite"
    with Ledger(db, create=True) as ledger:
        ledger.record(items)
        ledger.set_status("D2", "received")
        ledger.record([from_columns(DONATION_KIND, donation_id="D9", date="24/11/2026", kind="cash", amount_vnd=1,
                                    status="received")])
    assert stored(db) == {"D1": "d.csv:2", "D2": COMMAND_LINE, "D3": "d.csv:4", "D9": BY_HAND}
    with sqlite3.connect(db) as raw:
        assert [s for (s,) in raw.execute("SELECT source FROM events ORDER BY seq")] == \
            ["d.csv:2", "d.csv:3", "d.csv:4", COMMAND_LINE, BY_HAND]


def test_the_season_files_are_stored_the_same_in_both_languages(tmp_path):
    sources = {}
    for language in ("vi", "en"):
        set_language(language)
        db = tmp_path / f"{language}.sqlite"
        assert main(["deliveries", "import", str(SEASON / "season_2023_deliveries.csv"), "--db", str(db)]) == 0
        sources[language] = stored(db, "deliveries")
    assert sources["vi"] == sources["en"] == {f"GIAO-0{n}": f"season_2023_deliveries.csv:{n + 1}" for n in (1, 2, 3)}


# ---------------------------------------------------------------- what is shown


def test_a_source_is_shown_in_the_language_of_the_reader():
    set_language("vi")
    assert shown(file_row("april.csv", 3)) == "april.csv, dòng 3"
    assert (shown(COMMAND_LINE), shown(BY_HAND)) == ("dòng lệnh", "nhập tay")
    set_language("en")
    assert shown(file_row("april.csv", 3)) == "april.csv row 3"
    assert (shown(COMMAND_LINE), shown(BY_HAND)) == ("the command line", "added by hand")
    assert shown("april.csv:3", "vi") == "april.csv, dòng 3"  # a language asked for, whatever the current one


@pytest.mark.parametrize("old, vietnamese, english", [
    ("april.csv row 3", "april.csv, dòng 3", "april.csv row 3"),
    ("Sổ quà tặng 2023 (bản 2).xlsx row 14", "Sổ quà tặng 2023 (bản 2).xlsx, dòng 14", "Sổ quà tặng 2023 (bản 2).xlsx row 14"),
    ("command line", "dòng lệnh", "the command line"),
    ("added by hand", "nhập tay", "added by hand"),
    ("test", "test", "test"),  # a text a program gave: as it is
    ("thư của Công ty A ngày 24/11", "thư của Công ty A ngày 24/11", "thư của Công ty A ngày 24/11"),
])
def test_what_an_older_ledger_stored_is_still_shown(old, vietnamese, english):
    assert (shown(old, "vi"), shown(old, "en")) == (vietnamese, english)


def test_parse_tells_a_files_row_from_other_texts():
    assert parse("april.csv:3") == parse("april.csv row 3") == ("file", "april.csv", 3)
    assert parse("C:/data/april.csv:12") == ("file", "C:/data/april.csv", 12)
    assert parse("note: 3 tablets") == ("text", "note: 3 tablets", None)
    assert parse(COMMAND_LINE) == parse("command line") == (COMMAND_LINE, "", None)


def test_a_conflict_names_the_first_row_in_vietnamese(tmp_path, capsys):
    set_language("vi")
    err = conflict(tmp_path, capsys)
    assert re.search(r"cần: 10 như đã ghi từ april\.csv, dòng 3 ngày \d\d/\d\d/\d{4}\. ", err), err
    assert "row" not in err


def test_a_conflict_names_the_first_row_in_english(tmp_path, capsys):
    set_language("en")
    err = conflict(tmp_path, capsys)
    assert re.search(r"expected 10 as recorded from april\.csv row 3 on \d{1,2} [A-Z][a-z]{2} \d{4}\. ", err), err


def test_without_sim_lang_the_source_is_vietnamese(tmp_path):
    """The default language, in a process of its own: no SIM_LANG at all."""
    env = {k: v for k, v in os.environ.items() if k != "SIM_LANG"}
    db = tmp_path / "ledger.sqlite"

    def sim(*args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "sim", *map(str, args), "--db", db], capture_output=True, text=True,
                              env=env, cwd=ROOT, timeout=120)

    assert sim("donations", "import", write_csv(tmp_path / "april.csv", GOOD, HEADER)).returncode == 0
    done = sim("donations", "import", write_csv(tmp_path / "may.csv", [dict(GOOD[1], quantity="12")], HEADER))
    assert done.returncode == 2 and "như đã ghi từ april.csv, dòng 3 ngày " in done.stderr, done.stderr


def test_an_older_ledger_still_opens_verifies_and_speaks_the_readers_language(tmp_path, capsys):
    """A ledger written before the neutral form: its sources are English words. Nothing else differs
    (the source is in no checksum and in no entry of the audit trail), so it verifies as before."""
    db = tmp_path / "ledger.sqlite"
    assert main(["donations", "import", str(write_csv(tmp_path / "april.csv", GOOD, HEADER)), "--db", str(db)]) == 0
    assert main(["donations", "status", "D3", "cancelled", "--db", str(db)]) == 0
    with sqlite3.connect(db) as raw:  # what the older sim wrote
        raw.execute("UPDATE donations SET source = replace(source, ':', ' row ') WHERE source LIKE '%.csv:%'")
        raw.execute("UPDATE events SET source = replace(source, ':', ' row ') WHERE source LIKE '%.csv:%'")
        raw.execute("UPDATE donations SET source = 'command line' WHERE source = 'command-line'")
        raw.execute("UPDATE events SET source = 'command line' WHERE source = 'command-line'")
    assert stored(db)["D2"] == "april.csv row 3"
    with Ledger(db) as ledger:
        assert len(ledger.donations()) == 3  # the records' checksums match
        assert verify(ledger.db).ok
    set_language("vi")
    assert "như đã ghi từ april.csv, dòng 3 ngày " in conflict(tmp_path, capsys)
    assert main(["audit", "trace", "D3", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "từ april.csv, dòng 4" in out and "từ dòng lệnh" in out and " row " not in out, out
    set_language("en")
    assert "as recorded from april.csv row 3 on " in conflict(tmp_path, capsys)
    assert main(["audit", "trace", "D3", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "from april.csv row 4" in out and "from the command line" in out, out


@pytest.mark.parametrize("language, first, changed", [("vi", "từ season_2023.csv, dòng 10", "từ season_2023_status.csv, dòng 4"),
                                                       ("en", "from season_2023.csv row 10", "from season_2023_status.csv row 4")])
def test_the_audit_trace_says_where_each_recording_came_from(tmp_path, capsys, language, first, changed):
    from sim.ledger.season import read_status_changes

    db = tmp_path / "ledger.sqlite"
    assert main(["donations", "import", str(SEASON / "season_2023.csv"), "--db", str(db)]) == 0
    with Ledger(db) as ledger:
        for event in read_status_changes(SEASON / "season_2023_status.csv"):
            event.apply(ledger)
    capsys.readouterr()
    set_language(language)
    assert main(["audit", "trace", "LA23-009", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert first in out and changed in out, out
