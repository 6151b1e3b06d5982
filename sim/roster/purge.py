"""Deleting what names learners once a round is over: ``python -m sim roster purge --before DATE``.

A round is a plan version whose learners were named (``sim assign --version N``). It is closed
on the date of its last recorded handover. Purging deletes, for every round closed before DATE,
the delivery folder its list was written to (``OUT/delivery``, only if sim wrote it: it holds
sim's README.txt), and any other file given with ``--also`` (the schools' rosters). It keeps the
ledger's aggregate records, the handovers by pseudonym and the audit trail, and adds an audit
entry saying what was purged (counts, no names). Lists are kept 12 months after the round closed
by default: the README says how.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from sim.ledger.audit import append
from sim.ledger.store import Ledger, now
from sim.read.errors import InputError, Problem
from sim.roster.export import MARKER


@dataclass
class Purged:
    before: str
    lists: list[int] = field(default_factory=list)
    folders: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    dry_run: bool = False

    def __str__(self) -> str:
        from sim.locale import date, gettext as t

        if not self.lists and not self.files:
            return t("purge_nothing").format(before=date(self.before))
        lines = [t("purge_would_delete" if self.dry_run else "purge_deleted").format(count=len(self.lists), before=date(self.before))]
        lines += [f"  {f}" for f in self.folders]
        lines += [f"  {f}" for f in self.files]
        if not self.dry_run:
            lines.append(t("purge_kept"))
        return "\n".join(lines)


def purge(ledger: Ledger, before: str, *, extra: list[Path] = (), dry_run: bool = False) -> Purged:
    done = Purged(before, dry_run=dry_run)
    for path in extra:
        if not Path(path).is_file():
            raise InputError([Problem(str(path), "file not found", expected="a roster or list to delete")])
    with ledger.write():
        closed = dict(ledger.db.execute("SELECT version, max(date) FROM handovers GROUP BY version").fetchall())
        rows = ledger.db.execute("SELECT list_id, version, folder FROM delivery_lists WHERE purged_at IS NULL "
                                 "ORDER BY list_id").fetchall()
        for list_id, version, folder in rows:
            if version not in closed or closed[version] >= before:
                continue
            done.lists.append(list_id)
            target = Path(folder)
            if target.is_dir() and (target / MARKER).is_file():
                done.folders.append(str(target))
        done.files = [str(p) for p in extra]
        if dry_run or (not done.lists and not done.files):
            return done
        for folder in done.folders:
            shutil.rmtree(folder)
        for path in done.files:
            Path(path).unlink()
        stamp = now()
        ledger.db.executemany("UPDATE delivery_lists SET purged_at = ? WHERE list_id = ?", [(stamp, i) for i in done.lists])
        append(ledger.db, "purge", before, {"before": before, "lists": done.lists, "folders": len(done.folders),
                                            "files": len(done.files)}, at=stamp)
    return done
