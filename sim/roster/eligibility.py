"""Who is eligible, under which status and band (the plan's rules, ``sim.rules``).

A learner is eligible when they have no computer for online learning and are in a poor or
near-poor household or lost a parent to Covid-19. A learner who qualifies several ways counts
once, under the status whose band comes first ("the highest tier wins"): a poor Covid-19 orphan
counts as poor.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.rules import band_of

HAS_COMPUTER = "has a computer"
NOT_IN_TARGET_GROUP = "neither in a poor or near-poor household nor a Covid-19 orphan"


@dataclass(frozen=True)
class Eligibility:
    status: str | None  # poor | near_poor | covid_orphan, None when not eligible
    band: int | None
    reason: str  # why not eligible; "" when eligible


def eligibility(household: str, covid_orphan: bool, has_computer: bool, grade: int) -> Eligibility:
    """The learner's status and band, or the reason they are not eligible.

    >>> eligibility("near_poor", True, False, 12)
    Eligibility(status='near_poor', band=1, reason='')
    >>> eligibility("", True, False, 5)
    Eligibility(status='covid_orphan', band=5, reason='')
    >>> eligibility("poor", False, True, 9).reason
    'has a computer'
    """
    if has_computer:
        return Eligibility(None, None, HAS_COMPUTER)
    statuses = ([household] if household else []) + (["covid_orphan"] if covid_orphan else [])
    if not statuses:
        return Eligibility(None, None, NOT_IN_TARGET_GROUP)
    band, status = min((band_of(s, grade), s) for s in statuses)
    return Eligibility(status, band, "")
