"""A synthetic roster of made-up learners, for trying the workflow and for the tests.

NOT real children: names are drawn from common Vietnamese family, middle and given names, ids,
dates of birth, phone and certificate numbers are random. Learners are spread over districts,
grades and statuses like the students table given (the bundled, synthetic Long An counts), so a
plan from the roster looks like a plan from that table. With ``mistakes`` the roster also holds
the errors schools make, one of each (``MISTAKES``), so the validation report has something to say.
All draws come from one seeded generator: the same seed gives the same roster.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import numpy as np
import pandas as pd

from sim.core.rules import HIGHER_LEVEL
from sim.results.cells import csv_text, write_row
from sim.roster.schema import ROSTER

# Common family names, roughly by frequency in the South (Huỳnh and Võ rather than Hoàng and Vũ).
FAMILY = {"Nguyễn": 31, "Trần": 11, "Lê": 10, "Phạm": 6, "Huỳnh": 6, "Võ": 5, "Phan": 4, "Trương": 3, "Đặng": 2,
          "Bùi": 2, "Đỗ": 2, "Hồ": 2, "Ngô": 2, "Dương": 2, "Lý": 1, "Đinh": 1, "Lâm": 1, "Mai": 1, "Tô": 1, "Châu": 1}
MIDDLE = {"male": ["Văn", "Văn", "Hữu", "Minh", "Quốc", "Thanh", "Hoàng", "Đức", "Gia", "Tấn", "Công", "Trọng", "Nhật"],
          "female": ["Thị", "Thị", "Thị", "Ngọc", "Thanh", "Thu", "Kim", "Mỹ", "Bảo", "Phương", "Hồng", "Kiều", "Yến"]}
GIVEN = {"male": ["An", "Bảo", "Bình", "Dũng", "Duy", "Đạt", "Hải", "Hiếu", "Hòa", "Hùng", "Huy", "Khang", "Khoa",
                  "Kiệt", "Long", "Lộc", "Minh", "Nam", "Nghĩa", "Nhân", "Phát", "Phúc", "Quân", "Sang", "Tài",
                  "Tâm", "Thành", "Thịnh", "Tín", "Toàn", "Trí", "Trung", "Tuấn", "Vinh", "Vũ", "Khôi", "Thuận"],
         "female": ["Anh", "Châu", "Diễm", "Giang", "Hà", "Hân", "Hằng", "Hoa", "Hương", "Huyền", "Lan", "Linh",
                    "Mai", "My", "Ngân", "Ngọc", "Nhi", "Như", "Oanh", "Phương", "Quỳnh", "Thảo", "Thư", "Trâm",
                    "Trang", "Tuyết", "Uyên", "Vy", "Xuân", "Yến", "Trinh", "Thủy", "Loan"]}
# Schools are named after historical figures (two or four syllables, so never a learner's full name).
PATRONS = ["Lê Quý Đôn", "Nguyễn Du", "Chu Văn An", "Trần Phú", "Lương Thế Vinh", "Nguyễn Đình Chiểu", "Võ Văn Tần",
           "Huỳnh Tấn Phát", "Nguyễn Trung Trực", "Trương Định", "Phan Bội Châu", "Lý Tự Trọng", "Hùng Vương",
           "Quang Trung", "Lê Lợi", "Trần Quốc Toản", "Nguyễn Văn Trỗi", "Kim Đồng", "Phan Châu Trinh", "Nguyễn Thông",
           "Thủ Khoa Thừa", "Huỳnh Văn Đảnh", "Nguyễn Huệ", "Đinh Tiên Hoàng", "Trần Hưng Đạo", "Ngô Quyền"]
LEVELS = [("Trường Tiểu học", range(1, 6)), ("Trường THCS", range(6, 10)), ("Trường THPT", range(10, 13))]
COLLEGES = ["Trường Cao đẳng Long An", "Trường Đại học Kinh tế Công nghiệp Long An"]
SCHOOL_YEAR = 2023  # grade 1 starts the year a child turns 6
MISTAKES = {
    "household typo": "household 'pooor'",
    "household without its tone": "household 'cận ngheo'",
    "unknown district": "district 'Duc Hue' (no diacritics)",
    "bad date": "date of birth 31/02",
    "bad flag": "has_internet 'có lẽ'",
    "same id twice": "one learner copied to a second row",
    "same child, second id": "same name, date of birth and school under another pupil id",
    "has a computer": "a poor learner who has a computer",
}


def _pick(rng: np.random.Generator, options: list | dict):
    if isinstance(options, dict):
        keys = list(options)
        weights = np.array(list(options.values()), dtype=float)
        return keys[rng.choice(len(keys), p=weights / weights.sum())]
    return options[rng.integers(len(options))]


def _name(rng: np.random.Generator) -> str:
    sex = "male" if rng.random() < 0.5 else "female"
    middle = _pick(rng, MIDDLE[sex])
    if rng.random() < 0.15:  # two middle names: Nguyễn Ngọc Bảo Trâm
        middle += " " + _pick(rng, [m for m in MIDDLE[sex] if m not in ("Văn", "Thị", middle)])
    return f"{_pick(rng, FAMILY)} {middle} {_pick(rng, GIVEN[sex])}"


def _schools(rng: np.random.Generator, areas: pd.DataFrame) -> dict[tuple[str, int], list[str]]:
    """Two schools of each level per district, named after patrons not used twice in a district."""
    schools = {}
    for code in areas["code"]:
        patrons = list(rng.permutation(PATRONS))
        for level, grades in LEVELS:
            names = [f"{level} {patrons.pop()}" for _ in range(2)]
            for grade in grades:
                schools[code, grade] = names
        schools[code, HIGHER_LEVEL] = COLLEGES
    return schools


def _birth_date(rng: np.random.Generator, grade: int) -> dt.date:
    age = 19 + int(rng.integers(0, 4)) if grade == HIGHER_LEVEL else grade + 5 + int(rng.random() < 0.06)
    return dt.date(SCHOOL_YEAR - age, 1, 1) + dt.timedelta(days=int(rng.integers(0, 365)))


FLAG_STYLES = [("Có", "Không"), ("có", "không"), ("1", "0"), ("yes", "no"), ("x", "")]  # x/blank: covid_orphan only


def synthetic_roster(areas: pd.DataFrame, students: pd.DataFrame, learners: int = 3000, seed: int = 2023,
                     mistakes: bool = True) -> pd.DataFrame:
    """A roster of ``learners`` made-up rows (roster column names, text values as schools write them).

    ``students`` is in the reader's form (``sim.tables.read_students``): learners are drawn over
    its district x grade x status cells in proportion to ``pupils``, without internet with the
    cell's share. About 6% have a computer and 3% are in neither group (not eligible).
    """
    rng = np.random.default_rng(seed)
    schools = _schools(rng, areas)
    kinds = {row.code: row for row in areas.itertuples()}
    cells = students[students["pupils"] > 0].reset_index(drop=True)
    draws = rng.choice(len(cells), size=learners, p=(cells["pupils"] / cells["pupils"].sum()).to_numpy())
    ids, people, rows, styles = set(), set(), [], {}
    for k in draws:
        cell = cells.loc[k]
        area, grade, status = cell["area"], int(cell["grade"]), cell["status"]
        while (pupil_id := f"{area}{int(rng.integers(0, 10**7)):07d}") in ids:
            pass
        ids.add(pupil_id)
        school = _pick(rng, schools[area, grade])
        if school not in styles:  # each school writes yes/no its own way
            styles[school] = (FLAG_STYLES[int(rng.integers(4))], FLAG_STYLES[int(rng.integers(5))])
        (yes, no), (orphan_yes, orphan_no) = styles[school]
        born = _birth_date(rng, grade)
        while (name := _name(rng), born, school) in people:  # no accidental duplicates
            pass
        people.add((name, born, school))
        household = {"poor": "poor", "near_poor": "near_poor"}.get(status, "")
        draw = rng.random()
        has_computer = draw < 0.06
        if 0.06 <= draw < 0.09 and status != "covid_orphan":
            household = ""  # listed by the school, but in neither group
        orphan = status == "covid_orphan" or (household != "" and rng.random() < 0.01)
        offline = rng.random() < (cell["without_internet"] / cell["pupils"])
        area_row = kinds[area]
        district = _pick(rng, [area_row.name] * 6 + [f"{area_row.type} {area_row.name}", str(area)])
        if rng.random() < 0.05:  # some software writes decomposed (NFD) Vietnamese
            district = unicodedata.normalize("NFD", district)
        spelled = {"poor": ["nghèo", "Nghèo", "Hộ nghèo", "poor"],
                   "near_poor": ["cận nghèo", "Cận nghèo", "Hộ cận nghèo", "near_poor"], "": [""]}[household]
        grade_text = ("Đại học" if rng.random() < 0.5 else "Cao đẳng") if grade == HIGHER_LEVEL else (
            f"{grade}{_pick(rng, 'ABCD')}{int(rng.integers(1, 5))}" if rng.random() < 0.6 else str(grade))
        rows.append({
            "pupil_id": pupil_id, "full_name": name,
            "date_of_birth": born.isoformat() if rng.random() < 0.1 else born.strftime("%d/%m/%Y"),
            "school": school, "district": district, "grade": grade_text, "household": _pick(rng, spelled),
            "certificate_no": f"{area}-{SCHOOL_YEAR - int(rng.integers(0, 3))}-{int(rng.integers(0, 10**5)):05d}"
            if household else "",
            "covid_orphan": orphan_yes if orphan else orphan_no, "has_computer": yes if has_computer else no,
            "has_internet": no if offline else yes,
            "phone": f"0{_pick(rng, ['9', '8', '7', '3'])}{int(rng.integers(0, 10**8)):08d}" if rng.random() < 0.85 else "",
            "notes": "Cha mất do Covid-19" if orphan and rng.random() < 0.5 else "",
        })
    roster = pd.DataFrame(rows, columns=[c.name for c in ROSTER if c.name not in ("guardian_consent", "child_consent")])
    return _with_mistakes(roster, rng) if mistakes else roster


def _with_mistakes(roster: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One of each ``MISTAKES``, on rows chosen at random (the copies inserted at random places)."""
    roster = roster.copy()
    chosen = iter(rng.choice(len(roster), size=8, replace=False))
    poor = roster["household"].isin(["nghèo", "Nghèo", "Hộ nghèo", "poor"]) & roster["has_computer"].isin([no for _, no in FLAG_STYLES])
    roster.loc[next(chosen), "household"] = "pooor"
    roster.loc[next(chosen), "household"] = "cận ngheo"
    roster.loc[next(chosen), "district"] = "Duc Hue"
    roster.loc[next(chosen), "date_of_birth"] = "31/02/2011"
    roster.loc[next(chosen), "has_internet"] = "có lẽ"
    roster.loc[roster.index[poor][int(rng.integers(poor.sum()))], "has_computer"] = "Có"
    copied = roster.loc[[next(chosen)]].assign(notes="")
    second = roster.loc[[next(chosen)]].assign(pupil_id=lambda t: t["pupil_id"].str[:3] + "9" + t["pupil_id"].str[4:],
                                               full_name=lambda t: t["full_name"].str.upper())
    for extra in (copied, second):
        at = int(rng.integers(len(roster)))
        roster = pd.concat([roster.iloc[:at], extra, roster.iloc[at:]], ignore_index=True)
    return roster


def roster_file_bytes(roster: pd.DataFrame, xlsx: bool = False) -> bytes:
    """The roster with the template's Vietnamese headers: CSV (UTF-8 with BOM) or XLSX."""
    table = roster.rename(columns={c.name: c.header for c in ROSTER})  # no consent columns: the 2023 sample predates them
    if not xlsx:  # cells as every writer writes them (sim.results.cells); readers take the quote off
        return csv_text(table).encode("utf-8-sig")
    from openpyxl import Workbook

    from sim.roster.xlsx import workbook_bytes

    book = Workbook()
    sheet = book.active
    sheet.title = "Danh sách"
    write_row(sheet, list(table.columns), 1)
    for r, values in enumerate(table.itertuples(index=False), start=2):
        write_row(sheet, list(values), r)
    for column in sheet.iter_cols(min_row=2):
        for cell in column:
            cell.number_format = "@"
    return workbook_bytes(book)


__all__ = ["MISTAKES", "roster_file_bytes", "synthetic_roster"]
