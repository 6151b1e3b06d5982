"""Reading and checking rosters: headers, values, eligibility, duplicates, messages without names."""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from openpyxl import Workbook

from sim.read.errors import InputError
from sim.roster import read_roster, template_bytes
from sim.roster.schema import ROSTER
from sim.read.tables import read_raw
from tests.conftest import ROOT
from tests.roster_cases import AREAS_FRAME, learner, write_roster
from tests.test_bad_input import windows_1258

TODAY = dt.date(2024, 6, 1)


def read(tmp_path, rows, **options):
    return read_roster(write_roster(tmp_path / "roster.csv", rows, **options), AREAS_FRAME, today=TODAY)


def outcome(roster, pupil_id):
    row = roster.learners[roster.learners["pupil_id"] == pupil_id]
    assert len(row) == 1
    return row.iloc[0]


def test_the_shipped_template_is_the_generated_one_and_reads_back(tmp_path):
    shipped = ROOT / "data" / "roster" / "roster_template.xlsx"
    assert shipped.read_bytes() == template_bytes(), "regenerate it: python -m sim roster template data/roster/roster_template.xlsx"
    assert read_raw(shipped).header == [unicodedata.normalize("NFC", c.header).casefold() for c in ROSTER]
    roster = read_roster(shipped, AREAS_FRAME, today=TODAY)  # the header alone: every column found, no row
    assert len(roster.learners) == 0 and roster.issues == []


@pytest.mark.parametrize("headers", ["english", "vietnamese"])
def test_english_and_vietnamese_headers_read_the_same(tmp_path, headers):
    roster = read(tmp_path, [learner("1"), learner("2", household="cận nghèo", grade="12A1")], headers=headers)
    assert list(roster.learners["status"]) == ["poor", "near_poor"]
    assert list(roster.learners["band"]) == [1, 1]
    assert roster.issues == []


def test_headers_match_without_diacritics_case_or_normal_form(tmp_path):
    path = write_roster(tmp_path / "roster.csv", [learner("1")], headers="vietnamese")
    text = path.read_text(encoding="utf-8").split("\n", 1)
    header = "Ma hoc sinh,HỌ VÀ TÊN," + unicodedata.normalize("NFD", "Ngày sinh") + ",truong,Quan / Huyen,lop," \
             "Hộ nghèo/cận nghèo,so chung nhan,Mồ côi do Covid-19,co may tinh,Có Internet,SĐT,ghi chu," \
             "CHA ME/NGUOI GIAM HO DONG Y," + unicodedata.normalize("NFD", "Học sinh đồng ý (từ 7 tuổi)")
    path.write_text(header + "\n" + text[1], encoding="utf-8")
    roster = read_roster(path, AREAS_FRAME, today=TODAY)
    assert roster.issues == [] and outcome(roster, "1")["outcome"] == "eligible"


def test_semicolons_and_the_windows_vietnamese_code_page(tmp_path):
    path = write_roster(tmp_path / "roster.csv", [learner("1", district="Bình Hòa")], headers="vietnamese")
    text = path.read_text(encoding="utf-8").replace(",", ";")
    path.write_bytes(windows_1258(text))
    roster = read_roster(path, AREAS_FRAME, today=TODAY)
    assert outcome(roster, "1")["area"] == "B2" and roster.issues == []


def test_xlsx_with_excel_dates_and_numeric_ids(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append([c.header for c in ROSTER])
    row = learner("1")
    row.update(pupil_id=8011234567, date_of_birth=dt.datetime(2008, 9, 5), phone=912345678)
    sheet.append([row[c.name] for c in ROSTER])
    book.save(tmp_path / "roster.xlsx")
    found = outcome(read_roster(tmp_path / "roster.xlsx", AREAS_FRAME, today=TODAY), "8011234567")
    assert found["date_of_birth"] == dt.date(2008, 9, 5)
    assert found["phone"] == "0912345678"  # Excel dropped the leading zero; nine digits get it back
    assert found["outcome"] == "eligible"


@pytest.mark.parametrize("yes, no", [("yes", "no"), ("TRUE", "false"), ("1", "0"), ("Có", "KHÔNG"),
                                     (unicodedata.normalize("NFD", "có"), unicodedata.normalize("NFD", "không")),
                                     ("co", "khong"), ("x", "0")])
def test_flag_spellings(tmp_path, yes, no):
    roster = read(tmp_path, [learner("1", has_internet=no, covid_orphan=yes), learner("2", has_computer=yes)])
    assert not outcome(roster, "1")["has_internet"] and outcome(roster, "1")["covid_orphan"]
    assert outcome(roster, "2")["outcome"] == "not_eligible"


@pytest.mark.parametrize("text, date", [("05/09/2008", dt.date(2008, 9, 5)), ("5/9/2008", dt.date(2008, 9, 5)),
                                        ("2008-09-05", dt.date(2008, 9, 5)), ("05-09-2008", dt.date(2008, 9, 5)),
                                        ("05.09.2008", dt.date(2008, 9, 5))])
def test_dates_are_day_first_or_iso(tmp_path, text, date):
    assert outcome(read(tmp_path, [learner("1", date_of_birth=text)]), "1")["date_of_birth"] == date


@pytest.mark.parametrize("values, status, band", [
    ({"household": "nghèo", "grade": "9"}, "poor", 1),
    ({"household": "poor", "grade": "5A2"}, "poor", 2),
    ({"household": "Hộ cận nghèo", "grade": "12"}, "near_poor", 1),
    ({"household": "near-poor", "grade": "10"}, "near_poor", 3),
    ({"household": "cận nghèo", "grade": "Đại học"}, "near_poor", 4),
    ({"household": "", "covid_orphan": "có", "grade": "3"}, "covid_orphan", 5),
    ({"household": "nghèo", "covid_orphan": "có", "grade": "3"}, "poor", 2),  # the highest tier wins
    ({"household": "cận nghèo", "covid_orphan": "có", "grade": "7"}, "near_poor", 4),
])
def test_status_and_band_follow_the_plan(tmp_path, values, status, band):
    found = outcome(read(tmp_path, [learner("1", **values)]), "1")
    assert (found["outcome"], found["status"], found["band"]) == ("eligible", status, band)


def test_rows_not_eligible_are_reported_with_the_reason_never_dropped(tmp_path):
    roster = read(tmp_path, [learner("1"), learner("2", has_computer="có"),
                             learner("3", household="", covid_orphan="không"), learner("4", household="", covid_orphan="")])
    assert len(roster.learners) == 4
    assert roster.counts() == {"eligible": 1, "not_eligible": 3, "held_for_review": 0, "invalid": 0}
    reasons = {i.row: (i.kind, i.column, i.message) for i in roster.issues}
    assert reasons == {3: ("not_eligible", "has_computer", "has a computer"),
                       4: ("not_eligible", "household", "neither in a poor or near-poor household nor a Covid-19 orphan"),
                       5: ("not_eligible", "household", "neither in a poor or near-poor household nor a Covid-19 orphan")}


def test_bad_values_name_row_column_value_and_what_is_expected(tmp_path):
    roster = read(tmp_path, [learner("1"), learner("2", household="pooor"), learner("3", district="Duc Hue"),
                             learner("4", grade="13"), learner("5", has_internet="maybe"), learner("6", has_computer="")])
    found = {(i.row, i.column): i for i in roster.issues}
    assert set(found) == {(3, "household"), (4, "district"), (5, "grade"), (6, "has_internet"), (7, "has_computer")}
    assert str(found[3, "household"]) == ("roster.csv, row 3, column 'household': error: unknown household status "
                                          "(found 'pooor'); expected nghèo (poor), cận nghèo (near_poor) or empty. "
                                          "Did you mean 'poor'?")
    assert found[4, "district"].value == "Duc Hue" and found[4, "district"].hint is None  # no area is close
    assert found[7, "has_computer"].message == "no answer"
    assert roster.counts()["invalid"] == 5
    with pytest.raises(InputError) as error:
        roster.raise_if_invalid()
    assert len(error.value.problems) == 6 and str(error.value.problems[0]) == (
        "roster.csv: 5 rows with bad values; expected every row fixed (listed below). "
        "Or plan without them: --skip-invalid (skip_invalid=True in Python)")


def test_personal_values_never_appear_in_messages(tmp_path):
    rows = [learner("SECRET-ID-1", full_name="", date_of_birth="31/02/2009", phone="12", certificate_no="",
                    notes="Mẹ mất tháng 8"),
            learner("SECRET-ID-2", full_name="Lê Thị Bí Mật", date_of_birth="1899-01-01", phone="abc")]
    roster = read(tmp_path, rows)
    text = "\n".join(map(str, roster.issues)) + roster.report().to_csv() + repr(roster)
    for secret in ("SECRET-ID", "Bí Mật", "31/02/2009", "1899", "abc", "Mẹ mất"):
        assert secret not in text
    assert {(i.row, i.column) for i in roster.issues} >= {(2, "full_name"), (2, "date_of_birth"), (2, "phone"),
                                                          (2, "certificate_no"), (3, "date_of_birth"), (3, "phone")}


def test_a_missing_column_stops_with_its_name_and_a_suggestion(tmp_path):
    path = write_roster(tmp_path / "roster.csv", [learner("1")], headers="vietnamese")
    text = path.read_text(encoding="utf-8").replace("Có máy tính", "Có máy tình bảng", 1)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        read_roster(path, AREAS_FRAME, today=TODAY)
    assert str(error.value) == ("roster.csv, row 1, column 'has_computer': this column is missing from the header; "
                                "expected a column 'Có máy tính' (or 'has_computer'). "
                                "Is 'có máy tình bảng' meant to be 'Có máy tính'?")


def test_unknown_columns_are_reported_not_silently_ignored(tmp_path):
    path = write_roster(tmp_path / "roster.csv", [learner("1")])
    text = path.read_text(encoding="utf-8").split("\n")
    path.write_text("\n".join([text[0] + ",so dien thaoi", text[1] + ",0912"]), encoding="utf-8")
    issues = read_roster(path, AREAS_FRAME, today=TODAY).issues
    assert [(i.row, i.kind, i.column) for i in issues] == [(1, "warning", "so dien thaoi")]


def test_same_pupil_id_twice_is_held_for_review(tmp_path):
    roster = read(tmp_path, [learner("AB 12", full_name="Trần Thị Mai"), learner("3"),
                             learner("ab12", full_name="Trần Thị Lan", school="Trường THPT Bình Hòa")])
    assert [outcome(roster, p)["outcome"] for p in ("AB 12", "3", "ab12")] == ["held_for_review", "eligible", "held_for_review"]
    review = [str(i) for i in roster.issues if i.kind == "held_for_review"]
    assert review == ["roster.csv, row 2, column 'pupil_id': held for review: listed twice: the same pupil_id as "
                      "roster.csv row 4; expected each learner once. Keep one row and remove the others, then run again",
                      "roster.csv, row 4, column 'pupil_id': held for review: listed twice: the same pupil_id as "
                      "roster.csv row 2; expected each learner once. Keep one row and remove the others, then run again"]


def test_same_name_birth_date_and_school_is_held_whatever_the_spelling(tmp_path):
    nfd = unicodedata.normalize("NFD", "Nguyễn Thị Thuỷ")
    roster = read(tmp_path, [learner("1", full_name="Nguyễn Thị Thủy", school="Trường THPT An Bình"),
                             learner("2", full_name=nfd.upper(), school="trường thpt  an bình", date_of_birth="2008-09-05"),
                             learner("3", full_name="Nguyễn Thị Thủy", date_of_birth="06/09/2008"),
                             learner("4", full_name="Nguyễn Thị Thủy", school="Trường THPT Khác")])
    assert [outcome(roster, p)["outcome"] for p in "1234"] == ["held_for_review", "held_for_review", "eligible", "eligible"]
    warnings = [(i.row, i.column) for i in roster.issues if i.kind == "warning"]
    assert warnings == [(5, "full_name")]  # same name and birth date in another school: checked, not held
    assert roster.counts() == {"eligible": 2, "not_eligible": 0, "held_for_review": 2, "invalid": 0}


def test_duplicates_are_found_across_files(tmp_path):
    one = write_roster(tmp_path / "school_a.csv", [learner("1")])
    two = write_roster(tmp_path / "school_b.csv", [learner("1", school="Trường THPT Bình Hòa", district="Bình Hòa")])
    roster = read_roster([one, two], AREAS_FRAME, today=TODAY)
    assert [(i.file, i.row, i.kind) for i in roster.issues] == [("school_a.csv", 2, "held_for_review"),
                                                                ("school_b.csv", 2, "held_for_review")]


def test_a_poor_household_without_certificate_is_planned_but_flagged(tmp_path):
    roster = read(tmp_path, [learner("1", certificate_no="")])
    assert outcome(roster, "1")["outcome"] == "eligible"
    assert [(i.kind, i.column) for i in roster.issues] == [("warning", "certificate_no")]
