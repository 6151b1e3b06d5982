"""Nothing destroyed by a typo: the one check every command makes before it writes a file.

A command refuses (InputError, exit 2) to write over

* one of its own input files (``donations export l.sqlite --db l.sqlite``,
  ``roster check r.csv --out r.csv``), even with ``--force``;
* a folder, or, as ``--out``, a file that is not a folder;
* an existing file of another kind: a CSV or XLSX whose header is not the one the command writes,
  a JSON file that is not a JSON object, or any other file whose content differs from what the
  command would write (``roster template filled_roster.xlsx``), unless ``--force`` is given.

A file of the same kind (the results of an earlier run) is replaced as before, whole or not at all.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from pathlib import Path

from sim.read.errors import InputError, Problem

FORCE_HINT = "Give another file name, or add --force to replace it"


def _first_row(path: Path) -> list[str] | None:
    """The header row of an existing CSV or XLSX file, None if it has none that can be read."""
    try:
        if path.suffix.casefold() in (".xlsx", ".xlsm"):
            from openpyxl import load_workbook

            book = load_workbook(path, read_only=True, data_only=True)
            try:
                row = next(book.worksheets[0].iter_rows(values_only=True, max_row=1), None)
            finally:
                book.close()
            return None if row is None else ["" if v is None else str(v) for v in row]
        with open(path, "rb") as handle:
            line = handle.read(64 * 1024).split(b"\n", 1)[0].decode("utf-8-sig").rstrip("\r")
        delimiter = max([",", ";", "\t"], key=line.count)
        return next(csv.reader(io.StringIO(line), delimiter=delimiter), None)
    except Exception:  # noqa: BLE001 - a file that cannot be read as a table is not a table of this kind
        return None


def _same_kind(path: Path, like: Sequence[str] | bytes | None) -> bool:
    if isinstance(like, bytes):
        try:
            return path.stat().st_size == len(like) and path.read_bytes() == like
        except OSError:
            return False
    if like is not None:
        row = _first_row(path)
        return row is not None and [c.strip().casefold() for c in row if c.strip()] == [c.casefold() for c in like]
    if path.suffix.casefold() == ".json":
        try:
            return isinstance(json.loads(path.read_text(encoding="utf-8")), dict)
        except (OSError, ValueError):
            return False
    return False


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and a.samefile(b)
    except OSError:
        return False


def check_output(path: str | Path, like: Sequence[str] | bytes | None = None, *, inputs: Iterable[str | Path | None] = (),
                 force: bool = False, what: str = "output file") -> Path:
    """Raise InputError if writing ``path`` could destroy something (see the module's doc).

    ``like`` says what the command writes: a header (list of column names) for a CSV or XLSX
    table, the bytes themselves for a file written whole (a template), or None (a JSON object for
    ``.json``; any other existing file is refused). ``inputs`` are the command's input files.
    """
    path = Path(path)
    for given in inputs:
        if given is not None and _same_file(path, Path(given)):
            raise InputError([Problem(str(path), f"the {what} is also an input of this command", value=str(given),
                                      expected="another file name for the output: writing it would destroy the input")])
    if path.is_dir():
        raise InputError([Problem(str(path), f"the {what} is a folder", expected="a file name")])
    if path.exists() and not force and not _same_kind(path, like):
        raise InputError([Problem(str(path), f"the {what} already exists and is not one this command wrote",
                                  expected="a new file, or one written by the same command before", hint=FORCE_HINT)])
    return path


def check_folder(folder: str | Path, files: dict[str, Sequence[str] | bytes | None] | None = None, *,
                 inputs: Iterable[str | Path | None] = (), force: bool = False) -> Path:
    """``check_output`` for an ``--out`` folder: it is a folder (or not there yet) and each of
    ``files`` (name -> like) in it may be written."""
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError([Problem(str(folder), "--out names a file, not a folder", expected="a folder (created if missing)",
                                  hint="Give a folder name for the results")])
    inputs = list(inputs)
    for name, like in (files or {}).items():
        check_output(folder / name, like, inputs=inputs, force=force)
    return folder


def check_results_folder(out: Path, inputs: list, force: bool) -> None:
    """For ``run`` and ``replan``: --out is a folder whose allocation.csv, coverage.csv and
    summary.json, if there, are a plan's."""
    from sim.results.result import ALLOCATION_COLUMNS, COVERAGE_COLUMNS

    check_folder(out, {"allocation.csv": ALLOCATION_COLUMNS, "coverage.csv": COVERAGE_COLUMNS, "summary.json": None},
                 inputs=inputs, force=force)


def table_text(frame, *, numbers: Sequence[str] = (), dates: Sequence[str] = (), decimals: int = 3,
               values: dict | None = None) -> str:
    """A table as the command line prints it, in the current language: each header by its catalogue
    key ``col_<column>`` when there is one, whole numbers grouped and decimals written as the
    language writes them (``sim.locale.number``), the ``numbers`` columns (digits held as text)
    grouped too, the ``dates`` columns as dates (``sim.locale.date``), and the cells of a column in
    ``values`` (column -> function) turned into words. Empty cells stay empty.

    >>> import pandas as pd
    >>> from sim.locale import get_language, set_language
    >>> before = get_language(); set_language("vi")
    >>> print(table_text(pd.DataFrame({"version": [1], "covered": [2772], "rate": [0.3027]})))
    phiên bản được hỗ trợ tỷ lệ
            1       2.772 0,303
    >>> set_language(before)
    """
    import pandas as pd

    from sim.locale import date, number
    from sim.views.i18n import MESSAGES, t

    def whole(value) -> str:
        if value is None or value is pd.NA or (isinstance(value, float) and value != value) or value == "":
            return ""
        try:
            return number(int(str(value)))
        except ValueError:
            return str(value)

    def cells(column: str, series: pd.Series) -> pd.Series:
        if values and column in values:
            return series.map(lambda v: "" if v is None or v == "" or v is pd.NA else values[column](v))
        if column in dates:
            return series.map(lambda v: date(str(v)) if v not in (None, "") and v is not pd.NA and str(v)[:4].isdigit() else
                              ("" if v is None or v is pd.NA else str(v)))
        if column in numbers or pd.api.types.is_integer_dtype(series):
            return series.map(whole).astype(object)
        if pd.api.types.is_float_dtype(series):
            return series.map(lambda v: "" if v != v else number(v, decimals)).astype(object)
        return series

    shown = pd.DataFrame({column: cells(column, frame[column]) for column in frame.columns})
    shown.columns = [t("col_" + c) if "col_" + str(c) in MESSAGES else c for c in frame.columns]
    return shown.to_string(index=False)
