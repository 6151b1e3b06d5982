"""Approving a plan version: who approved it, when, with what note. An approved version is final.

``approve`` records the approval and an audit entry in one write transaction. The ledger refuses
to change or delete an approved version, and to change or withdraw an approval, in two places:
here (a second approval of the same version is an error naming the first) and in SQLite triggers
(``trail_schema``), which also stop any other program that opens the file.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.ledger.audit import append
from sim.ledger.store import Ledger, now
from sim.read.errors import InputError, Problem


@dataclass(frozen=True)
class Approval:
    version: int
    approved_by: str
    approved_at: str
    note: str

    def __str__(self) -> str:
        from sim.locale import datetime, gettext

        note = f" – {self.note}" if self.note else ""
        return gettext("approval_text").format(version=self.version, by=self.approved_by, at=datetime(self.approved_at),
                                               note=note)


def approvals(ledger: Ledger) -> dict[int, Approval]:
    rows = ledger.db.execute("SELECT version, approved_by, approved_at, note FROM approvals ORDER BY version").fetchall()
    return {r[0]: Approval(*r) for r in rows}


def approval(ledger: Ledger, version: int) -> Approval | None:
    return approvals(ledger).get(version)


def approve(ledger: Ledger, version: int, by: str, note: str = "") -> Approval:
    """Mark ``version`` approved by ``by``; InputError if it does not exist or is approved already."""
    by, note = " ".join(by.split()), note.strip()
    if not by:
        raise InputError([Problem("command line", "who approves the plan is empty", column="--by",
                                  expected="the name of the person approving, e.g. --by \"Nguyễn Văn A\"")])
    with ledger.write():
        stored = ledger.version(version)  # InputError naming the versions there are
        done = approval(ledger, version)
        if done is not None:
            raise InputError([Problem(str(ledger.path), "this plan version is approved already", column="version",
                                      value=version, expected="a version not yet approved",
                                      hint=f"{done}; an approval is final")])
        made = Approval(version, by, now(), note)
        ledger.db.execute("INSERT INTO approvals (version, approved_by, approved_at, note) VALUES (?, ?, ?, ?)",
                          (made.version, made.approved_by, made.approved_at, made.note))
        from sim.ledger.audit import version_content

        append(ledger.db, "approval", str(version),
               {"version": version, "approved_by": by, "approved_at": made.approved_at, "note": note,
                "version_checksum": version_content(ledger.db, stored.version)["checksum"]}, at=made.approved_at)
    return made


def approved_version(ledger: Ledger, version: int):
    """The stored version, which must be approved (InputError otherwise)."""
    stored = ledger.version(version)
    if approval(ledger, version) is None:
        raise InputError([Problem(str(ledger.path), "this plan version is not approved", column="version", value=version,
                                  expected="an approved version",
                                  hint=f"Approve it first: python -m sim plans approve {version} --by NAME")])
    return stored
