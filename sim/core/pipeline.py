"""The pipeline: read and check -> build the LP -> serve the bands -> whole devices -> results."""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from sim.core import fixed
from sim.core.groups import optimise_grouped
from sim.core.inputs import PlanInputs, prepare
from sim.core.model import AllocationModel, add_delivered_floor
from sim.results.result import Result, allocation_table, build_summary, by_band, coverage_table
from sim.results.summary import Fairness, MaxCountComparison, PreviousPlan, SolverInfo
from sim.read.scenario import Mode, Policy, Scenario, WithinBand
from sim.core.solvers import make_solver, solver_version
from sim.core.whole import WholePlan, round_to_whole


def package_version() -> str:
    try:
        return version("sim")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0+unknown"


def plan_whole(inputs: PlanInputs, policy: Policy, delivered: fixed.Counts | None = None,
               previous: fixed.Counts | None = None, timings: dict[str, float] | None = None) -> tuple[WholePlan, int]:
    """Solve the policy's LPs for ``inputs`` and round to whole devices; also the LP count.
    ``delivered`` and ``previous`` are devices per (area code, device), see ``sim.fixed``;
    they are not yet applied under fairness rules (sim/fairness.py has its own band loop).
    ``timings``, when given, receives the seconds spent to build, solve and round (benchmarks)."""
    clock = _Clock(timings)
    if inputs.scenario.fairness is not None and not (delivered or previous):  # district equity rules
        from sim.core.fairness import plan_fair

        fair = plan_fair(inputs, policy)
        return fair.plan, fair.solves
    scenario = inputs.scenario if policy is inputs.scenario.policy else inputs.scenario.with_changes(policy=policy)
    staged = PlanInputs(scenario, inputs.areas, inputs.students, inputs.cells, inputs.suits, inputs.resources, inputs.inputs_sha256)
    solver = make_solver(scenario.solver)

    def floors(model: AllocationModel) -> None:
        if delivered:
            add_delivered_floor(model, delivered)
            fixed.check_payable(model, solver)
        clock.lap("build")

    lp = optimise_grouped(staged, policy, solver, floors, previous)
    clock.lap("solve")
    floors = fixed.whole_floors(staged, lp, delivered) if delivered else None
    plan = round_to_whole(staged, lp, kept=floors)
    if previous is not None:
        plan = fixed.stay_close(staged, plan, previous, floors)
    clock.lap("round")
    return plan, lp.solves


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

    With ``compare`` (the default) a strict ``equal_rate`` plan is also solved as ``max_count``
    and the summary says how many more learners that would cover.
    ``delivered``: devices already handed out, per district and device (a table with district,
    device, devices, or {(district, device): n}); no district gets fewer. ``previous``: the plan in
    force (a Result or its allocation table); among the plans with the best coverage the one
    changing it least is chosen. Without them the plan is exactly what it was before either existed.
    """
    started = time.perf_counter()
    inputs = prepare(scenario, areas, students)
    extra: dict = {}
    if delivered is not None:
        delivered = fixed.per_area(delivered, inputs, "deliveries", strict=True)
        fixed.check_deliverable(inputs, delivered)
        extra["delivered"] = fixed.by_district(delivered, inputs)
    if previous is not None:
        previous = fixed.per_area(previous, inputs, "previous plan", strict=False)
    if scenario.fairness is None or delivered is not None or previous is not None:
        plan, solves = plan_whole(inputs, scenario.policy, delivered, previous)
    else:
        from sim.core.fairness import fairness_summary, plan_fair, staged_inputs

        fair = plan_fair(inputs)
        plan, solves = fair.plan, fair.solves
        without = None
        if scenario.fairness.active:  # the price of fairness: the same scenario without the rules
            other, more = plan_whole(staged_inputs(inputs, fairness=None), scenario.policy)
            without, solves = sum(other.covered), solves + more
        extra["fairness"] = Fairness.from_json_dict(fairness_summary(inputs, fair, without))
    if previous is not None:
        extra["previous_plan"] = PreviousPlan(devices=fixed.by_district(previous, inputs),
                                              devices_changed=fixed.distance(plan.units, inputs, previous))
    policy = scenario.policy
    cells = inputs.cells
    fair_rules = scenario.fairness is not None and scenario.fairness.active  # compared by the price of fairness instead
    if compare and policy.mode is Mode.strict and policy.within_band is WithinBand.equal_rate and not fair_rules:
        other, more = plan_whole(inputs, Policy(mode=policy.mode, within_band=WithinBand.max_count, weights=policy.weights),
                                 delivered)
        solves += more
        ours = by_band(cells.assign(covered=plan.covered), "covered")
        theirs = by_band(cells.assign(covered=other.covered), "covered")
        extra["max_count_comparison"] = MaxCountComparison(
            covered=sum(theirs.values()),
            more_than_equal_rate=sum(theirs.values()) - sum(ours.values()),
            covered_by_band=theirs,
        )
    solver = SolverInfo(name=str(scenario.solver), version=solver_version(scenario.solver), lp_solves=solves)
    summary = build_summary(inputs, plan, solver=solver, version=package_version(), **extra)
    summary.seconds = round(time.perf_counter() - started, 3)
    return Result(scenario, inputs, plan, allocation_table(inputs, plan), coverage_table(inputs, plan), summary)
