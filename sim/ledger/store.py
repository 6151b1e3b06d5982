"""The ledger: donations, deliveries and plan versions in one SQLite file the analyst can copy.

Every write is one transaction opened with ``BEGIN IMMEDIATE``: it takes the write lock before
reading what it will change, so two analysts writing at the same time take turns (the second
waits up to ``BUSY_SECONDS``) and neither overwrites the other's work.

Journal: SQLite's rollback journal (``journal_mode=DELETE``) with ``synchronous=FULL``, not WAL.
With a rollback journal every committed change is in the one ``.sqlite`` file as soon as the
commit returns, so copying that file (to a USB stick, to e-mail it) copies the whole ledger; with
WAL recent commits can sit in a ``-wal`` side file that a copy leaves behind, and WAL does not work
on network drives. A process killed mid-write leaves a ``-journal`` file from which the next
opening restores the state before the write. The price is that readers wait while a commit is
being written, which at a ledger's size is milliseconds.

A damaged or hand-edited file is refused with an ``InputError`` (exit 2) saying what is wrong:
not an SQLite file, failed ``PRAGMA integrity_check``, a schema other than the one sim made, or a
record whose checksum does not match its content (changed outside sim).
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import sys
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from sim.ledger.donations import Delivery, Donation, Sourced
from sim.ledger.sources import COMMAND_LINE as FROM_COMMAND_LINE, shown
from sim.locale import date, gettext
from sim.read.errors import COMMAND_LINE, InputError, Problem, Problems

DEFAULT_DB = Path("data") / "ledger.sqlite"
APPLICATION = "sim ledger"
SCHEMA_VERSION = 1
BUSY_SECONDS = 120.0  # how long a writer waits for another writer to finish
FAILPOINT_VARIABLE = "SIM_LEDGER_FAILPOINT"

_DONATION_FIELDS = "donation_id, date, donor, kind, device, quantity, amount_vnd, earmark_district, earmark_band, status"
_DELIVERY_FIELDS = "delivery_id, date, district, device, quantity, note"

# The schema, statement by statement, exactly as sqlite_master keeps it: opening compares them.
SCHEMA = (
    """CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
)""",
    """CREATE TABLE donations (
    donation_id TEXT PRIMARY KEY CHECK (length(donation_id) > 0),
    date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    donor TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('cash', 'device', 'data_package')),
    device TEXT NOT NULL CHECK ((kind = 'device') = (device <> '')),
    quantity INTEGER NOT NULL CHECK (quantity >= 0 AND (kind = 'cash' OR quantity >= 1)),
    amount_vnd INTEGER NOT NULL CHECK (amount_vnd >= 0 AND (kind <> 'cash' OR amount_vnd >= 1)),
    earmark_district TEXT NOT NULL,
    earmark_band INTEGER CHECK (earmark_band BETWEEN 1 AND 5),
    status TEXT NOT NULL CHECK (status IN ('pledged', 'received', 'cancelled', 'delivered')),
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    checksum TEXT NOT NULL
)""",
    """CREATE TABLE deliveries (
    delivery_id TEXT PRIMARY KEY CHECK (length(delivery_id) > 0),
    date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]'),
    district TEXT NOT NULL CHECK (length(district) > 0),
    device TEXT NOT NULL CHECK (length(device) > 0),
    quantity INTEGER NOT NULL CHECK (quantity >= 1),
    note TEXT NOT NULL,
    source TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    checksum TEXT NOT NULL
)""",
    """CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    record TEXT NOT NULL CHECK (record IN ('donation', 'delivery')),
    record_id TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('recorded', 'changed')),
    before TEXT,
    after TEXT NOT NULL,
    source TEXT NOT NULL
)""",
    """CREATE TABLE plan_versions (
    version INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    previous_version INTEGER REFERENCES plan_versions (version),
    scenario_name TEXT NOT NULL,
    scenario_yaml TEXT NOT NULL,
    inputs_sha256 TEXT NOT NULL,
    ledger_sha256 TEXT NOT NULL,
    ledger_state TEXT NOT NULL,
    solver TEXT NOT NULL,
    allocation_csv TEXT NOT NULL,
    coverage_csv TEXT NOT NULL,
    summary_json TEXT NOT NULL,
    checksum TEXT NOT NULL
)""",
)
from sim.ledger.trail_schema import TRAIL_SCHEMA  # noqa: E402  approvals, delivery lists, handovers, audit chain

_VERSION_FIELDS = ("version", "created_at", "previous_version", "scenario_name", "scenario_yaml", "inputs_sha256",
                   "ledger_sha256", "ledger_state", "solver", "allocation_csv", "coverage_csv", "summary_json")


def checksum(values: dict) -> str:
    """SHA-256 of a record's content as canonical JSON: a change made outside sim no longer matches."""
    return hashlib.sha256(json.dumps(values, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def now() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def failpoint(name: str) -> None:
    """For the reliability tests only: when SIM_LEDGER_FAILPOINT names this point, say so on
    stdout and wait for a line on stdin (the test kills the process, or releases it)."""
    if os.environ.get(FAILPOINT_VARIABLE) == name:
        print(f"failpoint {name}", flush=True)
        sys.stdin.readline()


@dataclass(frozen=True)
class PlanVersion:
    version: int
    created_at: str
    previous_version: int | None
    scenario_name: str
    scenario_yaml: str
    inputs_sha256: dict
    ledger_sha256: str
    ledger_state: dict
    solver: dict
    allocation_csv: str
    coverage_csv: str
    summary_json: str

    @property
    def summary(self) -> dict:
        return json.loads(self.summary_json)

    @property
    def allocation(self):
        """The version's allocation.csv as a table."""
        from sim.ledger.replan import table_of

        return table_of(self.allocation_csv)


@dataclass
class ImportReport:
    """What an import did: ids added, ids already there unchanged, ids changed (with --update)."""

    added: list[str]
    unchanged: list[str]
    changed: list[str]

    def __str__(self) -> str:
        text = gettext("import_report").format(added=len(self.added), unchanged=len(self.unchanged))
        return text + (gettext("import_report_changed").format(count=len(self.changed), ids=", ".join(self.changed))
                       if self.changed else "")


def _damaged(path: Path, message: str, expected: str, **where: object) -> InputError:
    return InputError([Problem(str(path), message, expected=expected, **where)])  # type: ignore[arg-type]


def unknown_donation(path: Path, donation_id: str, known) -> InputError:
    """The error for a donation id the ledger does not hold, with the nearest id it does."""
    from sim.read.names import did_you_mean

    return InputError([Problem(str(path), "no donation with this id", column="donation_id", value=donation_id,
                               expected="an id from `python -m sim donations list`",
                               hint=did_you_mean(donation_id, list(known)))])


class Ledger:
    """One ledger file. Open with ``Ledger(path)`` (it must exist) or ``Ledger(path, create=True)``."""

    def __init__(self, path: str | Path = DEFAULT_DB, *, create: bool = False):
        self.path = Path(path)
        if not self.path.exists() and not create:
            raise _damaged(self.path, "no ledger here", "an existing ledger file (import donations first) or --db PATH")
        if create:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._check_header()
        mode = "rwc" if create else "rw"  # rw, not ro: a reader must be able to roll back a killed writer's journal
        try:
            self.db = sqlite3.connect(f"{self.path.resolve().as_uri()}?mode={mode}", uri=True,
                                      isolation_level=None, timeout=BUSY_SECONDS)
        except sqlite3.Error as exc:
            raise _damaged(self.path, f"cannot open the ledger ({exc})", "a ledger file you may read and write") from None
        try:
            self.db.execute("PRAGMA journal_mode=DELETE")
            self.db.execute("PRAGMA synchronous=FULL")
            self.db.execute("PRAGMA foreign_keys=ON")
            if create:
                self._create_if_empty()
            self._check_schema()
        except sqlite3.Error as exc:
            self.db.close()
            raise self._error_for(exc) from None
        except BaseException:
            self.db.close()
            raise

    # ------------------------------------------------------------ opening and checking

    def _check_header(self) -> None:
        if not self.path.is_file() or self.path.stat().st_size == 0:
            return
        with open(self.path, "rb") as handle:
            if handle.read(16) != b"SQLite format 3\x00":
                raise _damaged(self.path, "not a ledger: the file is not an SQLite database",
                               "a ledger made by `python -m sim donations import`; was another file given as --db?")

    def _error_for(self, exc: sqlite3.DatabaseError) -> Exception:
        """The error to show for an SQLite error: busy (another writer) or damaged."""
        text = str(exc)
        if any(word in text for word in ("approved:", "approval is final", "append-only")):
            return _damaged(self.path, f"refused: {text}", "approved plans, approvals, handovers and the audit trail "
                            "are never changed: record a new plan version or a correction instead")
        if "locked" in text or "busy" in text:
            return OSError(16, "the ledger is busy: another import or replan is still writing; try again", str(self.path))
        if "readonly" in text or "read-only" in text:
            return OSError(errno.EROFS, "the ledger cannot be written: the file or its folder is read-only "
                                        "(sim writes a -journal file beside it)", str(self.path))
        if "full" in text:
            return OSError(errno.ENOSPC, "the ledger cannot be written: the disk is full (nothing was changed)", str(self.path))
        if "unable to open" in text or "disk I/O" in text or "access permission" in text:
            return OSError(errno.EIO, f"the ledger cannot be read or written ({text})", str(self.path))
        return _damaged(self.path, f"the ledger file is damaged ({text})",
                        "an intact ledger: restore the last copy you made of it")

    def _create_if_empty(self) -> None:
        if self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
            return  # made already: no need to wait for the write lock
        with self.write():
            if self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                return  # another process created it first
            for statement in SCHEMA + TRAIL_SCHEMA:
                self.db.execute(statement)
            self.db.executemany("INSERT INTO meta (key, value) VALUES (?, ?)",
                                [("application", APPLICATION), ("schema_version", str(SCHEMA_VERSION)), ("created_at", now())])

    def _check_schema(self) -> None:
        """Integrity, then the schema statement by statement, then what sim wrote in ``meta``."""
        problems = [row[0] for row in self.db.execute("PRAGMA integrity_check(10)")]
        if problems != ["ok"]:
            raise _damaged(self.path, "the ledger file is damaged: " + "; ".join(problems),
                           "an intact ledger: restore the last copy you made of it")
        found = dict(self.db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"))
        if not found:
            raise _damaged(self.path, "not a ledger: the database is empty", "a ledger made by `python -m sim donations import`")
        try:
            meta = dict(self.db.execute("SELECT key, value FROM meta"))
        except sqlite3.DatabaseError:
            meta = {}
        if meta.get("application") != APPLICATION:
            raise _damaged(self.path, "not a ledger: this SQLite database was not made by sim", "a ledger made by sim",
                           value=sorted(found))
        if meta.get("schema_version") != str(SCHEMA_VERSION):
            raise _damaged(self.path, "the ledger's format version is not one this sim reads", f"version {SCHEMA_VERSION}",
                           value=meta.get("schema_version"), hint="Was it made by a newer version of sim?")
        expected = {statement.split()[2]: statement for statement in SCHEMA + TRAIL_SCHEMA}
        older = {statement.split()[2]: statement for statement in SCHEMA}
        if found == older:  # made before the accountability tables: add them, and the trail of what is there
            self._add_trail()
            found = dict(self.db.execute("SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'"))
        for name in sorted(set(expected) | set(found)):
            if found.get(name) != expected.get(name):
                raise _damaged(self.path, f"the ledger's table or index '{name}' was changed outside sim", "the tables as sim made them",
                               hint="Restore the last copy you made of the ledger")

    def _add_trail(self) -> None:
        from sim.ledger.audit import backfill

        with self.write():
            if self.db.execute("SELECT count(*) FROM sqlite_master WHERE name = 'audit'").fetchone()[0]:
                return  # another process added them first
            for statement in TRAIL_SCHEMA:
                self.db.execute(statement)
            backfill(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------ transactions

    @contextmanager
    def write(self) -> Iterator[None]:
        """One write transaction: all of it is committed, or none of it (also when the process dies).
        Nested inside another ``write`` it is part of that transaction."""
        if self.db.in_transaction:
            yield
            return
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error_for(exc) from None
        try:
            yield
        except sqlite3.Error as exc:
            self._rollback()
            raise self._error_for(exc) from None
        except BaseException:
            self._rollback()
            raise
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            raise self._error_for(exc) from None

    def _rollback(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # SQLite rolled back already (disk full, I/O error): the journal restores the rest on next opening

    @contextmanager
    def read(self) -> Iterator[None]:
        """A consistent snapshot for several reads (nested in ``write`` it is that transaction)."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN")
        try:
            yield
        finally:
            self.db.execute("COMMIT")

    # ------------------------------------------------------------ records

    def _verified(self, table: str, rows: list[tuple], make) -> list:
        out = []
        for *values, stored in rows:
            record = make(*values)
            if checksum(asdict(record)) != stored:
                key = values[0]
                raise _damaged(self.path, f"record {key!r} in table '{table}' was changed outside sim (its checksum does not match)",
                               "records changed only through `python -m sim donations ...` or `deliveries ...`",
                               value=key, hint="Restore the last copy you made of the ledger")
            out.append(record)
        return out

    def donations(self) -> list[Donation]:
        """Every donation, by id."""
        try:
            rows = self.db.execute(f"SELECT {_DONATION_FIELDS}, checksum FROM donations ORDER BY donation_id").fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error_for(exc) from None
        return self._verified("donations", rows, Donation)

    def deliveries(self) -> list[Delivery]:
        """Every delivery, by id."""
        try:
            rows = self.db.execute(f"SELECT {_DELIVERY_FIELDS}, checksum FROM deliveries ORDER BY delivery_id").fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error_for(exc) from None
        return self._verified("deliveries", rows, Delivery)

    def sources(self, table: str) -> dict[str, tuple[str, str]]:
        """id -> (where it was recorded from, as stored: ``april.csv:3``, when); ``sim.ledger.sources.shown``
        says the first in the reader's language."""
        key = {"donations": "donation_id", "deliveries": "delivery_id"}[table]
        return {k: (s, t) for k, s, t in self.db.execute(f"SELECT {key}, source, recorded_at FROM {table}")}

    def record(self, items: list[Sourced], *, update: bool = False) -> ImportReport:
        """Add donations or deliveries in one transaction. Same content again adds nothing; an id
        already there with other content is an error naming both rows, unless ``update`` records the
        correction (kept in the events table with the content before and after)."""
        report = ImportReport([], [], [])
        with self.write():
            for is_donation in (True, False):
                group = [i for i in items if isinstance(i.record, Donation) == is_donation]
                if group:
                    self._record(group, is_donation, update, report)
            failpoint("import")
        return report

    def _record(self, items: list[Sourced], is_donation: bool, update: bool, report: ImportReport) -> None:
        table, key, fields_ = (("donations", "donation_id", _DONATION_FIELDS) if is_donation
                               else ("deliveries", "delivery_id", _DELIVERY_FIELDS))
        names = [f.strip() for f in fields_.split(",")]
        existing = {getattr(r, key): r for r in (self.donations() if is_donation else self.deliveries())}
        where = self.sources(table)
        problems = Problems()
        for item in items:
            record, record_id = item.record, getattr(item.record, key)
            old = existing.get(record_id)
            if old is not None and old.same_as(record):
                report.unchanged.append(record_id)
                continue
            if old is not None and not update:
                column = old.differences(record)[0]
                source, at = where[record_id]
                problems.add(f"{key} {record_id!r} is already in the ledger with different content",
                             item.row, column, getattr(record, column),
                             f"{getattr(old, column)!r} as recorded from {shown(source)} on {date(at)}",
                             "Give the new one another id, or add --update to record it as a correction",
                             file=item.file or (COMMAND_LINE if item.source == FROM_COMMAND_LINE else shown(item.source)))
                continue
            values = asdict(record)
            stamp = now()
            if old is None:
                self.db.execute(f"INSERT INTO {table} ({fields_}, source, recorded_at, checksum) VALUES "
                                f"({', '.join('?' * (len(names) + 3))})",
                                [values[n] for n in names] + [item.source, stamp, checksum(values)])
                report.added.append(record_id)
            else:
                self.db.execute(f"UPDATE {table} SET {', '.join(f'{n} = ?' for n in names)}, source = ?, recorded_at = ?, "
                                f"checksum = ? WHERE {key} = ?",
                                [values[n] for n in names] + [item.source, stamp, checksum(values), record_id])
                report.changed.append(record_id)
            existing[record_id] = record
            from sim.ledger.audit import append, record_content

            append(self.db, "donation" if is_donation else "delivery", record_id,
                   record_content("recorded" if old is None else "changed", values), at=stamp)
            self.db.execute("INSERT INTO events (at, record, record_id, action, before, after, source) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (stamp, "donation" if is_donation else "delivery", record_id,
                             "recorded" if old is None else "changed",
                             None if old is None else json.dumps(asdict(old), ensure_ascii=False),
                             json.dumps(values, ensure_ascii=False), item.source))
        problems.raise_if_any()

    def set_status(self, donation_id: str, status: str, source: str = FROM_COMMAND_LINE) -> Donation:
        """Change one donation's status (a pledge received, cancelled ...), as a recorded correction."""
        from dataclasses import replace

        with self.write():
            current = {d.donation_id: d for d in self.donations()}
            if donation_id not in current:
                raise unknown_donation(self.path, donation_id, current)
            changed = replace(current[donation_id], status=status)
            self.record([Sourced(changed, source)], update=True)
        return changed

    # ------------------------------------------------------------ plan versions

    def add_version(self, values: dict) -> int:
        """Store a plan version (inside the caller's ``write`` transaction); its number."""
        stored = {k: values[k] for k in _VERSION_FIELDS if k != "version"}
        for k in ("inputs_sha256", "ledger_state", "solver"):
            stored[k] = json.dumps(stored[k], sort_keys=True, ensure_ascii=False)
        cursor = self.db.execute(f"INSERT INTO plan_versions ({', '.join(stored)}, checksum) VALUES ({', '.join('?' * (len(stored) + 1))})",
                                 [*stored.values(), "pending"])
        version = cursor.lastrowid
        self.db.execute("UPDATE plan_versions SET checksum = ? WHERE version = ?", (checksum({"version": version, **stored}), version))
        from sim.ledger.audit import append, version_content

        append(self.db, "plan_version", str(version), version_content(self.db, version), at=stored["created_at"])
        failpoint("replan")
        return version

    def versions(self, number: int | None = None) -> list[PlanVersion]:
        """Every stored plan version, oldest first (or only the one numbered ``number``)."""
        where, params = ("WHERE version = ?", (number,)) if number is not None else ("", ())
        try:
            rows = self.db.execute(f"SELECT {', '.join(_VERSION_FIELDS)}, checksum FROM plan_versions {where} ORDER BY version",
                                   params).fetchall()
        except sqlite3.DatabaseError as exc:
            raise self._error_for(exc) from None
        out = []
        for row in rows:
            stored = dict(zip(_VERSION_FIELDS, row[:-1]))
            if checksum(stored) != row[-1]:
                raise _damaged(self.path, f"plan version {stored['version']} was changed outside sim (its checksum does not match)",
                               "plan versions as replan stored them", value=stored["version"])
            for k in ("inputs_sha256", "ledger_state", "solver"):
                stored[k] = json.loads(stored[k])
            out.append(PlanVersion(**stored))
        return out

    def version(self, number: int) -> PlanVersion:
        found = self.versions(number)
        if not found:
            numbers = [str(n) for (n,) in self.db.execute("SELECT version FROM plan_versions ORDER BY version")]
            raise InputError([Problem(str(self.path), "no plan version with this number", column="version", value=number,
                                      expected="one of " + ", ".join(numbers) if numbers
                                      else "a stored version; there is none yet: run `python -m sim replan` first")])
        return found[0]

    def latest_version(self) -> PlanVersion | None:
        row = self.db.execute("SELECT max(version) FROM plan_versions").fetchone()
        return self.version(row[0]) if row[0] is not None else None
