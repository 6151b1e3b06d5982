"""Free areas merged into one LP column (``core.groups``, issue 15 part 2) change no optimum.

On random instances (four districts, some with earmarked money or stock, pools for a band in
every district or in one, devices with grade ranges, learners without internet; ``equal_rate``,
``max_count`` and ``weighted``) the plan with the free areas merged is compared with the plan
without the merge (``group_cells(..., merge_areas=False)``, the model before the merge):

- the LP: the same band totals; under ``equal_rate`` the same coverage rate in every cell;
- whole devices: the same band totals under ``max_count`` and ``weighted`` (the lexicographic
  integer optimum is unique in band totals); every plan payable within the budget and stocks.

And the merge is off where a rule looks at single districts (deliveries, previous plan, fairness).
"""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.core import pipeline
from sim.core.groups import FREE_AREAS, free_areas, group_cells, may_merge_areas, split
from sim.core import whole
from sim.core.inputs import GENERAL, Resources, prepare
from sim.core.model import build_model
from sim.core.rules import HIGHER_LEVEL, STATUSES
from sim.core.solvers import make_solver
from sim.core.steps import Request, optimise

M = 1_000_000
CODES = ["A1", "B2", "C3", "D4"]
AREAS = pd.DataFrame({"code": CODES, "name": ["An Bình", "Bình Hòa", "Cẩm Lý", "Đông Hà"], "type": [""] * 4,
                      "population": pd.array([None] * 4, dtype="Int64"), "lat": [None] * 4, "lon": [None] * 4})
NAMES = dict(zip(AREAS["code"], AREAS["name"]))
PROFILE = settings(max_examples=int(os.environ.get("SIM_HYPOTHESIS_EXAMPLES", 60)), deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
GRADES = [3, 8, 9, 10, 12, HIGHER_LEVEL]
POLICIES = [{"mode": "strict", "within_band": "equal_rate"}, {"mode": "strict", "within_band": "max_count"},
            {"mode": "weighted"}]


@st.composite
def instances(draw, policy: dict | None = None):
    rows = {}
    for _ in range(draw(st.integers(3, 10))):
        key = (draw(st.sampled_from(CODES)), draw(st.sampled_from(GRADES)), draw(st.sampled_from(STATUSES)))
        pupils = draw(st.integers(1, 6))
        rows[key] = (pupils, draw(st.integers(0, pupils)))
    table = pd.DataFrame([(*k, *v) for k, v in sorted(rows.items())],
                         columns=["area", "grade", "status", "pupils", "without_internet"])
    earmarks = []
    for code in draw(st.sets(st.sampled_from(CODES), max_size=2)):  # a district's own pool
        earmarks.append({"district": NAMES[code], "budget_vnd": draw(st.sampled_from([0, 1, 3, 5])) * M,
                         "devices": {draw(st.sampled_from(["tablet", "desktop"])): draw(st.integers(0, 2))},
                         "data_packages": draw(st.integers(0, 2))})
    if draw(st.booleans()):  # a pool for one band, in every district
        earmarks.append({"band": draw(st.integers(1, 4)), "budget_vnd": draw(st.integers(0, 8)) * M,
                         "devices": {"tablet": draw(st.integers(0, 2))}, "data_packages": draw(st.integers(0, 2))})
    if draw(st.integers(0, 3)) == 0:  # a pool for one band in one district
        earmarks.append({"district": NAMES[draw(st.sampled_from(CODES))], "band": draw(st.integers(1, 4)),
                         "budget_vnd": draw(st.integers(1, 6)) * M})
    scenario = sim.Scenario(
        areas="areas.csv", students="students.csv", budget_vnd=draw(st.integers(0, 40)) * M // 2,
        devices={"tablet": {"unit_cost_vnd": draw(st.sampled_from([1, 2, 3])) * M, "grades": [1, 9],
                            "in_stock": draw(st.integers(0, 5))},
                 "laptop": {"unit_cost_vnd": draw(st.sampled_from([3, 5])) * M // 2, "grades": [6, 12],
                            "in_stock": draw(st.integers(0, 2))},
                 "desktop": {"unit_cost_vnd": draw(st.sampled_from([2, 5])) * M, "in_stock": draw(st.integers(0, 3))}},
        data_package={"monthly_cost_vnd": draw(st.sampled_from([0, 50_000, 100_000])), "months": 10,
                      "in_stock": draw(st.integers(0, 4))},
        earmarks=earmarks, policy=policy if policy is not None else draw(st.sampled_from(POLICIES)))
    return prepare(scenario, AREAS, table)


def lp_plan(inputs, merge: bool):
    grouping = group_cells(inputs, merge_areas=merge)
    lp, _ = optimise(build_model(grouping.inputs), Request(), make_solver("highs"))
    return split(lp, grouping, list(inputs.cells["pupils"])), grouping


def by_band(inputs, covered) -> dict[int, float]:
    totals = {b: 0.0 for b in range(1, 6)}
    for band, y in zip(inputs.cells["band"], covered):
        totals[int(band)] += y
    return totals


def whole_plan(inputs, merge: bool, monkeypatch):
    monkeypatch.setattr(pipeline, "may_merge_areas", lambda *args: merge)
    return pipeline.plan_whole(inputs)


def within_money_and_stock(inputs, plan) -> None:
    accounts = plan.plan.accounts
    res = inputs.resources
    assert accounts.payable and 0 <= accounts.general_cash_vnd <= res.cash
    for item, n in accounts.stock_used.items():
        assert 0 <= n <= res.stock[item]
    for pool in res.pools():
        spent = accounts.pools[pool.scope]
        assert spent.cash_spent_vnd <= pool.cash
        assert all(spent.from_stock[i] <= pool.stock[i] for i in res.items)
    for c, n in enumerate(plan.plan.covered):
        assert 0 <= n <= inputs.cells["pupils"][c]


@PROFILE
@given(instances())
def test_the_lp_over_merged_free_areas_has_the_same_optimum(inputs):
    merged, grouping = lp_plan(inputs, merge=True)
    unmerged, _ = lp_plan(inputs, merge=False)
    assert grouping.merged_areas
    ours, theirs = by_band(inputs, merged.covered), by_band(inputs, unmerged.covered)
    for band in theirs:
        assert ours[band] == pytest.approx(theirs[band], abs=1e-5)
    if inputs.scenario.policy.within_band.value == "equal_rate" and inputs.scenario.policy.mode.value == "strict":
        for c, pupils in enumerate(inputs.cells["pupils"]):  # leximin rates are unique: every cell's agrees
            assert merged.covered[c] / pupils == pytest.approx(unmerged.covered[c] / pupils, abs=1e-5)


@PROFILE
@given(instances())
def test_whole_devices_over_merged_free_areas_reach_the_same_band_totals(inputs):
    with pytest.MonkeyPatch.context() as monkeypatch:
        merged = whole_plan(inputs, True, monkeypatch)
        unmerged = whole_plan(inputs, False, monkeypatch)
    within_money_and_stock(inputs, merged)
    within_money_and_stock(inputs, unmerged)
    policy = inputs.scenario.policy
    if policy.mode.value == "weighted":
        weights = policy.weights
        total = {k: sum(weights[b] * n for b, n in by_band(inputs, p.plan.covered).items())
                 for k, p in (("merged", merged), ("unmerged", unmerged))}
        assert total["merged"] == pytest.approx(total["unmerged"], abs=1e-9)
    elif policy.within_band.value == "max_count":
        assert by_band(inputs, merged.plan.covered) == by_band(inputs, unmerged.plan.covered)


def test_free_areas_are_those_with_no_pool_of_their_own():
    table = pd.DataFrame([(a, 9, "poor", 3, 1) for a in CODES],
                         columns=["area", "grade", "status", "pupils", "without_internet"])
    scenario = sim.Scenario(areas="areas.csv", students="students.csv", budget_vnd=10 * M,
                            devices={"tablet": {"unit_cost_vnd": M}},
                            earmarks=[{"district": NAMES["A1"], "budget_vnd": M}, {"band": 1, "budget_vnd": M},
                                      {"district": NAMES["C3"], "band": 2, "devices": {"tablet": 1}}])
    inputs = prepare(scenario, AREAS, table)
    assert free_areas(inputs) == {"B2", "D4"}
    grouping = group_cells(inputs, merge_areas=True)
    assert list(grouping.inputs.cells["area"]).count(FREE_AREAS) == 2  # online and offline learners of B2 + D4
    assert [sorted(m) for m in grouping.members if len(m) > 1] == [[2, 6], [3, 7]]
    assert not group_cells(inputs).merged_areas and FREE_AREAS not in set(group_cells(inputs).inputs.cells["area"])


def test_long_an_by_district_merges_its_fourteen_free_districts():
    inputs = prepare(sim.load_scenario("data/scenarios/baseline.yaml"))
    assert len(free_areas(inputs)) == 14  # every district but Đức Huệ, which has an earmark
    merged, unmerged = group_cells(inputs, merge_areas=True), group_cells(inputs)
    assert len(merged.inputs.cells) < len(unmerged.inputs.cells) / 4
    assert sorted(c for members in merged.members for c in members) == list(range(len(inputs.cells)))


def test_the_merge_is_off_when_a_rule_looks_at_single_districts():
    scenario = sim.load_scenario("data/scenarios/baseline.yaml")
    inputs = prepare(scenario)
    assert may_merge_areas(inputs)
    assert not may_merge_areas(inputs, delivered={("80101", "tablet"): 1})
    assert not may_merge_areas(inputs, previous={})
    fair = prepare(scenario.with_changes(fairness={"district_floor": 0.3}))
    assert not may_merge_areas(fair)


def test_deliveries_in_a_free_district_are_kept(monkeypatch):
    """Deliveries are a floor per district: with the merge on they would be lost in the merged
    column (its area is no district), so a plan with deliveries must not merge."""
    table = pd.DataFrame([("A1", 9, "poor", 4, 0), ("B2", 9, "poor", 4, 0), ("C3", 9, "poor", 4, 0)],
                         columns=["area", "grade", "status", "pupils", "without_internet"])
    scenario = sim.Scenario(areas="areas.csv", students="students.csv", budget_vnd=3 * M,
                            devices={"tablet": {"unit_cost_vnd": M}},
                            policy={"mode": "strict", "within_band": "max_count"})
    delivered = {("C3", "tablet"): 3}
    result = sim.solve(scenario, areas=AREAS, students=table, compare=False, delivered=delivered)
    assert result.allocation.groupby("district")["devices"].sum().get(NAMES["C3"], 0) >= 3


# ---------------------------------------------------------------- the accounts, identical or exact

ITEMS = ["tablet", "desktop", "data_package"]


@st.composite
def pools_and_use(draw):
    """Resources over four areas (some with earmarks, maybe a band pool) and units used per segment."""
    units = st.integers(0, 4)
    banded = draw(st.booleans())
    res = Resources(
        cash=draw(st.integers(0, 100)), price={i: draw(st.integers(0, 4)) for i in ITEMS},
        stock={i: draw(units) for i in ITEMS},
        earmarked_cash={a: draw(st.integers(0, 6)) for a in draw(st.sets(st.sampled_from(CODES), max_size=2))},
        earmarked_stock={a: {i: draw(units) for i in ITEMS} for a in draw(st.sets(st.sampled_from(CODES), max_size=2))},
        band_cash={(None, 1): draw(st.integers(0, 6))} if banded else {},
        band_stock={(None, 2): {i: draw(units) for i in ITEMS}} if banded else {})
    segments = [(a, b) for a in CODES for b in (1, 2)] if banded else CODES
    used = {s: {i: draw(st.integers(0, 3)) for i in ITEMS} for s in segments}
    return res, used


@PROFILE
@given(pools_and_use())
def test_drawing_for_areas_without_pools_together_finds_the_same_money(case):
    res, used = case
    together = whole.exact_account(used, res)
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(whole, "_alike", lambda segments, res: {s: s for s in segments})
        apart = whole.exact_account(used, res)
    assert (together is None) == (apart is None)
    if together is not None:
        # the least money spent within the budget (the general money is only held within the budget)
        assert sum(a.spend_vnd for a in together.areas.values()) == sum(a.spend_vnd for a in apart.areas.values())
        assert together.payable and together.general_cash_vnd <= res.cash
        for scope, spent in together.pools.items():  # no pool gives more than it has
            pool = next(p for p in res.pools() if p.scope == scope)
            assert spent.cash_spent_vnd <= pool.cash or scope == (None, None)
            assert all(spent.from_stock[i] <= pool.stock[i] for i in ITEMS)
        for area, acc in together.areas.items():  # every unit used is drawn or bought
            got = {i: 0 for i in ITEMS}
            for s, units in used.items():
                if (s[0] if isinstance(s, tuple) else s) == area:
                    for i in ITEMS:
                        got[i] += units[i]
            assert all(acc.from_stock[i] + acc.from_earmark[i] + acc.from_reserved[i] + acc.bought[i] == got[i]
                       for i in ITEMS)


def _attribute_unit_by_unit(bought, payers, res, pools) -> None:
    """``whole._attribute`` as it was, one unit at a time: the reference for the runs."""
    paid, spent = 0, 0
    queue = [(scope, vnd) for scope, vnd in payers if vnd > 0]
    for item in whole._dear_first(res):
        for _ in range(bought.get(item, 0)):
            while queue and spent >= paid + queue[0][1]:
                paid += queue.pop(0)[1]
            scope = queue[0][0] if queue else GENERAL
            pools[scope].bought[item] = pools[scope].bought.get(item, 0) + 1
            spent += res.price[item]


@PROFILE
@given(pools_and_use(), st.lists(st.integers(0, 12), min_size=3, max_size=3))
def test_units_credited_in_runs_as_one_by_one(case, vnd):
    res, used = case
    bought = next(iter(used.values()))
    payers = list(zip([(CODES[0], None), (None, 1), (CODES[1], None)], vnd))
    runs, units = whole._pool_accounts(res), whole._pool_accounts(res)
    for scope in [s for s, _ in payers]:
        runs.setdefault(scope, whole.PoolAccount(scope, 0, {i: 0 for i in ITEMS}, {i: 0 for i in ITEMS}))
        units.setdefault(scope, whole.PoolAccount(scope, 0, {i: 0 for i in ITEMS}, {i: 0 for i in ITEMS}))
    whole._attribute(bought, payers, res, runs)
    _attribute_unit_by_unit(bought, payers, res, units)
    assert {s: p.bought for s, p in runs.items()} == {s: p.bought for s, p in units.items()}


# ---------------------------------------------------------------- the hand-out's memo of failed trials

def _rounded(inputs, merge: bool, memo: bool, monkeypatch):
    monkeypatch.setattr(whole, "REMEMBER_FAILED_TRIALS", memo)
    grouping = group_cells(inputs, merge_areas=merge)
    lp, _ = optimise(build_model(grouping.inputs), Request(), make_solver("highs"))
    if merge:
        return whole.round_to_whole(grouping.inputs, lp)
    return whole.round_to_whole(inputs, split(lp, grouping, list(inputs.cells["pupils"])))


@PROFILE
@given(instances(), st.booleans())
def test_remembering_failed_trials_changes_no_rounding(inputs, merge):
    with pytest.MonkeyPatch.context() as monkeypatch:
        fast = _rounded(inputs, merge, True, monkeypatch)
        slow = _rounded(inputs, merge, False, monkeypatch)
    assert fast.units == slow.units and fast.covered == slow.covered


@pytest.mark.parametrize("scenario", ["baseline", "tayninh2025"])
@pytest.mark.parametrize("merge", [True, False])
def test_remembering_failed_trials_changes_no_rounding_of_the_bundled_scenarios(scenario, merge, monkeypatch):
    inputs = prepare(sim.load_scenario(f"data/scenarios/{scenario}.yaml"))
    fast = _rounded(inputs, merge, True, monkeypatch)
    slow = _rounded(inputs, merge, False, monkeypatch)
    assert fast.units == slow.units and fast.covered == slow.covered
