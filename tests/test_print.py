"""The files people print and sign: delivery lists, schools.xlsx and the waiting list on A4, one
page wide, the header row on every page, "Trang x / y" in the footer, and signature blocks.

The page setup is read back from the workbooks everywhere; LibreOffice then prints them to PDF
(as a district office would) and the PDF is read back: paper, pages, headers, footers, signers.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from _browser import ARTEFACTS
from _office import page_size_mm, page_texts, to_pdf, words
from sim.roster.export import DELIVERY_HEADER, SCHOOL_HEADERS, WAITING_HEADER
from sim.roster.print_layout import DISTRICT_COUNCIL, DISTRICT_HEAD, MAX_WIDTH, PREPARER, SCHOOL_HEAD, table_end
from tests.roster_cases import learner, write_roster, write_scenario

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng", "Bùi"]
GIVEN = ["Văn An", "Thị Bích Ngọc", "Minh Khoa", "Ngọc Hân", "Gia Bảo", "Thanh Tâm", "Quốc Huy", "Thị Lan"]
SCHOOL = "Trường THCS Nguyễn Thị Minh Khai"
PUPILS = 60  # at one school, two pages and more


def _rows() -> list[dict]:
    rows = [learner(f"A-{i:03d}", full_name=f"{FAMILY[i % 8]} {GIVEN[i // 8 % 8]}", school=SCHOOL,
                    date_of_birth=f"{1 + i % 28:02d}/{1 + i % 12:02d}/2010", grade=str(6 + i % 4),
                    has_internet="không" if i % 3 == 0 else "có") for i in range(PUPILS)]
    rows += [learner(f"B-{i:03d}", full_name=f"Trương {GIVEN[i]}", district="Bình Hòa", school="Trường Tiểu học Bình Hòa",
                     date_of_birth=f"0{1 + i}/06/2015", grade=str(1 + i % 5)) for i in range(8)]
    return rows


@pytest.fixture(scope="module")
def assigned(tmp_path_factory) -> Path:
    """`sim assign` on 68 learners with money for 60 of them: lists per district and school, a waiting list."""
    folder = tmp_path_factory.mktemp("print")
    write_scenario(folder, budget_vnd=PUPILS * 1_000_000, devices={"desktop": {"unit_cost_vnd": 1_000_000}},
                   data_package={"monthly_cost_vnd": 0, "months": 12})
    write_roster(folder / "roster.csv", _rows(), headers="vietnamese")
    done = subprocess.run([sys.executable, "-m", "sim", "assign", folder / "scenario.yaml", "--roster",
                           folder / "roster.csv", "--out", folder / "out", "--quiet"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return folder / "out"


def _lists(out: Path) -> dict[str, Path]:
    delivery = out / "delivery"
    return {"school": delivery / "by_school" / "An Bình" / f"{SCHOOL}.xlsx",
            "district": delivery / "by_district" / "An Bình.xlsx",
            "waiting": delivery / "waiting_list.xlsx", "schools": out / "schools.xlsx"}


def test_every_list_is_set_up_for_a4_with_the_header_on_every_page_and_page_numbers(assigned):
    for name, path in _lists(assigned).items():
        sheet = load_workbook(path).active
        setup = sheet.page_setup
        assert (int(setup.paperSize), setup.fitToWidth, setup.fitToHeight) == (9, 1, 0), name  # 9: A4
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, name
        assert setup.orientation == "landscape", name  # every one of them is wider than a portrait page
        header_row = 5 if name in ("school", "district") else 3
        assert sheet.print_title_rows == f"${header_row}:${header_row}", name
        assert sheet.oddFooter.center.text == "Trang &P / &N", name
        last = table_end(sheet, header_row)
        assert last > header_row, name
        for cell in sheet[header_row]:  # wide enough for each word of the header, and for every value
            width = sheet.column_dimensions[cell.column_letter].width
            assert width >= max(len(word) for word in cell.value.split()) + 2, (name, cell.value, width)
            longest = max(len(str(c.value or "")) for (c,) in sheet.iter_rows(
                min_row=header_row + 1, max_row=last, min_col=cell.column, max_col=cell.column))
            assert width >= min(longest, MAX_WIDTH - 2) + 2, (name, cell.value, width, longest)

def test_signature_blocks_a_school_head_on_a_school_list_and_the_district_on_a_district_list(assigned):
    lists = _lists(assigned)
    school = [c.value for row in load_workbook(lists["school"]).active.iter_rows() for c in row if c.value]
    district = [c.value for row in load_workbook(lists["district"]).active.iter_rows() for c in row if c.value]
    assert Counter(school)[PREPARER] == 1 and Counter(school)[SCHOOL_HEAD] == 1
    assert DISTRICT_HEAD not in school and DISTRICT_COUNCIL not in school
    assert [district.count(s) for s in (PREPARER, DISTRICT_HEAD, DISTRICT_COUNCIL, SCHOOL_HEAD)] == [1, 1, 1, 0]
    assert school.count("Ngày ..... tháng ..... năm 20.....") == 2 and school.count("(Ký, ghi rõ họ tên)") == 2


def _header_on(pdf: Path, page: int, header: list[str]) -> list[str]:
    """The headers not found in the page's header row: every word of a header must lie within a
    line of the first header's first word (a wrapped header takes a line above and below it)."""
    found = words(pdf, page)
    first = header[0].split()[0]
    tops = [y0 for text, _, y0, _, _ in found if text == first]
    assert tops, f"{first!r} is not on page {page} of {pdf.name}"
    band = Counter(text for text, _, y0, _, _ in found if abs(y0 - tops[0]) <= 12)
    missing = []
    for title in header:
        need = Counter(title.split())
        if any(band[w] < n for w, n in need.items()):
            missing.append(title)
    return missing


def test_a_delivery_list_prints_on_a4_landscape_with_every_header_on_the_first_page(assigned, tmp_path):
    lists = _lists(assigned)
    pdfs = to_pdf(lists, tmp_path)
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    for key in ("school", "schools"):  # to look at: the first page as printed
        subprocess.run(["pdftoppm", "-r", "70", "-png", "-f", "1", "-l", "1", "-singlefile", pdfs[key],
                        ARTEFACTS / f"print_{key}_page1"], check=True)
    school, district, waiting, schools = (pdfs[k] for k in ("school", "district", "waiting", "schools"))
    for pdf in (school, district, waiting, schools):
        width, height = page_size_mm(pdf)
        assert (round(width), round(height)) == (297, 210), pdf.name  # A4 landscape, not US Letter

    pages = page_texts(school)
    # 60 learners on rows tall enough to sign: two pages, one page wide
    assert len(pages) == 2, [p[:200] for p in pages]
    for n, text in enumerate(pages, start=1):
        assert f"Trang {n} / {len(pages)}" in text, (n, text[-300:])
    for n in range(1, len(pages) + 1):  # the header row on every page, every column on the page
        assert _header_on(school, n, DELIVERY_HEADER) == [], n
    certificates = [c for text in pages for c in re.findall(r"GCN-A-\d{3}", text)]
    served = pd.read_csv(lists["school"].with_suffix(".csv"), encoding="utf-8-sig")["Số chứng nhận hộ nghèo"]
    assert len(served) > 40 and sorted(certificates) == sorted(served)  # every learner on the list, once
    assert SCHOOL_HEAD in pages[-1] and PREPARER in pages[-1] and DISTRICT_HEAD not in "".join(pages)

    district_pages = page_texts(district)
    assert DISTRICT_HEAD in district_pages[-1] and DISTRICT_COUNCIL in district_pages[-1]
    assert _header_on(district, 1, DELIVERY_HEADER) == []
    assert _header_on(waiting, 1, WAITING_HEADER) == []
    school_headers = [SCHOOL_HEADERS[k] for k in SCHOOL_HEADERS] + ["Máy tính để bàn"]
    assert _header_on(schools, 1, school_headers) == []
    assert len(page_texts(schools)) == 1  # two schools: one page, not a dozen narrow ones
