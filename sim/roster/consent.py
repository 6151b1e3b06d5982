"""Consent to process a child's data: the guardian's, and the child's own from age 7.

Law 91/2025/QH15 on personal data protection (in force 1 January 2026), Art. 24, and Decree
356/2025/NĐ-CP ask for the consent of a parent or guardian to process a child's personal data,
and the child's own consent too from age 7 (as Decree 13/2023/NĐ-CP Art. 20 did before). The
roster has two optional columns for them (``guardian_consent``, ``child_consent``); the age is
computed from the date of birth on the day of the check.

- an explicit "không" (no) holds the learner for review, always: not planned;
- an empty answer holds the learner for review when consent is required (``require=True``,
  ``--require-consent`` on the command line); otherwise it is planned as before;
- the child's answer is asked only from age 7.

Held learners are counted by reason in every shareable report; never named there.
"""

from __future__ import annotations

import datetime as dt

CHILD_CONSENT_AGE = 7
NO_GUARDIAN = "no consent of the parent or guardian"
GUARDIAN_REFUSED = "the parent or guardian did not consent"
NO_CHILD = "no consent of the child (aged 7 or more)"
CHILD_REFUSED = "the child (aged 7 or more) did not consent"


def age_on(born: dt.date, day: dt.date) -> int:
    """Whole years.

    >>> age_on(dt.date(2019, 3, 1), dt.date(2026, 2, 28)), age_on(dt.date(2019, 3, 1), dt.date(2026, 3, 1))
    (6, 7)
    """
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def consent_reason(guardian: bool | None, child: bool | None, born: dt.date, day: dt.date, *, require: bool) -> str:
    """Why the learner is held for review for want of consent; "" when not held.

    ``None`` is an empty answer.

    >>> consent_reason(True, None, dt.date(2010, 1, 1), dt.date(2026, 1, 1), require=True)
    'no consent of the child (aged 7 or more)'
    >>> consent_reason(True, None, dt.date(2021, 1, 1), dt.date(2026, 1, 1), require=True)
    ''
    >>> consent_reason(None, None, dt.date(2010, 1, 1), dt.date(2026, 1, 1), require=False)
    ''
    """
    needs_child = age_on(born, day) >= CHILD_CONSENT_AGE
    if guardian is False:
        return GUARDIAN_REFUSED
    if needs_child and child is False:
        return CHILD_REFUSED
    if require and guardian is None:
        return NO_GUARDIAN
    if require and needs_child and child is None:
        return NO_CHILD
    return ""
