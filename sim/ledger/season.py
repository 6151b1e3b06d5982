"""Replay a season: record the ledger's events in date order and re-plan after each one.

Events come from up to three files: a donations file (each row recorded on its date, with the
status it had then), a status-changes file (``donation_id,date,status``: a pledge received or
cancelled later) and a deliveries file. Events of one day go in that order (donations, status
changes, deliveries), each file in its own row order. An event's ``description`` is for people, in
the current language ("LA23-009 đã hủy", "LA23-009 cancelled"); code compares ``item`` or
``status_change``. Used to look back ("what would each plan have been?") and by the rolling
re-planning notebook.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.ledger.donations import (DELIVERY_KIND, DONATION_KIND, STATUS_ALIASES, STATUSES, Sourced, parse_date,
                        read_records)
from sim.ledger.store import Ledger
from sim.ledger.sources import file_row
from sim.read.errors import Problems
from sim.read.names import did_you_mean, match_key
from sim.ledger.replan import replan
from sim.core.rules import BANDS
from sim.read.scenario import Scenario
from sim.read.schema import Column
from sim.read.tables import check_header, read_raw
from sim.locale import gettext as t

def _status(code: str) -> str:
    """A donation's status in words: ``đã cam kết``, ``pledged``."""
    return t("donation_status_" + code) if code in STATUSES else code


STATUS_CHANGES = (
    Column("donation_id", "text", True, "the donation whose status changed"),
    Column("date", "date", True, "day of the change: YYYY-MM-DD or day-first 24/11/2026"),
    Column("status", "donation_status", True, "the new status: pledged, received, cancelled or delivered"),
)


@dataclass(frozen=True)
class Event:
    date: str
    order: int  # 0 donation, 1 status change, 2 delivery: the order of one day's events
    description: str  # for people, in the language current when the events were read
    item: Sourced | tuple[str, str, str]  # a record, or (donation id, new status, source as stored: "status.csv:4")

    @property
    def status_change(self) -> tuple[str, str] | None:
        """``(donation id, new status)`` of a status change (``("LA23-009", "cancelled")``), else None:
        what code compares, whatever the language of ``description``."""
        return None if isinstance(self.item, Sourced) else (self.item[0], self.item[1])

    def apply(self, ledger: Ledger) -> None:
        if isinstance(self.item, Sourced):
            ledger.record([self.item])
        else:
            donation_id, status, source = self.item
            ledger.set_status(donation_id, status, source)


def read_status_changes(path: str | Path) -> list[Event]:
    table = read_raw(path)
    check_header(table, STATUS_CHANGES)
    found = Problems(table.path)
    events = []
    for row, cells in table.rows:
        date = parse_date(cells["date"])
        if date is None:
            found.add("not a date", row, "date", cells["date"], "YYYY-MM-DD or day/month/year, e.g. 2026-11-24 or 24/11/2026")
        status = STATUS_ALIASES.get(match_key(cells["status"]))
        if status is None:
            found.add("unknown status", row, "status", cells["status"], " or ".join(STATUSES),
                      did_you_mean(cells["status"], list(STATUSES)))
        if not cells["donation_id"]:
            found.add("donation_id is empty", row, "donation_id", "", "the id of a donation in the ledger")
        if date and status and cells["donation_id"]:
            events.append(Event(date, 1, f"{cells['donation_id']} {_status(status)}",
                                (cells["donation_id"], status, file_row(table.path.name, row))))
    found.raise_if_any()
    return events


def season_events(donations: str | Path, status_changes: str | Path | None = None,
                  deliveries: str | Path | None = None) -> list[Event]:
    """Every event of the three files, in the order they happened."""
    from sim.locale import item_count

    events = [Event(s.record.date, 0, f"{s.record.donation_id} {s.record.describe()} ({_status(s.record.status)})", s)
              for s in read_records(donations, DONATION_KIND)]
    if status_changes is not None:
        events += read_status_changes(status_changes)
    if deliveries is not None:
        events += [Event(s.record.date, 2, t("event_delivered").format(
                       id=s.record.delivery_id, items=item_count(s.record.quantity, s.record.device),
                       district=s.record.district), s)
                   for s in read_records(deliveries, DELIVERY_KIND)]
    return [e for _, e in sorted(enumerate(events), key=lambda pair: (pair[1].date, pair[1].order, pair[0]))]


def replay(scenario: Scenario, ledger: Ledger, events: list[Event], *, compare: bool = False) -> pd.DataFrame:
    """Record each event and re-plan after it; one row per event: the version made and its coverage."""
    rows = []
    for event in events:
        event.apply(ledger)
        done = replan(scenario, ledger, compare=compare)
        covered = done.result.summary["covered_by_band"]
        rows.append({"date": event.date, "event": event.description, "version": done.version,
                     **{f"band {b}": covered[str(b)] for b in BANDS}, "all bands": done.result.summary["covered"]})
    return pd.DataFrame(rows)
