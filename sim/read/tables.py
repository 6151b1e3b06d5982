"""Read the areas and students tables (CSV or XLSX) and check them against the file contract.

Every problem found is reported with the file, the spreadsheet row, the column, the value and
what is expected; all problems of a file are reported together, not just the first.
"""

from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.read import schema
from sim.locale import number
from sim.read.errors import Problems, input_error, one_line
from sim.read.names import did_you_mean, match_key, nearest, to_nfc
from sim.read.values import STUDENT_STATUS
from sim.results.cells import plain_text
from sim.core.rules import GRADE_LABELS, grade_level

# Ways schools write a status, by match key (sim.read.values, shared with the rosters' households);
# anything else is an error with a suggestion.
STATUS_ALIASES = STUDENT_STATUS.values


@dataclass(frozen=True)
class RawTable:
    """A table as text: header names and rows, each row with its spreadsheet row number.

    ``header`` holds the names the code matches (trimmed, lower case: ``mã học sinh``), the keys of
    each row's cells; ``written`` the same headers exactly as the file wrote them (``Mã học sinh``),
    for a file written back (``sim convert-units``) to keep the school's spelling, case and order."""

    path: Path
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    overfull: dict[int, int] = field(default_factory=dict)  # row -> filled cells beyond the header's columns
    written: list[str] = field(default_factory=list)  # the header row as written; empty: ``header``

    @property
    def written_header(self) -> list[str]:
        """The header row as the file wrote it, one name a column of ``header``."""
        return list(self.written) if len(self.written) == len(self.header) else list(self.header)


def _decode(path: Path, raw: bytes) -> str:
    # Excel writes UTF-8 with a BOM ("CSV UTF-8") or the Windows code page ("CSV"); Vietnamese
    # Windows uses cp1258, whose decomposed tone marks NFC normalisation puts back together.
    for encoding in ("utf-8-sig", "cp1258"):
        try:
            return to_nfc(raw.decode(encoding))
        except UnicodeDecodeError:
            continue
    raise input_error(path, "cannot read the file as text", expected="a CSV saved as UTF-8 (Excel: 'CSV UTF-8')")


def read_raw(path: str | Path, *, overfull_rows: bool = False, names: dict[str, str] | None = None) -> RawTable:
    """Read a CSV (comma, semicolon or tab separated) or the first sheet of an XLSX file.

    A row with more filled cells than the header has columns (an unquoted comma in a note) is an
    error; with ``overfull_rows`` (rosters, which check row by row) it is kept and listed in
    ``overfull`` for the caller to refuse that row alone. ``names``: the columns' Vietnamese names,
    for messages (``schema.VIETNAMESE_NAMES``)."""
    path = Path(path)
    if not path.is_file():
        raise input_error(path, "file not found", expected="an existing CSV or XLSX file")
    quoted = True  # may a cell start with the quote sim puts before a formula sign (plain_text)?
    if path.suffix.casefold() in (".xlsx", ".xlsm"):
        lines = _xlsx_rows(path)
    else:
        text = _decode(path, path.read_bytes())
        first = text.split("\n", 1)[0]
        delimiter = max([",", ";", "\t"], key=first.count)
        lines = _csv_rows(path, text, delimiter)
        quoted = "'" in text
    if not lines:
        raise input_error(path, "the file is empty", expected="a header row and data rows")
    header = [to_nfc(h).strip().casefold() for h in lines[0]]
    found = Problems(path, names)
    seen: dict[str, int] = {}
    for i, name in enumerate(header):
        if name and seen.setdefault(name, i) != i:
            found.add("a column appears twice in the header", 1, name, None, "each column once",
                      f"Columns {number(seen[name] + 1)} and {number(i + 1)} have this name: delete one")
    rows, overfull = [], {}
    width = len(header)
    for row, cells in enumerate(lines[1:], start=2):
        if len(cells) == width and not quoted:  # the common row, read the quick way (same result as below)
            values = dict(zip(header, map(str.strip, cells)))
            if any(values.values()):
                rows.append((row, values))
            continue
        if not any(c.strip() for c in cells):
            continue  # blank lines, as Excel leaves at the end
        extra = [c for c in cells[len(header):] if c.strip()]
        if extra and overfull_rows:
            overfull[row] = len(extra)
        elif extra:
            found.add(f"{number(len(header) + len(extra))} cells in a row but {number(len(header))} columns in the header", row,
                      None, extra[0], f"at most {number(len(header))} cells, as the header",
                      "A comma or semicolon inside a value (a note, an amount)? Put the value in quotes, or save the file from Excel")
        # plain_text: a quote sim put before a formula sign (sim.results.cells) is taken off
        rows.append((row, {h: (plain_text(cells[i].strip()) if i < len(cells) else "") for i, h in enumerate(header)}))
    found.raise_if_any()
    return RawTable(path, header, rows, overfull, written=list(lines[0]))


def _csv_rows(path: Path, text: str, delimiter: str) -> list[list[str]]:
    """The CSV's rows; a cell too long to be one (a quote never closed) is an InputError naming its row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    lines = []
    try:
        for cells in reader:
            lines.append(cells)
    except csv.Error as exc:
        limit = csv.field_size_limit()
        reason = (f"cannot read the row as CSV: a cell is longer than {number(limit)} characters"
                  if "field larger than field limit" in str(exc) else f"cannot read the row as CSV ({one_line(exc, 80)})")
        raise input_error(path, reason, row=reader.line_num, expected=f"cells of at most {number(limit)} characters",
                          hint='Is a quote (") opened and never closed?') from None
    return lines


def _xlsx_rows(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for damaged files
        raise input_error(path, f"cannot open the workbook ({exc.__class__.__name__})", expected="an .xlsx file saved by Excel or LibreOffice") from None
    sheet = book.worksheets[0]
    out = []
    for row in sheet.iter_rows(values_only=True):
        out.append(["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else to_nfc(str(v))) for v in row])
    book.close()
    return out


def check_header(table: RawTable, columns: tuple[schema.Column, ...], names: dict[str, str] | None = None) -> None:
    """InputError naming every required column missing from the header, with the nearest header found
    (``names``: the columns' Vietnamese names, for the message)."""
    missing = [c.name for c in columns if c.name not in table.header]
    if missing:
        extra = [h for h in table.header if h not in schema.column_names(columns)]
        problems = Problems(table.path, names)
        for name in missing:
            guess = nearest(name, extra) if extra else None
            problems.add("this column is missing from the header", row=1, column=name,
                         expected="the columns " + ",".join(schema.column_names(columns)),
                         hint=f"Is '{guess}' meant to be '{name}'?" if guess else
                         f"Found: {','.join(table.header)}" if any(table.header) else None)
        problems.raise_if_any()


MAX_COUNT = 10**9  # pupils, learners, people in one row: far above any district, far below 2**53
_WHOLE = re.compile(r"[+-]?(\d+)(?:\.0*)?(?:[eE]\+?(\d{1,3}))?", re.ASCII)
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d{1,3})?", re.ASCII)


def _integer(text: str) -> int | None:
    """A whole number read exactly (12, 12.0, 1e3; never through a float, so no digit is lost);
    None if it is not one. Numbers of more than 18 digits come back as 10**19: too large for any bound.

    >>> _integer("900719925474099317"), _integer("9223372036854775807"), _integer("1e3"), _integer("12.0")
    (900719925474099317, 10000000000000000000, 1000, 12)
    >>> _integer("²"), _integer("1.5"), _integer("1e-3")
    (None, None, None)
    """
    text = text.replace(" ", "")
    if len(text) <= 18 and text.isdigit() and text.isascii():  # the common case: plain digits
        return int(text)
    match = _WHOLE.fullmatch(text)
    if match is None:
        return None
    digits, exponent = match.group(1).lstrip("0"), int(match.group(2) or 0)
    if len(digits) + exponent > 18:
        return 10**19
    value = int(digits or "0") * 10**exponent
    return -value if text.startswith("-") else value


def _number(text: str) -> float | None:
    """A finite decimal number (comma or point); None otherwise."""
    text = text.replace(",", ".")
    if not _DECIMAL.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def read_areas(path: str | Path) -> pd.DataFrame:
    """Areas table: one row per area, with a unique code and a unique name."""
    names = schema.VIETNAMESE_NAMES["areas"]
    table = read_raw(path, names=names)
    check_header(table, schema.AREAS, names)
    found = Problems(table.path, names)
    records, codes, keys = [], {}, {}
    for row, cells in table.rows:
        code, name = cells["code"], to_nfc(cells["name"])
        if not code:
            found.add("code is empty", row, "code", code, "a unique code for every area")
        elif code in codes:
            found.add("code appears twice", row, "code", code, "unique codes", f"First seen in row {codes[code]}")
        if not name:
            found.add("name is empty", row, "name", name, "the area's name")
        elif match_key(name) in keys:
            found.add("name appears twice", row, "name", name, "unique names", f"First seen in row {keys[match_key(name)]}")
        codes.setdefault(code, row)
        keys.setdefault(match_key(name), row)
        population = _integer(cells.get("population", "")) if cells.get("population") else None
        if cells.get("population") and (population is None or not 0 <= population <= MAX_COUNT * 10):
            found.add("population is not a whole number ≥ 0" if population is None or population < 0 else "population is too large",
                      row, "population", cells["population"], f"an integer from 0 to {number(MAX_COUNT * 10)} or empty")
            population = None
        coords = {}
        for axis, limit in (("lat", 90), ("lon", 180)):
            text = cells.get(axis, "")
            coords[axis] = _number(text) if text else None
            if text and (coords[axis] is None or abs(coords[axis]) > limit):
                found.add(f"{axis} is not a coordinate", row, axis, text, f"a number between -{number(limit)} and {number(limit)} or empty")
        records.append({"code": code, "name": name, "type": to_nfc(cells.get("type", "")),
                        "population": population, "lat": coords["lat"], "lon": coords["lon"]})
    if not records:
        found.add("no areas", 2, "code", None, "at least one area")
    found.raise_if_any()
    areas = pd.DataFrame.from_records(records, columns=schema.column_names(schema.AREAS))
    areas["population"] = areas["population"].astype("Int64")
    return areas


class AreaIndex:
    """Finds an area by code or by name, ignoring case, normal form and tone-mark placement."""

    def __init__(self, areas: pd.DataFrame):
        self.names = list(areas["name"])
        self._by_key: dict[str, str] = {}
        for code, name, kind in zip(areas["code"], areas["name"], areas["type"]):
            self._by_key[match_key(code)] = code
            self._by_key[match_key(name)] = code
            if kind:  # "Huyện Đức Huệ" finds "Đức Huệ" of type "Huyện"
                self._by_key.setdefault(match_key(f"{kind} {name}"), code)
        self.name_of = dict(zip(areas["code"], areas["name"]))

    def find(self, text: object) -> str | None:
        """The area's code, or None."""
        return self._by_key.get(match_key(text))

    def suggestion(self, text: object) -> str | None:
        return did_you_mean(text, self.names)


def read_students(path: str | Path, areas: pd.DataFrame) -> pd.DataFrame:
    """Students table, one row per area x grade x status (several rows for one cell add up).

    Returns columns ``area, grade, status, pupils, without_internet`` where ``area`` is the area's
    code and ``grade`` is 1-12 or 13 for higher education.
    """
    names = schema.VIETNAMESE_NAMES["students"]
    table = read_raw(path, names=names)
    check_header(table, schema.STUDENTS, names)
    index = AreaIndex(areas)
    found = Problems(table.path, names)
    records = []
    levels: dict[str, int | None] = {}  # each distinct grade text read once
    districts: dict[str, str | None] = {}  # each distinct district text looked up once, each status text too
    statuses: dict[str, str | None] = {}
    for row, cells in table.rows:
        if cells["district"] not in districts:
            districts[cells["district"]] = index.find(cells["district"])
        area = districts[cells["district"]]
        if area is None:
            found.add("unknown district", row, "district", cells["district"],
                      "a name or code from the areas file", index.suggestion(cells["district"]))
        grade = cells["grade"]
        if grade not in levels:
            try:
                levels[grade] = grade_level(grade)
            except ValueError:
                levels[grade] = None
        level = levels[grade]
        if level is None:
            found.add("unknown grade", row, "grade", cells["grade"], "1 to 12, or " + GRADE_LABELS[-1])
        if cells["status"] not in statuses:
            statuses[cells["status"]] = STUDENT_STATUS.read(cells["status"])
        status = statuses[cells["status"]]
        if status is None:
            found.add(STUDENT_STATUS.problem, row, "status", cells["status"], STUDENT_STATUS.expected,
                      STUDENT_STATUS.suggestion(cells["status"]))
        pupils = _integer(cells["pupils"])
        if pupils is None or pupils < 0:
            pupils = None
            found.add("pupils is not a whole number ≥ 0", row, "pupils", cells["pupils"], "an integer ≥ 0")
        elif pupils > MAX_COUNT:
            pupils = None
            found.add("pupils is too large", row, "pupils", cells["pupils"], f"at most {number(MAX_COUNT)} learners in one row")
        offline = _integer(cells["without_internet"])
        if offline is not None and offline > MAX_COUNT:
            found.add("without_internet is too large", row, "without_internet", cells["without_internet"],
                      f"at most {number(MAX_COUNT)} learners in one row")
        elif offline is None or offline < 0:
            found.add("without_internet is not a whole number ≥ 0", row, "without_internet", cells["without_internet"],
                      "an integer from 0 to pupils (0 if all have internet)")
        elif pupils is not None and offline > pupils:
            found.add("without_internet is larger than pupils", row, "without_internet", cells["without_internet"],
                      f"at most pupils ({number(pupils)})")
        records.append((area, level, status, pupils, offline))
    found.raise_if_any()
    students = pd.DataFrame.from_records(records, columns=["area", "grade", "status", "pupils", "without_internet"])
    students = students.groupby(["area", "grade", "status"], as_index=False, sort=True)[["pupils", "without_internet"]].sum()
    return students.astype({"pupils": "int64", "without_internet": "int64", "grade": "int64"})
