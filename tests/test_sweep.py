"""Sweeps in this process: exact grids on a hand-solved case, seeded Monte Carlo draws, resuming."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import sim
import sim.core.pipeline
from sim.cli.main import main
from sim.sweeps.runner import chunks, run_sweep
from sim.sweeps.draws import noisy_students, realised, rng_for, sample
from sim.sweeps.run import RunSpec, SweepContext
from sim.sweeps.spec import Distribution, load_sweep, parse_sweep
from sim.read.tables import read_areas, read_students
from tests.conftest import BASELINE, student
from tests.test_properties import PROFILE

M = 1_000_000
GRID = {"grid": {"budget_vnd": [0, 4 * M, 30 * M], "devices.desktop.unit_cost_vnd": [M, 2 * M]}}
MONTE_CARLO = {"monte_carlo": {
    "runs": 5, "seed": 11,
    "pledges": {"budget_vnd": {"probability": 0.6, "share": {"uniform": [0.5, 1.0]}}},
    "prices": {"devices.desktop.unit_cost_vnd": {"triangular": [M, 1_500_000, 3 * M]}},
    "learners": {"pupils": {"uniform": [0.8, 1.2]}, "without_internet": {"uniform": [0.5, 1.5]}},
}}


def two_districts(case, **settings):
    """An Bình and Bình Hòa: 10 poor pupils of grade 9 each (band 1), 4 of Bình Hòa's without internet."""
    settings.setdefault("budget_vnd", 10 * M)
    settings.setdefault("data_package", {"monthly_cost_vnd": 0, "months": 1})
    return case([student("An Bình", 9, "poor", 10), student("Bình Hòa", 9, "poor", 10, without_internet=4)], **settings)


def write_sweep(tmp_path, data: dict, name: str = "sweep.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def sweep(scenario, data: dict, out=None, **options) -> pd.DataFrame:
    areas = read_areas(scenario.areas)
    spec = parse_sweep(data, scenario, areas, "sweep.yaml")
    options.setdefault("workers", 0)
    return run_sweep(scenario, spec, out, areas=areas, progress=False, **options)


# ---------------------------------------------------------------- grids

def test_grid_expands_to_every_combination_in_run_order(case):
    scenario = two_districts(case)
    spec = parse_sweep(GRID, scenario, read_areas(scenario.areas))
    assert spec.runs == 6
    assert spec.points == [{"budget_vnd": b, "devices.desktop.unit_cost_vnd": p}
                           for b in (0, 4 * M, 30 * M) for p in (M, 2 * M)]


def test_grid_runs_are_the_hand_solved_plans(case):
    # 20 learners in band 1, a desktop each; data is free. Budget / price desktops, at most 20.
    table = sweep(two_districts(case), GRID)
    assert list(table["run"]) == [1, 2, 3, 4, 5, 6]
    assert list(table["point"]) == [1, 2, 3, 4, 5, 6]
    assert list(table["budget_vnd"]) == [0, 0, 4 * M, 4 * M, 30 * M, 30 * M]
    assert list(table["devices.desktop.unit_cost_vnd"]) == [M, 2 * M] * 3
    assert list(table["covered"]) == [0, 0, 4, 2, 20, 15]
    assert list(table["covered_band_1"]) == [0, 0, 4, 2, 20, 15]
    assert list(table["spent_vnd"]) == [0, 0, 4 * M, 4 * M, 20 * M, 30 * M]
    assert list(table["cash_left_vnd"]) == [0, 0, 0, 0, 10 * M, 0]
    assert list(table["pupils"]) == [20] * 6 and list(table["without_internet"]) == [4] * 6
    assert list(table["status"]) == ["optimal"] * 6


def test_a_range_of_values_includes_both_ends(case):
    scenario = two_districts(case)
    spec = parse_sweep({"grid": {"budget_vnd": {"from": 0, "to": 10 * M, "step": 4 * M},
                                 "fairness.district_floor": {"from": 0, "to": 0.3, "step": 0.1}}},
                       scenario, read_areas(scenario.areas))
    assert spec.grid == (("budget_vnd", (0, 4 * M, 8 * M)), ("fairness.district_floor", (0.0, 0.1, 0.2, 0.3)))


def test_settings_of_every_kind_can_be_swept(case):
    table = sweep(two_districts(case), {"grid": {"policy.mode": ["strict", "weighted"], "policy.weights.1": [100, 7],
                                                 "devices.desktop.grades": [[1, 12], [10, 12]]}})
    assert len(table) == 8
    # grade 9 cannot get a desktop meant for grades 10-12
    assert list(table["covered"]) == [10, 0] * 4
    assert table.loc[0, "devices.desktop.grades"] == [1, 12]


def test_a_combination_the_scenario_checks_refuse_is_a_row_not_a_crash(case):
    # each value alone is fine, so the grid is accepted; a computer share for grades 10-12 with a
    # desktop that suits grades 1-9 only cannot be satisfied (exit 3 for `sim run`): that run says why
    table = sweep(two_districts(case), {"grid": {"devices.desktop.grades": [[1, 12], [1, 9]],
                                                 "fairness.upper_secondary_computer_share": [0, 0.5]}})
    assert list(table["status"]) == ["optimal", "optimal", "optimal", "unsatisfiable"]
    assert "no laptop or desktop that suits those grades" in table.loc[3, "error"]
    assert list(table["covered"].fillna(-1)) == [10, 10, 10, -1]


def test_an_unsatisfiable_combination_is_a_row_with_its_message(case, monkeypatch):
    def refuse(inputs, **kwargs):
        if inputs.scenario.budget_vnd == 4 * M:
            raise sim.ScenarioError([sim.read.errors.Problem("case", "cannot be satisfied", column="budget_vnd")])
        return original(inputs, **kwargs)

    original = sim.core.pipeline.plan_whole  # every run is planned through it
    monkeypatch.setattr(sim.core.pipeline, "plan_whole", refuse)
    table = sweep(two_districts(case), GRID)
    assert list(table["status"]) == ["optimal", "optimal", "unsatisfiable", "unsatisfiable", "optimal", "optimal"]
    assert table.loc[2, "error"] == "case, column 'budget_vnd': cannot be satisfied"
    assert table["covered"].isna().tolist() == [False, False, True, True, False, False]
    assert list(table["pupils"]) == [20] * 6  # the inputs of a run are known even when it is not planned


# ---------------------------------------------------------------- Monte Carlo

def test_the_same_seed_gives_the_same_table_byte_for_byte(case, tmp_path):
    scenario = two_districts(case)
    sweep(scenario, MONTE_CARLO, tmp_path / "a")
    sweep(scenario, MONTE_CARLO, tmp_path / "b")
    first = (tmp_path / "a" / "sweep.csv").read_bytes()
    assert first == (tmp_path / "b" / "sweep.csv").read_bytes()
    assert first.startswith(b"\xef\xbb\xbfrun,draw,realised.budget_vnd,devices.desktop.unit_cost_vnd,pupils,")
    other = {"monte_carlo": {**MONTE_CARLO["monte_carlo"], "seed": 12}}
    assert not sweep(scenario, other).equals(sweep(scenario, MONTE_CARLO))


def test_draws_follow_the_settings(case):
    table = sweep(two_districts(case), MONTE_CARLO)
    assert list(table["draw"]) == [1, 2, 3, 4, 5]
    budget = table["realised.budget_vnd"]
    assert ((budget == 0) | ((budget >= 5 * M) & (budget <= 10 * M))).all()
    assert table["devices.desktop.unit_cost_vnd"].between(M, 3 * M).all()
    assert table["pupils"].between(16, 24).all() and (table["without_internet"] <= 6).all()
    assert table["pupils"].nunique() > 1  # the learner counts do vary


def test_a_draw_is_the_same_at_every_grid_point(case):
    # common random numbers: draw d of point 1 and draw d of point 2 see the same pledges and prices
    data = {"grid": {"data_package.months": [1, 2]}, **MONTE_CARLO}
    table = sweep(two_districts(case), data)
    assert list(table["run"]) == list(range(1, 11))
    assert list(table["point"]) == [1] * 5 + [2] * 5 and list(table["draw"]) == [1, 2, 3, 4, 5] * 2
    first, second = table[table["point"] == 1].reset_index(drop=True), table[table["point"] == 2].reset_index(drop=True)
    for column in ("realised.budget_vnd", "devices.desktop.unit_cost_vnd", "pupils", "without_internet"):
        assert first[column].tolist() == second[column].tolist()


def test_pledge_realisation_rounds_down_and_follows_the_probability():
    rng = rng_for(1, 1)
    assert realised(999, 1.0, Distribution("fixed", (0.5,)), rng) == 499
    assert realised(999, 0.0, Distribution("fixed", (1.0,)), rng) == 0
    arrived = [realised(10, 0.3, Distribution("fixed", (1.0,)), rng_for(5, d)) for d in range(1, 2001)]
    assert 0.25 < arrived.count(10) / 2000 < 0.35 and set(arrived) == {0, 10}


def test_the_generator_depends_on_the_seed_and_draw_only():
    assert rng_for(3, 7).random() == rng_for(3, 7).random()
    assert rng_for(3, 7).random() != rng_for(3, 8).random() != rng_for(4, 7).random()


factors = st.tuples(st.floats(0, 3), st.floats(0, 3)).map(sorted).map(lambda lh: Distribution("uniform", tuple(lh)))


@PROFILE
@given(st.lists(st.tuples(st.integers(0, 500), st.integers(0, 500)), min_size=1, max_size=30),
       st.none() | factors, st.none() | factors, st.integers(0, 2**32), st.integers(1, 10_000))
def test_noisy_counts_stay_whole_non_negative_and_consistent(rows, pupils, offline, seed, draw):
    frame = pd.DataFrame([(p, min(o, p)) for p, o in rows], columns=["pupils", "without_internet"])
    noisy = noisy_students(frame, pupils, offline, rng_for(seed, draw))
    assert (noisy["pupils"] >= 0).all() and (noisy["without_internet"] >= 0).all()
    assert (noisy["without_internet"] <= noisy["pupils"]).all()
    assert noisy["pupils"].dtype == np.int64 and noisy["without_internet"].dtype == np.int64
    if pupils is not None:
        assert (noisy["pupils"] >= np.floor(frame["pupils"] * pupils.low)).all()
        assert (noisy["pupils"] <= np.ceil(frame["pupils"] * pupils.high)).all()
    else:
        assert noisy["pupils"].tolist() == frame["pupils"].tolist()


@PROFILE
@given(st.floats(0, 10), st.floats(0, 10), st.floats(0, 10), st.integers(1, 1000))
def test_samples_stay_within_their_range(a, b, c, draw):
    low, mode, high = sorted((a, b, c))
    for dist in (Distribution("uniform", (low, high)), Distribution("triangular", (low, mode, high))):
        assert low <= sample(dist, rng_for(0, draw)) <= high


# ---------------------------------------------------------------- resuming

def counting_solves(monkeypatch, fail_at: int | None = None) -> list[int]:
    """Count the plans made (``plan_whole`` calls, one per run); with ``fail_at`` the call of that
    number raises KeyboardInterrupt (Ctrl+C)."""
    calls: list[int] = []
    original = sim.core.pipeline.plan_whole

    def counted(inputs, **kwargs):
        calls.append(inputs.scenario.budget_vnd)
        if fail_at is not None and len(calls) == fail_at:
            raise KeyboardInterrupt
        return original(inputs, **kwargs)

    monkeypatch.setattr(sim.core.pipeline, "plan_whole", counted)
    return calls


def test_a_resumed_sweep_skips_the_finished_runs(case, tmp_path, monkeypatch):
    scenario = two_districts(case)
    sweep(scenario, GRID, tmp_path / "full")
    reference = (tmp_path / "full" / "sweep.csv").read_bytes()
    (tmp_path / "full" / "sweep.csv").unlink()
    for run in (2, 5):  # as if the sweep had stopped before these runs finished
        (tmp_path / "full" / "runs" / f"run-{run:06d}.json").unlink()
    calls = counting_solves(monkeypatch)
    table = sweep(scenario, GRID, tmp_path / "full")
    assert calls == [0, 30 * M]  # runs 2 and 5 only
    assert table.attrs == {"already_done": 4, "ran": 2}
    assert (tmp_path / "full" / "sweep.csv").read_bytes() == reference


def test_ctrl_c_keeps_the_finished_runs_and_the_same_command_finishes(case, tmp_path, monkeypatch, capsys):
    scenario = two_districts(case)
    reference = sweep(scenario, GRID, tmp_path / "reference")
    grid = write_sweep(tmp_path, GRID)
    out = tmp_path / "out"
    counting_solves(monkeypatch, fail_at=4)
    code = main(["sweep", str(scenario.source_file), "--grid", str(grid), "--out", str(out), "--workers", "0", "--quiet"])
    assert code == 130
    assert "run the same command again" in capsys.readouterr().err
    assert sorted(p.name for p in (out / "runs").iterdir()) == [f"run-{r:06d}.json" for r in (1, 2, 3)]
    assert not (out / "sweep.csv").exists()
    calls = counting_solves(monkeypatch)
    assert main(["sweep", str(scenario.source_file), "--grid", str(grid), "--out", str(out), "--workers", "0", "--quiet"]) == 0
    assert len(calls) == 3
    assert (out / "sweep.csv").read_bytes() == (tmp_path / "reference" / "sweep.csv").read_bytes()
    assert len(reference) == 6


@pytest.mark.parametrize("damaged", ['{"run": 3, "cov', ""])  # cut short; empty, as a power cut may leave it
def test_a_damaged_run_file_is_run_again(case, tmp_path, monkeypatch, damaged):
    scenario = two_districts(case)
    sweep(scenario, GRID, tmp_path / "out")
    (tmp_path / "out" / "runs" / "run-000003.json").write_text(damaged, encoding="utf-8")
    calls = counting_solves(monkeypatch)
    sweep(scenario, GRID, tmp_path / "out")
    assert calls == [4 * M]
    assert json.loads((tmp_path / "out" / "runs" / "run-000003.json").read_text())["covered"] == 4


def test_a_folder_of_another_sweep_is_refused(case, tmp_path, capsys):
    scenario = two_districts(case)
    out = tmp_path / "out"
    assert main(["sweep", str(scenario.source_file), "--grid", str(write_sweep(tmp_path, GRID)), "--out", str(out),
                 "--workers", "0", "--quiet"]) == 0
    before = {p.name: p.read_bytes() for p in (out / "runs").iterdir()}
    other = write_sweep(tmp_path, {"grid": {"budget_vnd": [0, 5 * M]}}, "other.yaml")
    assert main(["sweep", str(scenario.source_file), "--grid", str(other), "--out", str(out), "--workers", "0", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "sweep.json, column 'sweep_sha256': this folder holds another sweep" in err
    assert "Choose another --out folder" in err
    assert {p.name: p.read_bytes() for p in (out / "runs").iterdir()} == before


def test_the_command_prints_a_summary(case, tmp_path, capsys):
    scenario = two_districts(case)
    grid = write_sweep(tmp_path, GRID)
    assert main(["sweep", str(scenario.source_file), "--grid", str(grid), "--out", str(tmp_path / "out"),
                 "--workers", "0"]) == 0
    out = capsys.readouterr().out
    assert "Sweep of 'case': 6 runs (6 run now, 0 already done)" in out
    assert "Learners covered over the runs:         min     median        max\n" in out
    assert "  all bands                               0        3.0         20\n" in out
    assert f"Wrote {tmp_path / 'out' / 'sweep.csv'}" in out


def test_chunks_keep_run_order_and_cover_every_run():
    runs = [RunSpec(i, 1, i) for i in range(1, 1001)]
    parts = chunks(runs, workers=2)
    assert [r for part in parts for r in part] == runs
    assert max(len(p) for p in parts) == 20


def test_the_example_sweep_files_are_valid():
    scenario = sim.load_scenario(BASELINE)
    areas = read_areas(scenario.areas)
    grid = load_sweep(BASELINE.parent / "sweep_grid.yaml", scenario, areas)
    assert grid.runs == 24 and grid.monte_carlo is None
    monte_carlo = load_sweep(BASELINE.parent / "sweep_monte_carlo.yaml", scenario, areas)
    assert monte_carlo.runs == 200 and monte_carlo.monte_carlo.seed == 2023
    context = SweepContext.of(scenario, areas, read_students(scenario.students, areas), monte_carlo)
    assert "realised.earmarks.0.budget_vnd" in context.columns()
