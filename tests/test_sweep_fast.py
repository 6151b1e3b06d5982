"""A sweep run's fast path makes exactly what the slow one made: the inputs ``prepare`` makes, the
figures of the summary parts, the scenario data ``set_path`` writes, the tasks in run order."""

from __future__ import annotations

import copy
import os

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import sim
from sim.core import pipeline
from sim.core.inputs import build_cells, prepare
from sim.core.rules import STATUSES
from sim.read.scenario import Scenario
from sim.read.tables import read_areas, read_students
from sim.results.result import coverage_part, items_part, money_part
from sim.sweeps.draws import draw_inputs
from sim.sweeps.run import CellShape, RunSpec, SweepContext, coverage_figures, run_one, staged, with_values
from sim.sweeps.runner import chunks
from sim.sweeps.spec import load_sweep, scenario_data, set_path
from tests.conftest import BASELINE, ROOT, student
from tests.test_properties import PROFILE
from tests.test_sweep import two_districts

SWEEP = ROOT / "data" / "scenarios" / "sweep_monte_carlo.yaml"


@pytest.fixture(scope="module")
def long_an():
    scenario = sim.load_scenario(BASELINE)
    areas = read_areas(scenario.areas)
    students = read_students(scenario.students, areas)
    spec = load_sweep(SWEEP, scenario, areas).with_runs(40)
    return SweepContext.of(scenario, areas, students, spec)


def prepared(context: SweepContext, draw: int) -> tuple[dict, pd.DataFrame]:
    """The scenario data and students of a draw, made the slow way (a deep copy, ``set_path``)."""
    data = copy.deepcopy(context.data)
    changes, _record, students = draw_inputs(context.spec.monte_carlo, data, context.students, draw)
    for path, value in changes.items():
        set_path(data, path, value)
    return data, students


def assert_same_inputs(fast, slow) -> None:
    pd.testing.assert_frame_equal(fast.cells, slow.cells, check_exact=True)
    assert fast.suits == slow.suits and all(type(x) is bool for s in fast.suits.values() for x in s)
    assert fast.resources == slow.resources and fast.scenario == slow.scenario
    assert fast.students is not None and fast.areas is slow.areas


def test_every_long_an_draw_has_the_inputs_prepare_makes(long_an):
    for draw in range(1, 41):
        data, students = prepared(long_an, draw)
        fast = staged(long_an, Scenario.model_validate(with_values(long_an.data, draw_inputs(
            long_an.spec.monte_carlo, long_an.data, long_an.students, draw)[0])), students)
        assert_same_inputs(fast, prepare(Scenario.model_validate(data), long_an.areas, students))
    assert long_an.data == scenario_data(sim.load_scenario(BASELINE))  # no run wrote into the shared data


def test_a_long_an_row_is_the_plan_of_the_prepared_inputs(long_an, monkeypatch):
    data, students = prepared(long_an, 3)
    slow = prepare(Scenario.model_validate(data), long_an.areas, students)
    made = []
    real = pipeline.plan_whole

    def checked(inputs, **kept):
        assert_same_inputs(inputs, slow)
        made.append(real(inputs, **kept))
        return made[-1]

    monkeypatch.setattr(pipeline, "plan_whole", checked)
    row = run_one(long_an, RunSpec(3, 1, 3))
    plan = made[0].plan
    coverage, money, items = (part(slow, plan) for part in (coverage_part, money_part, items_part))
    assert row["status"] == "optimal" and row["covered"] == coverage.covered > 0
    assert [row[f"pupils_band_{b}"] for b in range(1, 6)] == list(coverage.pupils_by_band.values())
    assert [row[f"covered_band_{b}"] for b in range(1, 6)] == list(coverage.covered_by_band.values())
    assert (row["spent_vnd"], row["cash_left_vnd"]) == (money.spent_vnd, money.cash_left_vnd)
    assert {i: row[f"stock_left.{i}"] for i in long_an.items} == items.stock_left


rows = st.lists(st.tuples(st.sampled_from(["A1", "B2", "C3"]), st.integers(1, 13), st.sampled_from(STATUSES),
                          st.integers(0, 50), st.integers(0, 50)), min_size=1, max_size=25)


@PROFILE
@given(rows, st.integers(0, 2**32))
def test_cells_picked_from_every_possible_cell_are_build_cells(table, seed):
    frame = pd.DataFrame(table, columns=["area", "grade", "status", "pupils", "without_internet"])
    frame["without_internet"] = np.minimum(frame["without_internet"], frame["pupils"])
    shape = CellShape.of(frame)
    rng = np.random.default_rng(seed)
    for _ in range(3):  # other counts on the same rows, zeros included
        pupils = rng.integers(0, 4, len(frame)) * rng.integers(0, 30, len(frame))
        drawn = frame.assign(pupils=pupils, without_internet=np.minimum(rng.integers(0, 10, len(frame)), pupils))
        pd.testing.assert_frame_equal(shape.cells(drawn), build_cells(drawn), check_exact=True)


def test_counts_not_in_int64_are_left_to_build_cells(case):
    scenario = two_districts(case)
    areas = read_areas(scenario.areas)
    students = read_students(scenario.students, areas)
    context = SweepContext.of(scenario, areas, students, load_sweep_of(scenario, areas))
    nullable = students.astype({"pupils": "Int64", "without_internet": "Int64"})
    assert context.shape().kept(nullable) is None
    inputs = staged(context, scenario, nullable)
    assert_same_inputs(inputs, prepare(scenario, areas, nullable))


def load_sweep_of(scenario, areas):
    from sim.sweeps.spec import parse_sweep
    from tests.test_sweep import MONTE_CARLO

    return parse_sweep(MONTE_CARLO, scenario, areas, "sweep.yaml")


def test_coverage_figures_are_the_coverage_parts(case):
    scenario = case([student("An Bình", 9, "poor", 10, 3), student("An Bình", 5, "poor", 4),
                     student("Bình Hòa", 11, "near_poor", 7, 7), student("Bình Hòa", 2, "covid_orphan", 6, 1)],
                    budget_vnd=9_000_000, data_package={"monthly_cost_vnd": 0, "months": 1})
    inputs = prepare(scenario)
    plan = pipeline.plan_whole(inputs).plan
    part = coverage_part(inputs, plan)
    assert 0 < part.covered < part.pupils
    assert coverage_figures(inputs, plan) == (part.pupils_by_band, part.covered, part.covered_by_band)


@pytest.mark.parametrize("values", [
    {"budget_vnd": 5}, {"devices.tablet.in_stock": 0, "devices.laptop.unit_cost_vnd": 9, "budget_vnd": 1},
    {"earmarks.0.budget_vnd": 7, "earmarks.0.devices": {"tablet": 2}}, {"fairness.district_floor": 0.1}, {}])
def test_values_are_set_as_set_path_sets_them_and_the_data_is_left_as_it_was(values):
    data = scenario_data(sim.load_scenario(BASELINE))
    data["fairness"] = None
    before = copy.deepcopy(data)
    slow = copy.deepcopy(data)
    for path, value in values.items():
        set_path(slow, path, value)
    fast = with_values(data, values)
    assert fast == slow and data == before
    for path, value in values.items():  # the values are copies: changing the data set changes nothing else
        if isinstance(value, dict):
            value["tablet"] = 99
    assert fast == slow


def test_tasks_shrink_towards_the_end_and_keep_run_order():
    runs = [RunSpec(i, 1, i) for i in range(1, 1001)]
    parts = chunks(runs, workers=2)
    assert [r for part in parts for r in part] == runs
    sizes = [len(p) for p in parts]
    assert max(sizes) == 20 and sizes == sorted(sizes, reverse=True) and sizes[-1] == 1
    assert len(parts) <= 80  # scheduling stays cheap
    assert [len(p) for p in chunks(runs[:10], workers=2, size=3)] == [3, 3, 3, 1]


def test_sweep_workers_run_highs_in_one_thread(monkeypatch, tmp_path):
    # Two workers on two cores: HiGHS's two threads a MILP would only fight over them. The
    # workers' environment says so (sim/core/solvers.set_threads reads it in each worker).
    import distributed
    import highspy

    from sim.core.solvers import THREADS_SETTING, set_threads
    from sim.sweeps import runner

    seen = {}

    class Refused(Exception):
        pass

    def cluster(**kwargs):
        seen.update(kwargs)
        raise Refused

    monkeypatch.setattr(distributed, "LocalCluster", cluster)
    with pytest.raises(Refused):
        list(runner._execute(SweepContext.__new__(SweepContext), [object()], workers=2, scheduler=None, client=None,
                             chunk_size=None))
    assert seen["env"] == {THREADS_SETTING: "1"} and seen["n_workers"] == 2
    highs = highspy.Highs()
    monkeypatch.setenv(THREADS_SETTING, "1")
    set_threads(highs)
    assert highs.getOptionValue("threads")[-1] == 1


def test_every_highs_of_a_sweep_worker_runs_in_one_thread(case, tmp_path):
    # HiGHS refuses a solve asking for another thread count than its process's pool: in a worker
    # (SIM_HIGHS_THREADS=1) every HiGHS object must follow, the LPs, the MILPs and the money
    # sharing among pools (sim/core/whole.py) alike.
    import json
    import subprocess
    import sys

    from tests.conftest import student as learner

    M = 1_000_000
    case([learner("An Bình", 10, "poor", 4), learner("An Bình", 10, "near_poor", 2),
          learner("Bình Hòa", 10, "near_poor", 2), learner("Bình Hòa", 3, "poor", 3)],
         budget_vnd=3 * M, earmarks=[{"band": 3, "budget_vnd": 5 * M}, {"district": "An Bình", "budget_vnd": M}],
         devices={"desktop": {"unit_cost_vnd": M}, "tablet": {"unit_cost_vnd": M // 2, "grades": [1, 9]}})
    script = ("import json, sys, sim\n"
              "figures = [sim.solve(sim.load_scenario(f)).summary['covered_by_band'] for f in sys.argv[1:]]\n"
              "print(json.dumps(figures))")
    env = {**os.environ, "SIM_HIGHS_THREADS": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "scenario.yaml"), str(BASELINE)],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    here = [sim.solve(sim.load_scenario(f)).summary["covered_by_band"] for f in (tmp_path / "scenario.yaml", BASELINE)]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == here
