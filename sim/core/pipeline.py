"""The one planning pipeline: read -> check -> group -> build -> steps -> solve -> whole devices -> result.

Every capability goes through ``plan_whole`` (re-planning from the ledger, fairness rules, the
max_count comparison, the price of fairness, marginal values, the frontier, sweeps, the
explorer); ``solve`` adds the result tables and the summary. The stages:

- read and check: ``inputs.prepare`` (the scenario's tables, names matched, pools built);
  deliveries and the previous plan in the scenario's areas and devices (``fixed``);
- group: cells the rules cannot tell apart become one LP column (``groups``), across the areas
  with no reserved pool of their own too when no rule of the plan looks at single areas (under
  equal_rate, only when a band would otherwise have too many groups for the exact leximin over the
  districts' own groups: ``exact.leximin_apart``);
- build and steps: the LP with the rules that hold throughout, then the plan's LPs in order
  (``steps``);
- whole devices: rounding (``whole``) of the grouped plan when areas merge, split over the cells
  in whole units (``exact.split_units``); else of the cells' plan, keeping deliveries and fairness
  floors (under equal_rate each group's units then split over its cells leximin-best as well:
  ``split_in_groups``); exact MILPs on the groups where rounding is not proved optimal (``exact``); devices
  swapped towards the previous plan, and the previous plan kept when it is still as good
  (``fixed``);
- result: tables and summary (``sim.results``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from sim.core import fixed
from sim.core.fairness import FairReport
from sim.core.groups import Grouping, group_cells, may_merge_areas, split
from sim.core.inputs import PlanInputs, build_resources, prepare, suits_of
from sim.core.priority import LpSolution
from sim.core.solvers import make_solver, solver_version
from sim.core.steps import Request, active_fairness, build, optimise
from sim.core.exact import (exact_floors, exact_units, leximin_apart, merged_leximin_bands, needs_exact, spends_least,
                             split_units, unproved_bands, whole_plan)
from sim.core.whole import WholePlan, round_to_whole, spent_vnd
from sim.read.scenario import Mode, Scenario, WithinBand
from sim.read.tables import AreaIndex
from sim.results.fairness import fairness_summary
from sim.results.result import Result, allocation_table, build_summary, by_band, coverage_table
from sim.results.summary import Fairness, MaxCountComparison, PreviousPlan, SolverInfo, WholeDevices


@functools.cache
def package_version() -> str:
    """The installed package's version, read from its metadata once per process (a read costs about
    10 ms; sweeps and re-plans ask for it on every solve)."""
    try:
        return version("sim")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0+unknown"


@dataclass
class Planned:
    """A whole-device plan and how it was reached."""

    plan: WholePlan
    lp: LpSolution  # the fractional plan, per cell
    report: FairReport  # what the fairness rules did (per cell)
    solves: int  # LPs solved
    kept_previous: bool = False  # the previous plan stood unchanged
    milps: int = 0  # whole-device MILPs solved (``core.exact``), beyond the LPs
    not_proved: tuple[int, ...] = ()  # bands whose whole plan is not proved optimal (``core.exact``)


def with_changes(inputs: PlanInputs, **changes) -> PlanInputs:
    """The same tables under changed scenario settings (policy, fairness, budget, stock, earmarks):
    the one way to ask "and if the scenario said ...?" of inputs already read."""
    if not changes:
        return inputs
    scenario = inputs.scenario.with_changes(**changes)
    resources = build_resources(scenario, AreaIndex(inputs.areas))
    suits = inputs.suits if scenario.devices == inputs.scenario.devices else suits_of(scenario, inputs.cells)
    return PlanInputs(scenario, inputs.areas, inputs.students, inputs.cells, suits, resources, inputs.inputs_sha256)


def plan_variants(inputs: PlanInputs, variants: Iterable[dict], **kept) -> Iterator[tuple[PlanInputs, Planned]]:
    """The one runner of many plans over tables already read: for each variant (scenario settings
    to change, as ``with_changes`` takes them) its inputs and its plan, in order. The frontier,
    marginal values and the price of fairness go through it. Sweeps call ``plan_whole`` per row on
    tables each worker read once (a Monte Carlo draw changes the students, which ``with_changes`` keeps)."""
    for changes in variants:
        staged = with_changes(inputs, **changes)
        yield staged, plan_whole(staged, **kept)


def plan_whole(inputs: PlanInputs, *, delivered: fixed.Counts | None = None, previous: fixed.Previous | None = None,
               timings: dict[str, float] | None = None, learners_only: bool = False) -> Planned:
    """The scenario's plan in whole devices: every rule of the scenario, the deliveries kept, and
    (with ``previous``) as close to the plan in force as the best coverage allows.

    ``learners_only``: only the learners per band and cell will be read (comparisons): where exact
    MILPs are needed, the least money spent and the tie-break among equal plans are not sought.

    ``timings``, when given, receives the seconds spent to build, solve and round (benchmarks)."""
    clock = _Clock(timings)
    solver = make_solver(inputs.scenario.solver)
    request = Request(delivered or None, previous.counts if previous is not None else None)
    merge = may_merge_areas(inputs, request.delivered, request.previous)
    grouping = (merge and leximin_apart(inputs)) or group_cells(inputs, merge_areas=merge)
    model = build(grouping.inputs, request, solver)
    clock.lap("build")
    grouped_lp, report = optimise(model, request, solver)
    pupils = inputs.cells["pupils"].tolist()
    lp = split(grouped_lp, grouping, pupils)
    report = report.expanded(grouping.members)
    clock.lap("solve")
    kept = fixed.whole_floors(inputs, lp, delivered) if delivered else None
    floors, shares = report.targets if active_fairness(inputs) is not None else ([], [])
    solves, milps, not_proved = lp.solves, 0, ()
    fairness = active_fairness(inputs)
    if grouping.merged_areas:  # no floors, deliveries or previous plan: round the groups, split in whole units
        rounded = round_to_whole(grouping.inputs, grouped_lp)
        if needs_exact(inputs, grouped_lp, grouping, rounded.covered, by_group=True) or not (
                learners_only or spends_least(grouping, rounded.covered, spent_vnd(rounded.accounts), by_group=True)):
            units, milps, not_proved = exact_units(grouping, grouped_lp, rounded.units, rounded.covered, pupils, None,
                                                   None, spent_vnd=spent_vnd(rounded.accounts),
                                                   learners_only=learners_only, by_group=True)
        else:
            units = split_units(rounded.units, grouping, pupils)
        plan = whole_plan(inputs, units)  # the accounts, once, per district
        not_proved = tuple(sorted({*not_proved, *merged_leximin_bands(inputs, grouping, plan.covered)}))
    else:
        plan = round_to_whole(inputs, lp, floors, shares, kept=kept, previous=request.previous)
        if not exact_floors(fairness):  # rounding meets the rules unit by unit; proved where it reaches the LP
            not_proved = unproved_bands(inputs, grouped_lp, grouping, plan.covered)
        elif needs_exact(inputs, grouped_lp, grouping, plan.covered, floors) or not (
                learners_only or spends_least(grouping, plan.covered, spent_vnd(plan.accounts), request.delivered,
                                              fairness=fairness)):
            units, milps, not_proved = exact_units(grouping, grouped_lp, plan.units, plan.covered, pupils,
                                                   request.delivered, request.previous,
                                                   fairness=fairness, floors=floors, spent_vnd=spent_vnd(plan.accounts),
                                                   learners_only=learners_only)
            plan = whole_plan(inputs, units)
        if not milps:
            plan = split_in_groups(inputs, grouping, plan)
    stood = False
    if previous is not None:
        plan = fixed.stay_close(inputs, plan, previous.counts, kept)
        plan, stood = fixed.previous_if_as_good(inputs, plan, previous, delivered, report)
    clock.lap("round")
    return Planned(plan, lp, report, solves, stood, milps, not_proved)


def split_in_groups(inputs: PlanInputs, grouping: Grouping, plan: WholePlan) -> WholePlan:
    """Under strict ``equal_rate``, each group's whole units over its cells by the leximin-best
    split (``exact.split_units``), as every other path splits them: rounding cell by cell can
    leave a group's total right and its cells' rates in a worse order (2 and 4 learners, 4
    desktops: 1 and 3 is (1/2, 3/4), 2 and 2 is (1/2, 1), leximin-better). A group's cells share
    their district, band, devices and pools, so the money and every district figure stay."""
    policy = inputs.scenario.policy
    if policy.mode is not Mode.strict or policy.within_band is not WithinBand.equal_rate:
        return plan
    group_of = {c: g for g, cells in enumerate(grouping.members) for c in cells}
    grouped: dict[tuple[int, str], int] = {}
    for (c, d), n in plan.units.items():
        grouped[group_of[c], d] = grouped.get((group_of[c], d), 0) + n
    units = split_units(grouped, grouping, inputs.cells["pupils"].tolist())
    return plan if units == {key: n for key, n in plan.units.items() if n} else whole_plan(inputs, units)


class _Clock:
    """Adds the seconds since the last lap to ``timings[stage]``; does nothing without timings."""

    def __init__(self, timings: dict[str, float] | None):
        self.timings, self.last = timings, time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[stage] = self.timings.get(stage, 0.0) + now - self.last
        self.last = now


def solve(scenario: Scenario, *, areas: pd.DataFrame | None = None, students: pd.DataFrame | None = None,
          compare: bool = True, delivered=None, previous=None) -> Result:
    """Plan the scenario. Tables given here replace the files the scenario names.

    ``delivered``: devices already handed out, per district and device (a table with district,
    device, devices, or {(district, device): n}); no district gets fewer. ``previous``: the plan in
    force (a Result or its allocation table); among the plans with the best coverage the one
    changing it least is chosen, and when nothing that matters changed it stands as it is. The
    scenario's fairness rules apply in every case. With ``compare`` (the default) a strict
    ``equal_rate`` plan without fairness rules is also solved as ``max_count`` and the summary says
    how many more learners that would cover; with fairness rules the plan without them is solved
    for the price of fairness.
    """
    started = time.perf_counter()
    inputs = prepare(scenario, areas, students)
    extra: dict = {}
    if delivered is not None:
        delivered = fixed.per_area(delivered, inputs, "deliveries", strict=True)
        fixed.check_deliverable(inputs, delivered)
        extra["delivered"] = fixed.by_district(delivered, inputs)
    if previous is not None:
        previous = fixed.read_previous(previous, inputs)
    planned = plan_whole(inputs, delivered=delivered, previous=previous)
    plan, solves = planned.plan, planned.solves
    policy = scenario.policy
    if scenario.fairness is not None:
        without = None
        if scenario.fairness.active:  # the price of fairness: the same scenario without the rules
            _, other = next(plan_variants(inputs, [{"fairness": None}], delivered=delivered, learners_only=True))
            without, solves = sum(other.plan.covered), solves + other.solves
        extra["fairness"] = Fairness.from_json_dict(fairness_summary(inputs, plan, planned.report, without))
    if previous is not None:
        extra["previous_plan"] = PreviousPlan(devices=fixed.by_district(previous.counts, inputs),
                                              devices_changed=fixed.distance(plan.units, inputs, previous.counts),
                                              kept_unchanged=planned.kept_previous)
    fair_rules = active_fairness(inputs) is not None  # compared by the price of fairness instead
    if compare and policy.mode is Mode.strict and policy.within_band is WithinBand.equal_rate and not fair_rules:
        max_count = policy.model_copy(update={"within_band": WithinBand.max_count})
        _, other = next(plan_variants(inputs, [{"policy": max_count}], delivered=delivered, learners_only=True))
        solves += other.solves
        ours = by_band(inputs.cells.assign(covered=plan.covered), "covered")
        theirs = by_band(inputs.cells.assign(covered=other.plan.covered), "covered")
        extra["max_count_comparison"] = MaxCountComparison(
            covered=sum(theirs.values()),
            more_than_equal_rate=sum(theirs.values()) - sum(ours.values()),
            covered_by_band=theirs,
        )
    whole = WholeDevices(method="exact" if planned.milps else "rounding", milps=planned.milps,
                         not_proved_bands=list(planned.not_proved))
    solver = SolverInfo(name=str(scenario.solver), version=solver_version(scenario.solver), lp_solves=solves,
                        whole_devices=whole)
    summary = build_summary(inputs, plan, solver=solver, version=package_version(), **extra)
    summary.seconds = round(time.perf_counter() - started, 3)
    return Result(scenario, inputs, plan, allocation_table(inputs, plan), coverage_table(inputs, plan), summary)
