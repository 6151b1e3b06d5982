"""Handovers confirmed learner by learner, from the signed delivery lists.

The delivery list ``sim assign --version N`` writes is the form: the school hands the device
over and the learner (or guardian) signs the "Ký nhận" column. The signed list comes back as

- the list's XLSX (or CSV) with the signature column filled in: a signature, a name or an ``x``
  means handed over; empty means not collected; ``chuyển trường`` / ``moved`` the learner moved;
  ``trả lại`` / ``returned`` the device came back; ``không nhận`` / ``not collected`` as empty;
- or a CSV of the pupil ids who received a device (column ``Mã học sinh`` or ``pupil_id``), with an
  optional column ``Tình trạng`` (outcome) in the same words for the other cases.

``import_handovers`` turns each pupil id into its keyed pseudonym (``sim.roster.pseudonym``) and
records, per learner, the outcome, the date, the district, the school and the device of the
approved version's delivery list: the ledger never holds a name or a pupil id. Every import is
one audit entry (counts and a hash of the rows). A learner's latest record is their state; a
correction is a new record. Importing the same file twice records nothing new.

Devices back in the pool: for every district with confirmed handovers, the next ``replan`` counts
as delivered the devices handed over and not returned (``confirmed``), instead of the district's
deliveries; a device not collected, of a learner who moved, or returned is planned again.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.ledger.audit import HANDOVER_FIELDS, append, canonical, rows_sha256, sha256_text
from sim.ledger.store import Ledger, now
from sim.ledger.trail_schema import OUTCOMES
from sim.read.errors import InputError, Problem, Problems
from sim.read.names import match_key, to_nfc

LIST_FIELDS = ("pseudonym", "district", "school", "device", "data_package")
OUTCOME_LABELS = {"handed_over": "đã bàn giao / handed over", "not_collected": "chưa nhận / not collected",
                  "moved": "chuyển đi / moved", "returned": "trả lại / returned"}  # the signed lists' words
_WORDS = {
    "not_collected": ("không nhận", "chưa nhận", "vắng", "not collected", "not_collected", "absent"),
    "moved": ("chuyển trường", "chuyển đi", "chuyển", "moved", "đã chuyển"),
    "returned": ("trả lại", "đã trả", "trả máy", "returned", "trả"),
    "handed_over": ("đã nhận", "đã bàn giao", "handed over", "handed_over", "received", "nhận", "x", "có", "yes"),
}
ID_HEADERS = {match_key(h) for h in ("mã học sinh", "mã hs", "mã định danh", "pupil_id", "pupil id", "id")}
SIGN_HEADERS = {match_key(h) for h in ("ký nhận", "ky nhan", "signature", "signed")}
OUTCOME_HEADERS = {match_key(h) for h in ("tình trạng", "tinh trang", "outcome", "kết quả")}


def outcome_of(text: str, *, blank: str) -> str:
    """The outcome a signature or outcome cell says (a signature or any other mark: handed over)."""
    key = match_key(text)
    if not key:
        return blank
    for outcome, words in _WORDS.items():
        if any(key == match_key(w) or (len(w) > 3 and key.startswith(match_key(w))) for w in words):
            return outcome
    return "handed_over"


# ---------------------------------------------------------------- delivery lists


def record_list(ledger: Ledger, version: int, rows: list[dict], folder: str) -> tuple[int, bool]:
    """Store the approved version's delivery list by pseudonym (inside the caller's write or its
    own); (list id, new?). The same rows as the latest list of the version add nothing."""
    rows = sorted(({k: r[k] for k in LIST_FIELDS} for r in rows), key=lambda r: r["pseudonym"])
    text = canonical(rows)
    digest = sha256_text(text)
    with ledger.write():
        last = ledger.db.execute("SELECT list_id, sha256 FROM delivery_lists WHERE version = ? ORDER BY list_id DESC LIMIT 1",
                                 (version,)).fetchone()
        if last is not None and last[1] == digest:
            ledger.db.execute("UPDATE delivery_lists SET folder = ?, purged_at = NULL WHERE list_id = ?", (folder, last[0]))
            return last[0], False
        stamp = now()
        cursor = ledger.db.execute("INSERT INTO delivery_lists (version, created_at, folder, rows_json, sha256) "
                                   "VALUES (?, ?, ?, ?, ?)", (version, stamp, folder, text, digest))
        list_id = cursor.lastrowid
        devices: dict[str, int] = {}
        for r in rows:
            devices[r["device"]] = devices.get(r["device"], 0) + 1
        append(ledger.db, "delivery_list", str(list_id),
               {"list_id": list_id, "version": version, "sha256": digest, "learners": len(rows), "devices": devices,
                "data_packages": sum(r["data_package"] for r in rows)}, at=stamp)
    return list_id, True


def latest_list(ledger: Ledger, version: int) -> list[dict]:
    row = ledger.db.execute("SELECT rows_json FROM delivery_lists WHERE version = ? ORDER BY list_id DESC LIMIT 1",
                            (version,)).fetchone()
    if row is None:
        raise InputError([Problem(str(ledger.path), "no delivery list for this plan version", column="version", value=version,
                                  expected="a version whose learners were named",
                                  hint=f"Run first: python -m sim assign SCENARIO --version {version} --roster ... --db ...")])
    return json.loads(row[0])


# ---------------------------------------------------------------- reading a signed list


@dataclass
class Signed:
    """What a returned list says: (spreadsheet row, pupil id, outcome); ids are personal, never printed."""

    path: Path
    rows: list[tuple[int, str, str]]
    form: bool  # a delivery list (every learner on it has a row) rather than a list of ids received


def _lines(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise InputError([Problem(str(path), "file not found", expected="the signed delivery list (XLSX or CSV)")])
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for damaged files
            raise InputError([Problem(str(path), f"cannot open the workbook ({exc.__class__.__name__})",
                                      expected="an .xlsx file saved by Excel or LibreOffice")]) from None
        out = [["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else to_nfc(str(v)).strip())
                for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
        book.close()
        return out
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            text = to_nfc(raw.decode(encoding))
            break
        except UnicodeDecodeError:
            continue
    first = text.split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=first.count)
    return [[to_nfc(c).strip() for c in line] for line in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def read_signed(path: str | Path) -> Signed:
    path = Path(path)
    lines = _lines(path)
    for top, line in enumerate(lines[:30]):
        keys = [match_key(c) for c in line]
        if any(k in ID_HEADERS for k in keys):
            break
    else:
        raise InputError([Problem(str(path), "no pupil id column", expected="a column 'Mã học sinh' (or 'pupil_id') "
                                  "in one of the first 30 rows: the delivery list as sim wrote it, or a list of ids")])
    id_col = next(j for j, k in enumerate(keys) if k in ID_HEADERS)
    sign_col = next((j for j, k in enumerate(keys) if k in SIGN_HEADERS), None)
    outcome_col = next((j for j, k in enumerate(keys) if k in OUTCOME_HEADERS), None)
    rows = []
    for number, line in enumerate(lines[top + 1:], start=top + 2):
        cell = line[id_col].strip() if id_col < len(line) else ""
        if not cell:
            if any(c.strip() for c in line) and sign_col is not None:
                break  # the totals and signatures under the table
            continue
        if outcome_col is not None and outcome_col < len(line) and line[outcome_col].strip():
            outcome = outcome_of(line[outcome_col], blank="handed_over")
        elif sign_col is not None:
            outcome = outcome_of(line[sign_col] if sign_col < len(line) else "", blank="not_collected")
        else:
            outcome = "handed_over"
        rows.append((number, cell, outcome))
    if not rows:
        raise InputError([Problem(str(path), "no learner in the file", expected="one row per learner under the header")])
    return Signed(path, rows, sign_col is not None)


# ---------------------------------------------------------------- importing


@dataclass
class HandoverImport:
    version: int
    added: dict[str, int] = field(default_factory=dict)  # outcome -> learners recorded
    unchanged: int = 0
    not_in_file: int = 0  # learners of the list the file does not mention
    audit_seq: int | None = None

    def __str__(self) -> str:
        from sim.locale import gettext as t

        parts = ", ".join(f"{n} {t('handover_' + o)}" for o, n in self.added.items() if n) or t("handover_nothing_new")
        text = t("handover_import_text").format(version=self.version, parts=parts, unchanged=self.unchanged)
        if self.not_in_file:
            text += t("handover_not_in_file").format(count=self.not_in_file)
        return text


def state(ledger: Ledger, version: int | None = None) -> dict[tuple[int, str], dict]:
    """(version, pseudonym) -> the latest handover record."""
    where, params = ("WHERE version = ?", (version,)) if version is not None else ("", ())
    rows = ledger.db.execute(f"SELECT {', '.join(HANDOVER_FIELDS)} FROM handovers {where} ORDER BY seq", params).fetchall()
    return {(r[0], r[1]): dict(zip(HANDOVER_FIELDS, r)) for r in rows}


def import_handovers(ledger: Ledger, path: str | Path, version: int, key, date: str | None = None) -> HandoverImport:
    """Record what a signed list says for ``version`` (which must be approved and have a list)."""
    from sim.ledger.approvals import approved_version

    signed = read_signed(path)
    day = date or dt.date.today().isoformat()
    report = HandoverImport(version)
    with ledger.write():
        approved_version(ledger, version)
        listed = {r["pseudonym"]: r for r in latest_list(ledger, version)}
        current = state(ledger, version)
        problems = Problems(signed.path)
        seen: dict[str, int] = {}
        new = []
        for row, pupil_id, outcome in signed.rows:
            pseudonym = key.pseudonym(pupil_id)
            if pseudonym in seen:
                problems.add(f"the same learner as row {seen[pseudonym]}", row, "Mã học sinh", None, "each learner once")
                continue
            seen[pseudonym] = row
            if pseudonym not in listed:
                problems.add("this learner is not on the delivery list of this plan version", row, "Mã học sinh", None,
                             f"a learner of plan version {version}'s delivery list",
                             "Is it the list of another version, or was the pupil id changed? (ids are not shown: personal data)")
                continue
            before = current.get((version, pseudonym))
            if before is not None and before["outcome"] == outcome:
                report.unchanged += 1
                continue
            if before is None and outcome == "returned":
                problems.add("returned, but never recorded as handed over", row, "Ký nhận", None,
                             "import the signed list first, then the return")
                continue
            new.append({"version": version, **listed[pseudonym], "outcome": outcome, "date": day})
        problems.raise_if_any()
        report.not_in_file = len(set(listed) - set(seen)) if not signed.form else 0
        if new:
            for r in new:
                report.added[r["outcome"]] = report.added.get(r["outcome"], 0) + 1
            rows = [{k: r[k] for k in HANDOVER_FIELDS} for r in new]
            seq = append(ledger.db, "handovers", f"{version}",
                         {"version": version, "file": signed.path.name,
                          "file_sha256": hashlib.sha256(signed.path.read_bytes()).hexdigest(),
                          "rows_sha256": rows_sha256(rows), "rows": len(rows),
                          "outcomes": {o: report.added.get(o, 0) for o in OUTCOMES}})
            ledger.db.executemany(f"INSERT INTO handovers (import_seq, {', '.join(HANDOVER_FIELDS)}) VALUES "
                                  f"(?, {', '.join('?' * len(HANDOVER_FIELDS))})",
                                  [(seq, *(r[k] for k in HANDOVER_FIELDS)) for r in rows])
            report.audit_seq = seq
    return report


# ---------------------------------------------------------------- status and the replan hook


def confirmed(db) -> dict[tuple[str, str], int]:
    """(district, device) -> devices handed over and not returned, by each learner's latest record
    (over every version); every district with any handover record is there, with 0 if none."""
    latest: dict[str, tuple] = {}
    for pseudonym, district, device, outcome in db.execute(
            "SELECT pseudonym, district, device, outcome FROM handovers ORDER BY seq"):
        latest[pseudonym] = (district, device, outcome)
    out: dict[tuple[str, str], int] = {}
    districts = set()
    for district, device, outcome in latest.values():
        districts.add(district)
        if outcome == "handed_over":
            out[district, device] = out.get((district, device), 0) + 1
    for district in districts:
        if not any(d == district for d, _ in out):
            out[district, ""] = 0
    return dict(sorted(out.items()))


def with_handovers(delivered: dict[tuple[str, str], int], handed: dict[tuple[str, str], int]) -> dict[tuple[str, str], int]:
    """Delivered counts for replan: districts with confirmed handovers count those instead."""
    districts = {d for d, _ in handed}
    kept = {k: n for k, n in delivered.items() if k[0] not in districts}
    kept.update({k: n for k, n in handed.items() if n > 0 and k[1]})
    return dict(sorted(kept.items()))


STATUS_COLUMNS = ["planned", "handed_over", "not_collected", "moved", "no_news", "outstanding", "returned"]


def status_table(ledger: Ledger, version: int | None = None, by: str = "school") -> pd.DataFrame:
    """Per district (and school): planned, handed over, not collected, moved, no news yet,
    outstanding (planned and not with a learner: back to the pool) and returned, for the latest
    delivery list of every approved version (or only ``version``)."""
    versions = [v for (v,) in ledger.db.execute("SELECT DISTINCT version FROM delivery_lists ORDER BY version")]
    if version is not None:
        versions = [version]
    records = []
    for v in versions:
        now_state = state(ledger, v)
        for r in latest_list(ledger, v):
            outcome = now_state.get((v, r["pseudonym"]), {}).get("outcome", "no_news")
            records.append({"version": v, "district": r["district"], "school": r["school"], "outcome": outcome})
    keys = ["version", "district"] + (["school"] if by == "school" else [])
    if not records:
        return pd.DataFrame(columns=keys + STATUS_COLUMNS)
    frame = pd.DataFrame(records)
    table = frame.groupby(keys + ["outcome"]).size().unstack(fill_value=0)
    for outcome in ("handed_over", "not_collected", "moved", "no_news", "returned"):
        if outcome not in table:
            table[outcome] = 0
    table["planned"] = table[["handed_over", "not_collected", "moved", "no_news", "returned"]].sum(axis=1)
    table["outstanding"] = table["planned"] - table["handed_over"] - table["returned"]
    return table[STATUS_COLUMNS].astype("int64").reset_index()
