"""The explorer's logic: controls -> scenario, hand-solved comparisons, memory, saving that
``python -m sim run`` accepts unchanged."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest
import yaml

import sim
from sim.analysis import explorer
from sim.views import i18n
from sim.analysis.explorer import Controls, Explorer, compare, scenario_with

from conftest import BASELINE, ROOT, student


@pytest.fixture
def vietnamese():
    before = i18n.get_language()
    i18n.set_language("vi")
    yield
    i18n.set_language(before)


def test_the_baseline_controls_give_back_the_baseline():
    baseline = sim.load_scenario(BASELINE)
    again = scenario_with(baseline, Controls.of(baseline))
    assert again.model_dump() == baseline.model_dump()


def test_each_control_sets_its_own_scenario_setting():
    baseline = sim.load_scenario(BASELINE)
    c = Controls.of(baseline)
    c.budget_vnd = 123_000_000
    c.in_stock["tablet"], c.in_stock["data_package"] = 10, 20
    c.unit_cost_vnd["laptop"] = 9_000_000
    c.grades["tablet"] = (1, 12)
    c.data_monthly_cost_vnd, c.data_months = 50_000, 6
    c.mode, c.within_band = "weighted", "max_count"
    c.weights[3] = 99.0
    s = scenario_with(baseline, c)
    assert s.budget_vnd == 123_000_000
    assert (s.devices["tablet"].in_stock, s.data_package.in_stock) == (10, 20)
    assert s.devices["laptop"].unit_cost_vnd == 9_000_000
    assert s.devices["tablet"].grades == (1, 12)
    assert (s.data_package.monthly_cost_vnd, s.data_package.months) == (50_000, 6)
    assert (str(s.policy.mode), str(s.policy.within_band), s.policy.weights[3]) == ("weighted", "max_count", 99.0)
    # nothing else moved
    assert s.earmarks == baseline.earmarks
    assert s.devices["desktop"] == baseline.devices["desktop"]
    assert explorer.changes_from(baseline, s) == [
        "budget_vnd: 2000000000 → 123000000",
        "devices.tablet.grades: [1, 9] → [1, 12]",
        "devices.tablet.in_stock: 2687 → 10",
        "devices.laptop.unit_cost_vnd: 10500000 → 9000000",
        "data_package.monthly_cost_vnd: 70000 → 50000",
        "data_package.months: 12 → 6",
        "data_package.in_stock: 2687 → 20",
        "policy.mode: strict → weighted",
        "policy.within_band: equal_rate → max_count",
        "policy.weights.3: 25.0 → 99.0",
    ]


def test_comparison_of_a_bigger_budget_solved_by_hand(case):
    # 4 + 6 poor grade-9 learners, desktops at 1 M. 5 M covers half of each district (equal
    # rates); 10 M covers all: +2 in An Bình, +3 in Bình Hòa, +5 in band 1.
    scenario = case([student("An Bình", 9, "poor", 4), student("Bình Hòa", 9, "poor", 6)], budget_vnd=5_000_000)
    ex = Explorer(scenario)
    c = Controls.of(scenario)
    c.budget_vnd = 10_000_000
    more = ex.solve(ex.scenario(c)).result
    by_district = compare(ex.baseline_result, more, "district")
    assert by_district.to_dict("records") == [
        {"district": "An Bình", "pupils": 4, "covered_baseline": 2, "covered_scenario": 4, "change": 2,
         "rate_baseline": 0.5, "rate_scenario": 1.0, "rate_change": 0.5},
        {"district": "Bình Hòa", "pupils": 6, "covered_baseline": 3, "covered_scenario": 6, "change": 3,
         "rate_baseline": 0.5, "rate_scenario": 1.0, "rate_change": 0.5},
    ]
    by_band = compare(ex.baseline_result, more, "band")
    assert by_band[["band", "pupils", "covered_baseline", "covered_scenario", "change"]].values.tolist() == [[1, 10, 5, 10, 5]]
    assert explorer.totals(ex.baseline_result, more)["change"] == 5


def test_the_grade_range_control_lets_tablets_reach_grade_10(case):
    # Two grade-10 learners, 5 donated tablets for grades 1-9, no money: nobody is covered
    # until the tablets' range includes grade 10; then both are, from stock.
    scenario = case([student("An Bình", 10, "poor", 2)],
                    devices={"tablet": {"unit_cost_vnd": 1_000_000, "grades": [1, 9], "in_stock": 5}})
    ex = Explorer(scenario)
    assert ex.baseline_result.summary["covered"] == 0
    c = Controls.of(scenario)
    c.grades["tablet"] = (1, 12)
    wider = ex.solve(ex.scenario(c)).result
    assert wider.summary["covered"] == 2
    assert wider.summary["stock_left"]["tablet"] == 3
    c.in_stock["tablet"] = 1
    assert ex.solve(ex.scenario(c)).result.summary["covered"] == 1


def test_a_scenario_solved_before_comes_from_memory(case):
    scenario = case([student("An Bình", 9, "poor", 4)], budget_vnd=2_000_000)
    ex = Explorer(scenario, memory=1)
    c = Controls.of(scenario)
    c.budget_vnd = 1_000_000
    first = ex.solve(ex.scenario(c))
    again = ex.solve(ex.scenario(c))
    assert (first.from_memory, again.from_memory, again.result is first.result) == (False, True, True)
    c.budget_vnd = 3_000_000
    assert not ex.solve(ex.scenario(c)).from_memory
    c.budget_vnd = 1_000_000
    assert not ex.solve(ex.scenario(c)).from_memory  # forgotten: memory holds only the last one
    back = ex.solve(scenario.with_changes(name="renamed"))  # names do not matter, settings do
    assert back.from_memory and back.result is ex.baseline_result  # the baseline is always kept


def test_labelled_tables_read_in_vietnamese(case, vietnamese):
    scenario = case([student("An Bình", 9, "poor", 4000)], budget_vnd=1_500_000_000)
    ex = Explorer(scenario)
    c = Controls.of(scenario)
    c.budget_vnd = 2_000_000_000
    shown = explorer.labelled(compare(ex.baseline_result, ex.solve(ex.scenario(c)).result, "band"))
    assert list(shown.columns) == ["nhóm ưu tiên", "số người học", "được hỗ trợ (gốc)", "được hỗ trợ (đang xem)",
                                   "chênh lệch", "tỷ lệ (gốc)", "tỷ lệ (đang xem)", "chênh lệch tỷ lệ (điểm %)"]
    assert shown.iloc[0].tolist() == ["1  hộ nghèo lớp 9–12, hộ cận nghèo lớp 12", "4.000", "1.500", "2.000",
                                      "+500", "37,5%", "50,0%", "+12,5"]


def _run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "sim", *args], capture_output=True, text=True, cwd=ROOT)


def test_a_saved_scenario_runs_unchanged_and_gives_the_same_plan(tmp_path):
    baseline = sim.load_scenario(BASELINE)
    ex = Explorer(baseline)
    c = Controls.of(baseline)
    c.budget_vnd += 500_000_000
    c.grades["tablet"] = (1, 10)
    changed = ex.scenario(c)
    solved = ex.solve(changed).result
    path = explorer.save_scenario(changed, tmp_path / "scenarios" / "them_tien.yaml", baseline=baseline)

    text = path.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["name"] == "them_tien"
    assert not data["areas"].startswith("/") and data["areas"].endswith("data/longan/areas.csv")
    assert "budget_vnd: 2000000000 → 2500000000" in data["description"]
    loaded = sim.load_scenario(path)
    assert loaded.model_dump(exclude={"name", "description"}) == changed.model_dump(exclude={"name", "description"})

    done = _run_cli("run", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    solved.write(tmp_path / "explorer")
    for name in ("allocation.csv", "coverage.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "explorer" / name).read_bytes()


def test_saving_never_overwrites_by_surprise(tmp_path, case, vietnamese):
    scenario = case([student("An Bình", 9, "poor", 4)], budget_vnd=2_000_000)
    target = tmp_path / "mine.yaml"
    explorer.save_scenario(scenario, target)
    first = target.read_bytes()
    with pytest.raises(sim.InputError, match="tệp đã có"):
        explorer.save_scenario(scenario.with_changes(budget_vnd=1), target)
    assert target.read_bytes() == first
    explorer.save_scenario(scenario.with_changes(budget_vnd=1), target, overwrite=True)
    assert sim.load_scenario(target).budget_vnd == 1
    with pytest.raises(sim.InputError, match="không ghi đè kịch bản gốc"):
        explorer.save_scenario(scenario, scenario.source_file, baseline=scenario, overwrite=True)
    for bad in ("no suffix", "two words.yaml", ".hidden.yaml", "mine.csv"):
        with pytest.raises(sim.InputError, match="tên tệp không hợp lệ"):
            explorer.save_scenario(scenario, tmp_path / bad)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["areas.csv", "mine.yaml", "scenario.yaml", "students.csv"]


def test_money_and_stock_table_adds_up(case):
    scenario = case([student("An Bình", 9, "poor", 4, 4)], budget_vnd=3_000_000,
                    devices={"desktop": {"unit_cost_vnd": 1_000_000, "in_stock": 1}},
                    data_package={"monthly_cost_vnd": 100_000, "months": 5, "in_stock": 2})
    # 4 offline learners; a learner costs 1 M (desktop) + 0.5 M (data). Stock gives 1 desktop and
    # 2 packages; 3 M then buys 2 desktops (2 M) and 1 package (0.5 M), 0.5 M left: 3 covered.
    table = explorer.money_and_stock(Explorer(scenario).baseline_result)
    assert table.to_dict("records") == [
        {"item": "desktop", "given": 3, "bought": 2, "from_stock": 1, "stock_left": 0, "money_spent": 2_000_000},
        {"item": "data_package", "given": 3, "bought": 1, "from_stock": 2, "stock_left": 0, "money_spent": 500_000},
    ]
    assert isinstance(table, pd.DataFrame)


# ---------------------------------------------------------------- the district floor

def _floor_case(case, **settings):
    # An Bình: 10 poor grade-9 learners (band 1) and 10 near-poor grade-5 (band 4); Bình Hòa: 10
    # near-poor grade-5 (band 4). Desktops at 1 M for everyone, 10 M: 10 learners in all.
    return case([student("An Bình", 9, "poor", 10), student("An Bình", 5, "near_poor", 10),
                 student("Bình Hòa", 5, "near_poor", 10)], budget_vnd=10_000_000, **settings)


def _by_district_and_band(result) -> dict:
    table = result.coverage_by("district", "band")
    return {(d, b): c for d, b, c in zip(table["district"], table["band"], table["covered"])}


def test_a_district_floor_raises_the_lowest_district_to_it_solved_by_hand(case):
    scenario = _floor_case(case)
    ex = Explorer(scenario)
    # Without a floor, strict priority spends everything on band 1: Bình Hòa gets nobody.
    assert _by_district_and_band(ex.baseline_result) == {("An Bình", 1): 10, ("An Bình", 4): 0, ("Bình Hòa", 4): 0}
    assert explorer.fairness_figures(ex.baseline_result) is None  # no rules, no fairness figures
    c = Controls.of(scenario)
    c.district_floor = 0.3
    floored = ex.scenario(c)
    assert floored.fairness.district_floor == 0.3 and str(floored.fairness.floor_scope) == "overall"
    assert str(floored.fairness.rule) == "none"
    # Overall floor of 30%: Bình Hòa needs 3 of its 10; An Bình already has 30% of its 20 from
    # band 1, which keeps the other 7 desktops. Rates 7/20 = 35% and 3/10 = 30%.
    result = ex.solve(floored).result
    assert _by_district_and_band(result) == {("An Bình", 1): 7, ("An Bình", 4): 0, ("Bình Hòa", 4): 3}
    figures = explorer.fairness_figures(result)
    assert (figures.lowest, figures.highest) == (("Bình Hòa", 0.3), ("An Bình", 0.35))
    assert figures.below_floor == [] and (figures.covered, figures.covered_without) == (10, 10)
    # The same floor in each band of each district: 3 for An Bình's band 4 too; band 1 keeps 4.
    c.floor_scope = "band"
    banded = ex.solve(ex.scenario(c)).result
    assert _by_district_and_band(banded) == {("An Bình", 1): 4, ("An Bình", 4): 3, ("Bình Hòa", 4): 3}
    assert explorer.changes_from(scenario, ex.scenario(c)) == ["fairness.district_floor: 0.0 → 0.3",
                                                               "fairness.floor_scope: overall → band"]


def test_a_floor_the_money_cannot_reach_is_reported_with_where_it_falls_short(case):
    # 80% of each district's 10 learners would need 16 desktops; 10 M buys 10. Leximin on the share
    # of its floor: both districts get the same share, 5 each (50%), and the floor is not met.
    scenario = case([student("An Bình", 9, "poor", 10), student("Bình Hòa", 5, "near_poor", 10)],
                    budget_vnd=10_000_000)
    ex = Explorer(scenario)
    c = Controls.of(scenario)
    c.district_floor = 0.8
    result = ex.solve(ex.scenario(c)).result
    figures = explorer.fairness_figures(result)
    assert figures.below_floor == [("An Bình", None, 0.5), ("Bình Hòa", None, 0.5)]
    assert (figures.lowest[1], figures.highest[1]) == (0.5, 0.5)
    unmet = result.summary["fairness"]["unmet"]
    assert [u["rule"] for u in unmet] == ["district_floor"] and set(unmet[0]["districts"]) == {"An Bình", "Bình Hòa"}


def test_the_fairness_controls_give_back_a_scenario_with_fairness_rules():
    fair = sim.load_scenario(ROOT / "data" / "scenarios" / "fairness.yaml")
    c = Controls.of(fair)
    assert (c.district_floor, c.floor_scope, c.fairness_rule, c.alpha) == (0.3, "overall", "leximin", 1.0)
    assert scenario_with(fair, c).model_dump() == fair.model_dump()
    c.district_floor, c.fairness_rule = 0.0, "none"
    kept = scenario_with(fair, c)  # the section stays (with its other rules), switched off
    assert kept.fairness is not None and not kept.fairness.active
    baseline = sim.load_scenario(BASELINE)
    assert scenario_with(baseline, Controls.of(baseline)).fairness is None  # no section appears by itself


def test_a_saved_scenario_with_a_floor_runs_unchanged_and_gives_the_same_plan(case, tmp_path):
    scenario = _floor_case(case)
    ex = Explorer(scenario)
    c = Controls.of(scenario)
    c.district_floor, c.floor_scope, c.fairness_rule = 0.25, "band", "leximin"
    changed = ex.scenario(c)
    solved = ex.solve(changed).result
    path = explorer.save_scenario(changed, tmp_path / "saved" / "san_25.yaml", baseline=scenario)

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["fairness"]["district_floor"] == 0.25 and data["fairness"]["floor_scope"] == "band"
    assert data["fairness"]["rule"] == "leximin"
    assert sim.load_scenario(path).fairness == changed.fairness
    done = _run_cli("run", str(path), "--out", str(tmp_path / "out"), "--quiet")
    assert done.returncode == 0, done.stderr
    solved.write(tmp_path / "explorer")
    for name in ("allocation.csv", "coverage.csv"):
        assert (tmp_path / "out" / name).read_bytes() == (tmp_path / "explorer" / name).read_bytes()
    ran = json.loads((tmp_path / "out" / "summary.json").read_text(encoding="utf-8"))
    assert ran["fairness"]["min_district_rate"] == solved.summary["fairness"]["min_district_rate"]
