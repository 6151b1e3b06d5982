"""The blank roster template schools fill in: XLSX, Vietnamese headers, one sheet of instructions.

The first sheet ("Danh sách") has the header row only; ids, certificates and phone numbers are
formatted as text so Excel keeps their leading zeros, and the household and yes/no columns offer
drop-down lists. The second sheet ("Hướng dẫn") explains every column, in Vietnamese whatever the
language setting (the template goes to schools; the column names the files may also use are listed
beside the Vietnamese headers), from the catalogue's ``msgctxt "template"`` entries. Reading the
template back gives every roster column (a test checks it).
"""

from __future__ import annotations

import unicodedata

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from sim.roster.schema import ROSTER
from sim.roster.xlsx import BOLD, WRAP, workbook_bytes

ROWS = 2000  # rows prepared with formats and drop-down lists
TEXT_COLUMNS = {"pupil_id", "certificate_no", "phone", "date_of_birth"}
CHOICES = {"household": '"nghèo,cận nghèo"', "covid_orphan": '"có,không"', "has_computer": '"có,không"',
           "has_internet": '"có,không"', "guardian_consent": '"có,không"', "child_consent": '"có,không"'}
EXAMPLE = {"pupil_id": "8011234567", "full_name": "Nguyễn Văn An", "date_of_birth": "05/09/2010",
           "school": "Trường THCS ...", "district": "Đức Huệ", "grade": "9A1", "household": "nghèo",
           "certificate_no": "...", "covid_orphan": "không", "has_computer": "không", "has_internet": "có",
           "phone": "0912345678", "notes": "", "guardian_consent": "có", "child_consent": "có"}


def vietnamese(text: str) -> str:
    """A text of the instruction sheet in Vietnamese (``msgctxt "template"`` of the Vietnamese
    catalogue); a text the catalogue lacks raises KeyError (tests/test_cli_language.py)."""
    from sim.locale import translations

    found = translations("vi").pgettext("template", text)
    if found == text:
        raise KeyError(f"no Vietnamese for the template's {text!r} in sim/locale/vi/LC_MESSAGES/sim.po")
    return unicodedata.normalize("NFC", found)


def template_bytes() -> bytes:
    """The blank template as XLSX bytes (the same bytes every time)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    for j, column in enumerate(ROSTER, start=1):
        cell = sheet.cell(1, j, column.header)
        cell.font = BOLD
        letter = get_column_letter(j)
        sheet.column_dimensions[letter].width = max(12, len(column.header) + 4)
        if column.name in TEXT_COLUMNS:  # the column's own format: new cells are text
            sheet.column_dimensions[letter].number_format = "@"
        if column.name in CHOICES:
            check = DataValidation(type="list", formula1=CHOICES[column.name], allow_blank=True)
            check.error, check.errorTitle = vietnamese(column.accepted), column.header
            check.add(f"{letter}2:{letter}{ROWS + 1}")
            sheet.add_data_validation(check)
    sheet.freeze_panes = "A2"
    guide = book.create_sheet("Hướng dẫn")
    guide["A1"] = "Mẫu danh sách học sinh – Chương trình “Sóng và máy tính cho em”"
    guide["A1"].font = Font(bold=True, size=13)
    guide["A2"] = "Mỗi dòng một học sinh. Không đổi tên cột, không thêm dòng tiêu đề phía trên dòng 1."
    headers = ["Cột", "Tên cột trong tệp CSV", "Bắt buộc", "Giá trị được nhận", "Ý nghĩa", "Ví dụ"]
    for j, title in enumerate(headers, start=1):
        guide.cell(4, j, title).font = BOLD
    for i, column in enumerate(ROSTER, start=5):
        values = [column.header, column.name, "có" if column.required else "không", vietnamese(column.accepted),
                  vietnamese(column.description) + (" (dữ liệu cá nhân)" if column.personal else ""),
                  EXAMPLE[column.name]]
        for j, value in enumerate(values, start=1):
            guide.cell(i, j, value).alignment = WRAP
    for j, width in enumerate([24, 16, 12, 40, 50, 18], start=1):
        guide.column_dimensions[get_column_letter(j)].width = width
    return workbook_bytes(book)
