"""The plain-text validation report of ``python -m sim roster check``: no personal value in it.

It names rows by file and row number (what the analyst needs to fix the school's file) and
never prints a name, date of birth, phone, certificate number, note or pupil id.
"""

from __future__ import annotations

from sim.roster.read import ERROR, NOT_ELIGIBLE, REVIEW, WARNING, Roster

SECTIONS = [
    (ERROR, "Rows to fix (bad values; not planned)", None),
    (REVIEW, "Held for review (listed twice; not planned until the roster is fixed)", None),
    (NOT_ELIGIBLE, "Not eligible", 10),
    (WARNING, "To check (planned as they are)", 20),
]


def check_text(roster: Roster, limit: int | None = 200) -> str:
    """Counts per outcome and reason, then the issues: errors and reviews in full (up to ``limit``)."""
    files = ", ".join(p.name for p in roster.files)
    lines = [f"Roster check: {len(roster.learners):,} rows in {len(roster.files)} file(s) ({files})", ""]
    for row in roster.reasons().itertuples():
        reason = f"  ({row.reason})" if row.reason else ""
        lines.append(f"  {row.outcome.replace('_', ' '):<16} {row.rows:>7,}{reason}")
    for kind, title, shown in SECTIONS:
        found = [i for i in roster.issues if i.kind == kind]
        if not found:
            continue
        cap = shown if shown is not None else limit
        lines += ["", f"{title}: {len(found):,}"]
        lines += [f"  {issue}" for issue in found[:cap]]
        if cap is not None and len(found) > cap:
            lines.append(f"  ... and {len(found) - cap:,} more (all of them: roster check --out report.csv)")
    return "\n".join(lines)
