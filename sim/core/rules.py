"""The plan's eligibility rules: statuses, grades and the five priority bands.

The rules are data: ``plan_rules.yaml`` beside this module, read once at import, with the
citation of the plan they come from. Source: Long An's plan for "Sóng và máy tính cho em"
(People's Committee, June 2023; a provincial news item of 23 June 2023). Tier 1 is learners in
poor households, exam grades 9-12 first, and near-poor learners in grade 12; tier 2 is the other
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

The file must give every status and grade exactly one band; it is checked when read
(ValueError otherwise) and ``tests/test_rules.py`` checks it against the table above.
"""

from __future__ import annotations

import re

from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

RULES_FILE = "plan_rules.yaml"


def _read() -> dict[str, Any]:
    return yaml.safe_load(resources.files(__package__).joinpath(RULES_FILE).read_text(encoding="utf-8"))


_RULES = _read()

PLAN: dict[str, Any] = _RULES["plan"]  # the citation: vi, en, source, published, tiers, reading
STATUSES: tuple[str, ...] = tuple(_RULES["statuses"])
STATUS_LABELS: dict[str, dict[str, str]] = {s: {"vi": v["vi"], "en": v["en"]} for s, v in _RULES["statuses"].items()}
BANDS: tuple[int, ...] = tuple(sorted(_RULES["bands"]))
BAND_LABELS: dict[int, str] = {b: _RULES["bands"][b]["en"] for b in BANDS}
BAND_LABELS_VI: dict[int, str] = {b: _RULES["bands"][b]["vi"] for b in BANDS}
BAND_TIERS: dict[int, int] = {b: _RULES["bands"][b]["tier"] for b in BANDS}
DEFAULT_WEIGHTS: dict[int, float] = {int(b): float(w) for b, w in _RULES["default_weights"].items()}

_GRADES = _RULES["grades"]
HIGHER: str = _GRADES["higher"]["label"]
HIGHER_LEVEL: int = _GRADES["higher"]["level"]  # college and university students rank above grade 12 in grade ranges
HIGHER_LABELS: dict[str, str] = {"vi": _GRADES["higher"]["vi"], "en": _GRADES["higher"]["en"]}
_FIRST, _LAST = _GRADES["school"]
GRADE_LABELS: tuple[str, ...] = tuple(str(g) for g in range(_FIRST, _LAST + 1)) + (HIGHER,)
EXAM_GRADES = range(_GRADES["exam"][0], _GRADES["exam"][1] + 1)
LEVELS: tuple[int, ...] = (*range(_FIRST, _LAST + 1), HIGHER_LEVEL)


def _band_table(bands: dict[int, dict]) -> MappingProxyType:
    """(status, grade level) -> band, from the file's lists; ValueError unless each pair has exactly one band."""
    table: dict[tuple[str, int], int] = {}
    for band in sorted(bands):
        for status, grades in bands[band]["grades"].items():
            if status not in STATUSES:
                raise ValueError(f"{RULES_FILE}: band {band} names an unknown status {status!r}")
            levels = LEVELS if grades == "any" else [HIGHER_LEVEL if g == HIGHER else int(g) for g in grades]
            for level in levels:
                if level not in LEVELS:
                    raise ValueError(f"{RULES_FILE}: band {band} names an unknown grade {level!r}")
                if (status, level) in table:
                    raise ValueError(f"{RULES_FILE}: {status} grade {grade_label(level)} is in bands "
                                     f"{table[status, level]} and {band}")
                table[status, level] = band
    missing = [f"{s} grade {grade_label(level)}" for s in STATUSES for level in LEVELS if (s, level) not in table]
    if missing:
        raise ValueError(f"{RULES_FILE}: no band for {', '.join(missing)}")
    return MappingProxyType(table)


def grade_level(label: object) -> int:
    """1-12 for school grades, 13 for higher education. Raises ValueError otherwise."""
    text = str(label).strip().casefold()
    if text == HIGHER:
        return HIGHER_LEVEL
    match = re.fullmatch(r"0*(\d{1,3})(?:\.0*)?", text, re.ASCII)  # 7, 07, 7.0; never through a float
    level = int(match.group(1)) if match else None
    if level is None or not _FIRST <= level <= _LAST:
        raise ValueError(label)
    return level


def grade_label(level: int) -> str:
    return HIGHER if level == HIGHER_LEVEL else str(level)


BAND_OF = _band_table(_RULES["bands"])


def band_of(status: str, level: int) -> int:
    """The priority band (1 first) of a learner; each learner is in exactly one band.

    >>> band_of("poor", 9), band_of("near_poor", 12), band_of("poor", 5), band_of("near_poor", 10)
    (1, 1, 2, 3)
    >>> band_of("near_poor", HIGHER_LEVEL), band_of("covid_orphan", 12)
    (4, 5)
    """
    if status not in STATUSES:
        raise ValueError(f"unknown status {status!r}")
    try:
        return BAND_OF[status, level]
    except KeyError:
        raise ValueError(f"unknown grade level {level!r}") from None
