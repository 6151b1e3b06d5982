"""Values written in words: yes/no flags and the spellings schools and registers use for a status.

One reader for every table (the students table, rosters, the donations register): a value and
the ways files write it, compared as ``names.match_key`` compares names (case, Unicode form,
tone-mark placement), and one error text for a cell that is none of them.

>>> FLAG.read("Có"), FLAG.read("KHONG"), FLAG.read("x"), FLAG.read("maybe")
(True, False, True, None)
>>> STUDENT_STATUS.read("Hộ cận nghèo"), HOUSEHOLD.read("NGHÈO"), HOUSEHOLD.read("-"), STUDENT_STATUS.read("mồ côi")
('near_poor', 'poor', '', 'covid_orphan')
>>> STUDENT_STATUS.expected
'poor or near_poor or covid_orphan'
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sim.read.names import did_you_mean, match_key

# Rosters repeat the same few spellings thousands of times (flags, households, schools).
cached_key = functools.lru_cache(maxsize=8192)(match_key)

YES = ("có", "co", "yes", "y", "true", "1", "x")
NO = ("không", "khong", "no", "n", "false", "0")
POOR = ("poor", "nghèo", "hộ nghèo")
NEAR_POOR = ("near_poor", "near-poor", "near poor", "cận nghèo", "hộ cận nghèo")
COVID_ORPHAN = ("covid_orphan", "covid-orphan", "covid orphan", "mồ côi", "mồ côi covid", "mồ côi do covid-19")
NEITHER = ("", "-", "không", "khong", "none", "no")


@dataclass(frozen=True)
class Spellings:
    """A value for each accepted spelling. ``read`` gives the value or None; ``problem`` is the one
    error text (English, translated by the catalogue) for a cell that is none of them; ``expected``
    lists the spellings a message shows (``shown``, which suggestions are taken from)."""

    values: dict[str, object]  # match key of a spelling -> the value
    shown: tuple[str, ...]  # spellings a message lists and suggests from
    problem: str

    @classmethod
    def of(cls, spellings: dict[object, tuple[str, ...]], shown: tuple[str, ...], problem: str) -> "Spellings":
        return cls({match_key(s): value for value, names in spellings.items() for s in names}, shown, problem)

    def read(self, text: object):
        """The value ``text`` spells, or None."""
        return self.values.get(cached_key(text if type(text) is str else str(text)))

    def __contains__(self, text: object) -> bool:
        return cached_key(str(text)) in self.values

    @property
    def expected(self) -> str:
        return " or ".join(self.shown)

    def suggestion(self, text: object) -> str | None:
        """'Did you mean …?' with the nearest listed spelling, or None."""
        return did_you_mean(text, list(self.shown))


FLAG = Spellings.of({True: YES, False: NO}, ("có", "không", "yes", "no", "true", "false", "1", "0"),
                    "not a yes/no value")
STUDENT_STATUS = Spellings.of({"poor": POOR, "near_poor": NEAR_POOR, "covid_orphan": COVID_ORPHAN},
                              ("poor", "near_poor", "covid_orphan"), "unknown status")
HOUSEHOLD = Spellings.of({"poor": POOR, "near_poor": NEAR_POOR, "": NEITHER},
                         ("poor", "near_poor", "nghèo", "cận nghèo"), "unknown household status")
