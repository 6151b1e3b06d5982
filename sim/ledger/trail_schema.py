"""The ledger's accountability tables: approvals, delivery lists, handovers and the audit chain.

They are added to a ledger made before they existed the first time sim opens it (the format
version stays 1: nothing already there changes). SQLite triggers keep them honest even against
a program other than sim: an approved plan version cannot be changed or deleted, an approval is
final, and the audit trail and the handovers are append-only (a correction is a new entry).
"""

from __future__ import annotations

AUDIT_KINDS = ("donation", "delivery", "plan_version", "approval", "delivery_list", "handovers", "purge", "opened")
OUTCOMES = ("handed_over", "not_collected", "moved", "returned")

_kinds = ", ".join(f"'{k}'" for k in AUDIT_KINDS)
_outcomes = ", ".join(f"'{k}'" for k in OUTCOMES)

TRAIL_SCHEMA = (
    f"""CREATE TABLE audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ({_kinds})),
    ref TEXT NOT NULL,
    content TEXT NOT NULL,
    previous TEXT NOT NULL,
    hash TEXT NOT NULL
)""",
    """CREATE TABLE approvals (
    version INTEGER PRIMARY KEY REFERENCES plan_versions (version),
    approved_by TEXT NOT NULL CHECK (length(approved_by) > 0),
    approved_at TEXT NOT NULL,
    note TEXT NOT NULL
)""",
    """CREATE TABLE delivery_lists (
    list_id INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL REFERENCES approvals (version),
    created_at TEXT NOT NULL,
    folder TEXT NOT NULL,
    rows_json TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    purged_at TEXT
)""",
    f"""CREATE TABLE handovers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    import_seq INTEGER NOT NULL REFERENCES audit (seq),
    version INTEGER NOT NULL REFERENCES approvals (version),
    pseudonym TEXT NOT NULL CHECK (pseudonym GLOB 'HS-*'),
    district TEXT NOT NULL,
    school TEXT NOT NULL,
    device TEXT NOT NULL,
    data_package INTEGER NOT NULL CHECK (data_package IN (0, 1)),
    outcome TEXT NOT NULL CHECK (outcome IN ({_outcomes})),
    date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-1][0-9]-[0-3][0-9]')
)""",
    """CREATE TRIGGER approved_version_is_not_changed BEFORE UPDATE ON plan_versions
WHEN EXISTS (SELECT 1 FROM approvals WHERE version = OLD.version)
BEGIN SELECT RAISE(ABORT, 'plan version is approved: it cannot be changed'); END""",
    """CREATE TRIGGER approved_version_is_not_deleted BEFORE DELETE ON plan_versions
WHEN EXISTS (SELECT 1 FROM approvals WHERE version = OLD.version)
BEGIN SELECT RAISE(ABORT, 'plan version is approved: it cannot be deleted'); END""",
    """CREATE TRIGGER approval_is_not_changed BEFORE UPDATE ON approvals
BEGIN SELECT RAISE(ABORT, 'an approval is final: it cannot be changed'); END""",
    """CREATE TRIGGER approval_is_not_deleted BEFORE DELETE ON approvals
BEGIN SELECT RAISE(ABORT, 'an approval is final: it cannot be deleted'); END""",
    """CREATE TRIGGER audit_is_not_changed BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER audit_is_not_deleted BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END""",
    """CREATE TRIGGER handover_is_not_changed BEFORE UPDATE ON handovers
BEGIN SELECT RAISE(ABORT, 'handovers are append-only: record a correction as a new handover'); END""",
    """CREATE TRIGGER handover_is_not_deleted BEFORE DELETE ON handovers
BEGIN SELECT RAISE(ABORT, 'handovers are append-only: record a correction as a new handover'); END""",
)
