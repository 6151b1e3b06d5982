"""Sheets ready to print and sign: A4, landscape when wide, fitted to the page width, the header
row on every page, "Trang x / y" in the footer, columns as wide as their headers and contents
(capped), and signature blocks with dates under a delivery list.

The writers call :func:`prepare` once per sheet after the table is written (one line each)::

    print_layout.prepare(sheet, top)                                    # a table
    print_layout.prepare(sheet, top, signers=print_layout.signers_for("Trường"), signers_row=last + 4)

Everything here is deterministic (no date, no locale): the same table gives the same bytes.
"""

from __future__ import annotations

from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

PAGE_NUMBERS = "Trang &P / &N"  # Excel and LibreOffice fill in &P (this page) and &N (pages)
PORTRAIT_WIDTH = 95  # about what an A4 portrait page holds at 100%, in Excel's character widths
MIN_WIDTH, MAX_WIDTH = 5, 36  # a column is never narrower or (for its contents) wider than these
MIN_WIDTHS = {"Ký nhận": 22, "Ghi chú": 16}  # room to sign or write by hand
LINE_HEIGHT = 15  # points per line of wrapped text
HEADER_LINES = 2  # a header wraps onto two lines at most
DATE_LINE = "Ngày ..... tháng ..... năm 20....."
SIGN_NOTE = "(Ký, ghi rõ họ tên)"
PREPARER = "Người lập biểu"
SCHOOL_HEAD = "Hiệu trưởng"
DISTRICT_HEAD = "Trưởng phòng Giáo dục và Đào tạo"
DISTRICT_COUNCIL = "Đại diện UBND quận/huyện"


def school_signers() -> list[str]:
    """Who signs a school's list: whoever drew it up, and the head teacher."""
    return [PREPARER, SCHOOL_HEAD]


def district_signers() -> list[str]:
    """Who signs a district's list: whoever drew it up, the district's head of education, and the
    district's People's Committee."""
    return [PREPARER, DISTRICT_HEAD, DISTRICT_COUNCIL]


def signers_for(level: str) -> list[str]:
    """The signers of a delivery list for a school (``"Trường"``) or a district (anything else)."""
    return school_signers() if level == "Trường" else district_signers()


def _text_width(value) -> int:
    if value is None:
        return 0
    return max((len(line) for line in str(value).splitlines()), default=0)


def _longest_word(text: str) -> int:
    return max((len(word) for word in str(text).split()), default=0)


def table_end(sheet, header_row: int) -> int:
    """The table's last row: the rows under the header until the first whose first cell is empty
    (a total line or the signatures come after an empty row)."""
    row = header_row
    while sheet.cell(row + 1, 1).value not in (None, ""):
        row += 1
    return row


def fit_columns(sheet, header_row: int, cap: int = MAX_WIDTH) -> None:
    """Each column of the table whose header is at ``header_row``: wide enough for its header (on
    two lines at most, wrapped between words) and for its contents, up to ``cap`` characters
    (longer contents wrap); a column to write or sign in at least its ``MIN_WIDTHS``. Rows whose contents
    wrap (the header too) are made tall enough for every line, as Excel and LibreOffice do not
    grow them on their own."""
    last = table_end(sheet, header_row)
    widths = {}
    for cell in sheet[header_row]:
        if cell.value is None:
            continue
        header = str(cell.value)
        contents = max((_text_width(row[0].value) for row in sheet.iter_rows(
            min_row=header_row + 1, max_row=last, min_col=cell.column, max_col=cell.column)), default=0)
        width = max(MIN_WIDTH, MIN_WIDTHS.get(header, 0), _longest_word(header) + 2, min(contents + 2, cap))
        while _wrapped_lines(header, width - 2) > HEADER_LINES:
            width += 1
        sheet.column_dimensions[get_column_letter(cell.column)].width = widths[cell.column] = width
    for r in range(header_row, last + 1):
        lines = max((_wrapped_lines(str(sheet.cell(r, j).value or ""), width - 1) for j, width in widths.items()),
                    default=1)
        if lines > 1 and (sheet.row_dimensions[r].height or 0) < lines * LINE_HEIGHT:
            sheet.row_dimensions[r].height = lines * LINE_HEIGHT


def _wrapped_lines(text: str, width: int) -> int:
    """How many lines ``text`` takes when wrapped at word boundaries to ``width`` characters."""
    count, used = 1, 0
    for word in text.split():
        if used and used + 1 + len(word) > width:
            count, used = count + 1, len(word)
        else:
            used += (1 if used else 0) + len(word)
    return count


def table_width(sheet) -> float:
    """The width of the used columns, in Excel's character widths."""
    return sum(sheet.column_dimensions[get_column_letter(j)].width or 13 for j in range(1, sheet.max_column + 1))


def setup_page(sheet, header_row: int, landscape: bool | None = None) -> None:
    """A4, fitted to one page wide (as many pages tall as needed), the header row repeated on
    every page, "Trang x / y" centred in the footer. ``landscape=None`` turns the page when the
    columns are wider than a portrait page holds."""
    if landscape is None:
        landscape = table_width(sheet) > PORTRAIT_WIDTH
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.print_options.horizontalCentered = True
    sheet.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.7, header=0.3, footer=0.3)
    sheet.oddFooter.center.text = PAGE_NUMBERS
    sheet.oddFooter.center.size = 9


def signature_blocks(sheet, row: int, signers: list[str], columns: int | None = None) -> int:
    """One block per signer side by side from ``row``: the date to fill in, the signer in bold,
    "(Ký, ghi rõ họ tên)", and room to sign. The page's columns are shared out evenly among the
    blocks; a block spans its share, centred. Returns the last row used."""
    columns = columns or sheet.max_column
    share = max(1, columns // len(signers))
    for k, signer in enumerate(signers):
        first = 1 + k * share
        last = columns if k == len(signers) - 1 else first + share - 1
        for offset, (text, font) in enumerate([(DATE_LINE, Font(italic=True)), (signer, Font(bold=True)),
                                               (SIGN_NOTE, Font(italic=True))]):
            cell = sheet.cell(row + offset, first, text)
            cell.font = font
            cell.alignment = Alignment(horizontal="center")
            if last > first:
                sheet.merge_cells(start_row=row + offset, start_column=first, end_row=row + offset, end_column=last)
    sheet.row_dimensions[row + 3].height = 60  # room for the signature
    return row + 3


def prepare(sheet, header_row: int, landscape: bool | None = None, signers: list[str] | None = None,
            signers_row: int | None = None) -> None:
    """Columns fitted, then the page set up (see :func:`setup_page`), then the signature blocks
    from ``signers_row`` when ``signers`` are given."""
    fit_columns(sheet, header_row)
    columns = sheet.max_column
    if signers:
        signature_blocks(sheet, signers_row or sheet.max_row + 2, signers, columns)
    setup_page(sheet, header_row, landscape)
