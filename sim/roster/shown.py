"""Which roster values a message may show: the rule, in one place.

A message about a roster row names the file, row and column. It shows the cell's value only if
the column holds no personal data (``schema.PERSONAL``) AND the value has the form that column
expects: a grade that looks like a grade, a district close to the areas file's names, a yes/no
that looks like a yes/no. Rows go wrong in ways that move personal data into other columns (an
unquoted comma in a name shifts every cell to the right, a missing cell shifts them left, a name
is typed in the district column), so a value of the wrong form may be a name, a date, a phone or
a certificate number: the message then says ``HIDDEN`` instead. A value that holds one of the
row's own personal cells is never shown either.
"""

from __future__ import annotations

import re

from sim.read.names import ascii_fold, nearest
from sim.roster.schema import PERSONAL

HIDDEN = "(value hidden: may be personal data)"

# Common Vietnamese family names (ascii-folded): a short text starting with one is taken for a name.
FAMILY_NAMES = frozenset(ascii_fold(n) for n in (
    "Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương",
    "Lý", "Trương", "Đinh", "Lâm", "Mai", "Tô", "Châu", "Cao", "Lương", "Tạ", "Thái", "Đoàn", "Quách", "Kiều",
    "Triệu", "Lưu", "Mạc", "Tăng", "Thân", "Từ", "La", "Hà", "Tôn", "Vương", "Văn", "Thị", "Diệp", "Âu", "Khổng"))
_GRADE = re.compile(r"(lop|khoi|grade)?\s*\d{1,2}\s*[a-z]{0,2}\d{0,2}", re.IGNORECASE)
_FLAGS = ["có", "không", "yes", "no", "true", "false", "co", "khong"]
_HOUSEHOLDS = ["nghèo", "cận nghèo", "hộ nghèo", "hộ cận nghèo", "poor", "near_poor", "near poor", "không"]
_HIGHER = ["đại học", "cao đẳng", "higher", "sinh viên"]


def _words(text: str) -> list[str]:
    return ascii_fold(text).split()


def looks_like_a_name(text: str) -> bool:
    """Two or more words, the first a common family name (``Nguyễn Văn An``, ``tran thi b``)."""
    words = _words(text)
    return len(words) >= 2 and words[0] in FAMILY_NAMES


def _short_word(text: str, words: int, length: int) -> bool:
    return (len(text) <= length and len(_words(text)) <= words and not any(ch.isdigit() for ch in text)
            and not looks_like_a_name(text))


def _form_ok(column: str, text: str, areas: list[str]) -> bool:
    if column == "district":  # close to an area name, or a place-like word or two (a misspelt district)
        return nearest(text, areas) is not None or _short_word(text, 2, 24)
    if column == "grade":
        return bool(_GRADE.fullmatch(ascii_fold(text))) or nearest(text, _HIGHER) is not None
    if column == "household":
        return nearest(text, _HOUSEHOLDS) is not None or _short_word(text, 2, 16)
    if column in ("covid_orphan", "has_computer", "has_internet"):
        return nearest(text, _FLAGS) is not None or _short_word(text, 2, 10)
    return False  # any other column: never shown


def shown(column: str | None, value: object, personal: list[str] = (), areas: list[str] = ()) -> bool:
    """May a message about ``column`` show ``value``? ``personal``: the row's personal cells.

    >>> shown("grade", "9A1"), shown("grade", "0912345678"), shown("district", "Nguyễn Văn An", areas=["Đức Huệ"])
    (True, False, False)
    >>> shown("district", "Duc Hue", areas=["Đức Huệ"]), shown("full_name", "x"), shown("has_internet", "có lẽ")
    (True, False, True)
    """
    if column is None or column in PERSONAL:
        return False
    if value is None or value == "":
        return True
    text = str(value)
    folded = ascii_fold(text)
    if any(p and len(p) >= 3 and ascii_fold(p) in folded for p in personal):
        return False
    return _form_ok(column, text, list(areas))
