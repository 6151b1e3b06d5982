"""Input errors in Vietnamese (issue 12): no English piece left in what an analyst reads.

A column is named by the identifier the file's header uses and, in Vietnamese, its meaning too
("cột 'district' (huyện)"); a YAML file that cannot be parsed is told in plain Vietnamese with
its line and column; numbers follow the language; messages point to the manual, not the README;
one reader of yes/no flags and status spellings serves the students table and the rosters.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

import sim
from sim.locale import set_language
from sim.read.errors import InputError, ScenarioError
from sim.read.scenario import check_satisfiable
from sim.read.tables import AreaIndex, read_areas, read_students
from tests.conftest import AREAS, student, write_csv

ENGLISH = re.compile(r"\b(the|of|must|expected|row|rows|column|value|values|file|not|found|is|are|a|an|at|most|least|"
                     r"should|be|to|from|with|or|and|key|missing|unknown|empty|number|valid|cannot|could|did|mean|"
                     r"line|but|than|only|one|each|character|allowed|here|token|mapping|alias|anchor|cells|header|"
                     r"see|README|hidden|personal|data|too|large|negative|devices|price|given|twice|items)\b")


def english_words(message: str) -> set[str]:
    """English words left in a message, once what it quotes (values, keys, file names) is taken out."""
    text = re.sub(r"'[^']*'|\"[^\"]*\"|“[^”]*”|\([^()]*\.(?:md|csv|yaml)\)", "''", message)
    text = re.sub(r"\S+\.(?:csv|yaml|xlsx|md)\b|\b\w*_\w*\b", "", text)  # file names, identifiers such as budget_vnd
    return set(ENGLISH.findall(text))


@pytest.fixture
def vietnamese():
    set_language("vi")
    yield
    set_language("en")


def _scenario(tmp_path: Path, text: str) -> Path:
    write_csv(tmp_path / "areas.csv", AREAS)
    write_csv(tmp_path / "students.csv", [student("An Bình", 1, "poor", 3)])
    path = tmp_path / "scenario.yaml"
    path.write_text(text, encoding="utf-8")
    return path


BASE = "name: s\nareas: areas.csv\nstudents: students.csv\ndevices:\n  desktop: {unit_cost_vnd: 1000000}\n"

# Bad YAML, the line and column (1-based) an editor shows for the problem, and a word of the Vietnamese explanation.
BAD_YAML = {
    "a tab": (BASE + "budget_vnd:\n\t5\n", (7, 1), "tab"),
    "a colon in a value": (BASE + "description: note: more\n", (6, 18), "dấu hai chấm"),
    "a key without colon": (BASE + "budget_vnd 5\npolicy: {mode: strict}\n", (6, 1), "thiếu dấu hai chấm"),
    "indentation": (BASE + "policy:\n  mode: strict\n within_band: max_count\n", (8, 2), "thụt lề"),
    "undefined alias": (BASE + "budget_vnd: *money\n", (6, 13), "bí danh"),
    "unclosed list": (BASE + "sources: [a, b\n", (6, 10), "danh sách"),
    "unclosed quote": (BASE + "description: 'abc\n", (6, 14), "ngoặc"),
    "a character that starts no value": (BASE + "budget_vnd: @5\n", (6, 13), "ký tự"),
    "a second document": (BASE + "---\nname: t\n", (6, 1), "tài liệu"),
    "a key given twice": (BASE + "name: t\n", (6, 1), "hai lần"),
    "a control character": (BASE + "description: a\x07b\n", (6, 15), "ký tự điều khiển"),
}


@pytest.mark.parametrize("name", list(BAD_YAML))
def test_bad_yaml_is_told_in_vietnamese_with_its_line_and_column(tmp_path, vietnamese, name):
    text, (line, column), word = BAD_YAML[name]
    with pytest.raises(InputError) as caught:
        sim.load_scenario(_scenario(tmp_path, text))
    message = str(caught.value)
    assert message.startswith(f"scenario.yaml, dòng {line}, cột {column}: "), message
    assert word in message, message
    assert not english_words(message), (english_words(message), message)


def test_bad_yaml_points_to_the_manual_not_the_readme(tmp_path, vietnamese):
    path = _scenario(tmp_path, BASE + "budget_vnd:\n\t5\n")
    with pytest.raises(InputError) as caught:
        sim.load_scenario(path)
    assert "README" not in str(caught.value) and "“Dữ liệu đầu vào”" in str(caught.value)
    assert "docs/inputs.md" in str(caught.value)
    set_language("en")
    with pytest.raises(InputError) as caught:
        sim.load_scenario(path)
    message = str(caught.value)
    assert message.startswith("scenario.yaml, line 7, column 1: not valid YAML: a tab character")
    assert "README" not in message and "docs/inputs.en.md" in message and "Indent with spaces only" in message


def test_a_bad_students_file_names_its_columns_in_vietnamese_too(tmp_path, vietnamese):
    write_csv(tmp_path / "students.csv", [student("Duc Hue", 1, "pooor", 3, 5)])
    areas = read_areas(write_csv(tmp_path / "areas.csv", AREAS))
    with pytest.raises(InputError) as caught:
        read_students(tmp_path / "students.csv", areas)
    message = str(caught.value)
    assert "dòng 2, cột 'district' (huyện): huyện không có trong tệp địa bàn (giá trị: 'Duc Hue')" in message
    assert "cột 'status' (đối tượng): không phải một giá trị được chấp nhận (giá trị: 'pooor'); " \
           "cần: poor (hộ nghèo), near_poor (hộ cận nghèo) hoặc covid_orphan (mồ côi do Covid-19)" in message
    assert "cột 'without_internet' (số em chưa có internet)" in message
    assert not english_words(message), message
    set_language("en")  # English stays as it was: the identifier only
    with pytest.raises(InputError) as caught:
        read_students(tmp_path / "students.csv", areas)
    assert "row 2, column 'district': unknown district" in str(caught.value) and "(huyện)" not in str(caught.value)


def test_a_missing_column_and_a_donations_file_name_their_columns_in_vietnamese(tmp_path, vietnamese):
    write_csv(tmp_path / "students.csv", [{"district": "An Bình", "grade": 1, "status": "poor", "pupils": 3}])
    areas = read_areas(write_csv(tmp_path / "areas.csv", AREAS))
    with pytest.raises(InputError) as caught:
        read_students(tmp_path / "students.csv", areas)
    assert "students.csv, dòng 1, cột 'without_internet' (số em chưa có internet): dòng tiêu đề thiếu cột này" in str(caught.value)

    from sim.ledger.donations import DONATION_KIND, read_records

    row = {"donation_id": "D\x001", "date": "24/11/2026", "donor": "", "kind": "gift", "device": "", "quantity": "",
           "amount_vnd": "5000000000000000000", "earmark_district": "", "earmark_band": "", "status": "recieved"}
    with pytest.raises(InputError) as caught:
        read_records(write_csv(tmp_path / "donations.csv", [row]), DONATION_KIND)
    message = str(caught.value)
    assert "cột 'donation_id' (mã khoản tài trợ): mã có chứa ký tự ẩn hoặc ký tự điều khiển" in message
    assert "cột 'kind' (loại): loại không rõ (giá trị: 'gift'); cần: cash (tiền), device (máy) hoặc data_package (gói dữ liệu)" in message
    assert "cột 'status' (trạng thái): không phải một giá trị được chấp nhận (giá trị: 'recieved')" in message
    assert "nhiều nhất 1.000.000.000.000.000 đồng" in message
    assert not english_words(message), (english_words(message), message)


def test_every_input_column_has_a_short_vietnamese_name():
    from sim.ledger import donations
    from sim.read import schema

    for name, columns, names in [("areas", schema.AREAS, schema.VIETNAMESE_NAMES), ("students", schema.STUDENTS, schema.VIETNAMESE_NAMES),
                                 ("donations", donations.DONATIONS, donations.VIETNAMESE_NAMES),
                                 ("deliveries", donations.DELIVERIES, donations.VIETNAMESE_NAMES)]:
        assert set(names[name]) == {c.name for c in columns}, name


@pytest.mark.parametrize("key, value, expected", [
    ("fairness", {"district_floor": 1.5}, "cần: nhiều nhất 1"),
    ("fairness", {"max_gap": 2}, "cần: nhiều nhất 1"),
    ("budget_vnd", 10**16, "cần: nhiều nhất 1.000.000.000.000.000 đồng"),
    ("policy", {"weights": {1: 1e10}}, "cần: nhiều nhất 1.000.000.000"),
])
def test_numbers_in_scenario_messages_follow_the_language(tmp_path, vietnamese, key, value, expected):
    path = _scenario(tmp_path, BASE + yaml.safe_dump({key: value}))
    with pytest.raises(InputError) as caught:
        sim.load_scenario(path)
    message = str(caught.value)
    assert expected in message and "1.0" not in message.replace("1.000", "") and ",000" not in message, message
    assert "quá lớn" in message and not english_words(message), message


def test_a_share_is_not_told_to_check_for_extra_zeros(tmp_path, vietnamese):
    with pytest.raises(InputError) as caught:
        sim.load_scenario(_scenario(tmp_path, BASE + "fairness: {district_floor: 0.5, max_gap: 1.5}\n"))
    assert str(caught.value).endswith("khóa 'fairness.max_gap': quá lớn (giá trị: 1.5); cần: nhiều nhất 1")


def test_a_scenario_that_cannot_be_satisfied_is_told_in_vietnamese(tmp_path, vietnamese):
    scenario = sim.load_scenario(_scenario(tmp_path, "name: s\nareas: areas.csv\nstudents: students.csv\nbudget_vnd: -5\n"
                                           "earmarks:\n  - {budget_vnd: 5}\n"))
    with pytest.raises(ScenarioError) as caught:
        check_satisfiable(scenario, AreaIndex(read_areas(scenario.areas)))
    message = str(caught.value)
    assert "dòng 4, khóa 'budget_vnd': ngân sách là số âm (giá trị: -5); cần: một số tiền ≥ 0 đồng" in message
    assert "không có loại máy nào" in message and "khoản dành riêng không nêu huyện cũng không nêu nhóm" in message
    assert not english_words(message), (english_words(message), message)


@pytest.mark.parametrize("text, what", [
    ("code,name\nA1,An Bình,x\n", "dòng có 3 ô nhưng dòng tiêu đề chỉ có 2 cột"),
    ("code,name,code\nA1,An Bình,A2\n", "Cột 1 và cột 3 cùng mang tên này: hãy xóa một cột"),
    ('code,name\nA1,"' + "x" * 140_000 + '"\n', "có một ô dài hơn 131.072 ký tự"),
    ("code,name,type,population,lat,lon\nA1,An Bình,Huyện,99999999999,,\n", "cần: một số nguyên từ 0 đến 10.000.000.000 hoặc để trống"),
])
def test_a_bad_areas_file_is_told_in_vietnamese(tmp_path, vietnamese, text, what):
    (tmp_path / "areas.csv").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_areas(tmp_path / "areas.csv")
    assert what in str(caught.value), str(caught.value)
    assert not english_words(str(caught.value)), (english_words(str(caught.value)), str(caught.value))


def test_yaml_that_reads_but_is_refused_is_told_in_vietnamese(tmp_path, vietnamese):
    for text, what in [(BASE + "a: &x [1, *x]\n", "bí danh *x được dùng ngay bên trong"),
                       (BASE + "budget_vnd: !!int 0x\n", "giá trị mà thẻ !!int không đọc được"),
                       (BASE + "description: " + "[" * 50 + "]" * 50 + "\n", "sâu hơn 40 mức")]:
        with pytest.raises(InputError) as caught:
            sim.load_scenario(_scenario(tmp_path, text))
        message = str(caught.value)
        assert what in message and "README" not in message, message
        assert not english_words(message.split(" (giá trị:")[0]), message


def test_a_roster_value_kept_hidden_says_so_in_vietnamese(tmp_path, vietnamese):
    from sim.roster import read_roster
    from tests.roster_cases import AREAS_FRAME, learner, write_roster

    path = write_roster(tmp_path / "roster.csv", [learner("801001", has_internet="Nguyễn Văn An")])
    problems = [str(i) for i in read_roster(path, AREAS_FRAME).errors()]
    assert problems == ["roster.csv, dòng 2, cột 'has_internet' (Có internet): lỗi: không phải giá trị có/không "
                        "(giá trị được ẩn vì có thể là dữ liệu cá nhân); cần: có/không, yes/no, true/false hoặc 1/0 "
                        "(chữ hoa hay thường đều được)"]


def test_one_reader_of_flags_and_statuses_serves_the_students_table_and_the_rosters():
    from sim.read import tables, values
    from sim.roster import values as roster_values

    assert roster_values.parse_flag is not None and roster_values.FLAGS is values.FLAG.values
    for spelling in ("có", "Có", "CO", "yes", "Y", "true", "1", "x", "không", "khong", "No", "n", "FALSE", "0"):
        assert roster_values.parse_flag(spelling) is values.FLAG.read(spelling) is not None
    for spelling in ("poor", "nghèo", "Hộ nghèo", "near_poor", "near-poor", "near poor", "cận nghèo", "HỘ CẬN NGHÈO"):
        assert roster_values.parse_household(spelling) == values.STUDENT_STATUS.read(spelling) \
            == tables.STATUS_ALIASES[values.cached_key(spelling)]
    for spelling in ("covid_orphan", "covid-orphan", "covid orphan", "mồ côi", "mồ côi covid", "Mồ côi do Covid-19"):
        assert values.STUDENT_STATUS.read(spelling) == "covid_orphan"
    for spelling in ("", "-", "không", "khong", "none", "no"):
        assert roster_values.parse_household(spelling) == ""
    assert values.FLAG.read("maybe") is values.STUDENT_STATUS.read("pooor") is values.HOUSEHOLD.read("pooor") is None
