"""Workbooks written byte for byte the same from the same content (openpyxl stamps the time).

openpyxl records the save time in ``docProps/core.xml`` and every zip entry; both are replaced
by a fixed date, so two runs on the same inputs give identical files.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, NamedStyle, Side
from openpyxl.utils import get_column_letter

from sim.results.cells import write_cell

FIXED_TIME = dt.datetime(2000, 1, 1)
_STAMP = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")
THIN = Side(style="thin")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")


def workbook_bytes(book: Workbook) -> bytes:
    book.properties.creator = "sim"
    book.properties.created = book.properties.modified = FIXED_TIME
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for entry in source.infolist():
            data = source.read(entry.filename)
            if entry.filename == "docProps/core.xml":
                data = _STAMP.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            info = zipfile.ZipInfo(entry.filename, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, data)
    return out.getvalue()


def _styles(book: Workbook) -> None:
    if "table text" in book.named_styles:
        return
    book.add_named_style(NamedStyle("table header", font=BOLD, border=BOX,
                                    alignment=Alignment(wrap_text=True, vertical="center")))
    # ids, phones and certificates stay text in Excel
    book.add_named_style(NamedStyle("table text", border=BOX, alignment=WRAP, number_format="@"))
    book.add_named_style(NamedStyle("table number", border=BOX, alignment=WRAP))


def write_table(sheet, top: int, header: list[str], rows: list[list], widths: dict[str, float]) -> int:
    """Header at row ``top`` (bold, boxed), then the rows; returns the last row written.

    Every cell goes through ``sim.results.cells.write_cell``: text is a string cell, never a formula.
    """
    _styles(sheet.parent)
    for j, title in enumerate(header, start=1):
        write_cell(sheet, top, j, title).style = "table header"
        sheet.column_dimensions[get_column_letter(j)].width = widths.get(title, 14)
    for i, values in enumerate(rows, start=top + 1):
        for j, value in enumerate(values, start=1):
            # text is never a formula, whatever it starts with (sim.results.cells)
            write_cell(sheet, i, j, value).style = "table text" if isinstance(value, str) else "table number"
    return top + len(rows)
