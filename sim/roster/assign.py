"""From the plan to named learners: who receives which device and data package, who waits.

The plan gives whole devices per cell (district x grade x status x internet at home). Each cell
holds one grade, so the plan's exam-grade priority is already in the bands and cells; inside a
cell learners are taken in the order of their keyed hash (``pseudonym.PseudonymKey.digest``), a
tie-break nobody can steer without the key and that does not depend on the order of the rows
or on names. The first learners of the cell get the cell's devices, in the scenario's device
order; those without internet also get a data package. The counts per cell and device are
exactly the plan's.

The waiting list is every eligible learner not served, in the order the next donation should
follow: band by band (the plan's order), and inside a band the learner whose group would have
the lowest coverage rate once served goes first (rate = place in the group's order / learners
in the group, as ``equal_rate`` raises the lowest rate first), then the keyed hash.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import pandas as pd

from sim.read.errors import InputError, Problem
from sim.core.pipeline import solve
from sim.results.result import Result
from sim.core.rules import grade_label
from sim.read.scenario import Mode, Scenario
from sim.read.tables import read_areas
from sim.roster.aggregate import students_csv
from sim.roster.disclosure import coarsen
from sim.roster.pseudonym import PseudonymKey, pseudonym_of
from sim.roster.read import ELIGIBLE, INVALID, Roster


WAITING_LEVELS = [["school"], ["grade"], ["without_internet"], ["status", "band"], ["district"]]
BAD_ROWS = "(dòng sai dữ liệu / rows with bad values)"
UNKNOWN_DISTRICT = "(không rõ / unknown)"


def band_order(scenario: Scenario) -> list[int]:
    """Bands in the order the plan serves them: 1-5 when strict, by weight when weighted."""
    weights = scenario.policy.weights
    if scenario.policy.mode is Mode.weighted:
        return sorted(weights, key=lambda b: (-weights[b], b))
    return sorted(weights)


@dataclass
class Assignment:
    """A plan made from rosters and its learners: ``learners`` is personal (names), the rest is not."""

    scenario: Scenario
    roster: Roster
    key: PseudonymKey
    result: Result
    students_csv: str  # the planner's input the plan was made from
    learners: pd.DataFrame  # eligible learners with cell, place, device, data_package, waiting_rank

    def __repr__(self) -> str:
        served = int(self.learners["served"].sum())
        return (f"<Assignment '{self.scenario.name}': {served:,} of {len(self.learners):,} eligible learners served, "
                f"{len(self.learners) - served:,} on the waiting list>")

    @property
    def devices(self) -> list[str]:
        return list(self.scenario.devices)

    def waiting_list(self) -> pd.DataFrame:
        """Eligible learners not served, in priority order, by pseudonym: shareable.

        Coarsened (``sim.roster.disclosure``): school, grade, internet, status and band, then
        district become ``khác/other`` until every row's values are shared by at least K rows.
        """
        waiting = self.learners[~self.learners["served"]].sort_values("waiting_rank")
        table = pd.DataFrame({
            "rank": waiting["waiting_rank"].astype("int64"), "pseudonym": waiting["pseudonym"],
            "district": waiting["district"], "school": waiting["school"], "grade": waiting["grade_label"],
            "status": waiting["status"], "band": waiting["band"].astype("int64"),
            "without_internet": waiting["offline"].map({True: "yes", False: "no"}),
        }).reset_index(drop=True)
        return coarsen(table, WAITING_LEVELS)

    def schools(self) -> pd.DataFrame:
        """Per school: rows listed, each outcome, learners served, devices, packages, waiting. Shareable."""
        rows = self.roster.learners
        # a row with bad values may hold anything in its school and district cells (a shifted row:
        # a name, a date): it counts under its school only if a valid row names that school
        valid = set(rows.loc[rows["outcome"] != INVALID, "school_key"])
        stray = (rows["outcome"] == INVALID) & ~rows["school_key"].isin(valid)
        names = dict(zip(self.roster.areas["code"], self.roster.areas["name"]))
        rows = rows.assign(
            school_key=rows["school_key"].where(~stray, rows["area"].fillna("?").astype(str) + "|" + BAD_ROWS),
            school=rows["school"].where(~stray, BAD_ROWS),
            district=rows["district"].where(~stray, rows["area"].map(names).fillna(UNKNOWN_DISTRICT)))
        learners = self.learners
        keys = list(dict.fromkeys(rows["school_key"]))
        first = rows.drop_duplicates("school_key").set_index("school_key")
        area_order = {code: i for i, code in enumerate(self.roster.areas["code"])}
        table = pd.DataFrame({"school_key": keys, "district": first.loc[keys, "district"].to_numpy(),
                              "school": first.loc[keys, "school"].to_numpy(),
                              "_area": first.loc[keys, "area"].map(area_order).fillna(len(area_order)).to_numpy()})
        outcomes = rows.groupby(["school_key", "outcome"]).size().unstack(fill_value=0)
        table["listed"] = table["school_key"].map(rows.groupby("school_key").size())
        for outcome in ("eligible", "not_eligible", "held_for_review", "invalid"):
            table[outcome] = table["school_key"].map(outcomes.get(outcome, pd.Series(dtype="int64")))
        served = learners[learners["served"]]
        table["served"] = table["school_key"].map(served.groupby("school_key").size())
        for device in self.devices:
            table[device] = table["school_key"].map(served[served["device"] == device].groupby("school_key").size())
        table["data_packages"] = table["school_key"].map(served[served["data_package"]].groupby("school_key").size())
        table["waiting"] = table["school_key"].map(learners[~learners["served"]].groupby("school_key").size())
        counts = [c for c in table.columns if c not in ("school_key", "district", "school", "_area")]
        table[counts] = table[counts].fillna(0).astype("int64")
        table = table.assign(_school=table["school"].map(str.casefold))
        table = table.sort_values(["_area", "district", "_school"], ignore_index=True)
        return table.drop(columns=["school_key", "_area", "_school"])

    def write(self, out_dir: str | Path) -> list[Path]:
        """Shareable files in ``out_dir``, delivery lists (personal) in ``out_dir/delivery``."""
        from sim.roster.export import write_assignment

        return write_assignment(self, out_dir)


def _place_learners(learners: pd.DataFrame, result: Result, devices: list[str]) -> pd.DataFrame:
    """Cell, place in the cell's order, device and data package of every eligible learner."""
    cells = result.inputs.cells
    cell_of = {(a, int(g), s, bool(o)): c for c, (a, g, s, o) in
               enumerate(zip(cells["area"], cells["grade"], cells["status"], cells["offline"]))}
    learners = learners.assign(cell=[cell_of[(a, int(g), s, bool(o))] for a, g, s, o in
                                     zip(learners["area"], learners["grade"], learners["status"], learners["offline"])])
    sizes = learners.groupby("cell").size()
    if not sizes.reindex(range(len(cells)), fill_value=0).equals(cells["pupils"].astype("int64").rename(None)):
        raise RuntimeError("the plan's cells do not match the roster's learners")  # cannot happen: the plan is made from them
    learners = learners.sort_values(["cell", "digest", "id_key"], ignore_index=True)
    learners["place"] = learners.groupby("cell").cumcount()
    handed = {c: [] for c in range(len(cells))}
    for device in devices:  # the scenario's device order
        for c in range(len(cells)):
            handed[c] += [device] * result.plan.units.get((c, device), 0)
    learners["device"] = [handed[c][p] if p < len(handed[c]) else "" for c, p in zip(learners["cell"], learners["place"])]
    learners["served"] = learners["device"] != ""
    learners["data_package"] = learners["served"] & learners["offline"]
    return learners


def _rank_waiting(learners: pd.DataFrame, result: Result, scenario: Scenario) -> pd.Series:
    rank_of_band = {b: i for i, b in enumerate(band_order(scenario))}
    pupils = result.inputs.cells["pupils"]
    waiting = learners[~learners["served"]]
    keys = sorted((rank_of_band[b], Fraction(p + 1, int(pupils[c])), d, i)
                  for b, p, c, d, i in zip(waiting["band"], waiting["place"], waiting["cell"], waiting["digest"], waiting.index))
    ranks = pd.Series(pd.NA, index=learners.index, dtype="Int64")
    ranks[[k[-1] for k in keys]] = range(1, len(keys) + 1)
    return ranks


def assign(scenario: Scenario, roster: Roster, key: PseudonymKey, *, skip_invalid: bool = False,
           compare: bool = True) -> Assignment:
    """Plan the scenario for the roster's eligible learners and name who gets what.

    Rows with bad values stop the run (InputError) unless ``skip_invalid``: then they are left
    out of the plan and stay listed in the roster report. Rows held for review are never planned.
    """
    if not skip_invalid:
        roster.raise_if_invalid()
    if not read_areas(scenario.areas).equals(roster.areas):
        raise InputError([Problem(str(scenario.areas), "the roster was checked against another areas file",
                                  expected="the areas file the scenario names")])
    if roster.counts()[ELIGIBLE] == 0:
        raise InputError([Problem(", ".join(p.name for p in roster.files), "no eligible learner in the rosters",
                                  expected="at least one row with no computer that is poor, near-poor or a Covid-19 orphan")])
    text = students_csv(roster)
    with tempfile.TemporaryDirectory(prefix="sim-roster-") as folder:
        students = Path(folder) / "students.csv"
        students.write_text(text, encoding="utf-8-sig", newline="")
        result = solve(scenario.with_changes(students=students), compare=compare)
    learners = roster.eligible.reset_index(drop=True)
    digests = [key.digest(p) for p in learners["pupil_id"]]
    learners = learners.assign(offline=~learners["has_internet"].astype(bool), digest=digests,
                               pseudonym=[pseudonym_of(d) for d in digests], grade_label=learners["grade"].map(grade_label))
    if not learners["pseudonym"].is_unique:
        raise RuntimeError("two pupil ids share a pseudonym")  # 48-bit prefixes: about 1 in 10^7 for 5,000 ids
    learners = _place_learners(learners, result, list(scenario.devices))
    learners["waiting_rank"] = _rank_waiting(learners, result, scenario)
    return Assignment(scenario, roster, key, result, text, learners)
