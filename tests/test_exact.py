"""Whole devices at the integer optimum (issue 15), against an exact lexicographic MILP written here.

The reference MILP knows nothing of the engine: integer devices per cell and device, integer draws
on the general stock and on each district's earmarked stock, integer purchases per district, money
from the district's earmark first and the general budget (continuous, in VND). ``max_count``: band
by band, the most learners of the band with every earlier band held at its optimum. The engine's
band totals must equal it on every instance (none below: exactness; none above: the MILP is
exact). ``equal_rate``: when the reference can cover every learner of the first bands, the engine
covers them too, and its lowest rate in the first band not covered in full is the integer max-min.
"""

from __future__ import annotations

import itertools
import math
import os
from fractions import Fraction
from unittest.mock import patch

import pandas as pd
import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.core import exact
from sim.core.exact import leximin_split
from sim.core.rules import HIGHER_LEVEL, STATUSES, band_of
from sim.read.scenario import Earmark, Fairness

M = 1_000_000
CODES = ["A1", "B2", "C3"]
AREAS = pd.DataFrame({"code": CODES, "name": ["An Bình", "Bình Hòa", "Cẩm Lý"], "type": ["", "", ""],
                      "population": pd.array([None] * 3, dtype="Int64"), "lat": [None] * 3, "lon": [None] * 3})
NAMES = dict(zip(AREAS["code"], AREAS["name"]))
CODE_OF = {n: c for c, n in NAMES.items()}
PROFILE = settings(max_examples=int(os.environ.get("SIM_HYPOTHESIS_EXAMPLES", 60)), deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PACKAGE = "data_package"


# ---------------------------------------------------------------- the reference MILP

class _Solver:
    """PuLP's HiGHS for the reference, again without presolve when it answers other than optimal:
    HiGHS 1.16's presolve calls some feasible MILPs infeasible (benchmarks/exact_search.py,
    max_count seed 587: all zeros is a plan). A MILP without a plan stays infeasible either way."""

    def __init__(self):
        self.first, self.again = pulp.HiGHS(msg=False), pulp.HiGHS(msg=False, presolve="off")

    def actualSolve(self, problem, **kwargs):
        status = self.first.actualSolve(problem, **kwargs)
        if problem.status != pulp.LpStatusOptimal:
            status = self.again.actualSolve(problem, **kwargs)
        return status


def reference(scenario: sim.Scenario, table: pd.DataFrame, floor: float = 0.0, leximin: bool = False):
    """Band totals of the lexicographic integer optimum (max_count), the cells' coverage of the
    last solve, and the least money (VND) a plan reaching every band total spends. With ``floor``
    every district first covers at least ceil(floor x its learners some device suits) learners
    (None is returned when no whole plan can). With ``leximin``: ``_reference_leximin``'s answer."""
    devices = {d: (v.unit_cost_vnd, v.in_stock, v.suits) for d, v in scenario.devices.items()}
    package = (scenario.data_package.unit_cost_vnd, scenario.data_package.in_stock)
    price = {d: p for d, (p, _s, _f) in devices.items()} | {PACKAGE: package[0]}
    stock = {d: s for d, (_p, s, _f) in devices.items()} | {PACKAGE: package[1]}
    mark_cash = {a: 0 for a in CODES}
    mark_stock = {a: {i: 0 for i in price} for a in CODES}
    for mark in scenario.earmarks:
        a = CODE_OF[mark.district]
        mark_cash[a] += mark.budget_vnd
        for d, n in mark.devices.items():
            mark_stock[a][d] += n
        mark_stock[a][PACKAGE] += mark.data_packages
    cells = []
    for row in table.itertuples():
        for offline, n in ((False, row.pupils - row.without_internet), (True, row.without_internet)):
            if n:
                cells.append((row.area, row.grade, row.status, offline, n, band_of(row.status, row.grade)))
    problem = pulp.LpProblem("reference", pulp.LpMaximize)
    x = {(c, d): problem.add_variable(f"x_{c}_{d}", 0, cells[c][4], cat="Integer")
         for c in range(len(cells)) for d in devices if devices[d][2](cells[c][1])}
    y = {c: pulp.lpSum(x[c, d] for d in devices if (c, d) in x) for c in range(len(cells))}
    for c in range(len(cells)):
        problem += y[c] <= cells[c][4]
    spend_total = 0
    general_cash, general_stock = [], {i: [] for i in price}
    for a in CODES:
        mine = [c for c in range(len(cells)) if cells[c][0] == a]
        spend = []
        for i in price:
            kept = problem.add_variable(f"e_{a}_{i}", 0, mark_stock[a][i], cat="Integer")
            drawn = problem.add_variable(f"s_{a}_{i}", 0, cat="Integer")
            bought = problem.add_variable(f"b_{a}_{i}", 0, cat="Integer")
            general_stock[i].append(drawn)
            need = [y[c] for c in mine if cells[c][3]] if i == PACKAGE else [x[c, i] for c in mine if (c, i) in x]
            problem += pulp.lpSum(need) <= kept + drawn + bought
            spend.append(price[i] * bought)
        own = problem.add_variable(f"m_{a}", 0, mark_cash[a])
        general = problem.add_variable(f"g_{a}", 0)
        general_cash.append(general)
        problem += pulp.lpSum(spend) <= own + general
        spend_total += pulp.lpSum(spend)
    for i in price:
        problem += pulp.lpSum(general_stock[i]) <= stock[i]
    problem += pulp.lpSum(general_cash) <= scenario.budget_vnd
    totals = {}
    solver = _Solver()
    if floor:
        for a in CODES:
            mine = [c for c in range(len(cells)) if cells[c][0] == a]
            servable = sum(cells[c][4] for c in mine if any((c, d) in x for d in devices))
            learners = sum(cells[c][4] for c in mine)
            if mine:
                problem += pulp.lpSum(y[c] for c in mine) >= math.ceil(min(floor * learners, servable) - 1e-6)
        problem.setObjective(pulp.lpSum([]))
        problem.solve(solver)
        if problem.status != pulp.LpStatusOptimal:
            return None
    if leximin:
        return _reference_leximin(problem, solver, cells, y, devices)
    for band in range(1, 6):
        mine = [y[c] for c in range(len(cells)) if cells[c][5] == band]
        if not mine:
            totals[band] = 0
            continue
        problem.setObjective(pulp.lpSum(mine))
        problem.solve(solver)
        assert problem.status == pulp.LpStatusOptimal
        totals[band] = round(pulp.value(problem.objective))
        problem += pulp.lpSum(mine) >= totals[band]
    problem.sense = pulp.LpMinimize  # every band held: the least money spent
    problem.setObjective(spend_total)
    problem.solve(solver)
    assert problem.status == pulp.LpStatusOptimal
    covered = {cells[c][:4]: round(pulp.value(y[c])) for c in range(len(cells))}
    return totals, covered, round(pulp.value(problem.objective))


def _reference_leximin(problem, solver, cells, y, devices) -> tuple:
    """Per band, its groups' rates sorted increasingly at the leximin-best whole plan, every earlier
    band held at its own. Written apart from the engine's (which maximises a continuous level t):
    here levels are searched among the rates the groups can take (k / P_g), each tried by a
    feasibility MILP with whole thresholds, y_g >= ceil(t P_g) (1 - w_g), sum_g w_g <= N (at most N
    groups below t). Level by level: t = the highest candidate with at most N_prev groups below it
    (binary search: feasibility falls as t rises), then N = the fewest groups at t or below
    (min sum z_g, y_g >= (floor(t P_g) + 1)(1 - z_g)); both held; until every group is counted.
    Then the band's most learners among those plans, held. Per band: (sorted rates, learners)."""
    groups: dict[tuple, list[int]] = {}
    for c, (area, grade, status, offline, _n, band) in enumerate(cells):
        suits = tuple(devices[d][2](grade) for d in devices)
        groups.setdefault((band, area, status, offline, suits, 10 <= grade <= 12), []).append(c)
    count = iter(range(10**9))

    def at_least(members, threshold, flag):  # y_G >= threshold (1 - flag)
        return pulp.lpSum(y[c] for c in members) + threshold * flag >= threshold

    def below_at_most(mine, t, most, hold):
        flags = [problem.add_variable(f"w_{next(count)}", 0, 1, cat="Integer") for _ in mine]
        off = problem.add_variable(f"off_{next(count)}", 0, 0)  # a trial's rows are switched off after it
        for (members, p), w in zip(mine, flags):
            problem.addConstraint(at_least(members, math.ceil(t * p), w))
        problem.addConstraint(pulp.lpSum(flags) <= most + off)
        problem.setObjective(pulp.lpSum([]))
        problem.solve(solver)
        ok = problem.status == pulp.LpStatusOptimal
        if not hold:  # every flag at 1 and room for them all: the rows hold whatever y is
            for w in flags:
                w.lowBound = 1
            off.lowBound = off.upBound = len(mine)
        return ok

    answer = []
    for band in range(1, 6):
        mine = [(members, sum(cells[c][4] for c in members))
                for key, members in sorted(groups.items(), key=str) if key[0] == band]
        candidates = sorted({Fraction(k, p) for _m, p in mine for k in range(p + 1)})
        below, low = 0, 0
        while below < len(mine):
            lo, hi = low, len(candidates) - 1  # candidates[low] is feasible
            while lo < hi:
                mid = (lo + hi + 1) // 2
                lo, hi = (mid, hi) if below_at_most(mine, candidates[mid], below, False) else (lo, mid - 1)
            t = candidates[lo]
            below_at_most(mine, t, below, True)
            if t == 1:
                break
            flags = [problem.add_variable(f"z_{next(count)}", 0, 1, cat="Integer") for _ in mine]
            for (members, p), z in zip(mine, flags):
                problem.addConstraint(at_least(members, math.floor(t * p) + 1, z))
            problem.sense = pulp.LpMinimize
            problem.setObjective(pulp.lpSum(flags))
            problem.solve(solver)
            assert problem.status == pulp.LpStatusOptimal
            below = round(pulp.value(problem.objective))
            problem.addConstraint(pulp.lpSum(flags) <= below)
            low = lo + 1 if lo + 1 < len(candidates) else lo
        total = pulp.lpSum(y[c] for members, _p in mine for c in members)
        most = 0
        if mine:  # the leximin's rates may be shared out in more than one way: the most learners
            problem.sense = pulp.LpMaximize
            problem.setObjective(total)
            problem.solve(solver)
            assert problem.status == pulp.LpStatusOptimal
            most = round(pulp.value(total))
            problem.addConstraint(total >= most)
        answer.append((tuple(sorted(Fraction(round(pulp.value(pulp.lpSum(y[c] for c in members))), p)
                                    for members, p in mine)), most))
    return tuple(answer)


def band_totals(result: sim.Result) -> dict[int, int]:
    return {int(b): n for b, n in result.summary["covered_by_band"].items()}


# ---------------------------------------------------------------- random instances

GRADES = [3, 8, 10, 12, HIGHER_LEVEL]


@st.composite
def instances(draw, policy: str):
    rows = {}
    for _ in range(draw(st.integers(2, 7))):
        key = (draw(st.sampled_from(CODES)), draw(st.sampled_from(GRADES)), draw(st.sampled_from(STATUSES)))
        pupils = draw(st.integers(1, 5))
        rows[key] = (pupils, draw(st.integers(0, pupils)))
    table = pd.DataFrame([(*k, *v) for k, v in sorted(rows.items())],
                         columns=["area", "grade", "status", "pupils", "without_internet"])
    earmarks = []
    for code in CODES:
        if draw(st.integers(0, 3)):  # most districts have earmarked money or stock
            earmarks.append({"district": NAMES[code], "budget_vnd": draw(st.sampled_from([0, 1, 2, 3, 5, 7])) * M // 2,
                             "devices": {draw(st.sampled_from(["tablet", "laptop", "desktop"])): draw(st.integers(0, 2))},
                             "data_packages": draw(st.integers(0, 2))})
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=draw(st.integers(0, 24)) * M // 2,
        devices={"tablet": {"unit_cost_vnd": draw(st.sampled_from([1, 2, 3])) * M, "grades": [1, 9],
                            "in_stock": draw(st.integers(0, 3))},
                 "laptop": {"unit_cost_vnd": draw(st.sampled_from([3, 5])) * M // 2, "grades": [6, 12],
                            "in_stock": draw(st.integers(0, 2))},
                 "desktop": {"unit_cost_vnd": draw(st.sampled_from([2, 5, 10])) * M, "in_stock": draw(st.integers(0, 2))}},
        data_package={"monthly_cost_vnd": draw(st.sampled_from([0, 50_000, 100_000])), "months": 10,
                      "in_stock": draw(st.integers(0, 3))},
        earmarks=earmarks, policy={"mode": "strict", "within_band": policy})
    return scenario, table


def solve(scenario: sim.Scenario, table: pd.DataFrame) -> sim.Result:
    return sim.solve(scenario, areas=AREAS, students=table, compare=False)


@PROFILE
@given(instances("max_count"))
def test_max_count_whole_plans_are_the_lexicographic_integer_optimum(instance):
    scenario, table = instance
    expected, _, least = reference(scenario, table)
    result = solve(scenario, table)
    assert band_totals(result) == expected
    # No dearer device bought where a cheaper suitable one (or stock) would do: the least money.
    assert result.summary["spent_vnd"] == least


@PROFILE
@given(instances("equal_rate"))
def test_equal_rate_covers_everyone_the_money_allows_in_band_order(instance):
    scenario, table = instance
    best, _, _ = reference(scenario.model_copy(update={"policy": scenario.policy.model_copy(update={"within_band": "max_count"})}), table)
    got = band_totals(solve(scenario, table))
    learners = {b: 0 for b in range(1, 6)}
    for row in table.itertuples():
        learners[band_of(row.status, row.grade)] += row.pupils
    for band in range(1, 6):  # every band the integer optimum covers in full is covered in full
        if best[band] < learners[band]:
            break
        assert got[band] == learners[band], (band, got, best)


# ---------------------------------------------------------------- cases solved by hand

def table_of(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=["area", "grade", "status", "pupils", "without_internet"])


def test_earmarked_money_and_donated_stock_cover_every_band_1_learner():
    # 2 donated desktops (10 M each), 5 M general budget, earmarks of 5 M for An Bình and 1 M for
    # Bình Hòa; band 1: 2 learners of grade 10 in An Bình, 1 in Bình Hòa; band 2: 4 of grade 5 in
    # each (tablets 1 M). Best: a donated desktop to each district, a third bought for An Bình with
    # its 5 M earmark and the 5 M general budget: all 3 of band 1. Bình Hòa's 1 M buys a tablet for
    # band 2. (A greedy sharing gave both donated desktops to An Bình: 2 of band 1, and the 5 M
    # general budget went to tablets for band 2.)
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=5 * M,
        devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9]},
                 "desktop": {"unit_cost_vnd": 10 * M, "in_stock": 2}},
        data_package={"monthly_cost_vnd": 0, "months": 10},
        earmarks=[{"district": "An Bình", "budget_vnd": 5 * M}, {"district": "Bình Hòa", "budget_vnd": M}],
        policy={"mode": "strict", "within_band": "max_count"})
    result = solve(scenario, table_of(("A1", 10, "poor", 2, 0), ("B2", 10, "poor", 1, 0),
                                      ("A1", 5, "poor", 4, 0), ("B2", 5, "poor", 4, 0)))
    assert band_totals(result) == {1: 3, 2: 1, 3: 0, 4: 0, 5: 0}
    assert result.summary["spent_vnd"] == 11 * M
    assert result.summary["stock_left"]["desktop"] == 0


def test_general_stock_goes_where_an_earmark_falls_short():
    # No general money. General stock: 1 tablet, 1 laptop (1.5 M), 2 desktops, 3 data packages.
    # Band 1: 3 learners of grade 10 without internet in An Bình (earmark 3.5 M, a laptop, a
    # package) and 4 of grade 12 in Cẩm Lý, 1 without internet (earmark 1 M, a package); band 4: 2
    # of grade 8 in An Bình, 1 without internet. Cẩm Lý's 1 M buys nothing, so the general laptop
    # and both desktops go there: 3 learners, its package for the one offline. An Bình takes its own
    # laptop, buys 2 more (3 M of its 3.5 M) and 2 general packages: all 3. Band 1: 6 (the 4th in
    # Cẩm Lý would need 1.5 M more). Band 4: the general tablet, 1 learner (the 0.5 M left buys
    # nothing). (Rounding gave An Bình the general laptop: 5 in band 1 and 2 in band 4.)
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=0,
        devices={"tablet": {"unit_cost_vnd": 2 * M, "grades": [1, 9], "in_stock": 1},
                 "laptop": {"unit_cost_vnd": 1_500_000, "grades": [6, 12], "in_stock": 1},
                 "desktop": {"unit_cost_vnd": 10 * M, "in_stock": 2}},
        data_package={"monthly_cost_vnd": 100_000, "months": 10, "in_stock": 3},
        earmarks=[{"district": "An Bình", "budget_vnd": 3_500_000, "devices": {"laptop": 1}, "data_packages": 1},
                  {"district": "Cẩm Lý", "budget_vnd": M, "data_packages": 1}],
        policy={"mode": "strict", "within_band": "max_count"})
    result = solve(scenario, table_of(("A1", 8, "near_poor", 2, 1), ("A1", 10, "poor", 3, 3),
                                      ("C3", 12, "near_poor", 4, 1)))
    assert band_totals(result) == {1: 6, 2: 0, 3: 0, 4: 1, 5: 0}
    assert result.summary["spent_vnd"] == 3 * M


def band_order(result: sim.Result, scenario: sim.Scenario, table: pd.DataFrame) -> tuple:
    """The plan's place in band order: ``max_count``, the band totals; ``equal_rate``, per band the
    rates of its groups (cells the rules cannot tell apart: district, status, internet, the devices
    that suit, upper-secondary or not) sorted increasingly, as exact fractions, then the band's
    learners (the most among the plans at those rates). Tuples compare lexicographically: band 1
    first, then band 2, ..."""
    totals = band_totals(result)
    if scenario.policy.within_band == "max_count":
        return tuple(totals[b] for b in range(1, 6))
    alloc = result.allocation.assign(grade=result.allocation["grade"].astype(str))
    offline_covered = alloc.groupby(["district", "grade", "status"])["data_packages"].sum().to_dict()
    covered = {(r.district, str(r.grade), r.status): r.covered for r in result.coverage.itertuples()}
    groups: dict[tuple, list[int]] = {}
    for row in table.itertuples():
        key = (NAMES[row.area], str(row.grade) if row.grade != HIGHER_LEVEL else "higher", row.status)
        done = covered.get(key, 0)
        off = offline_covered.get(key, 0)
        suits = tuple(v.suits(row.grade) for v in scenario.devices.values())
        for offline, pupils, got in ((False, row.pupils - row.without_internet, done - off),
                                     (True, row.without_internet, off)):
            if pupils:
                g = groups.setdefault((row.area, row.status, band_of(row.status, row.grade), offline, suits,
                                       10 <= row.grade <= 12), [0, 0])
                g[0], g[1] = g[0] + got, g[1] + pupils
    return tuple((tuple(sorted(Fraction(n, p) for (_a, _s, band, *_), (n, p) in groups.items() if band == b)),
                  sum(n for (_a, _s, band, *_), (n, _p) in groups.items() if band == b))
                 for b in range(1, 6))


def with_more(scenario: sim.Scenario, item: str, extra: int) -> sim.Scenario:
    """The scenario with ``extra`` more donated units of ``item``, or ``extra`` M more budget."""
    if item == "money":
        return scenario.model_copy(update={"budget_vnd": scenario.budget_vnd + extra * M})
    if item == PACKAGE:
        return scenario.model_copy(update={"data_package": scenario.data_package.model_copy(
            update={"in_stock": scenario.data_package.in_stock + extra})})
    devices = dict(scenario.devices)
    devices[item] = devices[item].model_copy(update={"in_stock": devices[item].in_stock + extra})
    return scenario.model_copy(update={"devices": devices})


MORE = st.sampled_from(["money", PACKAGE, "tablet", "laptop", "desktop"])


@pytest.mark.parametrize("policy", ["max_count", "equal_rate"])
@settings(PROFILE, max_examples=max(8, PROFILE.max_examples // 3))
@given(data=st.data(), extra=st.integers(1, 3), item=MORE)
def test_more_money_stock_or_packages_never_make_the_plan_worse_in_band_order(policy, data, extra, item):
    # E.g. 3 more donated data packages once lowered band 3 by a learner (a 5 M tablet bought where
    # a 1.5 M laptop suited): at the integer optimum, more can only help, band by band (max_count:
    # the band totals; equal_rate: each band's sorted group rates, then its learners, bands in order).
    scenario, table = data.draw(instances(policy))
    more = with_more(scenario, item, extra)
    before = band_order(solve(scenario, table), scenario, table)
    after = band_order(solve(more, table), more, table)
    assert after >= before


# ---------------------------------------------------------------- the cases (b), (c), (d)
# Each failed on the rounding alone (commit fb11f95: floor the LP's units, hand back one unit at a
# time, no exchange); the expected figures are solved by hand below.

def test_equal_rate_covers_everyone_when_the_money_allows_and_buys_no_dearer_device():
    # Case (b). Budget 15.5 M; tablet 2 M (grades 1-9, 1 in stock), laptop 1.5 M (grades 6-12, 1 in
    # stock), desktop 0.5 M (any grade), packages 0.5 M (3 in stock). An Bình: earmark 0.5 M and 2
    # desktops; Bình Hòa: earmark 1 M. Learners: band 1, 10 of grade 12 in Cẩm Lý (2 offline);
    # band 3, 7 of grade 10 in An Bình (2 offline); band 4, 10 of grade 5 in Bình Hòa (9 offline).
    # Everyone: 27 devices, 4 of them stock (An Bình's 2 desktops, the tablet, the laptop), 23
    # desktops bought (11.5 M); 13 packages, 3 in stock, 10 bought (5 M): 16.5 M of the 17 M (each
    # earmark is spent in its own district), so all 27 are covered and no laptop is bought. (The
    # rounding bought a 1.5 M laptop for Cẩm Lý where a 0.5 M desktop suited the same learner, and
    # covered 26: band 4 at 9 of 10.)
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=15_500_000,
        devices={"tablet": {"unit_cost_vnd": 2 * M, "grades": [1, 9], "in_stock": 1},
                 "laptop": {"unit_cost_vnd": 1_500_000, "grades": [6, 12], "in_stock": 1},
                 "desktop": {"unit_cost_vnd": M // 2, "in_stock": 0}},
        data_package={"monthly_cost_vnd": 50_000, "months": 10, "in_stock": 3},
        earmarks=[{"district": "An Bình", "budget_vnd": M // 2, "devices": {"desktop": 2}},
                  {"district": "Bình Hòa", "budget_vnd": M}],
        policy={"mode": "strict", "within_band": "equal_rate"})
    result = solve(scenario, table_of(("A1", 10, "near_poor", 7, 2), ("B2", 5, "near_poor", 10, 9),
                                      ("C3", 12, "near_poor", 10, 2)))
    assert band_totals(result) == {1: 10, 2: 0, 3: 7, 4: 10, 5: 0}
    assert result.summary["spent_vnd"] == 16_500_000
    assert result.summary["bought"] == {"tablet": 0, "laptop": 0, "desktop": 23, "data_package": 10}


CASE_C = dict(
    areas="areas.csv", students="students.csv", budget_vnd=6 * M,
    devices={"tablet": {"unit_cost_vnd": 3 * M, "grades": [1, 9], "in_stock": 0},
             "laptop": {"unit_cost_vnd": M // 2, "grades": [6, 12], "in_stock": 2},
             "desktop": {"unit_cost_vnd": 5 * M, "in_stock": 2}},
    data_package={"monthly_cost_vnd": 50_000, "months": 10, "in_stock": 0},
    earmarks=[{"district": "An Bình", "budget_vnd": M // 2, "devices": {"laptop": 1}, "data_packages": 2},
              {"district": "Bình Hòa", "budget_vnd": M, "devices": {"desktop": 1}, "data_packages": 2},
              {"district": "Cẩm Lý", "budget_vnd": 2_500_000, "devices": {"laptop": 1}, "data_packages": 2}],
    policy={"mode": "strict", "within_band": "max_count"})
CASE_C_TABLE = [("A1", 3, "poor", 4, 0), ("A1", 8, "covid_orphan", 4, 3), ("A1", 12, "poor", 5, 0),
                ("A1", HIGHER_LEVEL, "near_poor", 3, 3), ("B2", 5, "covid_orphan", 3, 2),
                ("B2", 11, "covid_orphan", 5, 3), ("C3", 3, "covid_orphan", 1, 1), ("C3", 10, "covid_orphan", 3, 3)]


@pytest.mark.parametrize("more_packages", [0, 3])
def test_more_donated_packages_never_lower_a_band(more_packages):
    # Case (c). Tablet 3 M (grades 1-9), laptop 0.5 M (grades 6-12, 2 in stock), desktop 5 M (2 in
    # stock), packages 0.5 M; budget 6 M; earmarks An Bình 0.5 M + a laptop + 2 packages, Bình Hòa
    # 1 M + a desktop + 2 packages, Cẩm Lý 2.5 M + a laptop + 2 packages.
    # Band 1 (5 of grade 12, An Bình): its laptop, the 2 general ones, 2 bought (1 M): 5.
    # Band 2 (4 of grade 3, An Bình): the 2 general desktops and a 3 M tablet: 3 (a 4th tablet
    # would need 7 M of An Bình's 6.5 M). Band 4 (higher education, An Bình, desktop only): 5 M
    # more, none. Band 5 with the 2.5 M general left: Cẩm Lý's 3 of grade 10 from its earmark
    # (1.5 M); Bình Hòa's desktop for one of grade 5; its 1 M buys 2 laptops for grade 11; the
    # general 2.5 M buys five 0.5 M learners (3 in An Bình's grade 8 with its 2 packages, 2 more
    # of Bình Hòa's grade 11 with its packages): 3 + 1 + 2 + 5 = 11. Nothing dearer helps: Cẩm Lý's
    # grade 3 learner needs a 3 M tablet. With 3 more packages the same 11 at 0.5 M less (Cẩm Lý's
    # third package comes from stock). (The rounding covered 10 and, given the 3 packages, bought
    # that 3 M tablet in Cẩm Lý where 0.5 M laptops suited others: 9.)
    donated = dict(CASE_C["data_package"], in_stock=more_packages)
    result = solve(sim.Scenario(**(CASE_C | {"data_package": donated})), table_of(*CASE_C_TABLE))
    assert band_totals(result) == {1: 5, 2: 3, 3: 0, 4: 0, 5: 11}
    assert result.summary["spent_vnd"] == (9 * M if more_packages == 0 else 8_500_000)
    assert result.summary["bought"]["tablet"] == 1


def test_an_earmarked_device_goes_where_only_it_suits():
    # Case (d). Budget 1.5 M; tablet 2 M (grades 1-9, 3 in stock), laptop 1.5 M, desktop 2.5 M,
    # packages 0.5 M (1 in stock). An Bình: 3.5 M, 2 tablets, a package; Bình Hòa: 1 M, 2 tablets,
    # 2 packages; Cẩm Lý: 2 desktops. Band 1 (An Bình, 3 of grade 10 and 1 of grade 12): three
    # 1.5 M laptops (its 3.5 M and 1 M general; a fourth would need 1.5 M more): 3. Nothing is left
    # for band 3 (An Bình's grade 11, laptops or desktops). Band 5: An Bình's 3 of grade 9 (its 2
    # tablets and a general one), Bình Hòa's one of grade 3 (its tablet and package), Cẩm Lý's 3 of
    # grade 3 (2 general tablets and a desktop) and its learner in higher education, whom only a
    # desktop suits (the other earmarked desktop; the general package and one bought with the 0.5 M
    # left for the 2 offline): 8, 5 M spent. (The rounding gave both earmarked desktops to grade 3,
    # no exchange freed one, and 2 general tablets stayed in stock: 7.)
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=1_500_000,
        devices={"tablet": {"unit_cost_vnd": 2 * M, "grades": [1, 9], "in_stock": 3},
                 "laptop": {"unit_cost_vnd": 1_500_000, "grades": [6, 12]},
                 "desktop": {"unit_cost_vnd": 2_500_000}},
        data_package={"monthly_cost_vnd": 50_000, "months": 10, "in_stock": 1},
        earmarks=[{"district": "An Bình", "budget_vnd": 3_500_000, "devices": {"tablet": 2}, "data_packages": 1},
                  {"district": "Bình Hòa", "budget_vnd": M, "devices": {"tablet": 2}, "data_packages": 2},
                  {"district": "Cẩm Lý", "devices": {"desktop": 2}}],
        policy={"mode": "strict", "within_band": "max_count"})
    result = solve(scenario, table_of(("A1", 9, "covid_orphan", 3, 0), ("A1", 10, "poor", 3, 0),
                                      ("A1", 11, "covid_orphan", 5, 2), ("A1", 11, "near_poor", 4, 3),
                                      ("A1", 12, "poor", 1, 0), ("B2", 3, "covid_orphan", 1, 1),
                                      ("C3", 3, "covid_orphan", 3, 1), ("C3", HIGHER_LEVEL, "covid_orphan", 1, 1)))
    assert band_totals(result) == {1: 3, 2: 0, 3: 0, 4: 0, 5: 8}
    assert result.summary["spent_vnd"] == 5 * M
    cam_ly = result.coverage[result.coverage["district"] == "Cẩm Lý"]
    assert list(cam_ly["covered"]) == [3, 1]  # grade 3, higher education


@pytest.mark.parametrize("more_packages, expected", [(0, {1: 5, 2: 3, 3: 2, 4: 0, 5: 0}),
                                                     (3, {1: 5, 2: 3, 3: 2, 4: 0, 5: 1})])
def test_a_milp_answer_is_checked_against_its_own_objective(more_packages, expected):
    # HiGHS 1.16 once answered "optimal, 2 learners" for band 3 here and handed back the warm
    # start's columns (0 learners): 3 more packages then lowered band 3 from 2 to 0.
    # Budget 5 M; tablet 2 M (grades 1-9, 2 in stock), laptop and desktop 2.5 M (1 each in stock);
    # earmarks An Bình 0.5 M + 2 desktops, Bình Hòa 3.5 M + a tablet. Band 1 (5 of grade 9 in Bình
    # Hòa, 2 offline): 5; band 2 (5 of grade 8 in Cẩm Lý, all offline): 3; band 3 (2 of grade 9 in
    # An Bình): An Bình's desktops, 2. With 3 more packages, money is 9 M in all, 7 devices are
    # stock: 11 learners need 4 bought tablets (8 M) and 2 bought packages (1 M), so one more
    # learner fits: a tablet bought for band 3 in An Bình (its 0.5 M and 1.5 M general) frees its
    # second desktop for the grade-11 orphan of band 5.
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=5 * M,
        devices={"tablet": {"unit_cost_vnd": 2 * M, "grades": [1, 9], "in_stock": 2},
                 "laptop": {"unit_cost_vnd": 2_500_000, "grades": [6, 12], "in_stock": 1},
                 "desktop": {"unit_cost_vnd": 2_500_000, "in_stock": 1}},
        data_package={"monthly_cost_vnd": 50_000, "months": 10, "in_stock": more_packages},
        earmarks=[{"district": "An Bình", "budget_vnd": M // 2, "devices": {"desktop": 2}},
                  {"district": "Bình Hòa", "budget_vnd": 3_500_000, "devices": {"tablet": 1}}],
        policy={"mode": "strict", "within_band": "max_count"})
    table = table_of(("A1", 8, "covid_orphan", 5, 5), ("A1", 9, "near_poor", 2, 0), ("A1", 11, "covid_orphan", 5, 2),
                     ("B2", 5, "near_poor", 4, 1), ("B2", 9, "poor", 5, 2), ("C3", 3, "near_poor", 4, 2),
                     ("C3", 8, "poor", 5, 5))
    assert band_totals(solve(scenario, table)) == expected == reference(scenario, table)[0]


@settings(PROFILE, max_examples=max(10, PROFILE.max_examples // 2))
@given(instances("max_count"), st.sampled_from([0.2, 0.3, 0.5]))
def test_district_floors_then_the_lexicographic_integer_optimum(instance, floor):
    # District floors in whole learners (the floor times the district's learners some device
    # suits, rounded up) are held first, then each band at its integer optimum. Compared with the
    # reference wherever a whole plan can meet every floor (then so can the LP, whose floors are
    # the same); elsewhere the LP lowers some floors and the whole targets differ.
    scenario, table = instance
    scenario = scenario.model_copy(update={"fairness": Fairness(district_floor=floor)})
    found = reference(scenario, table, floor)
    if found is None:
        return
    result = solve(scenario, table)
    assert band_totals(result) == found[0]
    assert result.summary["solver"]["whole_devices"]["not_proved_bands"] == []


@st.composite
def big_bands(draw):
    """Band 1 of 13 to 18 groups (the three districts' poor of grade 9, of grades 10-12, near-poor of
    grade 12, with and without internet) and a few learners of band 2, under equal_rate."""
    rows = []
    for code in CODES:
        for grade, status in ((9, "poor"), (10, "poor"), (12, "near_poor")):
            pupils = draw(st.integers(2, 4))
            rows.append((code, grade, status, pupils, draw(st.integers(1, pupils - 1))))
    keep = draw(st.integers(7, 9))
    rows = rows[:keep] + [(draw(st.sampled_from(CODES)), 5, "poor", draw(st.integers(1, 4)), 0)]
    scenario, _ = draw(instances("equal_rate"))
    return scenario, table_of(*rows)


@pytest.mark.parametrize("pools", ["in every district", "in some districts"])
@settings(PROFILE, max_examples=max(6, PROFILE.max_examples // 10))  # benchmarks/exact_search.py runs more
@given(big_bands())
def test_equal_rate_is_the_leximin_best_whole_plan_in_bands_of_more_than_12_groups(pools, instance):
    # With a pool of its own in every district (a 1 VND earmark) no area can merge; with free
    # districts, bands of at most 24 groups keep them apart (``exact.leximin_apart``). Either way
    # each band's sorted group rates equal the reference's (``_reference_leximin``), and so do its
    # learners (the most at those rates), band after band, proved.
    scenario, table = instance
    if pools == "in every district":
        held = {e.district for e in scenario.earmarks}
        scenario = scenario.model_copy(update={"earmarks": [*scenario.earmarks, *(
            Earmark(district=NAMES[code], budget_vnd=1) for code in CODES if NAMES[code] not in held)]})
    result = solve(scenario, table)
    assert band_order(result, scenario, table) == reference(scenario, table, leximin=True)
    assert result.summary["solver"]["whole_devices"]["not_proved_bands"] == []


@settings(PROFILE, max_examples=max(6, PROFILE.max_examples // 10))
@given(big_bands())
def test_equal_rate_with_merged_districts_is_never_above_the_optimum_and_says_when_not_proved(instance):
    # Free districts merged into one column per kind of group (as in bands of more than 24 groups,
    # forced here): the plan is leximin-best over the columns, which is not proved over the
    # districts' own groups (``exact.merged_leximin_bands``). It never passes the reference, equals
    # it wherever it says every band is proved, and says so from the first band it falls short.
    scenario, table = instance
    with patch.object(exact, "KEEP_APART_UP_TO", 0):
        result = solve(scenario, table)
    found, best = band_order(result, scenario, table), reference(scenario, table, leximin=True)
    assert found <= best
    first = next((band for band, (ours, theirs) in enumerate(zip(found, best), start=1) if ours != theirs), None)
    if first is not None:  # the first band below the optimum is one the summary reports
        assert first in result.summary["solver"]["whole_devices"]["not_proved_bands"]


@pytest.mark.parametrize("budget", [0, 10**12])
def test_merged_bands_covered_in_full_or_not_at_all_are_proved_over_the_districts(budget):
    # Free districts merged, equal_rate, the same kinds of group in several districts: with no money
    # and no stock nobody can be covered; with money for everyone everybody is. Either way the plan
    # is the districts' leximin optimum and the summary says every band is proved.
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=budget,
        devices={"tablet": {"unit_cost_vnd": 2 * M, "grades": [1, 9]}, "laptop": {"unit_cost_vnd": 5 * M}},
        data_package={"monthly_cost_vnd": 50_000, "months": 10},
        policy={"mode": "strict", "within_band": "equal_rate"})
    table = table_of(("A1", 9, "poor", 3, 1), ("B2", 9, "poor", 2, 0), ("C3", 10, "poor", 4, 2),
                     ("A1", 10, "poor", 1, 0), ("B2", 11, "near_poor", 3, 3), ("C3", 5, "near_poor", 2, 1))
    with patch.object(exact, "KEEP_APART_UP_TO", 0):  # merged, as in bands of more than 24 groups
        result = solve(scenario, table)
    assert result.summary["covered"] == (0 if budget == 0 else 15)
    assert band_order(result, scenario, table) == reference(scenario, table, leximin=True)
    assert result.summary["solver"]["whole_devices"]["not_proved_bands"] == []


@settings(PROFILE)
@given(st.lists(st.integers(1, 7), min_size=1, max_size=5).flatmap(
    lambda sizes: st.tuples(st.just(sizes), st.integers(0, sum(sizes)))))
def test_a_groups_units_are_split_leximin_best_over_its_cells(case):
    # Against every split of the units over the cells (at most one unit a learner).
    sizes, total = case
    best = max(sorted(Fraction(y, p) for y, p in zip(ys, sizes))
               for ys in itertools.product(*(range(p + 1) for p in sizes)) if sum(ys) == total)
    split = leximin_split(total, sizes)
    assert sum(split) == total and all(0 <= y <= p for y, p in zip(split, sizes))
    assert sorted(Fraction(y, p) for y, p in zip(split, sizes)) == best


def _seed_313() -> tuple[sim.Scenario, pd.DataFrame]:
    """Found by benchmarks/exact_search.py (seed 313). An Bình: 4 poor learners of grade 10; Bình
    Hòa: 1 poor learner of grade 12. Stock: 2 laptops and 2 desktops; Bình Hòa's earmark 2.5 M
    (and 2 tablets, which do not suit grade 12), general budget 1 M."""
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=M,
        devices={"tablet": {"unit_cost_vnd": 2 * M, "grades": [1, 9], "in_stock": 3},
                 "laptop": {"unit_cost_vnd": 2_500_000, "grades": [6, 12], "in_stock": 2},
                 "desktop": {"unit_cost_vnd": 2 * M, "in_stock": 2}},
        data_package={"monthly_cost_vnd": 0, "months": 10, "in_stock": 2},
        earmarks=[{"district": "Bình Hòa", "budget_vnd": 2_500_000, "devices": {"tablet": 2}},
                  {"district": "Cẩm Lý", "budget_vnd": 3_500_000, "devices": {"laptop": 1}}],
        policy={"mode": "strict", "within_band": "max_count"})
    return scenario, table_of(("A1", 10, "poor", 4, 3), ("B2", 12, "poor", 1, 0))


def test_a_rounded_plan_that_reaches_every_band_still_buys_no_dearer_device():
    # Band 1 is covered in full, as the LP says, so rounding was taken as proved; but it bought
    # Bình Hòa a 2.5 M laptop where a 2 M desktop suits the same learner. The plan reaching every
    # band must also spend the least.
    scenario, table = _seed_313()
    result = solve(scenario, table)
    assert band_totals(result) == {1: 5, 2: 0, 3: 0, 4: 0, 5: 0} == reference(scenario, table)[0]
    assert result.summary["spent_vnd"] == 2 * M == reference(scenario, table)[2]
    binh_hoa = result.allocation[result.allocation["district"] == "Bình Hòa"]
    assert binh_hoa.set_index("device")["devices"].to_dict().get("desktop") == 1


def test_the_printed_summary_says_whether_the_whole_plan_is_proved_the_best():
    # The line after the money: proved in every band (seed 313's plan, MILPs and all), or not from
    # the first band the summary lists on (Long An's baseline: free districts merged, equal_rate).
    import json
    from pathlib import Path

    from sim.views import i18n
    from sim.views.text import summary_text

    proved = solve(*_seed_313()).summary
    assert proved["solver"]["whole_devices"]["not_proved_bands"] == []
    baseline = json.loads((Path(__file__).parent / "expected" / "baseline" / "summary.json").read_text(encoding="utf-8"))
    assert baseline["solver"]["whole_devices"]["not_proved_bands"] == [1, 2, 3, 4, 5]
    baseline["seconds"] = 0.7  # kept out of the expected file (it differs between runs)
    before = i18n.get_language()
    try:
        i18n.set_language("vi")
        assert "Máy nguyên chiếc: đã chứng minh là kế hoạch nguyên tốt nhất ở mọi nhóm ưu tiên." in summary_text(proved)
        assert "Máy nguyên chiếc: từ nhóm 1 trở đi, kế hoạch chưa được chứng minh" in summary_text(baseline)
        i18n.set_language("en")
        assert "Whole devices: proved the best whole plan in every priority band." in summary_text(proved)
        assert "Whole devices: from band 1 on, the plan is not proved the best whole plan" in summary_text(baseline)
    finally:
        i18n.set_language(before)
