"""The roster's columns as data: the reader, the template, its error messages and the README use this.

A roster is one row per learner, as a school sends it. Each column has an English name (used in
code and in messages), the Vietnamese header of the shipped template, and other headers schools
write for it; headers match whatever their case, Unicode form or tone-mark placement, with or
without diacritics. ``personal`` columns identify a child: their values never appear in messages,
logs or shareable files, only in the delivery lists.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.read.names import ascii_fold, match_key


@dataclass(frozen=True)
class RosterColumn:
    name: str
    header: str  # Vietnamese header in the template and the delivery lists
    required: bool  # must the column be in the header row?
    personal: bool  # identifies a child: kept out of messages and shareable outputs
    description: str
    accepted: str  # what a value may be, as the template's instructions say
    aliases: tuple[str, ...] = ()


FLAG_VALUES = "có/không, yes/no, true/false or 1/0 (any case)"

ROSTER = (
    RosterColumn("pupil_id", "Mã học sinh", True, True, "the learner's id in the school database (mã định danh)",
                 "text; unique per learner", ("mã định danh", "mã hs", "mã số học sinh", "id")),
    RosterColumn("full_name", "Họ và tên", True, True, "full name as on the birth certificate",
                 "text", ("họ tên", "tên học sinh", "name")),
    RosterColumn("date_of_birth", "Ngày sinh", True, True, "date of birth",
                 "dd/mm/yyyy (day first) or yyyy-mm-dd", ("ngày tháng năm sinh", "dob")),
    RosterColumn("school", "Trường", True, False, "the school (or college) the learner attends",
                 "text", ("tên trường",)),
    RosterColumn("district", "Quận/Huyện", True, False, "the district (area) as in the areas file",
                 "a name or code from the areas file", ("huyện", "quận huyện", "quận, huyện", "địa bàn")),
    RosterColumn("grade", "Lớp", True, False, "grade 1-12, or higher for college and university students",
                 "1-12, a class such as 9A1, or higher (also: đại học, cao đẳng)", ("khối", "khối lớp")),
    RosterColumn("household", "Hộ (nghèo/cận nghèo)", True, False, "the household's poverty status",
                 "nghèo (poor), cận nghèo (near_poor) or empty", ("hộ nghèo/cận nghèo", "diện hộ", "hộ nghèo, cận nghèo")),
    RosterColumn("certificate_no", "Số chứng nhận hộ nghèo", False, True,
                 "number of the poor / near-poor household certificate", "text; empty if the household is neither",
                 ("số giấy chứng nhận", "số chứng nhận", "số sổ hộ nghèo", "certificate")),
    RosterColumn("covid_orphan", "Mồ côi do Covid-19", True, False, "a parent died of Covid-19",
                 FLAG_VALUES + "; empty means no", ("mồ côi", "mồ côi covid")),
    RosterColumn("has_computer", "Có máy tính", True, False, "the learner already has a computer for online learning",
                 FLAG_VALUES, ("đã có máy tính",)),
    RosterColumn("has_internet", "Có internet", True, False, "the learner has internet at home",
                 FLAG_VALUES, ("có mạng", "có kết nối internet")),
    RosterColumn("phone", "Số điện thoại", False, True, "a parent's phone number, for the handover",
                 "digits, may be empty", ("sđt", "điện thoại", "số đt")),
    RosterColumn("notes", "Ghi chú", False, True, "anything the school wants the district to know",
                 "text, may be empty", ("note",)),
    RosterColumn("guardian_consent", "Cha mẹ/người giám hộ đồng ý", False, False,
                 "a parent or guardian consents to the processing of the child's data (Law 91/2025/QH15 Art. 24)",
                 FLAG_VALUES + "; không (no) holds the learner for review", ("đồng ý của cha mẹ", "guardian consent",
                                                                             "người giám hộ đồng ý")),
    RosterColumn("child_consent", "Học sinh đồng ý (từ 7 tuổi)", False, False,
                 "the child's own consent, asked from age 7 (computed from the date of birth)",
                 FLAG_VALUES + "; may be empty under 7", ("học sinh đồng ý", "trẻ đồng ý", "child consent")),
)

BY_NAME = {c.name: c for c in ROSTER}
PERSONAL = frozenset(c.name for c in ROSTER if c.personal)


def header_key(text: object) -> str:
    """How headers are compared: no case, diacritics, spacing or punctuation differences.

    >>> header_key("Quận/Huyện") == header_key("quan / huyen") == header_key("QUẬN-HUYỆN")
    True
    """
    folded = ascii_fold(match_key(text))
    return "".join(ch for ch in folded if ch.isalnum())


HEADER_ALIASES = {
    header_key(alias): column.name
    for column in ROSTER
    for alias in (column.name, column.name.replace("_", " "), column.header, *column.aliases)
}


# The columns' meanings and accepted values in Vietnamese, for the manual's column table
# (docs/hooks.py): column name -> (description, accepted values). Every column has one (tests/test_docs.py).
_FLAGS_VI = "có/không, yes/no, true/false hoặc 1/0 (chữ hoa hay thường đều được)"
VIETNAMESE = {
    "pupil_id": ("mã định danh của người học trong cơ sở dữ liệu ngành", "chữ; mỗi người học một mã"),
    "full_name": ("họ và tên như trong giấy khai sinh", "chữ"),
    "date_of_birth": ("ngày sinh", "dd/mm/yyyy (ngày trước) hoặc yyyy-mm-dd"),
    "school": ("trường (hoặc trường cao đẳng) người học đang theo học", "chữ"),
    "district": ("quận/huyện (địa bàn) như trong tệp địa bàn", "một tên hoặc mã trong tệp địa bàn"),
    "grade": ("lớp 1–12, hoặc higher cho sinh viên cao đẳng, đại học",
              "1–12, một lớp như 9A1, hoặc higher (hoặc: đại học, cao đẳng)"),
    "household": ("diện hộ: nghèo hoặc cận nghèo", "nghèo, cận nghèo hoặc để trống"),
    "certificate_no": ("số giấy chứng nhận hộ nghèo, hộ cận nghèo", "chữ; để trống nếu không thuộc diện nào"),
    "covid_orphan": ("cha hoặc mẹ mất do Covid-19", _FLAGS_VI + "; để trống là không"),
    "has_computer": ("người học đã có máy tính để học trực tuyến", _FLAGS_VI),
    "has_internet": ("người học có internet ở nhà", _FLAGS_VI),
    "phone": ("số điện thoại của cha mẹ, để liên hệ khi bàn giao", "chữ số, có thể để trống"),
    "notes": ("điều nhà trường muốn huyện biết", "chữ, có thể để trống"),
    "guardian_consent": ("cha mẹ hoặc người giám hộ đồng ý cho xử lý dữ liệu của trẻ (Luật 91/2025/QH15, Điều 24)",
                         _FLAGS_VI + "; không thì người học được giữ lại để xem xét"),
    "child_consent": ("sự đồng ý của chính trẻ, hỏi từ 7 tuổi (tính theo ngày sinh)",
                      _FLAGS_VI + "; có thể để trống khi dưới 7 tuổi"),
}
