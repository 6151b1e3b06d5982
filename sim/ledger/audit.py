"""The audit trail: every donation, delivery, plan version, approval, delivery list, handover
import and purge is one entry of a hash chain kept in the ledger's ``audit`` table.

An entry holds its number (``seq``), when it was made, its kind, what it is about (``ref``), its
content as canonical JSON (keys sorted, no spaces, UTF-8), the hash of the entry before it
(``previous``; 64 zeros for the first) and its own hash: the SHA-256 of the canonical JSON of all
of these. Changing any entry changes its hash, which no longer matches the ``previous`` of the
next one; the triggers of ``trail_schema`` refuse updates and deletes in the table itself.

``verify`` recomputes the chain, then checks that the records in the other tables are what their
latest entry says (a donation changed behind sim's back, with a forged checksum, still shows).
The entries of handovers and delivery lists hold counts and a hash of the rows, never a
pseudonym, so the chain can outlive a purge of the lists.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass, field

GENESIS = "0" * 64
HANDOVER_FIELDS = ("version", "pseudonym", "district", "school", "device", "data_package", "outcome", "date")


def _fields(record_type) -> str:
    from dataclasses import fields

    return ", ".join(f.name for f in fields(record_type))


def rows_sha256(rows: list[dict]) -> str:
    """SHA-256 of rows (handovers of one import, a delivery list) as canonical JSON."""
    return sha256_text(canonical(rows))


def canonical(value: object) -> str:
    """Canonical JSON: sorted keys, no spaces, UTF-8 characters as they are."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_hash(seq: int, at: str, kind: str, ref: str, content: object, previous: str) -> str:
    return sha256_text(canonical({"seq": seq, "at": at, "kind": kind, "ref": ref, "content": content,
                                  "previous": previous}))


def head(db: sqlite3.Connection) -> tuple[int, str]:
    """(seq, hash) of the last entry; (0, GENESIS) when there is none."""
    row = db.execute("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1").fetchone()
    return (row[0], row[1]) if row else (0, GENESIS)


def append(db: sqlite3.Connection, kind: str, ref: str, content: dict, at: str | None = None) -> int:
    """Add an entry (inside the caller's write transaction); its number."""
    from sim.ledger.store import now

    seq, previous = head(db)
    seq += 1
    at = at or now()
    db.execute("INSERT INTO audit (seq, at, kind, ref, content, previous, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
               (seq, at, kind, str(ref), canonical(content), previous, entry_hash(seq, at, kind, str(ref), content, previous)))
    return seq


def record_content(action: str, values: dict) -> dict:
    return {"action": action, "record": values}


def version_content(db: sqlite3.Connection, version: int) -> dict:
    row = db.execute("SELECT version, created_at, previous_version, ledger_sha256, checksum FROM plan_versions "
                     "WHERE version = ?", (version,)).fetchone()
    return dict(zip(("version", "created_at", "previous_version", "ledger_sha256", "checksum"), row))


def backfill(db: sqlite3.Connection) -> None:
    """Entries for what a ledger held before it had an audit trail (its current content)."""
    from sim.ledger.donations import Delivery, Donation

    for kind, table, fields in (("donation", "donations", _fields(Donation)), ("delivery", "deliveries", _fields(Delivery))):
        names = [f.strip() for f in fields.split(",")]
        for row in db.execute(f"SELECT {fields} FROM {table} ORDER BY recorded_at, {names[0]}").fetchall():
            append(db, kind, row[0], record_content("recorded", dict(zip(names, row))))
    for (version,) in db.execute("SELECT version FROM plan_versions ORDER BY version").fetchall():
        append(db, "plan_version", str(version), version_content(db, version))


# ---------------------------------------------------------------- verification


@dataclass
class Finding:
    seq: int | None  # the entry that does not match (None: a record with no entry)
    kind: str
    ref: str
    message: str

    def __str__(self) -> str:
        from sim.locale import gettext, translate_error

        where = (gettext("audit_entry").format(seq=self.seq, kind=self.kind, ref=self.ref) if self.seq is not None
                 else f"{self.kind} {self.ref}")
        return f"{where}: {translate_error(self.message)}"


@dataclass
class Verification:
    entries: int
    head_hash: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def first(self) -> Finding | None:
        numbered = [f for f in self.findings if f.seq is not None]
        return min(numbered, key=lambda f: f.seq) if numbered else (self.findings[0] if self.findings else None)

    def __str__(self) -> str:
        from sim.locale import gettext

        if self.ok:
            return gettext("audit_intact").format(entries=self.entries, head=self.head_hash)
        lines = [gettext("audit_broken").format(first=self.first)]
        lines += [f"  {f}" for f in self.findings[:20]]
        return "\n".join(lines)


def _latest(entries: list[tuple], kind: str) -> dict[str, tuple[int, dict]]:
    out = {}
    for seq, _at, k, ref, content, _prev, _hash in entries:
        if k == kind:
            try:
                out[ref] = (seq, json.loads(content))
            except ValueError:
                out[ref] = (seq, None)
    return out


def verify(db: sqlite3.Connection) -> Verification:
    """Recompute the chain, then compare every record with its latest entry."""
    from sim.ledger.donations import Delivery, Donation
    from sim.ledger.store import checksum

    entries = db.execute("SELECT seq, at, kind, ref, content, previous, hash FROM audit ORDER BY seq").fetchall()
    found: list[Finding] = []
    previous, expected_seq = GENESIS, 1
    for seq, at, kind, ref, content, prev, stored in entries:
        try:
            value = json.loads(content)
            same_text = canonical(value) == content
        except ValueError:
            value, same_text = None, False
        if seq != expected_seq:
            found.append(Finding(seq, kind, ref, f"entry {expected_seq} is missing"))
        elif prev != previous:
            found.append(Finding(seq, kind, ref, "holds another hash of the entry before it"))
        elif not same_text or entry_hash(seq, at, kind, ref, value, prev) != stored:
            found.append(Finding(seq, kind, ref, "its content does not match its hash (changed after it was written)"))
        previous, expected_seq = stored, seq + 1
    head_hash = entries[-1][6] if entries else GENESIS

    for kind, table, fields in (("donation", "donations", _fields(Donation)), ("delivery", "deliveries", _fields(Delivery))):
        names = [f.strip() for f in fields.split(",")]
        latest = _latest(entries, kind)
        for row in db.execute(f"SELECT {fields}, checksum FROM {table} ORDER BY {names[0]}").fetchall():
            values = dict(zip(names, row[:-1]))
            seq, content = latest.get(str(row[0]), (None, None))
            if seq is None:
                found.append(Finding(None, kind, row[0], "is in the ledger but not in the audit trail"))
            elif content is None or content.get("record") != values:
                found.append(Finding(seq, kind, row[0], f"the {kind} in the ledger is not what this entry recorded"))
            elif checksum(values) != row[-1]:
                found.append(Finding(seq, kind, row[0], "its checksum does not match its content"))
    versions = _latest(entries, "plan_version")
    for (version,) in db.execute("SELECT version FROM plan_versions ORDER BY version").fetchall():
        seq, content = versions.get(str(version), (None, None))
        if seq is None:
            found.append(Finding(None, "plan_version", str(version), "is in the ledger but not in the audit trail"))
        elif content != version_content(db, version):
            found.append(Finding(seq, "plan_version", str(version), "the stored plan version is not what this entry recorded"))
    approvals = _latest(entries, "approval")
    for row in db.execute("SELECT version, approved_by, approved_at, note FROM approvals ORDER BY version").fetchall():
        seq, content = approvals.get(str(row[0]), (None, None))
        mine = dict(zip(("version", "approved_by", "approved_at", "note"), row))
        if seq is None:
            found.append(Finding(None, "approval", str(row[0]), "is in the ledger but not in the audit trail"))
        elif content is None or {k: content.get(k) for k in mine} != mine:
            found.append(Finding(seq, "approval", str(row[0]), "the approval in the ledger is not what this entry recorded"))
    lists = _latest(entries, "delivery_list")
    for list_id, rows_json, digest in db.execute("SELECT list_id, rows_json, sha256 FROM delivery_lists ORDER BY list_id"):
        seq, content = lists.get(str(list_id), (None, None))
        if seq is None:
            found.append(Finding(None, "delivery_list", str(list_id), "is in the ledger but not in the audit trail"))
        elif content is None or content.get("sha256") != digest or sha256_text(rows_json) != digest:
            found.append(Finding(seq, "delivery_list", str(list_id), "the delivery list in the ledger is not what this entry recorded"))
    by_seq = {e[0]: e for e in entries}
    imports: dict[int, list] = {}
    for row in db.execute(f"SELECT import_seq, {', '.join(HANDOVER_FIELDS)} FROM handovers ORDER BY seq"):
        imports.setdefault(row[0], []).append(dict(zip(HANDOVER_FIELDS, row[1:])))
    for seq, rows in sorted(imports.items()):
        entry = by_seq.get(seq)
        content = json.loads(entry[4]) if entry is not None and entry[2] == "handovers" else None
        if content is None or content.get("rows_sha256") != rows_sha256(rows):
            found.append(Finding(seq, "handovers", entry[3] if entry else "?",
                                 "the handovers in the ledger are not what this entry recorded"))
    found.sort(key=lambda f: (f.seq is None, f.seq or 0))
    return Verification(len(entries), head_hash, found)
