"""Dates as Vietnamese offices and Excel write them: day first (24/11/2026, 24-11-2026, 24.11.2026)
or ISO (2026-11-24, also as an XLSX cell's ``2026-11-24 00:00:00``)."""

from __future__ import annotations

import datetime as dt
import re

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00(?:\.0+)?)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")


def calendar_date(text: str) -> dt.date | None:
    """The date written in ``text``, or None when it is neither form or no such day exists.

    >>> calendar_date("24/11/2026"), calendar_date("2026-11-24 00:00:00"), calendar_date("31/02/2026")
    (datetime.date(2026, 11, 24), datetime.date(2026, 11, 24), None)
    """
    text = text.strip()
    if found := _ISO.match(text):
        year, month, day = map(int, found.groups())
    elif found := _DAY_FIRST.match(text):
        day, month, year = map(int, found.groups())
    else:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None
