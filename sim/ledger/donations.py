"""The donations and deliveries file formats: read and check CSV/XLSX rows, write them back.

A *donation* is money, devices or data packages a donor gave or promised; a *delivery* is devices
the Department handed over to learners of one district. Both are records with an id; this module
turns file rows into checked records (every problem of a file reported at once, naming the file,
row, column, value and what is expected) and records back into CSV or XLSX. Storing them is
``sim.ledger``'s job.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import asdict, dataclass, fields
from pathlib import Path

from sim.read.dates import calendar_date
from sim.locale import number
from sim.read.errors import InputError, Problem, Problems
from sim.ledger.sources import BY_HAND, file_row
from sim.read.names import did_you_mean, match_key, to_nfc
from sim.core.rules import BANDS
from sim.read.schema import Column
from sim.read.tables import RawTable, check_header, read_raw
from sim.results.cells import csv_rows, write_row
from sim.results.write import write_atomic

KINDS = ("cash", "device", "data_package")
STATUSES = ("pledged", "received", "cancelled", "delivered")

DONATIONS = (
    Column("donation_id", "text", True, "unique id of the donation, as the Department's register writes it"),
    Column("date", "date", True, "day the donation was pledged or received: YYYY-MM-DD or day-first 24/11/2026"),
    Column("donor", "text", False, "who gave it"),
    Column("kind", "kind", True, "cash, device or data_package"),
    Column("device", "text", False, "for kind device: the device, as the scenario names it (tablet, laptop ...)"),
    Column("quantity", "integer", False, "for devices and data packages: how many (≥ 1)", "units"),
    Column("amount_vnd", "integer", False, "for cash: the amount (≥ 1); for gifts in kind: their value, if known", "VND"),
    Column("earmark_district", "area", False, "the district the donor reserved it for (empty: anywhere)"),
    Column("earmark_band", "band", False, "the priority band the donor reserved it for, 1-5 (empty: any)"),
    Column("status", "donation_status", True, "pledged, received, cancelled or delivered"),
)

DELIVERIES = (
    Column("delivery_id", "text", True, "unique id of the hand-over"),
    Column("date", "date", True, "day of the hand-over: YYYY-MM-DD or day-first 24/11/2026"),
    Column("district", "area", True, "district whose learners received the devices"),
    Column("device", "text", True, "the device handed over, as the scenario names it"),
    Column("quantity", "integer", True, "how many devices (≥ 1)", "units"),
    Column("note", "text", False, "free text: school, programme, who signed"),
)

# How registers write kinds and statuses, by match key (English or Vietnamese).
KIND_ALIASES = {match_key(a): kind for kind, aliases in {
    "cash": ["cash", "money", "tiền", "tiền mặt"],
    "device": ["device", "devices", "thiết bị", "máy tính"],
    "data_package": ["data_package", "data package", "data-package", "data", "gói cước", "gói dữ liệu"],
}.items() for a in aliases}
STATUS_ALIASES = {match_key(a): status for status, aliases in {
    "pledged": ["pledged", "pledge", "cam kết", "đăng ký"],
    "received": ["received", "đã nhận", "đã tiếp nhận"],
    "cancelled": ["cancelled", "canceled", "đã hủy", "hủy"],
    "delivered": ["delivered", "đã trao", "đã bàn giao", "đã giao"],
}.items() for a in aliases}


@dataclass(frozen=True)
class Donation:
    """One donation as the ledger keeps it. ``device`` is '' for cash and data packages."""

    donation_id: str
    date: str  # ISO YYYY-MM-DD
    donor: str
    kind: str
    device: str
    quantity: int
    amount_vnd: int
    earmark_district: str
    earmark_band: int | None
    status: str

    def same_as(self, other: "Donation") -> bool:
        """Same content; names compare as ``names.match_key`` does (case, Unicode form, tone placement)."""
        mine, theirs = asdict(self), asdict(other)
        for key in ("donor", "earmark_district"):
            mine[key], theirs[key] = match_key(mine[key]), match_key(theirs[key])
        return mine == theirs

    def differences(self, other: "Donation") -> list[str]:
        """Names of the columns whose values differ."""
        return [f.name for f in fields(self) if f.name in ("donor", "earmark_district")
                and match_key(getattr(self, f.name)) != match_key(getattr(other, f.name))
                or f.name not in ("donor", "earmark_district") and getattr(self, f.name) != getattr(other, f.name)]

    def describe(self) -> str:
        """'50 tablets', '1 laptop', '200,000,000 VND' or '300 data packages', with the earmark if any;
        in Vietnamese (the default) '50 máy tính bảng', '200.000.000 đồng', '300 gói dữ liệu di động'."""
        from sim.locale import gettext as t, item_count, number

        if self.kind == "cash":
            what = t("describe_cash").format(amount=number(self.amount_vnd))
        else:
            what = item_count(self.quantity, self.device if self.kind == "device" else "data_package")
        reserved = [t("describe_for_district").format(district=self.earmark_district) if self.earmark_district else "",
                    t("describe_for_band").format(band=self.earmark_band) if self.earmark_band else ""]
        return " ".join([what, *filter(None, reserved)])


@dataclass(frozen=True)
class Delivery:
    """Devices handed over to learners of one district."""

    delivery_id: str
    date: str
    district: str
    device: str
    quantity: int
    note: str

    def same_as(self, other: "Delivery") -> bool:
        mine, theirs = asdict(self), asdict(other)
        for key in ("district", "note"):
            mine[key], theirs[key] = match_key(mine[key]), match_key(theirs[key])
        return mine == theirs

    def differences(self, other: "Delivery") -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) != getattr(other, f.name)]


@dataclass(frozen=True)
class Sourced:
    """A record and where it came from: a file and its spreadsheet row, or a command."""

    record: Donation | Delivery
    source: str  # as the ledger stores it, in no language: "donations.csv:7", "command-line" (sim.ledger.sources)
    file: str = ""
    row: int | None = None


# ---------------------------------------------------------------- single values



def parse_date(text: str) -> str | None:
    """ISO or Vietnamese day-first date as YYYY-MM-DD; None if it is neither or no such day.

    >>> parse_date("2026-11-24"), parse_date("24/11/2026"), parse_date("3.2.2027"), parse_date("2026-11-24 00:00:00")
    ('2026-11-24', '2026-11-24', '2027-02-03', '2026-11-24')
    >>> parse_date("11/24/2026") is None, parse_date("31/02/2026") is None
    (True, True)
    """
    date = calendar_date(text)
    return date.isoformat() if date else None


_GROUPED = re.compile(r"^\d{1,3}(?:([.,\s])\d{3})(?:\1\d{3})*$", re.ASCII)


def parse_amount(text: str) -> int | None:
    """A whole amount, with or without thousands separators (1.000.000, 1,000,000, 1 000 000) and
    an optional VND/đ suffix; None otherwise (1.5 is refused: is it 1.5 or 1,500?).

    >>> parse_amount("1.000.000"), parse_amount("2,500,000 VND"), parse_amount("300000000"), parse_amount("50 000đ")
    (1000000, 2500000, 300000000, 50000)
    >>> parse_amount("1.5") is None, parse_amount("-3") is None
    (True, True)
    """
    text = re.sub(r"\s*(vnd|vnđ|đ|₫)$", "", text.strip(), flags=re.IGNORECASE).replace("\u00a0", " ")
    if len(text) > 40:
        return None
    if re.fullmatch(r"[0-9]+", text):  # ASCII digits only: '²' and '٣' pass str.isdigit
        return int(text)
    if _GROUPED.match(text):
        return int(re.sub(r"[.,\s]", "", text))
    return None


MAX_VND = 10**15  # as the scenario's amounts: far above any gift, far below what SQLite can store
MAX_UNITS = 10**9


def id_problem(text: str) -> str | None:
    """What is wrong with a donation or delivery id, or None: ids are printable, without control,
    zero-width or direction characters (which make two ids look the same) and not too long."""
    if len(text) > 100:
        return f"the id is longer than {number(100)} characters"
    if any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in text):
        return "the id holds an invisible or control character"
    return None


# ---------------------------------------------------------------- rows to records

def _count(found: Problems, row: int, cells: dict, column: str, *, required: bool, least: int) -> int:
    text = cells.get(column, "")
    if not text:
        if required:
            found.add(f"{column} is empty", row, column, text, f"a whole number ≥ {number(least)}")
        return 0
    value = parse_amount(text)
    if value is None or value < least:
        found.add(f"{column} is not a whole number ≥ {number(least)}", row, column, text,
                  f"a whole number ≥ {number(least)}" + (", without decimals" if column == "amount_vnd" else ""))
        return 0
    limit = MAX_VND if column == "amount_vnd" else MAX_UNITS
    if value > limit:
        found.add(f"{column} is too large", row, column, text, f"at most {number(limit)}" + (" VND" if column == "amount_vnd" else ""),
                  "A typo? Check for extra zeros")
        return 0
    return value


def donation_from_cells(found: Problems, row: int, cells: dict[str, str]) -> Donation | None:
    """Check one row; add its problems to ``found``; the record if the row is good."""
    before = len(found)
    donation_id = cells["donation_id"].strip()
    if not donation_id:
        found.add("donation_id is empty", row, "donation_id", "", "a unique id for every donation")
    elif id_problem(donation_id):
        found.add(id_problem(donation_id), row, "donation_id", donation_id, "an id of letters, digits and punctuation, as the register writes it")
    date = parse_date(cells["date"])
    if date is None:
        found.add("not a date", row, "date", cells["date"], "YYYY-MM-DD or day/month/year, e.g. 2026-11-24 or 24/11/2026")
    kind = KIND_ALIASES.get(match_key(cells["kind"]))
    if kind is None:
        found.add("unknown kind", row, "kind", cells["kind"], " or ".join(KINDS), did_you_mean(cells["kind"], list(KINDS)))
    status = STATUS_ALIASES.get(match_key(cells["status"]))
    if status is None:
        found.add("unknown status", row, "status", cells["status"], " or ".join(STATUSES),
                  did_you_mean(cells["status"], list(STATUSES)))
    device = " ".join(to_nfc(cells.get("device", "")).split()).casefold()
    quantity = _count(found, row, cells, "quantity", required=kind in ("device", "data_package"), least=1)
    amount = _count(found, row, cells, "amount_vnd", required=kind == "cash", least=1 if kind == "cash" else 0)
    if kind == "device" and not device:
        found.add("device is empty for a gift of devices", row, "device", "", "the device's name, e.g. tablet")
    if kind == "cash" and device:
        found.add("a device is named for a cash donation", row, "device", device, "an empty cell, or kind device")
    if kind == "data_package":
        if device not in ("", "data_package", "data package"):
            found.add("a device is named for a gift of data packages", row, "device", device, "an empty cell")
        device = ""
    if kind == "cash" and cells.get("quantity", "") not in ("", "0"):
        found.add("a quantity is given for a cash donation", row, "quantity", cells["quantity"], "an empty cell")
    band_text = cells.get("earmark_band", "")
    band = None
    if band_text:
        band = parse_amount(band_text)
        if band not in BANDS:
            found.add("not a priority band", row, "earmark_band", band_text, "1 to 5, or an empty cell")
    district = " ".join(to_nfc(cells.get("earmark_district", "")).split())
    if status == "delivered" and kind in ("device", "data_package") and not district:
        found.add("a delivered gift in kind does not say where it was delivered", row, "earmark_district", "",
                  "the district whose learners received it")
    if len(found) > before:
        return None
    return Donation(donation_id, date, " ".join(to_nfc(cells.get("donor", "")).split()), kind, device,
                    quantity, amount, district, band, status)


def delivery_from_cells(found: Problems, row: int, cells: dict[str, str]) -> Delivery | None:
    before = len(found)
    delivery_id = cells["delivery_id"].strip()
    if not delivery_id:
        found.add("delivery_id is empty", row, "delivery_id", "", "a unique id for every hand-over")
    elif id_problem(delivery_id):
        found.add(id_problem(delivery_id), row, "delivery_id", delivery_id, "an id of letters, digits and punctuation, as the register writes it")
    date = parse_date(cells["date"])
    if date is None:
        found.add("not a date", row, "date", cells["date"], "YYYY-MM-DD or day/month/year, e.g. 2026-11-24 or 24/11/2026")
    district = " ".join(to_nfc(cells["district"]).split())
    if not district:
        found.add("district is empty", row, "district", "", "the district whose learners received the devices")
    device = " ".join(to_nfc(cells["device"]).split()).casefold()
    if not device:
        found.add("device is empty", row, "device", "", "the device's name, e.g. tablet")
    elif device in ("data_package", "data package"):
        found.add("data packages are not recorded as deliveries", row, "device", device,
                  "a device; learners without internet get their package with the device")
    quantity = _count(found, row, cells, "quantity", required=True, least=1)
    if len(found) > before:
        return None
    return Delivery(delivery_id, date, district, device, quantity, " ".join(to_nfc(cells.get("note", "")).split()))


@dataclass(frozen=True)
class RecordKind:
    """What differs between donations and deliveries when reading, listing and writing them."""

    name: str  # donations | deliveries
    columns: tuple[Column, ...]
    id_column: str
    from_cells: object  # (found, row, cells) -> record | None
    record: type


DONATION_KIND = RecordKind("donations", DONATIONS, "donation_id", donation_from_cells, Donation)
DELIVERY_KIND = RecordKind("deliveries", DELIVERIES, "delivery_id", delivery_from_cells, Delivery)


def read_records(path: str | Path, kind: RecordKind) -> list[Sourced]:
    """Read and check a donations or deliveries file (CSV in UTF-8 or cp1258, any separator, or XLSX).

    A row repeated with the same content counts once; an id repeated with other content is an
    error naming both rows. Raises InputError listing every problem.
    """
    names = VIETNAMESE_NAMES[kind.name]
    table: RawTable = read_raw(path, names=names)
    check_header(table, kind.columns, names)
    found = Problems(table.path, names)
    seen: dict[str, Sourced] = {}
    out: list[Sourced] = []
    for row, cells in table.rows:
        record = kind.from_cells(found, row, cells)
        if record is None:
            continue
        key = getattr(record, kind.id_column)
        first = seen.get(key)
        if first is None:
            seen[key] = Sourced(record, file_row(table.path.name, row), table.path.name, row)
            out.append(seen[key])
        elif not first.record.same_as(record):
            column = first.record.differences(record)[0]
            found.add(f"{kind.id_column} {key!r} appears again with different content", row, column,
                      getattr(record, column), f"{getattr(first.record, column)!r} as in row {first.row}",
                      "Each id is one record: give the other one a new id, or correct one of the two rows")
    found.raise_if_any()
    return out


def from_columns(record_kind: RecordKind, source: str = BY_HAND, /, **values: object) -> Sourced:
    """One record given column by column, checked like a file row (InputError if it is wrong):
    ``from_columns(DONATION_KIND, donation_id="D7", date="24/11/2026", kind="cash", amount_vnd=5_000_000,
    status="received")``. ``source`` is what the ledger stores as its origin (``sim.ledger.sources``)."""
    from sim.ledger.sources import COMMAND_LINE as FROM_COMMAND_LINE, shown
    from sim.read.errors import COMMAND_LINE

    where = COMMAND_LINE if source == FROM_COMMAND_LINE else shown(source)  # what an error names as its place
    names = [c.name for c in record_kind.columns]
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise InputError([Problem(where, "unknown column", column=unknown[0], expected="one of the columns " + ", ".join(names),
                                  hint=did_you_mean(unknown[0], names))])
    cells = {name: "" if values.get(name) is None else str(values[name]) for name in names}
    found = Problems(Path(where), VIETNAMESE_NAMES[record_kind.name])
    record = record_kind.from_cells(found, None, cells)
    if record is None:
        raise InputError(list(found))
    return Sourced(record, source)


def records_frame(records: list, kind: RecordKind = DONATION_KIND):
    """Records as a table in the file format's columns (for notebooks)."""
    import pandas as pd

    header, *rows = records_table([r.record if isinstance(r, Sourced) else r for r in records], kind)
    return pd.DataFrame(rows, columns=header)


def _cell(value: object) -> str:
    return "" if value is None else str(value)


def records_table(records: list, kind: RecordKind) -> list[list[str]]:
    """Header and rows as text, in the file format's column order (cash rows leave quantity empty)."""
    header = [c.name for c in kind.columns]
    rows = []
    for record in records:
        values = asdict(record)
        if kind is DONATION_KIND and record.kind == "cash":
            values["quantity"] = None
        elif kind is DONATION_KIND and not record.amount_vnd:
            values["amount_vnd"] = None  # a gift in kind of unknown value
        rows.append([_cell(values[name]) for name in header])
    return [header, *rows]


def write_records(path: str | Path, records: list, kind: RecordKind) -> Path:
    """Write records as CSV (UTF-8 with BOM, for Excel) or XLSX, whole or not at all."""
    path = Path(path)
    table = records_table(records, kind)
    if path.suffix.casefold() == ".xlsx":
        _write_xlsx(path, table, kind)
    else:
        write_atomic(path, csv_rows(table), encoding="utf-8-sig")  # no text cell is a formula
    return path


def _write_xlsx(path: Path, table: list[list[str]], kind: RecordKind) -> None:
    from openpyxl import Workbook

    numbers = {c.name for c in kind.columns if c.kind in ("integer", "band")}
    book = Workbook()
    sheet = book.active
    sheet.title = kind.name
    header = table[0]
    write_row(sheet, header, 1)
    for r, row in enumerate(table[1:], start=2):  # numbers as numbers, so Excel can add them up; ids and dates as text
        write_row(sheet, [int(v) if header[i] in numbers and v else v for i, v in enumerate(row)], r)
    buffer = io.BytesIO()
    book.save(buffer)
    write_atomic(path, buffer.getvalue())


# The columns' meanings and units in Vietnamese, for the manual's column tables (docs/hooks.py):
# column name -> (description, unit). Every column of DONATIONS and DELIVERIES has one (tests/test_docs.py).
VIETNAMESE = {
    "donations": {
        "donation_id": ("mã duy nhất của khoản tài trợ, như sổ của Sở ghi", ""),
        "date": ("ngày cam kết hoặc ngày nhận: YYYY-MM-DD hoặc ngày trước, ví dụ 24/11/2026", ""),
        "donor": ("nhà tài trợ", ""),
        "kind": ("cash (tiền), device (máy) hoặc data_package (gói dữ liệu)", ""),
        "device": ("với loại device: loại máy, như kịch bản gọi tên (tablet, laptop …)", ""),
        "quantity": ("với máy và gói dữ liệu: số lượng (≥ 1)", "chiếc, gói"),
        "amount_vnd": ("với tiền: số tiền (≥ 1); với hiện vật: giá trị, nếu biết", "đồng"),
        "earmark_district": ("huyện mà nhà tài trợ dành riêng cho (để trống: mọi nơi)", ""),
        "earmark_band": ("nhóm ưu tiên mà nhà tài trợ dành riêng cho, 1–5 (để trống: mọi nhóm)", ""),
        "status": ("pledged (đã cam kết), received (đã nhận), cancelled (đã hủy) hoặc delivered (đã trao)", ""),
    },
    "deliveries": {
        "delivery_id": ("mã duy nhất của lần bàn giao", ""),
        "date": ("ngày bàn giao: YYYY-MM-DD hoặc ngày trước, ví dụ 24/11/2026", ""),
        "district": ("huyện có người học đã nhận máy", ""),
        "device": ("loại máy đã bàn giao, như kịch bản gọi tên", ""),
        "quantity": ("số máy (≥ 1)", "chiếc"),
        "note": ("ghi chú tự do: trường, chương trình, người ký nhận", ""),
    },
}


# The columns' short Vietnamese names, which messages show after the identifier the file's header
# uses: "cột 'earmark_band' (nhóm ưu tiên được dành riêng)" (sim.read.errors.column_words).
VIETNAMESE_NAMES = {
    "donations": {"donation_id": "mã khoản tài trợ", "date": "ngày", "donor": "nhà tài trợ", "kind": "loại",
                  "device": "loại máy", "quantity": "số lượng", "amount_vnd": "số tiền", "earmark_district": "huyện được dành riêng",
                  "earmark_band": "nhóm ưu tiên được dành riêng", "status": "trạng thái"},
    "deliveries": {"delivery_id": "mã lần bàn giao", "date": "ngày bàn giao", "district": "huyện", "device": "loại máy",
                   "quantity": "số máy", "note": "ghi chú"},
}
