"""The explorer's logic: controls -> scenario, hand-solved comparisons, memory, saving that
``python -m sim run`` accepts unchanged."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest
import yaml

import sim
from sim import explorer, i18n
from sim.explorer import Controls, Explorer, compare, scenario_with

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
