"""The form of a pupil id that is a personal identification number (mã định danh cá nhân, 12 digits).

Digits 1-3: the province code of the birth registration; digit 4: century and sex (0/1 born in
the 20th century, male/female; 2/3 in the 21st); digits 5-6: the last two digits of the birth
year; the last six are a serial number. An id of 9 or more digits and nothing else is read as
meant to be one and checked; shorter ids or ids with letters (a school's own codes) are not.
Problems are warnings ("to check"): the learner is planned, the school asked to look again.
Messages never show the id (it is personal).
"""

from __future__ import annotations

import datetime as dt

# Province codes of the personal identification number (Circular 07/2016/TT-BCA, Art. 7).
PROVINCE_CODES = frozenset(f"{n:03d}" for n in (
    1, 2, 4, 6, 8, 10, 11, 12, 14, 15, 17, 19, 20, 22, 24, 25, 26, 27, 30, 31, 33, 34, 35, 36, 37, 38, 40, 42, 44, 45,
    46, 48, 49, 51, 52, 54, 56, 58, 60, 62, 64, 66, 67, 68, 70, 72, 74, 75, 77, 79, 80, 82, 83, 84, 86, 87, 89, 91, 92,
    93, 94, 95, 96))
CENTURY = {"0": 1900, "1": 1900, "2": 2000, "3": 2000}


def pupil_id_problems(text: str, born: dt.date | None) -> list[str]:
    """What is wrong with the id's form ([] when fine or not a personal identification number).

    >>> pupil_id_problems("080210123456", dt.date(2010, 5, 1))
    []
    >>> pupil_id_problems("08021012345", None)
    ['not 12 digits (a personal identification number has 12)']
    >>> pupil_id_problems("099210123456", dt.date(2011, 5, 1))
    ['the first 3 digits are not a province code', 'the birth year in the id (2010) is not the year of the date of birth']
    """
    digits = "".join(text.split())
    if not digits.isdigit() or len(digits) < 9:
        return []
    if len(digits) != 12:
        return ["not 12 digits (a personal identification number has 12)"]
    found = []
    if digits[:3] not in PROVINCE_CODES:
        found.append("the first 3 digits are not a province code")
    century = CENTURY.get(digits[3])
    if century is None:
        found.append("the 4th digit is not 0-3 (century and sex of a learner born 1900-2099)")
    elif born is not None and century + int(digits[4:6]) != born.year:
        found.append(f"the birth year in the id ({century + int(digits[4:6])}) is not the year of the date of birth")
    return found
