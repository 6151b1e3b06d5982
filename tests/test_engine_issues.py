"""The five problems of the "one planning engine" issue, each on the smallest case that showed it."""

from __future__ import annotations

import sim
from sim.ledger.donations import Donation
from sim.ledger.replan import replan
from sim.ledger.store import Ledger, Sourced
from tests.conftest import covered, student

M = 1_000_000


def floor_case(case, **settings):
    # An Bình: 10 band-1 learners (poor, grade 10); Bình Hòa: 10 band-2 learners (poor, grade 5).
    # Desktops at 1 M; 10 M to share; every district at least 50% of its learners.
    # Band 1 first would give An Bình 10 and Bình Hòa 0; the floor is held first, so each district
    # gets 5 (10 M for 10 desktops): 5 + 5.
    return case([student("An Bình", 10, "poor", 10), student("Bình Hòa", 5, "poor", 10)],
                devices={"desktop": {"unit_cost_vnd": M}}, fairness={"district_floor": 0.5}, **settings)


def test_1_the_fairness_section_holds_in_every_replan(case, tmp_path):
    scenario = floor_case(case, budget_vnd=0)
    funded = floor_case(case, budget_vnd=10 * M)
    run = sim.solve(funded)
    assert (covered(run, district="An Bình"), covered(run, district="Bình Hòa")) == (5, 5)
    with Ledger(tmp_path / "l.sqlite", create=True) as ledger:
        ledger.record([Sourced(Donation("G1", "2026-11-24", "Công ty", "cash", "", 0, 10 * M, "", None, "received"),
                               "test")])
        versions = [replan(scenario, ledger) for _ in range(3)]
    for done in versions:  # the rule, and its report, in every version: the same plan as `sim run`
        assert "fairness" in done.result.summary
        assert (covered(done.result, district="An Bình"), covered(done.result, district="Bình Hòa")) == (5, 5)
        assert done.result.allocation.equals(run.allocation)
    assert versions[2].result.summary["previous_plan"]["devices_changed"] == 0


def test_1_deliveries_and_a_previous_plan_keep_the_fairness_rules(case):
    scenario = floor_case(case, budget_vnd=10 * M)
    run = sim.solve(scenario)
    for kept in (dict(delivered={("An Bình", "desktop"): 2}), dict(previous=run),
                 dict(delivered={("An Bình", "desktop"): 2}, previous=run)):
        again = sim.solve(scenario, **kept)
        assert again.summary["fairness"]["min_district_rate"] == 0.5, kept
        assert again.summary["fairness"]["unmet"] == []


def test_2_a_replan_with_nothing_new_moves_nothing(case):
    # Equal rates over two districts' four cells (band 2), with ties for rounding to break. LP: every cell at
    # rate t, 2 M a tablet (one donated), 0.6 M a package for the 5 without internet: 31 t - 2 = 9,
    # t = 11/31, 4.97 learners; whole: 4 tablets (1 donated, 3 bought: 6 M), packages, < 2 M left.
    scenario = case([student("An Bình", 3, "poor", 7, 3), student("Bình Hòa", 4, "poor", 7, 2)],
                    budget_vnd=9 * M, devices={"tablet": {"unit_cost_vnd": 2 * M, "grades": [1, 9], "in_stock": 1}},
                    data_package={"monthly_cost_vnd": 50_000, "months": 12})
    first = sim.solve(scenario)
    second = sim.solve(scenario, previous=first)
    third = sim.solve(scenario, previous=second)
    assert second.allocation.equals(first.allocation) and third.allocation.equals(second.allocation)
    assert third.summary["previous_plan"] == {"devices": {"An Bình": {"tablet": 2}, "Bình Hòa": {"tablet": 2}},
                                              "devices_changed": 0, "kept_unchanged": True}


def test_5_a_rule_across_districts_says_it_acts_band_by_band(case):
    # Band 1 only in An Bình, band 2 only in Bình Hòa: max-min acts inside each band, so the overall
    # worst district can stay low; the summary shows the per-band figures the rule raised.
    scenario = case([student("An Bình", 10, "poor", 4), student("An Bình", 5, "poor", 4),
                     student("Bình Hòa", 5, "poor", 8)],
                    budget_vnd=8 * M, devices={"desktop": {"unit_cost_vnd": M}}, fairness={"rule": "maxmin"})
    fairness = sim.solve(scenario).summary["fairness"]
    assert fairness["acts_on"] == "per_band"
    # band 1: An Bình's 4 (100%); band 2: 4 M for 12 learners, 1/3 each: An Bình 1.33 -> whole devices
    assert fairness["per_band"]["1"]["rates"] == {"An Bình": 1.0}
    assert set(fairness["per_band"]["2"]["rates"]) == {"An Bình", "Bình Hòa"}
    weighted = sim.solve(scenario.with_changes(policy={"mode": "weighted"})).summary["fairness"]
    assert weighted["acts_on"] == "overall"
