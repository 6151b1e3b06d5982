"""Whole devices at the integer optimum: exact MILPs band by band where rounding is not proved optimal.

Rounding the LP plan (``whole.round_to_whole``) is fast, and optimal whenever the whole plan reaches
what the LP reached: the LP's optimum (band totals under ``max_count``, the leximin rate vector of
the band's groups under ``equal_rate``, the weighted total under ``weighted``) bounds every whole
plan from above, band by band, as long as every earlier band stands where the LP put it. So the
bands are walked in order; those whose whole figures equal the LP's are proved optimal. From the
first band that is not, the plan is found again by MILPs (HiGHS, in process) on the grouped model:
integer units per LP column and device, integer stock draws and purchases, money continuous per
pool as in the LP (given whole purchases, sharing money among pools is a transportation problem
with whole data: a fractional split means a split in whole VND exists).

- ``max_count``: the most learners of the band, then that total held (the lexicographic integer
  optimum over bands);
- ``equal_rate``: the leximin-best whole plan of the band (its groups' rates sorted, compared
  lexicographically): level by level, the highest t such that at most N groups (those already
  below, at the rates found) lie under t, then the fewest groups left at that level; the band,
  once done, held by its rates shared out among its groups (``_hold_rates``), and where they can
  be shared out in more than one way, the most learners among those plans.
  Bands of more than ``EXACT_LEXIMIN_UP_TO`` groups: every group held at its rounded coverage
  (after an earlier band changed, at the highest common whole rate instead), then the most
  learners of the band (everyone covered whenever the money allows; not proved leximin-best, and
  the summary says so: ``solver.whole_devices.not_proved_bands`` lists it and every later band);
- ``weighted``: the largest weighted total;
- then (re-planning) the least change against the previous plan, then, coverage fixed, the least
  money spent among the plans holding all that (no dearer device bought where a cheaper suitable
  one is at hand), then learners in earlier groups first (a fixed tie-break, see ``TIE_BREAK_GAP``).

Before each MILP the LP relaxation of the same model is solved (a few ms): a plan in hand (the
rounded plan until a MILP has run, then the last MILP's) whose objective reaches the relaxation's
bound rounded to the objective's grid (whole learners; money in multiples of the prices' greatest
common divisor) is optimal, and the MILP is not solved (``Milp.settled``); a common whole rate (a
leximin's first level, or the highest common rate of a large band) is not sought by a MILP when not
even the LP has every group at the next whole rate above the plan in hand's, its learners rounded
up (``_below_reach``); a MILP that does run
gets its integer columns' bounds tightened by their reduced costs (``Milp._fix_by_reduced_cost``),
which keeps every plan at least as good as the one in hand. Neither changes a figure
(tests/test_exact_bounds.py); on the national case they take the MILPs from 120-160 ms to 10-50 ms.

HiGHS runs with a fixed seed and a deterministic MIP search (its thread pool, one per process, serves
symmetry detection and the like without changing the path; tests/test_determinism.py re-runs the
plans byte for byte), so the same inputs give the same plan. The whole
units of a group are split over its cells by the leximin-best split (``leximin_split``). With free
areas merged the MILPs' groups span districts: the plan is leximin-best over those groups, then
within each; over districts' own groups that is not proved (a column's units could be shared out
otherwise among the columns for a better district order), and ``unproved_bands`` says so. District floors and the computer share are held in the MILPs (see
``exact_units``); a gap cap and a rule across districts keep the rounding (met unit by unit there),
reported as not proved optimal from the first band rounding does not prove (``unproved_bands``).
"""

from __future__ import annotations

import heapq
import math
from fractions import Fraction

import numpy as np
import pulp

from sim.core.groups import Grouping, group_cells
from sim.core.inputs import PlanInputs
from sim.core.model import MONEY_UNIT, AllocationModel, add_delivered_floor, build_model
from sim.core.priority import LpSolution
from sim.core.fairness import add_computer_share
from sim.core.milp import Milp
from sim.core.rules import BANDS
from sim.core.solvers import SolverFailed
from sim.core.whole import WholePlan, accounts_of
from sim.read.scenario import Fairness, FairnessRule, Mode, WithinBand

PROVED = 1e-5  # whole and LP figures this close are equal (LP noise is ~1e-6)
# Exact integer leximin takes two MILPs per distinct rate (each with a binary per group), and
# whole rates are many distinct fractions: Long An's band 1 (88 groups) climbs 2/7, 7/24, 5/17, ...
# one group at a time, 2-5 s a level. Above this many groups in a band the band keeps every group
# where rounding put it and then covers as many more as it can (see ``exact_units``): no lower in
# the leximin order than rounding, and everyone covered when the money allows it, but not proved
# leximin-best; the summary reports it (``not_proved_bands``). A size, not a time: the same inputs
# give the same plan on any machine.
EXACT_LEXIMIN_UP_TO = 24
TIE_BREAK_GAP = 1e-2  # relative gap of the last tie-break MILP (see ``exact_units``)
# Under equal_rate the free areas are kept apart (not merged) when every band then has at most this
# many groups: the exact leximin is then over the districts' own groups, proved (``leximin_apart``).
KEEP_APART_UP_TO = EXACT_LEXIMIN_UP_TO


def _group_totals(covered: list[int], grouping: Grouping) -> list[int]:
    return [sum(covered[c] for c in cells) for cells in grouping.members]


def _by_band(bands: list[int]) -> list[tuple[int, list[int]]]:
    """(band, its groups) for every band with groups, in band order."""
    return [(band, groups) for band in BANDS if (groups := [g for g, b in enumerate(bands) if b == band])]


def _proved_bands(inputs: PlanInputs, lp: LpSolution, whole: list[int]) -> tuple[list[int], bool]:
    """Bands (strict order) whose whole figures equal the LP's, from the first; whether all are."""
    policy = inputs.scenario.policy
    bands = inputs.cells["band"].tolist()
    proved = []
    for band, groups in _by_band(bands):
        if policy.within_band is WithinBand.equal_rate:
            same = all(abs(whole[g] - lp.covered[g]) < PROVED for g in groups)
        else:
            same = abs(sum(whole[g] for g in groups) - sum(lp.covered[g] for g in groups)) < PROVED
        if not same:
            return proved, False
        proved.append(band)
    return proved, True


def _bands_from(inputs: PlanInputs, band: int) -> tuple[int, ...]:
    """``band`` and every later band with learners: once a band is not proved optimal, the later
    ones (each optimised with the earlier held) are not proved either."""
    present = set(int(b) for b in inputs.cells["band"].unique())
    return tuple(b for b in BANDS if b >= band and b in present)


def unproved_bands(inputs: PlanInputs, lp: LpSolution, grouping: Grouping, covered: list[int]) -> tuple[int, ...]:
    """Bands a rounded plan does not prove optimal against the LP (see the module's notes): from
    the first band whose whole figures differ from the LP's (``weighted``: every band when the
    weighted totals differ). Used where the rounding stands (plans with fairness rules)."""
    if not needs_exact(inputs, lp, grouping, covered):
        return ()
    if inputs.scenario.policy.mode is Mode.weighted:
        return _bands_from(inputs, min(BANDS))
    proved, _ = _proved_bands(grouping.inputs, lp, _group_totals(covered, grouping))
    first = next(b for b in BANDS if b not in proved and b in set(int(x) for x in inputs.cells["band"].unique()))
    return _bands_from(inputs, first)


def leximin_apart(inputs: PlanInputs) -> Grouping | None:
    """Under strict ``equal_rate``, the grouping with every area kept apart when each band then has
    at most ``KEEP_APART_UP_TO`` groups; else None (merge as the rules allow).

    Merging free areas is exact for the LP and for band totals, but the whole-device leximin over
    merged columns is not the leximin over the districts' own groups (``merged_leximin_bands``:
    ``benchmarks/exact_search.py --kind equal_rate_merged`` finds about one random case in nine
    below it). Where the districts' groups are few enough for the exact leximin (``_leximin``), the
    plan keeps them apart and is proved over them; where a band has more (Long An's band 1: 88
    groups), merging keeps the leximin exact over the columns, which the summary reports."""
    policy = inputs.scenario.policy
    if policy.mode is Mode.weighted or policy.within_band is not WithinBand.equal_rate:
        return None
    cells = inputs.cells
    # every area with learners in a band is at least one group of it: most plans stop here
    if cells.groupby("band")["area"].nunique().max() > KEEP_APART_UP_TO:
        return None
    grouping = group_cells(inputs, merge_areas=False)
    if grouping.inputs.cells["band"].value_counts().max() > KEEP_APART_UP_TO:
        return None
    return grouping


def merged_leximin_bands(inputs: PlanInputs, grouping: Grouping, covered: list[int]) -> tuple[int, ...]:
    """Under ``equal_rate``, the bands not proved leximin-best over the districts' own groups when
    free areas are merged: from the first band with two columns or more, one of which spans several
    districts. The MILPs' leximin is over the columns (each column's units then split leximin-best
    over its cells), and sharing a band's units out otherwise among its columns can give a better
    order of the districts' groups: e.g. 2 units, a merged column of two districts' single learners
    and a column of 2 learners: the columns prefer 1 + 1 (rates 1/2, 1/2), the districts 2 + 0
    (their rates 1, 1 and 0, better than 0, 1/2, 1).

    Two kinds of band are proved over the districts all the same (``covered``: the whole plan per
    original cell): a band whose every learner is covered (no order is above all rates at 1), and a
    band where nobody is, when the columns' leximin is proved (then no plan holding the earlier
    bands covers a learner of it: its highest common rate is 0 and every column stays at 0). Either
    way the plans holding it are the same over columns and over districts, so the next band is
    judged likewise. (A band the columns' MILPs did not prove is reported by ``exact_units``.)"""
    if not grouping.merged_areas or inputs.scenario.policy.within_band is not WithinBand.equal_rate \
            or inputs.scenario.policy.mode is Mode.weighted:
        return ()
    areas = inputs.cells["area"].tolist()
    pupils = inputs.cells["pupils"].tolist()
    bands = [int(b) for b in grouping.inputs.cells["band"].tolist()]
    for band in BANDS:
        columns = [cells for g, cells in enumerate(grouping.members) if bands[g] == band]
        if len(columns) > 1 and any(len({areas[c] for c in cells}) > 1 for cells in columns):
            cells = [c for column in columns for c in column]
            if all(covered[c] == pupils[c] for c in cells) or not any(covered[c] for c in cells):
                continue
            return _bands_from(inputs, band)
    return ()


def _floors_met(floors, covered: list[int]) -> bool:
    return all(sum(covered[c] for c in cells) >= target for cells, target in floors or ())


def needs_exact(inputs: PlanInputs, lp: LpSolution, grouping: Grouping, covered: list[int],
                floors: list[tuple[tuple[int, ...], int]] | None = None, by_group: bool = False) -> bool:
    """Whether the rounded plan is not proved optimal against the LP (see the module's notes), or
    misses a district floor in whole learners (``floors``, per original cells). ``covered``: per
    original cell, or per group (``by_group``, no floors)."""
    if not _floors_met(floors, covered):
        return True
    whole = list(covered) if by_group else _group_totals(covered, grouping)
    if inputs.scenario.policy.mode is Mode.weighted:
        weights = inputs.scenario.policy.weights
        bands = grouping.inputs.cells["band"].tolist()
        return abs(sum(weights[b] * (w - v) for b, w, v in zip(bands, whole, lp.covered))) >= PROVED
    return not _proved_bands(grouping.inputs, lp, whole)[1]


def exact_floors(fairness: Fairness | None) -> bool:
    """Whether the whole-device plan under these fairness rules is found by ``exact_units``: no
    rule, or district floors and a computer share only (a gap cap and a rule across districts keep
    the rounding, reported as not proved optimal)."""
    return fairness is None or (fairness.rule is FairnessRule.none and fairness.max_gap is None)


def _whole_model(inputs: PlanInputs, delivered, fairness: Fairness | None) -> Milp:
    """The grouped model in whole units: every rule that holds throughout, integer units, stock
    draws and purchases."""
    m = build_model(inputs)
    if delivered:
        add_delivered_floor(m, delivered)
    if fairness is not None:
        add_computer_share(m, fairness)
    milp = Milp(m)
    milp.mark_integer([*m.x.values(), *m.from_stock.values(), *m.bought.values(), *m.from_pool.values()])
    return milp


def _spend_terms(m: AllocationModel) -> tuple[list, float]:
    """The money spent on purchases as an objective (in MONEY_UNIT), and the grid its values lie
    on: the prices' greatest common divisor."""
    res = m.inputs.resources
    spend = [(var, res.price[item] / MONEY_UNIT) for (_s, item), var in m.bought.items()]
    grid = math.gcd(*(int(res.price[item]) for (_s, item) in m.bought)) / MONEY_UNIT if m.bought else 0.0
    return spend, grid or 1.0


def spends_least(grouping: Grouping, covered: list[int], spent: int, delivered=None, *,
                 fairness: Fairness | None = None, by_group: bool = False) -> bool:
    """Whether a rounded plan proved optimal in every band (``needs_exact`` is false) also spends
    the least money among the plans reaching its figures: its money ``spent`` (VND) meets the LP
    relaxation's bound on the prices' grid (``Milp.settled``), every band held where the plan
    reached. When not, ``exact_units`` finds the plan that does (no dearer device bought where a
    cheaper suitable one or donated stock would do)."""
    inputs = grouping.inputs
    milp = _whole_model(inputs, delivered, fairness)
    m = milp.m
    whole = list(covered) if by_group else _group_totals(covered, grouping)
    bands = [int(b) for b in inputs.cells["band"].tolist()]
    policy = inputs.scenario.policy
    if policy.mode is Mode.weighted:  # held as exact_units holds it: the weighted total
        weighted = [(m.y[g], policy.weights[bands[g]]) for g in range(len(bands))]
        m.add("hold_weighted", weighted, pulp.LpConstraintGE,
              sum(policy.weights[b] * w for b, w in zip(bands, whole)) - 0.5 * min(policy.weights.values()))
        bands = []
    for band, groups in _by_band(bands):
        if policy.within_band is WithinBand.equal_rate:
            for g in groups:
                m.y[g].lowBound = float(whole[g])
        else:
            m.add(f"hold_{band}", [(m.y[g], 1.0) for g in groups], pulp.LpConstraintGE, sum(whole[g] for g in groups) - 0.5)
    spend, grid = _spend_terms(m)
    return not spend or milp.settled(spend, pulp.LpMinimize, spent / MONEY_UNIT, grid=grid)


def exact_units(grouping: Grouping, lp: LpSolution, rounded: dict[tuple[int, str], int], covered: list[int],
                pupils_of_cells: list[int], delivered, previous, *, fairness: Fairness | None = None,
                floors: list[tuple[tuple[int, ...], int]] | None = None, spent_vnd: int | None = None,
                learners_only: bool = False, by_group: bool = False) -> tuple[dict, int, tuple[int, ...]]:
    """Whole units per (cell, device) of the original inputs at the integer optimum, MILPs solved,
    and the bands not proved optimal (from the first ``equal_rate`` band of more than
    ``EXACT_LEXIMIN_UP_TO`` groups on; empty when the plan is the integer optimum in band order).

    ``lp`` is the grouped LP plan, ``rounded`` and ``covered`` the rounded plan per original cell
    (``by_group``: per group, split over the cells only if it stands; no floors then)
    (its figures for the bands proved optimal are kept; its units are the first MILP's warm start).

    District floors (``fairness``, ``floors``: whole learners per group of original cells, from the
    LP's floors rounded up) come first, as in the LP: one MILP covers as many of the floors' learners
    as it can (sum_g min(Y_g, F_g), through s_g <= Y_g, s_g <= F_g); when every floor is met they are
    all held (Y_g >= F_g) and the bands follow at their integer optimum given the floors. When some
    floor cannot be met in whole units, each floor is held at what the rounded plan reached (which
    meets the targets it can) and every band is reported not proved. The computer share is a row of
    the model, as in the LP.

    ``learners_only``: the plan is wanted for its learners per band only (the max_count comparison,
    the price of fairness), so the least-spend and tie-break MILPs, which move no learner figure,
    are left out.

    Before each MILP whose objective takes values on a grid (learners: whole; money: multiples of
    the prices' greatest common divisor), the plan in hand (the rounded plan, ``spent_vnd`` its
    money, until a MILP has run; then the last MILP's) is held against the LP relaxation's bound
    (``Milp.settled``): when it reaches the bound rounded to the grid it is optimal, and that MILP is
    not solved. When every step is settled so, the rounded plan stands."""
    inputs = grouping.inputs
    policy = inputs.scenario.policy
    milp = _whole_model(inputs, delivered, fairness)
    m = milp.m
    grouping_of = {c: g for g, cells in enumerate(grouping.members) for c in cells}
    pupils = [int(p) for p in inputs.cells["pupils"]]
    bands = [int(b) for b in inputs.cells["band"].tolist()]
    if by_group:  # the rounded plan per group: covered is already per group
        whole, per_group = list(covered), dict(rounded)

        def standing() -> dict:
            return split_units(rounded, grouping, pupils_of_cells)
    else:
        whole, per_group = _group_totals(covered, grouping), {}
        for (c, d), k in rounded.items():
            per_group[grouping_of[c], d] = per_group.get((grouping_of[c], d), 0) + k

        def standing() -> dict:
            return rounded

    def held(g: int) -> int:  # group g's whole coverage in the plan in hand
        return whole[g] if milp.last is None else int(round(m.y[g].varValue or 0.0))

    for (g, d), n in per_group.items():
        milp.start[m.x[g, d]] = float(n)
    not_proved: tuple[int, ...] = ()
    if floors:
        floored = [(sorted({grouping_of[c] for c in cells}), target, sum(covered[c] for c in cells))
                   for cells, target in floors]
        met = [m.problem.add_variable(f"fs_{i}", lowBound=0, upBound=float(target))
               for i, (_g, target, _r) in enumerate(floored)]
        for i, (groups, _target, _reached) in enumerate(floored):
            m.add(f"fs_{i}", [(m.y[g], 1.0) for g in groups] + [(met[i], -1.0)], pulp.LpConstraintGE, 0.0)
        if _floors_met(floors, covered):  # the rounded plan meets every floor: nothing can do better
            best = float(sum(target for _g, target, _r in floored))
        else:
            best = milp.optimise(((v, 1.0) for v in met), pulp.LpMaximize, whole=True)
        every = round(best) >= sum(target for _g, target, _r in floored)
        for i, (groups, target, reached) in enumerate(floored):
            m.add(f"floor_{i}", [(m.y[g], 1.0) for g in groups], pulp.LpConstraintGE,
                  float(target if every else min(target, reached)))
        if not every:
            not_proved = _bands_from(inputs, min(BANDS))
    if policy.mode is Mode.weighted:
        best = milp.optimise(((m.y[g], policy.weights[bands[g]]) for g in range(len(pupils))), pulp.LpMaximize)
        m.add("hold_weighted", [(m.y[g], policy.weights[bands[g]]) for g in range(len(pupils))],
              pulp.LpConstraintGE, best - 0.5 * min(policy.weights.values()))
    else:
        # The rounded plan's band figures are the optimum only when it also meets the floors
        # (else holding both may be infeasible in whole units).
        proved = _proved_bands(inputs, lp, whole)[0] if _floors_met(floors, covered) else []
        changed = False
        for band, groups in _by_band(bands):
            if band in proved:  # the rounded figures are the optimum: hold them
                if policy.within_band is WithinBand.equal_rate:
                    for g in groups:
                        m.y[g].lowBound = float(whole[g])
                else:
                    m.add(f"hold_{band}", [(m.y[g], 1.0) for g in groups], pulp.LpConstraintGE,
                          sum(whole[g] for g in groups) - 0.5)
                continue
            first, changed = not changed, True  # after this band, the plan may differ from rounding's
            if policy.within_band is WithinBand.equal_rate and len(groups) <= EXACT_LEXIMIN_UP_TO:
                if _leximin(milp, groups, pupils, f"b{band}", held):
                    # the leximin's rates can be shared out in more than one way: the most learners
                    # among those plans (2 and 4 learners at rates 1/2 and 1: 1 + 4 rather than 2 + 2)
                    best = _most(milp, [(m.y[g], 1.0) for g in groups], sum(held(g) for g in groups))
                    m.add(f"hold_{band}", [(m.y[g], 1.0) for g in groups], pulp.LpConstraintGE, round(best) - 0.5)
            elif policy.within_band is WithinBand.equal_rate:
                not_proved = not_proved or _bands_from(inputs, band)
                if first:
                    # Every group at least where rounding put it (so the sorted rates are no lower, and
                    # everyone is covered when everyone can be), then the most learners of the band.
                    for g in groups:
                        m.y[g].lowBound = float(whole[g])
                else:  # earlier bands took what rounding gave this one: the highest common rate first
                    t = m.problem.add_variable(f"lt_b{band}", lowBound=0, upBound=1)
                    for g in groups:
                        m.add(f"lt_b{band}_{g}", [(m.y[g], 1.0), (t, -float(pupils[g]))], pulp.LpConstraintGE, 0.0)
                    common = min(Fraction(held(g), pupils[g]) for g in groups)
                    milp.hint(t, float(common))
                    higher = min(Fraction(math.floor(common * pupils[g]) + 1, pupils[g]) for g in groups)
                    if _below_reach(milp, higher, groups, pupils):
                        level = float(common)
                    else:
                        milp.bound([(t, 1.0)], pulp.LpMaximize)
                        level = milp.optimise([(t, 1.0)], pulp.LpMaximize, reached=float(common))
                    t.lowBound = max(0.0, level - 1e-9)
                best = _most(milp, [(m.y[g], 1.0) for g in groups], sum(held(g) for g in groups))
                m.add(f"hold_{band}", [(m.y[g], 1.0) for g in groups], pulp.LpConstraintGE, round(best) - 0.5)
            else:
                best = _most(milp, [(m.y[g], 1.0) for g in groups], sum(held(g) for g in groups))
                m.add(f"hold_{band}", [(m.y[g], 1.0) for g in groups], pulp.LpConstraintGE, round(best) - 0.5)
    def units_in_hand() -> dict[tuple[int, str], int]:  # whole units per (group, device) in the plan in hand
        if milp.last is None:
            return per_group
        return {key: int(round(var.varValue or 0.0)) for key, var in m.x.items()}

    if previous:
        change, moved = [], 0
        units = units_in_hand()
        for i, a in enumerate(m.areas):
            for k, d in enumerate(inputs.devices):
                given = [(m.x[c, d], 1.0) for c in m.cells_of(a) if (c, d) in m.x]
                if given:
                    up = m.problem.add_variable(f"up_{k}_{i}", lowBound=0)
                    down = m.problem.add_variable(f"down_{k}_{i}", lowBound=0)
                    wanted = float(previous.get((a, d), 0))
                    m.add(f"change_{k}_{i}", given + [(up, -1.0), (down, 1.0)], pulp.LpConstraintEQ, wanted)
                    change += [(up, 1.0), (down, 1.0)]
                    now = sum(units.get((c, d), 0) for c in m.cells_of(a))
                    milp.hint(up, max(0.0, now - wanted))
                    milp.hint(down, max(0.0, wanted - now))
                    moved += abs(now - wanted)
        if change:
            if milp.settled(change, pulp.LpMinimize, moved):
                least = float(moved)
            else:
                least = milp.optimise(change, pulp.LpMinimize, whole=True, reached=moved)
            m.add("hold_least_change", change, pulp.LpConstraintLE, round(least) + 0.5)
    if learners_only:
        if milp.last is None:  # the rounded plan stands
            return standing(), milp.solves, not_proved
        grouped = {(g, d): int(round(var.varValue or 0.0)) for (g, d), var in m.x.items()}
        return split_units(grouped, grouping, pupils_of_cells), milp.solves, not_proved
    # Every band held where it reached (rows above): among those plans the least money spent.
    spend, grid = _spend_terms(m)
    if milp.last is None and spent_vnd is not None and milp.settled(spend, pulp.LpMinimize, spent_vnd / MONEY_UNIT,
                                                                     grid=grid):
        least = spent_vnd / MONEY_UNIT
    else:
        if milp.last is None:  # no plan in hand to compare: find it
            milp.optimise([], pulp.LpMaximize)
        reached = sum(coefficient * (var.varValue or 0.0) for var, coefficient in spend)
        if milp.settled(spend, pulp.LpMinimize, reached, grid=grid):
            least = reached
        else:
            least = milp.optimise(spend, pulp.LpMinimize, grid=grid, reached=reached)
    # A fixed tie-break among the plans left: learners in earlier groups (the cells' fixed order)
    # first. HiGHS stops within 1 of its (whole) objective or TIE_BREAK_GAP of it, whichever comes
    # first: exact wherever the objective is below 100 (every hand-checkable case); on the national
    # case (about 1.5e8) proving the last units took 2.5 s, and no learner figure depends on it.
    # The plan in hand stands when it is that close to the relaxation's bound.
    m.add("hold_spend", spend, pulp.LpConstraintLE, least + 0.5 / MONEY_UNIT)
    n = len(pupils)
    order = [(m.y[g], float(n - g)) for g in range(n)]
    in_hand = sum(held(g) * (n - g) for g in range(n))
    if not milp.settled(order, pulp.LpMaximize, in_hand, rel_gap=TIE_BREAK_GAP):
        milp.optimise(order, pulp.LpMaximize, whole=True, rel_gap=TIE_BREAK_GAP, reached=in_hand)
    if milp.last is None:  # the rounded plan stands
        return standing(), milp.solves, not_proved
    grouped = {(g, d): int(round(var.varValue or 0.0)) for (g, d), var in m.x.items()}
    return split_units(grouped, grouping, pupils_of_cells), milp.solves, not_proved


def _below_reach(milp: Milp, rate: Fraction, groups: list[int], pupils: list[int]) -> bool:
    """Whether no plan has every group at ``rate`` or above, when a plan in hand holds every row:
    a whole plan there would have y_g >= ceil(rate p_g) learners in each group, and not even the
    LP relaxation has that (much tighter than the relaxation's largest common rate, whose y_g
    may be fractions). Then the highest common whole rate lies below ``rate``."""
    if not milp.in_hand_holds():
        return False
    m = milp.m
    return milp.out_of_reach({m.y[g]: float(math.ceil(rate * pupils[g])) for g in groups})


def _most(milp: Milp, terms: list, reached: int) -> float:
    """The most learners ``terms`` count, held with every earlier step: ``reached`` (the plan in
    hand's) when the relaxation proves it (``Milp.settled``), else by a MILP."""
    if milp.settled(terms, pulp.LpMaximize, reached):
        return float(reached)
    return milp.optimise(terms, pulp.LpMaximize, whole=True, reached=reached)


def _leximin(milp: Milp, groups: list[int], pupils: list[int], tag: str, held) -> bool:
    """The leximin-best whole coverage of ``groups`` (rates y_g / p_g sorted, compared
    lexicographically), held for every later MILP: by the rates found, shared out among the groups
    (``_hold_rates``). Returns whether those rates can be shared out among the groups in more
    than one way (so that the band's learners may differ between the plans held).

    Level l: t_l = the largest t such that at most N_{l-1} groups lie below t; N_l = the fewest
    groups at t_l or below (binary z_g: y_g >= (floor(t_l p_g) + 1)(1 - z_g)). Until every group is
    counted or t_l = 1. Which N_{l-1} groups may lie below t (no binary at the first level,
    N_0 = 0), the cheaper of two equivalent forms:

    - those that take the N_{l-1} lowest rates found so far, each exactly (``_share_rates``:
      binaries a_{g,r}, y_g >= t p_g - p_g sum_r a_{g,r}), with every earlier level's rows retired:
      every plan holding the levels found has those lowest rates (see ``_share_rates``). Used when
      that takes fewer binaries than one a group (large groups take few of the rates: usually one
      or none);
    - else one binary a group, w_g (y_g >= t p_g - p_g w_g, sum w <= N_{l-1}), beside the earlier
      levels' rows.

    t_l is then held as a lower bound on t while those rows stand.
    N_l needs no row of its own: every plan of the next level's MILP has at most N_l groups at t_l
    or below (its t exceeds t_l), and the z binaries and rows go once N_l is known (``Milp.retire``).
    Two MILPs a level at most; fewer where the last plan found already settles a step:

    - N_l >= N_{l-1} + 1 in every plan (were at most N_{l-1} groups at t_l or below, the lowest
      rate above t_l would be a higher t with at most N_{l-1} groups below it), so when the plan of
      t_l has exactly N_{l-1} + 1 groups at t_l or below, N_l = N_{l-1} + 1 without a MILP;
    - no rate exceeds 1, so when the last plan has every group beyond the N_l lowest at 1, the
      next level is 1 without a MILP;
    - when the plan in hand leaves some group at 0 and the LP cannot prove the first level, the
      fewest groups at 0 are sought first: if some group must stay at 0 in every plan, t_1 = 0
      (no plan has every rate above 0) and N_1 is that count, so t_1 needs no MILP of its own; if
      none must, that plan has a learner in every group and t_1 is sought from it as usual.

    Each new level's binaries and t are handed to HiGHS set from the last plan (a feasible start)."""
    m = milp.m
    if milp.bound([(m.y[g], 1.0) for g in groups], pulp.LpMaximize) < 1 - 1e-6:
        return False  # no whole plan covers a learner of these groups: every rate is 0, nothing to hold
    below = 0
    level_no = 0
    n = len(groups)
    level_rows, level_vars = [], []  # rows and variables held for the levels so far (retired as they move)
    while below < n:
        name = f"{tag}_{level_no}"
        rates = {g: Fraction(held(g), pupils[g]) for g in groups}  # the plan in hand's
        ranked = sorted(groups, key=lambda g: (rates[g], g))
        lowest: dict[int, list] = {}  # per group, the binaries that put it below t
        if below:
            counts: dict[Fraction, int] = {}
            for g in ranked[:below]:
                counts[rates[g]] = counts.get(rates[g], 0) + 1
            if sum(len(_offered(m, g, pupils[g], counts)) for g in groups) < n:
                # the groups below t take the N_{l-1} lowest rates found, each exactly (``_share_rates``):
                # fewer binaries than one a group, and every earlier level's rows retired
                milp.retire(level_rows, level_vars)
                lowest, level_rows, level_vars = _share_rates(
                    milp, groups, pupils, name, counts, {g: rates[g] for g in ranked[:below]}, every=False)
            else:  # one binary a group: w_g = 1 lets it lie below t, at most N_{l-1} do
                w = {g: milp.binary(f"lw_{name}_{g}") for g in groups}
                level_vars += w.values()
                level_rows.append(m.add(f"lwn_{name}", [(w[g], 1.0) for g in groups], pulp.LpConstraintLE,
                                        float(below)))
                lowest = {g: [w[g]] for g in groups}
                for g in ranked[:below]:
                    milp.hint(w[g], 1.0)
        t = m.problem.add_variable(f"lt_{name}", lowBound=0, upBound=1)
        level_vars.append(t)
        for g in groups:
            terms = [(m.y[g], 1.0), (t, -float(pupils[g]))] + [(a, float(pupils[g])) for a in lowest.get(g, [])]
            level_rows.append(m.add(f"lw_{name}_{g}", terms, pulp.LpConstraintGE, 0.0))
        reached = rates[ranked[below]]
        milp.hint(t, float(reached))
        if reached >= 1:  # every group beyond the lowest N_l is covered in full: t = 1
            t.lowBound = 1.0
            break
        # The first level: when no plan reaches the next whole rate above the plan in hand's level
        # in every group, that level is t_1 (``_below_reach``). Above the first level a relaxation
        # spreads the binaries so thin that it proves nothing: no LP there.
        higher = min(Fraction(math.floor(reached * pupils[g]) + 1, pupils[g]) for g in groups)
        tentative = False  # a first level of 0 taken before it is proved (see below)
        if below:
            milp.optimise([(t, 1.0)], pulp.LpMaximize)
            rates = {g: Fraction(held(g), pupils[g]) for g in groups}
        elif reached == 0 and not _below_reach(milp, higher, groups, pupils):
            # Some group has nobody in the plan in hand: the fewest groups left at 0 come first.
            # When some group must stay at 0, the highest common rate is 0 with no MILP of its own;
            # when none must, that MILP's plan has a learner in every group and the level is sought
            # again from it (next round).
            tentative = True
        elif reached > 0 and not _below_reach(milp, higher, groups, pupils):
            milp.bound([(t, 1.0)], pulp.LpMaximize)
            milp.optimise([(t, 1.0)], pulp.LpMaximize, reached=float(reached))
            rates = {g: Fraction(held(g), pupils[g]) for g in groups}
        level = sorted(rates.values())[below]
        t.lowBound = float(level) - 1e-9
        if level >= 1:
            break
        at_or_below = sum(1 for r in rates.values() if r <= level)
        if at_or_below == below + 1 and not tentative:  # the fewest possible (see above): no MILP needed
            below += 1
        else:
            z = {g: milp.binary(f"lz_{name}_{g}") for g in groups}
            rows = []
            for g in groups:
                above = math.floor(level * pupils[g]) + 1
                rows.append(m.add(f"lz_{name}_{g}", [(m.y[g], 1.0), (z[g], float(above))], pulp.LpConstraintGE,
                                  float(above)))
                milp.hint(z[g], 1.0 if rates[g] <= level else 0.0)
            count = [(z[g], 1.0) for g in groups]
            if milp.settled(count, pulp.LpMinimize, at_or_below):
                below = at_or_below
            else:
                below = int(round(milp.optimise(count, pulp.LpMinimize, whole=True, reached=at_or_below)))
            milp.retire(rows, z.values())
        level_no += 1
    return _hold_rates(milp, groups, pupils, tag, held, level_rows, level_vars)


def _hold_rates(milp: Milp, groups: list[int], pupils: list[int], tag: str, held, level_rows: list,
                level_vars: list) -> bool:
    """Hold a band's leximin, once found, by its rates instead of its levels' rows: every plan that
    holds the levels has the leximin vector s* itself as its sorted rates (no lower anywhere, and
    nothing is leximin-better), and the plan in hand is one. So the plans held are those whose
    rates are s* shared out among the groups (``_share_rates`` with every group taking one), and
    the levels' rows and binaries are retired: every later MILP is smaller. Returns whether some
    group can take more than one of the rates."""
    m = milp.m
    rates = {g: Fraction(held(g), pupils[g]) for g in groups}
    counts: dict[Fraction, int] = {}
    for r in rates.values():
        counts[r] = counts.get(r, 0) + 1
    milp.retire(level_rows, level_vars)
    return bool(_share_rates(milp, groups, pupils, tag, counts, rates, every=True)[0])


def _share_rates(milp: Milp, groups: list[int], pupils: list[int], name: str, counts: dict[Fraction, int],
                 hand: dict[int, Fraction], *, every: bool) -> tuple[dict[int, list], list, list]:
    """Rows that share the rates ``counts`` (rate -> how many groups) out among ``groups``: group g
    takes rate r (y_g = r p_g exactly) when its binary a_{g,r} is 1, at most one rate a group, each
    rate r taken by ``counts[r]`` groups. Only rates a group can take are offered: r p_g whole and
    within y_g's bounds. ``every``: every group takes one (sum_r a_{g,r} = 1; a group with a single
    rate on offer is fixed there, no binary); else the groups that take none are free (the caller
    holds them above, ``_leximin``: y_g >= t p_g - p_g sum_r a_{g,r}).

    Why the rates can be pinned exactly: at level l of the leximin, every plan holding the levels
    found so far has the N_{l-1} lowest sorted rates of the leximin vector itself (one higher
    somewhere there would be a higher level t_j, or fewer groups at t_j, than the MILPs found), so
    the groups below t_l take exactly those rates. The same plans as the levels' rows (one binary a
    group and level, big-M rows), with one binary per rate a group can take: usually one or none.

    ``hand``: the plan in hand's rate of each group that takes one (warm-start hints). Returns, per
    group, its binaries (as terms), and the rows and variables made (to retire later)."""
    m = milp.m
    rows, variables, picks = [], [], {}
    wanted = dict(counts)
    for g in groups:
        rates = _offered(m, g, pupils[g], counts)
        if every and len(rates) == 1:  # the one rate it can take
            m.y[g].lowBound = m.y[g].upBound = float(rates[0] * pupils[g])
            wanted[rates[0]] -= 1
        elif rates:
            picks[g] = {r: milp.binary(f"la_{name}_{g}_{i}") for i, r in enumerate(rates)}
    taken: dict[Fraction, list] = {r: [] for r in counts}
    inside: dict[int, list] = {}
    for g, pick in picks.items():
        variables += pick.values()
        inside[g] = list(pick.values())
        one = [(a, 1.0) for a in pick.values()]
        p = float(pupils[g])
        learners = {r: float(r * pupils[g]) for r in pick}  # r p_g, a whole number
        if every:
            rows.append(m.add(f"la_{name}_{g}", one, pulp.LpConstraintEQ, 1.0))
            rows.append(m.add(f"ly_{name}_{g}", [(m.y[g], 1.0)] + [(a, -learners[r]) for r, a in pick.items()],
                              pulp.LpConstraintEQ, 0.0))
        else:  # y_g = r p_g when a_{g,r} = 1; when none is, only y_g <= p_g
            rows.append(m.add(f"la_{name}_{g}", one, pulp.LpConstraintLE, 1.0))
            rows.append(m.add(f"lyl_{name}_{g}", [(m.y[g], 1.0)] + [(a, -learners[r]) for r, a in pick.items()],
                              pulp.LpConstraintGE, 0.0))
            rows.append(m.add(f"lyu_{name}_{g}", [(m.y[g], 1.0)] + [(a, p - learners[r]) for r, a in pick.items()],
                              pulp.LpConstraintLE, p))
        for r, a in pick.items():
            taken[r].append(a)
            milp.hint(a, 1.0 if hand.get(g) == r else 0.0)
    for i, r in enumerate(sorted(taken)):
        if taken[r]:
            rows.append(m.add(f"lr_{name}_{i}", [(a, 1.0) for a in taken[r]], pulp.LpConstraintEQ, float(wanted[r])))
    return inside, rows, variables


def _offered(m, g: int, pupils: int, counts: dict[Fraction, int]) -> list[Fraction]:
    """The rates of ``counts`` group g can take: r p_g whole and within y_g's bounds."""
    low, high = m.y[g].lowBound or 0.0, pupils if m.y[g].upBound is None else m.y[g].upBound
    return [r for r in sorted(counts) if (r * pupils).denominator == 1 and low - 1e-9 <= r * pupils <= high + 1e-9]


def split_units(grouped: dict[tuple[int, str], int], grouping: Grouping, pupils: list[int]) -> dict[tuple[int, str], int]:
    """A group's whole units over its cells: learners by the leximin-best split (``leximin_split``:
    any unit of a group suits any of its cells alike), then devices to cells in cell order, devices
    in scenario order."""
    devices = grouping.inputs.devices
    units: dict[tuple[int, str], int] = {}
    for g, cells in enumerate(grouping.members):
        counts = [int(grouped.get((g, d), 0)) for d in devices]
        total = sum(counts)
        if not total:
            continue
        take = leximin_split(total, [pupils[c] for c in cells])
        k = 0
        for i, c in enumerate(cells):
            need = take[i]
            while need:
                while counts[k] == 0:
                    k += 1
                n = min(need, counts[k])
                units[c, devices[k]] = units.get((c, devices[k]), 0) + n
                counts[k] -= n
                need -= n
    return dict(sorted(units.items()))


def leximin_split(total: int, sizes: list[int]) -> list[int]:
    """``total`` whole units over cells of ``sizes`` learners (at most one unit a learner), the
    cells' rates y_c / p_c the best in leximin order (sorted, compared lexicographically): each unit
    to the cell of lowest rate, ties to the cell it raises most (fewest learners), then cell order
    (tests/test_exact.py checks it against every split on small cases). Started from a floor every
    leximin-best split reaches, so the greedy steps are at most the number of cells: the best lowest
    rate t* is at least (total - n) / P (n cells, P learners: sum_c ceil(t p_c) <= t P + n), so
    y_c >= ceil(t* p_c) >= ceil((total - n) p_c / P). The cells are sorted once by their first
    step (numpy); a heap holds only the cells already raised."""
    n = len(sizes)
    p = np.asarray(sizes, dtype=np.int64)
    learners = int(p.sum())
    if total > n:
        take = np.minimum(p, -((-(total - n) * p) // learners))
    else:
        take = np.zeros(n, dtype=np.int64)
    left = total - int(take.sum())
    if not left:
        return take.tolist()
    # Rates as floats, exactly: a division is correctly rounded, so equal fractions give the same
    # float, and two fractions of denominators p, q <= 2^26 differ by at least 1/(pq) >= 2^-52, more
    # than two floats in [0, 1] are apart, so their order is kept.
    waiting = np.flatnonzero(take < p)
    if int(p.max()) <= 2 ** 26:
        rate = lambda a, q: a / q  # noqa: E731
        waiting = waiting[np.lexsort((waiting, -(take[waiting] + 1) / p[waiting], take[waiting] / p[waiting]))]
        waiting = waiting.tolist()
        take = take.tolist()
    else:
        rate = Fraction
        take = take.tolist()
        waiting = sorted(waiting.tolist(), key=lambda i: (rate(take[i], sizes[i]), -rate(take[i] + 1, sizes[i]), i))
    heap: list = []  # cells raised once already, keyed by their next step
    j = 0
    for _ in range(left):
        if j < len(waiting):
            i = waiting[j]
            first = (rate(take[i], sizes[i]), -rate(take[i] + 1, sizes[i]), i)
            if not heap or first < heap[0]:
                j += 1
            else:
                i = heapq.heappop(heap)[2]
        else:
            i = heapq.heappop(heap)[2]
        take[i] += 1
        if take[i] < sizes[i]:
            heapq.heappush(heap, (rate(take[i], sizes[i]), -rate(take[i] + 1, sizes[i]), i))
    return take


def whole_plan(inputs: PlanInputs, units: dict[tuple[int, str], int]) -> WholePlan:
    """The plan of whole ``units`` per (cell, device), with its accounts."""
    covered = [0] * len(inputs.cells)
    for (c, _d), n in units.items():
        covered[c] += n
    accounts = accounts_of(units, inputs)
    if not accounts.payable:
        raise SolverFailed("the whole-device MILP's plan could not be paid pool by pool")
    return WholePlan(units, covered, accounts)
