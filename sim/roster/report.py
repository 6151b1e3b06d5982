"""The plain-text validation report of ``python -m sim roster check``: no personal value in it.

It names rows by file and row number (what the analyst needs to fix the school's file) and
never prints a name, date of birth, phone, certificate number, note or pupil id.
"""

from __future__ import annotations

from sim.locale import gettext as t
from sim.locale import number, translate_error
from sim.roster.read import ERROR, NOT_ELIGIBLE, REVIEW, WARNING, Roster

SECTIONS = [  # kind, title (a key of the message catalogue), issues shown (None: up to ``limit``)
    (ERROR, "check_errors", None),
    (REVIEW, "check_review", None),
    (NOT_ELIGIBLE, "check_not_eligible", 10),
    (WARNING, "check_warnings", 20),
]


def check_text(roster: Roster, limit: int | None = 200) -> str:
    """Counts per outcome and reason, then the issues: errors and reviews in full (up to ``limit``)."""
    files = ", ".join(p.name for p in roster.files)
    lines = [t("check_title").format(rows=number(len(roster.learners)), count=len(roster.files), files=files), ""]
    for row in roster.reasons().itertuples():
        reason = f"  ({translate_error(row.reason)})" if row.reason else ""
        lines.append(f"  {t('outcome_' + row.outcome):<20} {number(row.rows):>7}{reason}")
    for kind, title, shown in SECTIONS:
        found = [i for i in roster.issues if i.kind == kind]
        if not found:
            continue
        cap = shown if shown is not None else limit
        lines += ["", f"{t(title)}: {number(len(found))}"]
        lines += [f"  {issue}" for issue in found[:cap]]
        if cap is not None and len(found) > cap:
            lines.append("  " + t("check_more").format(count=number(len(found) - cap)))
    return "\n".join(lines)
