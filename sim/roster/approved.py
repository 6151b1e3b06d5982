"""Name learners for an approved plan version, exactly as it counted them, without planning again.

The approved version says, per district, grade and status, how many devices of each kind and how
many data packages go out (its ``allocation.csv``), and how many learners it counted (its
``coverage.csv``). The rosters name the learners. In each group, learners without internet come
first for the devices that carry a data package (as many as the version has packages), learners
with internet for the others; inside each, learners go in the order of their keyed hash, as in
``sim.roster.assign``; devices are given in the scenario's device order. So the named counts are
the version's, never more.

Rosters change between the plan and the handover. ``changes`` says, per group, how many learners
the plan counted and the rosters list now: learners gone (their devices have no learner and stay
outstanding, back in the pool at the next re-plan) and new learners (on the waiting list: the
approved version did not count them). Counts only: no learner is named.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from types import SimpleNamespace

import pandas as pd

from sim.core.rules import grade_label
from sim.ledger.replan import table_of
from sim.read.errors import InputError, Problem
from sim.read.scenario import Scenario
from sim.roster.aggregate import students_csv
from sim.roster.assign import Assignment, band_order
from sim.roster.pseudonym import PseudonymKey, pseudonym_of
from sim.roster.read import ELIGIBLE, Roster

GROUP = ["district", "grade", "status"]


@dataclass
class ApprovedAssignment:
    assignment: Assignment
    version: int
    changes: pd.DataFrame  # per group: planned learners, listed now, gone, new, devices planned / named / without a learner

    def list_rows(self) -> list[dict]:
        """The delivery list by pseudonym, as the ledger keeps it."""
        served = self.assignment.learners[self.assignment.learners["served"]]
        return [{"pseudonym": p, "district": d, "school": s, "device": dev, "data_package": int(bool(k))}
                for p, d, s, dev, k in zip(served["pseudonym"], served["district"], served["school"], served["device"],
                                           served["data_package"])]

    def totals(self) -> dict[str, int]:
        c = self.changes
        return {k: int(c[k].sum()) for k in ("planned_learners", "listed_now", "learners_gone", "new_learners",
                                              "devices_planned", "devices_named", "devices_without_learner")}


def assign_version(scenario: Scenario, version, roster: Roster, key: PseudonymKey, *,
                   skip_invalid: bool = False) -> ApprovedAssignment:
    """``version``: an approved ``PlanVersion`` (the caller checks the approval)."""
    if not skip_invalid:
        roster.raise_if_invalid()
    if roster.counts()[ELIGIBLE] == 0:
        raise InputError([Problem(", ".join(p.name for p in roster.files), "no eligible learner in the rosters",
                                  expected="at least one row with no computer that is poor, near-poor or a Covid-19 orphan")])
    allocation = version.allocation
    coverage = table_of(version.coverage_csv)
    unknown = sorted(set(allocation["device"]) - set(scenario.devices))
    if unknown:
        raise InputError([Problem(str(scenario.source_file or "scenario"), "the approved version hands out devices this "
                                  "scenario does not have", value=", ".join(unknown),
                                  expected=f"the scenario of plan version {version.version} ({version.scenario_name})")])
    allocation = allocation.assign(grade=allocation["grade"].astype(str))
    coverage = coverage.assign(grade=coverage["grade"].astype(str))
    units = allocation.groupby(GROUP + ["device"])["devices"].sum()
    packages = allocation.groupby(GROUP)["data_packages"].sum()
    planned = coverage.groupby(GROUP)["pupils"].sum()

    learners = roster.eligible.reset_index(drop=True)
    digests = [key.digest(p) for p in learners["pupil_id"]]
    learners = learners.assign(offline=~learners["has_internet"].astype(bool), digest=digests,
                               pseudonym=[pseudonym_of(d) for d in digests], grade_label=learners["grade"].map(grade_label))
    if not learners["pseudonym"].is_unique:
        raise RuntimeError("two pupil ids share a pseudonym")
    learners = learners.sort_values(["district", "grade", "status", "offline", "digest"],
                                    ascending=[True, True, True, False, True], ignore_index=True)
    learners["device"], learners["data_package"] = "", False
    learners["place"], learners["group_size"] = 0, 0
    rows = []
    groups = {k: g.index for k, g in learners.groupby(["district", "grade_label", "status"], sort=True)}
    keys = sorted(set(groups) | set(planned.index) | set(packages.index))
    for group in keys:
        index = groups.get(group, pd.Index([]))
        mine = learners.loc[index]
        handed = [d for d in scenario.devices for _ in range(int(units.get((*group, d), 0)))]
        wanted_offline = int(packages.get(group, 0))
        offline = list(mine.index[mine["offline"]])
        online = list(mine.index[~mine["offline"]])
        with_package = offline[:wanted_offline]
        without = online[:max(0, len(handed) - wanted_offline)]
        served = with_package + without
        for i, device in zip(served, handed):
            learners.at[i, "device"] = device
        learners.loc[with_package[:len(handed)], "data_package"] = True
        by_hash = sorted(index, key=lambda i: learners.at[i, "digest"])
        for place, i in enumerate(by_hash):
            learners.at[i, "place"], learners.at[i, "group_size"] = place, len(by_hash)
        counted = int(planned.get(group, 0))
        named = min(len(handed), len(served))
        rows.append({"district": group[0], "grade": group[1], "status": group[2], "planned_learners": counted,
                     "listed_now": len(index), "learners_gone": max(0, counted - len(index)),
                     "new_learners": max(0, len(index) - counted), "devices_planned": len(handed),
                     "devices_named": named, "devices_without_learner": len(handed) - named})
    learners["served"] = learners["device"] != ""
    learners["data_package"] = learners["served"] & learners["data_package"]
    rank_of_band = {b: i for i, b in enumerate(band_order(scenario))}
    waiting = learners[~learners["served"]]
    order = sorted((rank_of_band.get(b, len(rank_of_band)), Fraction(p + 1, max(1, n)), d, i)
                   for b, p, n, d, i in zip(waiting["band"], waiting["place"], waiting["group_size"], waiting["digest"],
                                            waiting.index))
    ranks = pd.Series(pd.NA, index=learners.index, dtype="Int64")
    ranks[[k[-1] for k in order]] = range(1, len(order) + 1)
    learners["waiting_rank"] = ranks
    area_order = {name: i for i, name in enumerate(roster.areas["name"])}
    changes = pd.DataFrame(rows)
    changes = changes.assign(_a=changes["district"].map(area_order)).sort_values(["_a", "district"], kind="stable",
                                                                                  ignore_index=True).drop(columns="_a")
    result = SimpleNamespace(allocation=allocation, coverage=coverage, summary=version.summary)
    run = Assignment(scenario, roster, key, result, students_csv(roster), learners)  # type: ignore[arg-type]
    return ApprovedAssignment(run, version.version, changes)
