"""Write an assignment: shareable files in DIR, delivery lists with names only in DIR/delivery.

Shareable (no name, date of birth, phone, certificate number or pupil id; learners appear only
by pseudonym): the planner's ``allocation.csv``, ``coverage.csv``, ``summary.json``; the
``students.csv`` it was planned from; ``waiting_list.csv``; ``schools.csv`` and ``schools.xlsx``
(counts per school); ``roster_report.csv`` (every issue found in the rosters, by row and
pseudonym); ``assignment.json`` (counts, the rule, the key's id).

Personal, in ``delivery/`` (created readable by its owner only): one list per district and per
school (XLSX with Vietnamese headers and a signature column, and CSV), and the waiting list with
names. The whole folder is replaced at once on every run, so no list from an earlier run stays.
Everything is rendered in memory first; a run that fails writes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import tempfile
import unicodedata
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from sim.read.errors import InputError, Problem
from sim.read.names import ascii_fold, match_key
from sim.roster import print_layout
from sim.roster.assign import Assignment
from sim.roster.disclosure import K, SMALL, suppress_counts
from sim.roster.xlsx import BOLD, workbook_bytes, write_table
from sim.results.cells import csv_text, write_cell
from sim.results.write import write_atomic

DELIVERY = "delivery"
SHAREABLE_MODE = 0o644  # shareable outputs are readable by others, as any report; delivery lists are private
MARKER = "README.txt"
DEVICE_NAMES = {"tablet": "Máy tính bảng", "laptop": "Máy tính xách tay", "desktop": "Máy tính để bàn"}
STATUS_NAMES = {"poor": "Hộ nghèo", "near_poor": "Hộ cận nghèo", "covid_orphan": "Mồ côi do Covid-19"}
DELIVERY_HEADER = ["STT", "Mã học sinh", "Họ và tên", "Ngày sinh", "Trường", "Lớp", "Diện", "Số chứng nhận hộ nghèo",
                   "Thiết bị", "Gói cước", "Số điện thoại", "Ghi chú", "Ký nhận"]
WAITING_HEADER = ["Thứ tự chờ", "Mã học sinh", "Họ và tên", "Ngày sinh", "Trường", "Quận/Huyện", "Lớp", "Diện",
                  "Nhóm ưu tiên", "Không có internet", "Số điện thoại"]
WIDTHS = {"STT": 5, "Mã học sinh": 15, "Họ và tên": 26, "Ngày sinh": 11, "Trường": 28, "Lớp": 7, "Diện": 16,
          "Số chứng nhận hộ nghèo": 17, "Thiết bị": 17, "Gói cước": 13, "Số điện thoại": 13, "Ghi chú": 22,
          "Ký nhận": 20, "Quận/Huyện": 14, "Thứ tự chờ": 8, "Nhóm ưu tiên": 9, "Không có internet": 10}
NOTICE = """DỮ LIỆU CÁ NHÂN CỦA TRẺ EM - KHÔNG CHIA SẺ, KHÔNG GỬI QUA MẠNG XÃ HỘI.
Các danh sách trong thư mục này có họ tên, ngày sinh, số điện thoại và số chứng nhận hộ nghèo.
Chỉ dùng để bàn giao thiết bị; lưu trữ an toàn và xoá khi không còn cần.

PERSONAL DATA OF CHILDREN - DO NOT SHARE.
These lists hold names, dates of birth, phone numbers and household certificate numbers. Use them
only for the handover; keep them safe and delete them when no longer needed. Everything outside
this folder is shareable. This folder is replaced whole by every `python -m sim assign` run.
"""


def device_name(device: str) -> str:
    return DEVICE_NAMES.get(device, device)


WINDOWS_RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$", *(f"COM{i}" for i in "123456789¹²³"),
                              *(f"LPT{i}" for i in "123456789¹²³")})
MAX_NAME = 120  # characters, leaving room for " (2).xlsx" within the 255 bytes file systems allow


def safe_file_name(name: str) -> str:
    """A file name from user text (a district or school name), safe on Windows, macOS and Linux:
    Vietnamese letters kept; separators, control and invisible characters replaced; no leading or
    trailing dots or spaces; never a name Windows reserves (CON, PRN, AUX, NUL, COM1-9, LPT1-9,
    also with an extension: ``con.txt``); at most ``MAX_NAME`` characters.

    >>> safe_file_name("Trường THCS A/B: số 2")
    'Trường THCS A_B_ số 2'
    >>> safe_file_name("CON"), safe_file_name("nul.txt"), safe_file_name("Com1 . "), safe_file_name("../..")
    ('_CON', '_nul.txt', '_Com1', '_')
    """
    text = unicodedata.normalize("NFC", str(name))
    text = "".join("_" if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") else ch for ch in text)
    text = re.sub(r'[<>:"/\\|?*]', "_", text)
    text = text[:MAX_NAME].strip(" .") or "_"
    if text.split(".")[0].strip(" ").upper() in WINDOWS_RESERVED:
        text = "_" + text
    return text


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    # UTF-8 with a byte-order mark, so that Excel shows Vietnamese names correctly.
    # no text cell is a formula (sim.results.cells)
    return csv_text(frame).encode("utf-8-sig")


def _given_name_order(names: pd.Series) -> pd.Series:
    """Vietnamese class-list order: by given name (the last word), then the full name."""
    return names.map(lambda n: (ascii_fold(n.split()[-1]) if n else "", match_key(n.split()[-1]) if n else "",
                                ascii_fold(n), match_key(n)))


def _delivery_rows(run: Assignment, served: pd.DataFrame) -> pd.DataFrame:
    months = run.scenario.data_package.months
    served = served.assign(_order=_given_name_order(served["full_name"]))
    served = served.sort_values(["_school", "grade", "_order"], ignore_index=True)
    return pd.DataFrame({
        "STT": range(1, len(served) + 1), "Mã học sinh": served["pupil_id"], "Họ và tên": served["full_name"],
        "Ngày sinh": served["date_of_birth"].map(lambda d: d.strftime("%d/%m/%Y")), "Trường": served["school"],
        "Lớp": served["class_name"], "Diện": served["status"].map(STATUS_NAMES),
        "Số chứng nhận hộ nghèo": served["certificate_no"], "Thiết bị": served["device"].map(device_name),
        "Gói cước": served["data_package"].map({True: f"Có ({months} tháng)", False: "Không"}),
        "Số điện thoại": served["phone"], "Ghi chú": served["notes"], "Ký nhận": "",
    })


def _delivery_workbook(run: Assignment, title: str, place: str, rows: pd.DataFrame, devices: pd.Series,
                       packages: int) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách bàn giao"
    write_cell(sheet, 1, 1, "DANH SÁCH HỌC SINH NHẬN MÁY TÍNH VÀ GÓI CƯỚC").font = Font(bold=True, size=13)
    write_cell(sheet, 2, 1, f"Chương trình “Sóng và máy tính cho em” – kế hoạch: {run.scenario.name}")
    write_cell(sheet, 3, 1, f"{title}: {place}").font = BOLD
    top = 5
    last = write_table(sheet, top, list(rows.columns), rows.astype(object).values.tolist(), WIDTHS)
    for r in range(top + 1, last + 1):
        sheet.row_dimensions[r].height = 30  # room to sign
    given = "; ".join(f"{device_name(d).lower()}: {n}" for d, n in devices.items() if n)
    write_cell(sheet, last + 2, 1, f"Tổng cộng: {len(rows)} học sinh ({given}); gói cước: {packages}.").font = BOLD
    sheet.freeze_panes = sheet.cell(top + 1, 1)
    print_layout.prepare(sheet, top, landscape=True, signers=print_layout.signers_for(title), signers_row=last + 4)
    return workbook_bytes(book)


def _table_workbook(title: str, frame: pd.DataFrame, sheet_title: str) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    write_cell(sheet, 1, 1, title).font = Font(bold=True, size=13)
    write_table(sheet, 3, list(frame.columns), frame.astype(object).values.tolist(), WIDTHS)
    sheet.freeze_panes = sheet.cell(4, 1)
    print_layout.prepare(sheet, 3)
    return workbook_bytes(book)


def _unique_names(names: list[str]) -> list[str]:
    """File names, with ``(2)``, ``(3)`` added where two sanitised names collide (case-insensitively)."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        base = safe_file_name(name)
        n = seen[base.casefold()] = seen.get(base.casefold(), 0) + 1
        out.append(base if n == 1 else f"{base} ({n})")
    return out


def personal_files(run: Assignment) -> dict[str, bytes]:
    """The delivery lists, by path relative to ``delivery/``. Personal data: never share."""
    learners = run.learners
    area_order = {code: i for i, code in enumerate(run.roster.areas["code"])}
    served = learners[learners["served"]].assign(_area=lambda t: t["area"].map(area_order),
                                                  _school=lambda t: t["school"].map(ascii_fold))
    files: dict[str, bytes] = {MARKER: NOTICE.encode("utf-8")}

    def add(path: str, title: str, place: str, group: pd.DataFrame) -> None:
        rows = _delivery_rows(run, group)
        devices = group["device"].value_counts().reindex(run.devices, fill_value=0)
        files[path + ".csv"] = _csv_bytes(rows)
        files[path + ".xlsx"] = _delivery_workbook(run, title, place, rows, devices, int(group["data_package"].sum()))

    districts = sorted(served.groupby("area"), key=lambda kv: area_order[kv[0]])
    for (area, group), file_name in zip(districts, _unique_names([g["district"].iloc[0] for _, g in districts])):
        add(f"by_district/{file_name}", "Quận/Huyện", group["district"].iloc[0], group)
        schools = sorted(group.groupby("school_key"), key=lambda kv: (kv[1]["_school"].iloc[0], kv[0]))
        for (_, school), school_file in zip(schools, _unique_names([s["school"].iloc[0] for _, s in schools])):
            add(f"by_school/{file_name}/{school_file}", "Trường",
                f"{school['school'].iloc[0]} ({school['district'].iloc[0]})", school)
    waiting = learners[~learners["served"]].sort_values("waiting_rank")
    table = pd.DataFrame({
        "Thứ tự chờ": waiting["waiting_rank"].astype("int64"), "Mã học sinh": waiting["pupil_id"],
        "Họ và tên": waiting["full_name"], "Ngày sinh": waiting["date_of_birth"].map(lambda d: d.strftime("%d/%m/%Y")),
        "Trường": waiting["school"], "Quận/Huyện": waiting["district"], "Lớp": waiting["class_name"],
        "Diện": waiting["status"].map(STATUS_NAMES), "Nhóm ưu tiên": waiting["band"].astype("int64"),
        "Không có internet": waiting["offline"].map({True: "x", False: ""}), "Số điện thoại": waiting["phone"],
    })
    files["waiting_list.csv"] = _csv_bytes(table)
    files["waiting_list.xlsx"] = _table_workbook("DANH SÁCH CHỜ (theo thứ tự ưu tiên) – kế hoạch " + run.scenario.name,
                                                 table, "Danh sách chờ")
    return files


SCHOOL_HEADERS = {"district": "Quận/Huyện", "school": "Trường", "listed": "Số dòng", "eligible": "Đủ điều kiện",
                  "not_eligible": "Không đủ điều kiện", "held_for_review": "Chờ xem xét (trùng)",
                  "invalid": "Sai dữ liệu", "served": "Được nhận", "data_packages": "Gói cước",
                  "waiting": "Danh sách chờ"}


def shareable_files(run: Assignment) -> dict[str, bytes]:
    """Everything that may be shared, by file name: no personal data, learners by pseudonym only."""
    result = run.result
    schools = run.schools()  # counts of 1 to K - 1 learners shown as "<K" (sim.roster.disclosure)
    schools = suppress_counts(schools, [c for c in schools.columns if c not in ("district", "school")])
    files = {
        "allocation.csv": _csv_bytes(result.allocation),
        "coverage.csv": _csv_bytes(result.coverage),
        "summary.json": (json.dumps(result.summary, ensure_ascii=False, indent=2) + "\n").encode("utf-8"),
        "students.csv": run.students_csv.encode("utf-8-sig"),
        "waiting_list.csv": _csv_bytes(run.waiting_list()),
        "schools.csv": _csv_bytes(schools),
        "schools.xlsx": _table_workbook(
            "TỔNG HỢP THEO TRƯỜNG – kế hoạch " + run.scenario.name + f" (số từ 1 đến {K - 1} ghi là {SMALL})",
            schools.rename(columns={**SCHOOL_HEADERS, **{d: device_name(d) for d in run.devices}}), "Theo trường"),
        "roster_report.csv": _csv_bytes(run.roster.report(run.key)),
    }
    served = run.learners[run.learners["served"]]
    record = {
        "scenario": run.scenario.name,
        "pseudonym_key_id": run.key.key_id,
        "order_inside_a_group": "ascending HMAC-SHA256(key, 'sim-roster-v1:' + pupil id without case or spaces); "
                                "the pseudonym is HS- and its first 12 hex digits",
        "device_order": run.devices,
        "rosters": [{"file": p.name, "sha256": hashlib.sha256(p.read_bytes()).hexdigest()} for p in run.roster.files],
        "rows": run.roster.counts(),
        "served": len(served),
        "waiting": int((~run.learners["served"]).sum()),
        "devices": {d: int((served["device"] == d).sum()) for d in run.devices},
        "data_packages": int(served["data_package"].sum()),
    }
    files["assignment.json"] = (json.dumps(record, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    return files


def _write_private(root: Path, name: str, data: bytes) -> None:
    """``root/name`` readable by its owner only (folders 0700, files 0600); a new file, never
    through a symbolic link."""
    folder = root
    for part in Path(name).parent.parts:
        folder = folder / part
        folder.mkdir(mode=0o700, exist_ok=True)
        if folder.is_symlink() or not folder.is_dir():
            raise _refused(folder, "is a symbolic link")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    descriptor = os.open(root / name, flags, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


def _refused(path: Path, why: str) -> InputError:
    return InputError([Problem(str(path), f"the delivery folder {why}: refused, the lists hold children's personal data",
                               expected="a plain folder OUT/delivery (or none: it is created, readable by its owner only)",
                               hint="Remove the link, or choose another --out folder")])


def _replace_delivery(out: Path, files: dict[str, bytes]) -> Path:
    """Write ``files`` to a new folder inside ``out/delivery`` and swap it for the old lists.

    The work folders live inside ``delivery/`` too, so personal data never lands outside it,
    not even when a run is interrupted (the next run clears what it left).
    """
    target = out / DELIVERY
    if target.is_symlink():  # it would be followed: the old lists' folder emptied, the new ones written anywhere
        raise _refused(target, "is a symbolic link")
    if target.exists() and not target.is_dir():
        raise _refused(target, "is not a folder")
    if target.exists():
        links = sorted(e.name for e in target.iterdir() if e.is_symlink())
        if links:
            raise _refused(target / links[0], "is a symbolic link")
    if target.exists() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise InputError([Problem(str(target), "the output folder already has a delivery folder this program did not write",
                                  expected="an output folder of its own for `sim assign`")])
    target.mkdir(mode=0o700, exist_ok=True)
    if stat.S_IMODE(target.lstat().st_mode) != 0o700:
        os.chmod(target, 0o700)  # personal data: never in a folder others can read
    for left in target.glob(".sim-*"):
        shutil.rmtree(left, ignore_errors=True)
    fresh = Path(tempfile.mkdtemp(dir=target, prefix=".sim-new-"))
    old = Path(tempfile.mkdtemp(dir=target, prefix=".sim-old-"))
    try:
        for name, data in files.items():
            _write_private(fresh, name, data)
        try:
            for entry in [e for e in target.iterdir() if not e.name.startswith(".sim-")]:
                os.replace(entry, old / entry.name)
            for entry in fresh.iterdir():
                os.replace(entry, target / entry.name)
        except OSError:  # put back the old lists that nothing new replaced
            for entry in old.iterdir():
                if not (target / entry.name).exists():
                    os.replace(entry, target / entry.name)
            raise
    finally:
        shutil.rmtree(fresh, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)
    return target


def write_assignment(run: Assignment, out_dir: str | Path) -> list[Path]:
    """Write every file; returns the shareable files, then the delivery folder."""
    out = Path(out_dir)
    if run.key.path is not None and out.resolve() in (run.key.path, *run.key.path.parents):
        raise InputError([Problem(str(run.key.path), "the pseudonym key is inside the output folder",
                                  expected="a key kept outside the outputs, which are meant to be shared")])
    shareable, personal = shareable_files(run), personal_files(run)
    out.mkdir(parents=True, exist_ok=True)
    delivery = _replace_delivery(out, personal)
    written = []
    for name, data in shareable.items():
        write_atomic(out / name, data, mode=SHAREABLE_MODE)
        written.append(out / name)
    return written + [delivery]
