"""Invariants of every plan, on random small scenarios (hypothesis)."""

from __future__ import annotations

import os

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.core.rules import HIGHER_LEVEL, STATUSES, band_of, grade_label

M = 1_000_000
AREAS = pd.DataFrame({"code": ["A1", "B2"], "name": ["An Bình", "Bình Hòa"], "type": ["", ""],
                      "population": pd.array([None, None], dtype="Int64"), "lat": [None, None], "lon": [None, None]})
NAMES = dict(zip(AREAS["code"], AREAS["name"]))
PROFILE = settings(max_examples=int(os.environ.get("SIM_HYPOTHESIS_EXAMPLES", 60)), deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])


@st.composite
def students(draw) -> pd.DataFrame:
    rows = {}
    for _ in range(draw(st.integers(1, 6))):
        key = (draw(st.sampled_from(["A1", "B2"])), draw(st.sampled_from([3, 9, 10, 12, HIGHER_LEVEL])),
               draw(st.sampled_from(STATUSES)))
        pupils = draw(st.integers(0, 8))
        rows[key] = (pupils, draw(st.integers(0, pupils)))
    frame = pd.DataFrame([(*k, *v) for k, v in sorted(rows.items())],
                         columns=["area", "grade", "status", "pupils", "without_internet"])
    return frame


@st.composite
def scenarios(draw) -> sim.Scenario:
    earmarks = []
    if draw(st.booleans()):
        earmarks.append({"district": "Bình Hòa", "budget_vnd": draw(st.integers(0, 10)) * M,
                         "devices": {"tablet": draw(st.integers(0, 3))}, "data_packages": draw(st.integers(0, 2))})
    policy = draw(st.sampled_from([{"mode": "strict", "within_band": "equal_rate"},
                                   {"mode": "strict", "within_band": "max_count"},
                                   {"mode": "weighted"}]))
    return sim.Scenario(
        areas="areas.csv", students="students.csv",
        budget_vnd=draw(st.integers(0, 80)) * M // 2,
        devices={"tablet": {"unit_cost_vnd": draw(st.sampled_from([1, 2, 3])) * M, "grades": [1, 9],
                            "in_stock": draw(st.integers(0, 6))},
                 "desktop": {"unit_cost_vnd": draw(st.sampled_from([2, 4, 5])) * M, "in_stock": draw(st.integers(0, 3))}},
        data_package={"monthly_cost_vnd": draw(st.sampled_from([0, 50_000, 100_000])), "months": 10,
                      "in_stock": draw(st.integers(0, 4))},
        earmarks=earmarks, policy=policy)


def solve(scenario: sim.Scenario, table: pd.DataFrame) -> sim.Result:
    return sim.solve(scenario, areas=AREAS, students=table, compare=False)


def prices(scenario: sim.Scenario) -> dict[str, int]:
    out = {d: v.unit_cost_vnd for d, v in scenario.devices.items()}
    out["data_package"] = scenario.data_package.unit_cost_vnd
    return out


@PROFILE
@given(scenarios(), students())
def test_money_and_stock_are_never_exceeded(scenario, table):
    s = solve(scenario, table).summary
    price = prices(scenario)
    assert 0 <= s["spent_general_vnd"] <= scenario.budget_vnd
    assert s["cash_left_vnd"] == scenario.budget_vnd - s["spent_general_vnd"]
    earmark = {m.district: m for m in scenario.earmarks}
    for row in s["by_district"]:
        mark = earmark.get(row["district"])
        assert row["earmarked_cash_vnd"] <= (mark.budget_vnd if mark else 0)
        assert row["earmarked_cash_vnd"] + row["general_cash_vnd"] == row["spent_vnd"]
        assert row["spent_vnd"] == sum(price[i] * n for i, n in row["bought"].items())
        for item, n in row["from_earmarked_stock"].items():
            kept = (mark.data_packages if item == "data_package" else mark.devices.get(item, 0)) if mark else 0
            assert n <= kept
    general = {"tablet": scenario.devices["tablet"].in_stock, "desktop": scenario.devices["desktop"].in_stock,
               "data_package": scenario.data_package.in_stock}
    for item, stock in general.items():
        assert sum(r["from_general_stock"].get(item, 0) for r in s["by_district"]) <= stock
        assert s["given"][item] == s["bought"][item] + s["from_stock"][item]
        assert s["stock_left"][item] >= 0


@PROFILE
@given(scenarios(), students())
def test_plan_is_consistent_and_within_need(scenario, table):
    result = solve(scenario, table)
    coverage, allocation = result.coverage, result.allocation
    assert (coverage["covered"] <= coverage["pupils"]).all() and (coverage["covered"] >= 0).all()
    handed = allocation.groupby(["district", "grade", "status"])["devices"].sum()
    for row in coverage.itertuples():
        assert handed.get((row.district, row.grade, row.status), 0) == row.covered
    tablet_grades = {grade_label(g) for g in range(1, 10)}
    assert set(allocation.loc[allocation["device"] == "tablet", "grade"]) <= tablet_grades
    offline = result.summary["without_internet"]
    assert allocation["data_packages"].sum() == offline["covered"] <= offline["pupils"]
    assert (allocation["data_packages"] <= allocation["devices"]).all()


@PROFILE
@given(scenarios(), students())
def test_nothing_left_could_cover_one_more_learner(scenario, table):
    """Independent of the planner's own bookkeeping: with the money and stock it reports left,
    no learner it left out could be given a suitable device (and a package if offline)."""
    result = solve(scenario, table)
    s = result.summary
    price = prices(scenario)
    kept_left = {}
    for mark in scenario.earmarks:
        row = next((r for r in s["by_district"] if r["district"] == mark.district), None)
        used = row["from_earmarked_stock"] if row else {}
        kept_left[mark.district] = {"tablet": mark.devices.get("tablet", 0) - used.get("tablet", 0),
                                    "data_package": mark.data_packages - used.get("data_package", 0)}
    general_left = {i: s["stock_left"][i] - sum(k.get(i, 0) for k in kept_left.values()) for i in price}
    for row in result.coverage.itertuples():
        if row.covered == row.pupils:
            continue
        area = {v: k for k, v in NAMES.items()}[row.district]
        level = HIGHER_LEVEL if row.grade == "higher" else int(row.grade)
        kept = kept_left.get(row.district, {})
        money = s["cash_left_vnd"] + s["earmark_left_vnd"].get(row.district, 0)

        def cost(item: str) -> int:
            return 0 if general_left[item] > 0 or kept.get(item, 0) > 0 else price[item]

        needs_package = _only_offline_left_out(result, row, area, level)
        for device, spec in scenario.devices.items():
            if spec.suits(level):
                assert cost(device) + (cost("data_package") if needs_package else 0) > money, (row, device, money)


def _only_offline_left_out(result: sim.Result, row, area: str, level: int) -> bool:
    """Are all the learners this coverage row left out without internet (so they need a package)?"""
    cells = result.inputs.cells
    mine = cells[(cells["area"] == area) & (cells["grade"] == level) & (cells["status"] == row.status)]
    covered = result.plan.covered
    return all(off for i, p, off in zip(mine.index, mine["pupils"], mine["offline"]) if covered[i] < p)


@PROFILE
@given(scenarios(), students(), st.integers(1, 20))
def test_more_money_never_lowers_an_earlier_band(scenario, table, extra):
    before = solve(scenario, table).summary["covered_by_band"]
    richer = scenario.with_changes(budget_vnd=scenario.budget_vnd + extra * M // 2)
    after = solve(richer, table).summary["covered_by_band"]
    vector = lambda d: [d[str(b)] for b in sim.BANDS]  # noqa: E731
    if scenario.policy.mode == "strict":
        assert vector(after) >= vector(before)  # lexicographic: the first band that differs gained
    else:
        weights = scenario.policy.weights
        assert sum(weights[b] * after[str(b)] for b in sim.BANDS) >= sum(weights[b] * before[str(b)] for b in sim.BANDS) - max(weights.values())


@PROFILE
@given(scenarios(), students())
def test_strict_order_later_bands_take_nothing_from_earlier_ones(scenario, table):
    """In strict mode band 1 covers exactly as many learners as it would if no other band existed."""
    if scenario.policy.mode != "strict":
        return
    full = solve(scenario, table).summary["covered_by_band"]["1"]
    bands = [band_of(s, g) for s, g in zip(table["status"], table["grade"])]
    alone = table[[b == 1 for b in bands]]
    if alone.empty:
        assert full == 0
        return
    assert solve(scenario, alone.reset_index(drop=True)).summary["covered_by_band"]["1"] == full
