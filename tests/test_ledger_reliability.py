"""Nothing lost: a process killed in the middle of a write, and processes writing at the same time.

Synchronisation is by pipes, never by waiting a while: a process started with SIM_LEDGER_FAILPOINT
prints "failpoint NAME" once it is inside its write transaction (rows written, not committed) and
waits for a line on stdin. The test then kills it, or starts a second writer and releases it.
Every wait is bounded (TIMEOUT) so a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import hashlib
import os
import selectors
import signal
import subprocess
import sys

import pytest

from sim.ledger.donations import DONATION_KIND, read_records
from sim.ledger.store import FAILPOINT_VARIABLE, Ledger
from tests.conftest import student, write_csv
from tests.test_ledger import HEADER, donation

TIMEOUT = 120


def start(*args, failpoint: str | None = None) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != FAILPOINT_VARIABLE} | {"SIM_LANG": "en"}  # English messages
    if failpoint:
        env[FAILPOINT_VARIABLE] = failpoint
    return subprocess.Popen([sys.executable, "-m", "sim", *map(str, args)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def wait_for_failpoint(process: subprocess.Popen, name: str) -> None:
    """Block until the process says it is inside its write transaction (or fail, bounded)."""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(TIMEOUT):
            process.kill()
            pytest.fail(f"no 'failpoint {name}' within {TIMEOUT} s")
    line = process.stdout.readline()
    if line.strip() != f"failpoint {name}":
        process.kill()
        pytest.fail(f"expected 'failpoint {name}', got {line!r}; stderr: {process.communicate(timeout=TIMEOUT)[1]}")


def finish(process: subprocess.Popen, release: bool = False) -> str:
    out, err = process.communicate("\n" if release else None, timeout=TIMEOUT)
    assert process.returncode == 0, err
    return out


def kill(process: subprocess.Popen) -> None:
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=TIMEOUT)
    assert process.returncode == -signal.SIGKILL


def donations_file(path, prefix: str, count: int, start_at: int = 0):
    rows = [donation(f"{prefix}{i:05}", amount_vnd=str(1_000_000 + i), donor=f"Nhà hảo tâm số {i} " + "x" * 60)
            for i in range(start_at, start_at + count)]
    return write_csv(path, rows, HEADER)


def ids(db) -> list[str]:
    with Ledger(db) as ledger:
        return [d.donation_id for d in ledger.donations()]


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_kill_in_the_middle_of_an_import_leaves_the_previous_ledger(tmp_path):
    db = tmp_path / "ledger.sqlite"
    with Ledger(db, create=True) as ledger:
        ledger.record(read_records(donations_file(tmp_path / "before.csv", "A", 3), DONATION_KIND))
    before = sha(db)
    # Enough rows that SQLite must write some of them into the database file before the commit
    # (its page cache holds about 2 MB): the kill then really leaves a half-written file behind.
    big = donations_file(tmp_path / "big.csv", "B", 25_000)
    importing = start("donations", "import", big, "--db", db, failpoint="import")
    wait_for_failpoint(importing, "import")
    journal = db.with_name(db.name + "-journal")
    assert journal.is_file() and journal.stat().st_size > 0
    kill(importing)
    assert sha(db) != before, "the database file was not written before the kill: the test proves less than it says"
    assert journal.is_file()  # the "hot" journal the next opening rolls back from

    assert ids(db) == ["A00000", "A00001", "A00002"]  # opens, checks integrity, reads: the state before the import
    assert not journal.exists()
    finish(start("donations", "import", big, "--db", db))
    assert len(ids(db)) == 25_003


@pytest.fixture
def planned(case, tmp_path):
    """A small scenario, a ledger with one donation, and the scenario's path."""
    case([student("An Bình", 10, "poor", 6, 2), student("Bình Hòa", 3, "near_poor", 7, 3)], budget_vnd=2_000_000)
    db = tmp_path / "ledger.sqlite"
    with Ledger(db, create=True) as ledger:
        ledger.record(read_records(donations_file(tmp_path / "d.csv", "D", 1), DONATION_KIND))
    return tmp_path / "scenario.yaml", db


def test_a_kill_in_the_middle_of_a_replan_leaves_the_previous_versions(planned, tmp_path):
    scenario, db = planned
    finish(start("replan", scenario, "--db", db, "--out", tmp_path / "v1"))
    replanning = start("replan", scenario, "--db", db, "--out", tmp_path / "v2", failpoint="replan")
    wait_for_failpoint(replanning, "replan")  # version 2 is written, not committed
    kill(replanning)
    with Ledger(db) as ledger:
        assert [v.version for v in ledger.versions()] == [1]
        assert ledger.versions()[0].summary["covered"] > 0
    assert not (tmp_path / "v2").exists()  # the output folder is written only after the commit
    finish(start("replan", scenario, "--db", db, "--out", tmp_path / "v2"))
    with Ledger(db) as ledger:
        assert [(v.version, v.previous_version) for v in ledger.versions()] == [(1, None), (2, 1)]


def test_two_imports_at_the_same_time_lose_nothing(tmp_path):
    db = tmp_path / "ledger.sqlite"
    first_file = donations_file(tmp_path / "first.csv", "D", 30)
    second_file = donations_file(tmp_path / "second.csv", "D", 30, start_at=20)  # 10 rows in both, identical
    first = start("donations", "import", first_file, "--db", db, failpoint="import")
    wait_for_failpoint(first, "import")  # holds the write lock
    second = start("donations", "import", second_file, "--db", db)  # waits for the lock
    assert "30 added" in finish(first, release=True)
    assert "20 added, 10 already in the ledger" in finish(second)  # it read the ledger after the first committed
    assert ids(db) == [f"D{i:05}" for i in range(50)]


def test_several_imports_running_freely_lose_nothing(tmp_path):
    db = tmp_path / "ledger.sqlite"
    shared = donations_file(tmp_path / "shared.csv", "S", 10)
    files = [donations_file(tmp_path / f"f{k}.csv", f"F{k}-", 25) for k in range(3)]
    running = [start("donations", "import", f, "--db", db) for f in [*files, shared, shared]]
    for process in running:
        finish(process)
    assert len(ids(db)) == 3 * 25 + 10


def test_two_replans_at_the_same_time_take_turns(planned, tmp_path):
    scenario, db = planned
    first = start("replan", scenario, "--db", db, "--out", tmp_path / "a", "--quiet", failpoint="replan")
    wait_for_failpoint(first, "replan")
    second = start("replan", scenario, "--db", db, "--out", tmp_path / "b", "--quiet")
    importing = start("donations", "import", donations_file(tmp_path / "late.csv", "L", 2), "--db", db)
    finish(first, release=True)
    finish(second)
    finish(importing)
    with Ledger(db) as ledger:
        versions = ledger.versions()
        assert len(ledger.donations()) == 3
    # The second replan read the ledger after the first committed: it knows version 1 as its previous.
    assert sorted((v.version, v.previous_version) for v in versions) == [(1, None), (2, 1)]
    first_state = {d["donation_id"] for d in versions[0].ledger_state["donations"]}
    assert first_state == {"D00000"}  # the import waited for the first replan, which planned without it
