"""The pipeline's steps on the LP: the rules a plan adds to the model, and its LPs in the plan's order.

``build`` states what any plan must satisfy (``model.RULES``) plus the rules of this plan that hold
throughout: devices already delivered (``model.add_delivered_floor``) and the fairness section's
computer share. ``optimise`` then runs one sequence of LPs, each step holding what it reached:

1. district floors (``fairness.add_district_floors``) and a gap cap (``fairness.add_gap_cap``);
2. the bands in the plan's order (``serve``, the one band loop): in ``strict`` mode band by band,
   with the fairness rule across districts first when there is one, then the band's own rule
   (``equal_rate`` or ``max_count``); in ``weighted`` mode one weighted LP;
3. the gap cap lifted once it is met, and the bands served again with what is left;
4. least change against the previous plan (re-planning);
5. least money spent.

A combination of rules is these steps in this order: every rule of the scenario is applied
whatever else is given (deliveries, a previous plan, reserved pools).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulp

from sim.core.fairness import (FairReport, add_computer_share, add_district_floors, add_gap_cap, groups_of,
                               release_gap, share_across_districts, share_inside_districts)
from sim.core.fixed import Counts, check_payable
from sim.core.inputs import PlanInputs
from sim.core.model import AllocationModel, add_delivered_floor, build_model
from sim.core.priority import (LpSolution, Runner, band_cells, keep_close_to_previous, serve_equal_rate,
                               serve_max_count, serve_weighted, spend_least)
from sim.core.rules import BANDS
from sim.read.scenario import Fairness, FairnessRule, Mode, WithinBand


@dataclass(frozen=True)
class Request:
    """What a plan must honour besides the scenario's money and stock: the facts and the plan in force.

    ``delivered``: devices already handed out per (area code, device); ``previous``: the plan in
    force per (area code, device), to change as little as the best coverage allows."""

    delivered: Counts | None = None
    previous: Counts | None = None


def active_fairness(inputs: PlanInputs) -> Fairness | None:
    """The scenario's fairness section when some rule of it changes the plan."""
    fairness = inputs.scenario.fairness
    return fairness if fairness is not None and fairness.active else None


def build(inputs: PlanInputs, request: Request, solver: pulp.LpSolver) -> AllocationModel:
    """The LP with every rule that holds throughout the plan's LPs."""
    m = build_model(inputs)
    fairness = active_fairness(inputs)
    if fairness is not None:
        add_computer_share(m, fairness)
    if request.delivered:
        add_delivered_floor(m, request.delivered)
        check_payable(m, solver)
    return m


def serve(run: Runner, fairness: Fairness | None, tag: str) -> None:
    """The plan's priority order, the one band loop.

    ``strict``: band b is optimised with every earlier band held at what it reached, so no learner
    of a later band is covered while an earlier band's learner could still have been covered with
    what is left. With a rule across districts, the band is first shared across districts by it
    (on the districts' rates in that band), then (``equal_rate``) at equal rates inside each
    district, then to as many more of its learners as what is left allows. ``weighted``: the rule
    across districts on overall rates, then one LP maximising the weighted coverage.
    """
    m = run.m
    policy = m.inputs.scenario.policy
    rule = fairness.rule if fairness is not None else FairnessRule.none
    if policy.mode is Mode.weighted:
        if rule is not FairnessRule.none:
            share_across_districts(run, rule, groups_of(m, by_band=False), fairness.alpha, f"{tag}w")
        serve_weighted(run, policy.weights)
        return
    by_band: dict[int, list] = {}
    for g in groups_of(m, by_band=True):
        by_band.setdefault(g.band, []).append(g)
    for band in BANDS:
        cells = band_cells(m, band)
        if not cells:
            continue
        name = f"{tag}b{band}"
        if rule is not FairnessRule.none:
            share_across_districts(run, rule, by_band[band], fairness.alpha, "d" + name)
            if policy.within_band is WithinBand.equal_rate:
                share_inside_districts(run, by_band[band], name)
            serve_max_count(run, cells, name)
        elif policy.within_band is WithinBand.equal_rate:
            serve_equal_rate(run, cells, name)
        else:
            serve_max_count(run, cells, name)


def optimise(m: AllocationModel, request: Request, solver: pulp.LpSolver) -> tuple[LpSolution, FairReport]:
    """Run the plan's LPs in order (see the module's docstring); the fractional plan and what the
    fairness rules did."""
    report = FairReport()
    run = Runner(m, solver)
    if not m.y:
        return LpSolution([], {}, 0), report
    fairness = active_fairness(m.inputs)
    widen = None
    if fairness is not None:
        if fairness.district_floor > 0:
            add_district_floors(run, fairness, report)
        if fairness.max_gap is not None:
            widen = add_gap_cap(run, fairness.max_gap, report)
    serve(run, fairness, "")
    if widen is not None and release_gap(run, widen, report):
        serve(run, None, "r")
    if request.previous is not None:
        keep_close_to_previous(run, request.previous)
    spend_least(run)
    lp = run.solution()
    if fairness is not None:
        report.district_lp = {g: sum(lp.covered[c] for c in g.cells) for g in groups_of(m, by_band=False)}
    return lp, report
