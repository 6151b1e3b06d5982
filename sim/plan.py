"""The pipeline: read and check -> build the LP -> serve the bands -> whole devices -> results."""

from __future__ import annotations

import time
from importlib.metadata import PackageNotFoundError, version

import pandas as pd

from .inputs import PlanInputs, prepare
from .model import build_model
from .priority import optimise
from .results import Result, allocation_table, build_summary, by_band, coverage_table
from .scenario import Mode, Policy, Scenario, WithinBand
from .solvers import make_solver, solver_version
from .whole import WholePlan, round_to_whole


def package_version() -> str:
    try:
        return version("sim")
    except PackageNotFoundError:  # running from a source tree that was not installed
        return "0+unknown"


def plan_whole(inputs: PlanInputs, policy: Policy) -> tuple[WholePlan, int]:
    """Solve the policy's LPs for ``inputs`` and round to whole devices; also the LP count."""
    if inputs.scenario.fairness is not None:  # district equity rules: sim/fairness.py
        from .fairness import plan_fair

        fair = plan_fair(inputs, policy)
        return fair.plan, fair.solves
    scenario = inputs.scenario if policy is inputs.scenario.policy else inputs.scenario.with_changes(policy=policy)
    staged = PlanInputs(scenario, inputs.areas, inputs.students, inputs.cells, inputs.suits, inputs.resources, inputs.inputs_sha256)
    model = build_model(staged)
    lp = optimise(model, policy, make_solver(scenario.solver))
    return round_to_whole(staged, lp), lp.solves


def solve(scenario: Scenario, *, areas: pd.DataFrame | None = None, students: pd.DataFrame | None = None,
          compare: bool = True) -> Result:
    """Plan the scenario. Tables given here replace the files the scenario names.

    With ``compare`` (the default) a strict ``equal_rate`` plan is also solved as ``max_count``
    and the summary says how many more learners that would cover.
    """
    started = time.perf_counter()
    inputs = prepare(scenario, areas, students)
    extra: dict = {}
    if scenario.fairness is None:
        plan, solves = plan_whole(inputs, scenario.policy)
    else:
        from .fairness import fairness_summary, plan_fair, staged_inputs

        fair = plan_fair(inputs)
        plan, solves = fair.plan, fair.solves
        without = None
        if scenario.fairness.active:  # the price of fairness: the same scenario without the rules
            other, more = plan_whole(staged_inputs(inputs, fairness=None), scenario.policy)
            without, solves = sum(other.covered), solves + more
        extra["fairness"] = fairness_summary(inputs, fair, without)
    policy = scenario.policy
    cells = inputs.cells
    fair_rules = scenario.fairness is not None and scenario.fairness.active  # compared by the price of fairness instead
    if compare and policy.mode is Mode.strict and policy.within_band is WithinBand.equal_rate and not fair_rules:
        other, more = plan_whole(inputs, Policy(mode=policy.mode, within_band=WithinBand.max_count, weights=policy.weights))
        solves += more
        ours = by_band(cells.assign(covered=plan.covered), "covered")
        theirs = by_band(cells.assign(covered=other.covered), "covered")
        extra["max_count_comparison"] = {
            "covered": sum(theirs.values()),
            "more_than_equal_rate": sum(theirs.values()) - sum(ours.values()),
            "covered_by_band": theirs,
        }
    extra["solver"] = {"name": str(scenario.solver), "version": solver_version(scenario.solver), "lp_solves": solves}
    extra["inputs_sha256"] = inputs.inputs_sha256
    extra["version"] = package_version()
    summary = build_summary(inputs, plan, extra)
    summary["seconds"] = round(time.perf_counter() - started, 3)
    return Result(scenario, inputs, plan, allocation_table(inputs, plan), coverage_table(inputs, plan), summary)
