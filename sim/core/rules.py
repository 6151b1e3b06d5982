"""The plan's eligibility rules: statuses, grades and the five priority bands.

Source: Long An's plan for "Sóng và máy tính cho em" (23 June 2023). Tier 1 is learners in poor
households, exam grades 9-12 first, and near-poor learners in grade 12; tier 2 is the other
near-poor learners, grades 9-12 first; tier 3 is learners with a parent who died of Covid-19.
The plan does not rank near-poor grade 12 against poor grades 1-8; we read them as part of tier
1's exam-grade group, which gives five bands served in order:

====  ======================================================
band  who
====  ======================================================
1     poor, grades 9-12; near-poor, grade 12
2     poor, other grades (1-8, higher education)
3     near-poor, grades 9-11
4     near-poor, other grades (1-8, higher education)
5     Covid-19 orphans without a computer (any grade)
====  ======================================================
"""

from __future__ import annotations

STATUSES = ("poor", "near_poor", "covid_orphan")
BANDS = (1, 2, 3, 4, 5)
BAND_LABELS = {
    1: "poor grades 9-12, near-poor grade 12",
    2: "poor, other grades",
    3: "near-poor grades 9-11",
    4: "near-poor, other grades",
    5: "Covid-19 orphans",
}
HIGHER = "higher"
HIGHER_LEVEL = 13  # college and university students rank above grade 12 in grade ranges
GRADE_LABELS = tuple(str(g) for g in range(1, 13)) + (HIGHER,)
EXAM_GRADES = range(9, 13)


def grade_level(label: object) -> int:
    """1-12 for school grades, 13 for higher education. Raises ValueError otherwise."""
    text = str(label).strip().casefold()
    if text == HIGHER:
        return HIGHER_LEVEL
    level = int(float(text)) if text.replace(".0", "", 1).isdigit() else None
    if level is None or not 1 <= level <= 12 or float(text) != level:
        raise ValueError(label)
    return level


def grade_label(level: int) -> str:
    return HIGHER if level == HIGHER_LEVEL else str(level)


def band_of(status: str, level: int) -> int:
    """The priority band (1 first) of a learner; each learner is in exactly one band.

    >>> band_of("poor", 9), band_of("near_poor", 12), band_of("poor", 5), band_of("near_poor", 10)
    (1, 1, 2, 3)
    >>> band_of("near_poor", HIGHER_LEVEL), band_of("covid_orphan", 12)
    (4, 5)
    """
    if status == "poor":
        return 1 if level in EXAM_GRADES else 2
    if status == "near_poor":
        if level == 12:
            return 1
        return 3 if level in EXAM_GRADES else 4
    if status == "covid_orphan":
        return 5
    raise ValueError(f"unknown status {status!r}")
