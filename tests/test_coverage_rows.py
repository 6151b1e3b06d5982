"""coverage.csv has one row for every district x grade x status of the students file, empty ones too."""

from __future__ import annotations

import pandas as pd

import sim
from tests.conftest import student


def test_a_row_without_learners_is_in_coverage_csv_with_zeros(case, tmp_path):
    scenario = case([student("Bình Hòa", 10, "poor", 2),
                     student("Bình Hòa", 1, "covid_orphan", 0),
                     student("An Bình", 7, "near_poor", 0),
                     student("An Bình", 5, "poor", 3, without_internet=3),
                     student("An Bình", 5, "near_poor", 1)],
                    budget_vnd=100_000_000)
    result = sim.solve(scenario, compare=False)
    assert len(result.inputs.cells) == 3  # the LP still has no cell for the empty rows
    result.write(tmp_path / "out")
    table = pd.read_csv(tmp_path / "out" / "coverage.csv", encoding="utf-8-sig", dtype={"grade": str})
    assert table.to_dict("records") == [
        {"district": "An Bình", "grade": "5", "status": "poor", "band": 2, "pupils": 3, "covered": 3},
        {"district": "An Bình", "grade": "5", "status": "near_poor", "band": 4, "pupils": 1, "covered": 1},
        {"district": "An Bình", "grade": "7", "status": "near_poor", "band": 4, "pupils": 0, "covered": 0},
        {"district": "Bình Hòa", "grade": "1", "status": "covid_orphan", "band": 5, "pupils": 0, "covered": 0},
        {"district": "Bình Hòa", "grade": "10", "status": "poor", "band": 1, "pupils": 2, "covered": 2},
    ]
    assert result.summary["pupils"] == 6 and result.summary["covered"] == 6


def test_coverage_by_keeps_the_empty_rows_and_gives_them_no_rate(case):
    scenario = case([student("An Bình", 5, "poor", 3), student("Bình Hòa", 5, "poor", 0)], budget_vnd=100_000_000)
    by_district = sim.solve(scenario, compare=False).coverage_by("district")
    assert list(by_district["district"]) == ["An Bình", "Bình Hòa"]
    assert list(by_district["pupils"]) == [3, 0]
    assert by_district["rate"].iloc[0] == 1 and pd.isna(by_district["rate"].iloc[1])


def test_the_district_map_leaves_out_a_district_whose_rows_are_all_empty(case):
    from sim.views.fairness_charts import district_table

    scenario = case([student("An Bình", 5, "poor", 3), student("Bình Hòa", 5, "poor", 0)], budget_vnd=100_000_000)
    assert list(district_table(sim.solve(scenario, compare=False))["district"]) == ["An Bình"]
