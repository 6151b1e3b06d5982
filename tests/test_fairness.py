"""Fairness rules across districts: small cases solved by hand, scenario keys, reports, metrics."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.cli.main import main
from sim.results.metrics import gini, max_min_ratio
from tests.conftest import BASELINE, student
from tests.test_properties import PROFILE

M = 1_000_000
TABLETS = {"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}}  # no device suits higher education
DATA = {"monthly_cost_vnd": 100_000, "months": 10}  # 1 M per learner without internet
THREE = [{"code": c, "name": n, "type": "", "population": "", "lat": "", "lon": ""}
         for c, n in (("1", "Một"), ("2", "Hai"), ("3", "Ba"))]


def by_district(result: sim.Result) -> dict[str, int]:
    table = result.coverage_by("district")
    return dict(zip(table["district"], table["covered"]))


def two_districts(case, fairness, budget=12 * M, **settings):
    """An Bình: 10 poor pupils of grade 3 (a tablet, 1 M) and 10 poor students in higher education
    (no device suits them); Bình Hòa: 10 poor pupils of grade 3 without internet (tablet and data,
    2 M). All are band 2. Rates: An Bình y_A / 20, Bình Hòa y_B / 10; money y_A + 2 y_B <= budget."""
    return sim.solve(case([student("An Bình", 3, "poor", 10), student("An Bình", "higher", "poor", 10),
                           student("Bình Hòa", 3, "poor", 10, without_internet=10)],
                          budget_vnd=budget, devices=TABLETS, data_package=DATA, fairness=fairness, **settings),
                     compare=False)


@pytest.mark.parametrize("fairness, expected", [
    # No rule: equal rates over groups: 10t + 20t = 12, t = 0.4: 4 and 4 (district rates 20% and 40%).
    ({}, {"An Bình": 4, "Bình Hòa": 4}),
    # Max-min over district rates: 20t + 2 * 10t = 12, t = 0.3: 6 and 3 (both 30%).
    ({"rule": "maxmin"}, {"An Bình": 6, "Bình Hòa": 3}),
    ({"rule": "leximin"}, {"An Bình": 6, "Bình Hòa": 3}),
    # alpha = 0 covers the most learners: the cheaper pupils of An Bình first (10 M), 1 in Bình Hòa.
    ({"rule": "alpha", "alpha": 0}, {"An Bình": 10, "Bình Hòa": 1}),
    # alpha = 1: maximise 20 ln(y_A / 20) + 10 ln(y_B / 10): 20 / y_A = lambda, 10 / y_B = 2 lambda,
    # so y_A = 4 y_B and 6 y_B = 12: 8 and 2 (rates 40% and 20%, both corners of the linear pieces).
    ({"rule": "alpha", "alpha": 1}, {"An Bình": 8, "Bình Hòa": 2}),
    # alpha = 5: r_A / r_B = 2^(1/5); the 5-point pieces put it at the max-min plan.
    ({"rule": "alpha", "alpha": 5}, {"An Bình": 6, "Bình Hòa": 3}),
    # A floor of 30%: 6 (6 M) and 3 (6 M) use the whole budget.
    ({"district_floor": 0.3}, {"An Bình": 6, "Bình Hòa": 3}),
])
def test_two_districts_under_each_rule(case, fairness, expected):
    result = two_districts(case, fairness)
    assert by_district(result) == expected
    assert result.summary["cash_left_vnd"] == 0
    assert result.summary["fairness"]["unmet"] == []


def test_weighted_mode_applies_the_rule_to_overall_rates(case):
    result = two_districts(case, {"rule": "maxmin"}, policy={"mode": "weighted"})
    assert by_district(result) == {"An Bình": 6, "Bình Hòa": 3}


def test_gap_cap(case):
    # 14 M and a gap of 10 points: Bình Hòa's rate t, An Bình's at least t - 0.1:
    # 2 * 10t + 20(t - 0.1) = 14 gives t = 0.4: 4 in Bình Hòa (40%), 6 in An Bình (30%).
    result = two_districts(case, {"max_gap": 0.1}, budget=14 * M)
    assert by_district(result) == {"An Bình": 6, "Bình Hòa": 4}
    fairness = result.summary["fairness"]
    assert fairness["max_district_rate"] - fairness["min_district_rate"] == pytest.approx(0.1)
    assert fairness["unmet"] == []


def test_floor_the_money_cannot_meet_is_lowered_and_reported(case):
    # 40% needs 8 + 4 learners, 16 M; with 12 M the most both can reach together is 30% (6 and 3).
    result = two_districts(case, {"district_floor": 0.4})
    assert by_district(result) == {"An Bình": 6, "Bình Hòa": 3}
    (unmet,) = result.summary["fairness"]["unmet"]
    assert unmet["rule"] == "district_floor"
    assert (unmet["wanted"], unmet["reached"], unmet["short_by"]) == (0.4, 0.3, 0.1)
    assert unmet["districts"] == {"An Bình": 0.3, "Bình Hòa": 0.3}
    assert "money" in unmet["reason"]


def test_floor_a_district_can_meet_is_met_while_another_cannot(case):
    # Bình Hòa's 5 pupils without internet have an earmark of 10 M; An Bình has 10 pupils of grade 3
    # and only 2 M of general money. A 50% floor: An Bình reaches 2 of 10 (20%), Bình Hòa its whole 50%.
    result = sim.solve(case([student("An Bình", 3, "poor", 10), student("Bình Hòa", 3, "poor", 5, without_internet=5)],
                            budget_vnd=2 * M, devices=TABLETS, data_package=DATA, fairness={"district_floor": 0.5},
                            earmarks=[{"district": "Bình Hòa", "budget_vnd": 10 * M}]), compare=False)
    covered = by_district(result)
    assert covered["An Bình"] == 2 and covered["Bình Hòa"] >= 3  # ceil(50% of 5)
    (unmet,) = result.summary["fairness"]["unmet"]
    assert unmet["districts"] == {"An Bình": 0.2}


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_leximin_raises_the_second_worst_where_maxmin_stops(case, solver):
    # Một: 10 pupils of grade 3 and 10 students no device suits (at most 50%); Hai: 10 of grade 3
    # (1 M); Ba: 10 of grade 3 without internet (2 M); 28 M, all band 2.
    # none: equal group rates 10t + 10t + 20t = 28, t = 0.7: 7, 7, 7 (Một only 35%).
    # maxmin: Một at its 50% (10 learners) and every district held at 50%: 10 + 5 + 10 = 25 M; the
    #   3 M left cover the most learners: Hai's cheaper pupils, 8 and 5.
    # leximin: Một held at 50%; Hai and Ba rise together: 10 + 10t + 20t = 28, t = 0.6: 6 and 6.
    # alpha = 0: the most learners: Một 10, Hai 10 (20 M), then 4 in Ba (8 M).
    rows = [student("Một", 3, "poor", 10), student("Một", "higher", "poor", 10), student("Hai", 3, "poor", 10),
            student("Ba", 3, "poor", 10, without_internet=10)]
    expected = {"none": [7, 7, 7], "maxmin": [10, 8, 5], "leximin": [10, 6, 6], "alpha": [10, 10, 4]}
    for rule, counts in expected.items():
        result = sim.solve(case(rows, areas=THREE, budget_vnd=28 * M, devices=TABLETS, data_package=DATA,
                                fairness={"rule": rule, "alpha": 0}, solver=solver), compare=False)
        assert list(by_district(result).values()) == counts, rule


def test_gap_never_leaves_money_unused(case):
    # An Bình's students no device suits stay at 0%, so a 10-point cap would hold Bình Hòa at 1 of
    # 10 and leave 4 M unused. The cap is met as far as raising An Bình allows; the rest is handed
    # out in band order and the gap reported.
    result = sim.solve(case([student("An Bình", "higher", "poor", 10), student("Bình Hòa", 3, "poor", 10)],
                            budget_vnd=5 * M, devices=TABLETS, fairness={"max_gap": 0.1}), compare=False)
    assert by_district(result) == {"An Bình": 0, "Bình Hòa": 5}
    assert result.summary["cash_left_vnd"] == 0
    (unmet,) = result.summary["fairness"]["unmet"]
    assert unmet["rule"] == "max_gap" and unmet["reached"] == 0.5 and "could not be raised" in unmet["reason"]


def test_floors_that_spread_the_rates_wider_than_the_gap_cap_come_first(case):
    # An Bình can reach 50% at most (half its learners are students no device suits), Bình Hòa its
    # 80% with 26 M (10 + 2 x 8): the floors are 30 points apart, so a 10-point cap is widened to 30.
    result = two_districts(case, {"district_floor": 0.8, "max_gap": 0.1}, budget=26 * M)
    assert by_district(result) == {"An Bình": 10, "Bình Hòa": 8}
    rules = {u["rule"]: u for u in result.summary["fairness"]["unmet"]}
    assert rules["district_floor"]["districts"] == {"An Bình": 0.5}
    assert "grades no device suits" in rules["district_floor"]["reason"]
    assert rules["max_gap"]["reached"] == pytest.approx(0.3) and "floors" in rules["max_gap"]["reason"]


def test_computer_share_for_upper_secondary(case):
    # 10 pupils of grade 10; tablets (1 M) now suit grades 1-12, desktops 3 M; 12 M; half must get a
    # desktop: desktops >= tablets and tablets + 3 desktops <= 12: 3 of each, 6 learners (not 10 tablets).
    result = sim.solve(case([student("An Bình", 10, "poor", 10)], budget_vnd=12 * M,
                            devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 12]}, "desktop": {"unit_cost_vnd": 3 * M}},
                            fairness={"upper_secondary_computer_share": 0.5}), compare=False)
    assert result.summary["given"] == {"tablet": 3, "desktop": 3, "data_package": 0}
    assert result.summary["fairness"]["price_of_fairness"] == pytest.approx(0.4)  # 10 without the rule


def test_computer_share_without_a_computer_is_a_scenario_error(case):
    with pytest.raises(sim.ScenarioError, match="no laptop or desktop"):
        sim.solve(case([student("An Bình", 10, "poor", 1)], devices={"tablet": {"unit_cost_vnd": M}},
                       fairness={"upper_secondary_computer_share": 0.5}))
    with pytest.raises(sim.ScenarioError, match="Did you mean 'laptop'"):
        sim.solve(case([student("An Bình", 10, "poor", 1)], devices={"laptop": {"unit_cost_vnd": M}},
                       fairness={"upper_secondary_computer_share": 0.5, "computer_devices": ["laptopp"]}))


def baseline_with(tmp_path, extra: str):
    """The baseline scenario file, with its tables' paths made absolute and ``extra`` YAML appended."""
    text = BASELINE.read_text(encoding="utf-8").replace("../longan", str(BASELINE.parents[1] / "longan"))
    path = tmp_path / "scenario.yaml"
    path.write_text(text + extra, encoding="utf-8")
    return path, text


def test_unknown_fairness_key_suggests_the_nearest(tmp_path):
    path, text = baseline_with(tmp_path, "fairness:\n  district_flor: 0.4\n")
    with pytest.raises(sim.InputError) as error:
        sim.load_scenario(path)
    message = str(error.value)
    assert "unknown key 'district_flor'" in message and "Did you mean 'district_floor'?" in message
    assert f"line {len(text.splitlines()) + 2}" in message


def test_no_fairness_section_leaves_the_summary_as_it_was():
    scenario = sim.load_scenario(BASELINE)
    assert "fairness" not in scenario.model_dump() and "fairness" not in scenario.to_yaml()
    assert "fairness" not in sim.solve(scenario, compare=False).summary


def test_an_empty_fairness_section_reports_metrics_and_changes_nothing():
    scenario = sim.load_scenario(BASELINE)
    plain = sim.solve(scenario, compare=False)
    metered = sim.solve(scenario.with_changes(fairness={}), compare=False)
    assert metered.coverage.equals(plain.coverage) and metered.allocation.equals(plain.allocation)
    fairness = metered.summary["fairness"]
    rates = plain.coverage_by("district")
    assert fairness["min_district_rate"] == round(rates["rate"].min(), 6)
    assert fairness["max_district_rate"] == round(rates["rate"].max(), 6)
    assert fairness["gini"] == round(gini(rates["rate"]), 6)
    assert fairness["price_of_fairness"] == 0 and fairness["unmet"] == []
    assert sorted(fairness["rates"]) == ["band", "district", "grade", "internet", "status"]
    assert sum(plain.coverage_by("band")["covered"]) == fairness["covered"] == fairness["covered_without_fairness"]


def test_run_prints_the_fairness_lines(tmp_path, capsys):
    path, _ = baseline_with(tmp_path, "fairness: {district_floor: 0.4}\n")
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 0
    printed = capsys.readouterr().out
    assert "District coverage: lowest" in printed and "Price of fairness" in printed
    assert "Not met: district_floor 40.0%" in printed
    summary = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert summary["fairness"]["unmet"][0]["rule"] == "district_floor"


def test_metrics():
    assert gini([0.2, 0.2]) == 0 and gini([]) == 0
    assert gini([0, 1]) == pytest.approx(0.5)  # |0 - 1| * 2 / (2 * 4 * 0.5)
    assert max_min_ratio([0.1, 0.4]) == pytest.approx(4)


@PROFILE
@given(st.lists(st.integers(0, 30), min_size=2, max_size=2), st.integers(0, 40), st.sampled_from([0.1, 0.25, 0.4, 0.6]),
       st.sampled_from(["overall", "band"]))
def test_a_floor_that_is_met_holds_in_every_district(pupils, budget, floor, scope):
    """Whenever the report lists no unmet floor, every district (or district x band) reaches it."""
    areas = pd.DataFrame({"code": ["A1", "B2"], "name": ["An Bình", "Bình Hòa"], "type": ["", ""],
                          "population": pd.array([None, None], dtype="Int64"), "lat": [None, None], "lon": [None, None]})
    rows = [(area, grade, "poor", n, n // 3) for area, n in zip(["A1", "B2"], pupils) for grade in (3, 10) if n]
    if not rows:
        return
    students = pd.DataFrame(rows, columns=["area", "grade", "status", "pupils", "without_internet"])
    scenario = sim.Scenario(areas="a.csv", students="s.csv", budget_vnd=budget * M,
                            devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9], "in_stock": 3},
                                     "desktop": {"unit_cost_vnd": 2 * M}},
                            data_package=DATA, fairness={"district_floor": floor, "floor_scope": scope})
    result = sim.solve(scenario, areas=areas, students=students, compare=False)
    if any(u["rule"] == "district_floor" for u in result.summary["fairness"]["unmet"]):
        return
    keys = ["district"] if scope == "overall" else ["district", "band"]
    table = result.coverage_by(*keys)
    assert (table["covered"] >= floor * table["pupils"] - 1e-9).all()
