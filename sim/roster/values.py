"""Reading one roster cell: flags, dates, households, grades, ids and phone numbers.

Each parser returns the value, or None when the text is not one of the accepted spellings; the
reader turns None into a message naming the row and column. Comparison ignores case, Unicode
form (NFC/NFD) and tone-mark placement, as ``sim.names.match_key`` does.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from sim.read.dates import calendar_date
from sim.read.names import ascii_fold, match_key, to_nfc
from sim.read.values import FLAG, HOUSEHOLD, cached_key
from sim.core.rules import HIGHER_LEVEL, grade_level

# Flags and households are read by the shared reader of values written in words (sim.read.values).
FLAGS = FLAG.values
HOUSEHOLDS = HOUSEHOLD.values
HOUSEHOLD_SPELLINGS = list(HOUSEHOLD.shown)

HIGHER_NAMES = {match_key(v) for v in ("higher", "đại học", "cao đẳng", "sinh viên", "dai hoc", "cao dang")}
_CLASS = re.compile(r"^(1[0-2]|[1-9])\s*[a-z]", re.IGNORECASE)
EARLIEST_BIRTH = dt.date(1950, 1, 1)


def parse_flag(text: str) -> bool | None:
    """có/không, yes/no, true/false, 1/0 (also x, y/n, and có/không typed without marks).

    >>> parse_flag("Có"), parse_flag("KHÔNG"), parse_flag("true"), parse_flag("0"), parse_flag("maybe")
    (True, False, True, False, None)
    """
    return FLAG.read(text)


def parse_household(text: str) -> str | None:
    """``poor``, ``near_poor``, ``""`` (neither) or None if not understood.

    >>> parse_household("Hộ cận nghèo"), parse_household("NGHÈO"), parse_household(""), parse_household("pooor")
    ('near_poor', 'poor', '', None)
    """
    return HOUSEHOLD.read(text)


def parse_grade(text: str) -> int | None:
    """1-12 for school grades, 13 (``rules.HIGHER_LEVEL``) for higher education.

    A class name gives its grade: ``9A1`` is grade 9, ``12C`` grade 12.

    >>> parse_grade("9"), parse_grade("9A1"), parse_grade("12 C3"), parse_grade("Đại học"), parse_grade("13")
    (9, 9, 12, 13, None)
    """
    text = text.strip()
    if cached_key(text) in HIGHER_NAMES:
        return HIGHER_LEVEL
    try:
        return grade_level(text)
    except ValueError:
        pass
    found = _CLASS.match(ascii_fold(text))
    return int(found.group(1)) if found else None


def parse_date(text: str, today: dt.date | None = None) -> dt.date | None:
    """A birth date written day first (``dd/mm/yyyy``, also with ``-`` or ``.``) or as ISO ``yyyy-mm-dd``.

    Excel dates read from an XLSX file arrive as ``yyyy-mm-dd 00:00:00``. Dates before 1950 or
    after ``today`` are not birth dates of learners.

    >>> parse_date("05/09/2010"), parse_date("2010-09-05"), parse_date("2010-09-05 00:00:00")
    (datetime.date(2010, 9, 5), datetime.date(2010, 9, 5), datetime.date(2010, 9, 5))
    >>> parse_date("31/02/2010"), parse_date("09/2010"), parse_date("01/01/2090")
    (None, None, None)
    """
    date = calendar_date(text)
    if date is None:
        return None
    return date if EARLIEST_BIRTH <= date <= (today or dt.date.today()) else None


def clean_text(text: str) -> str:
    """A roster cell as it is compared and written: NFC, without invisible format characters
    (zero-width space, soft hyphen, byte-order mark, direction marks: Unicode category Cf) or
    control characters, any run of white space (tab, no-break space, the vertical tab of a Word
    line break) as one space, none at the ends.

    >>> clean_text(" Nguy\u200bễn\u00ad Văn\u00a0\u00a0An\x0b ") == "Nguyễn Văn An"
    True
    """
    text = " ".join(to_nfc(text).split())
    if text.isascii() and text.isprintable():
        return text
    return to_nfc("".join(ch for ch in text if unicodedata.category(ch) not in ("Cf", "Cc")))


def id_key(text: str) -> str:
    """The form under which two spellings of a pupil id are the same id: no case, no spaces, no
    invisible characters.

    >>> id_key(" ab 0123 ") == id_key("AB0123") == id_key("AB\u200b0123")
    True
    """
    return "".join(clean_text(text).casefold().split())


def phone_digits(text: str) -> str | None:
    """A Vietnamese phone number as its digits (``+84`` becomes ``0``), or None if it is not one.

    Spreadsheets drop the leading 0 of numbers stored as numbers; nine digits get it back.

    >>> phone_digits("0912 345 678"), phone_digits("+84 912.345.678"), phone_digits("912345678"), phone_digits("12")
    ('0912345678', '0912345678', '0912345678', None)
    """
    digits = re.sub(r"[\s.\-()]", "", text)
    if digits.startswith("+84"):
        digits = "0" + digits[3:]
    if not digits.isdigit():
        return None
    if len(digits) == 9 and not digits.startswith("0"):
        digits = "0" + digits
    return digits if len(digits) in (10, 11) and digits.startswith("0") else None
