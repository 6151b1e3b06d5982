"""The benchmark's parts (benchmarks/): seeded generators that keep their promises, and a plain
PuLP model that reaches the same coverage per band as sim, so the speed-up `make bench` prints
compares like with like. Nothing here is timed."""

from __future__ import annotations

import dataclasses
import importlib.util
import sys

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.core.inputs import PlanInputs, prepare
from sim.core.model import build_model
from sim.core.steps import Request, optimise
from sim.read.scenario import Policy, WithinBand
from sim.core.solvers import make_solver

from tests.conftest import BASELINE, ROOT, student


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"benchmarks_{name}", ROOT / "benchmarks" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


schools = _load("longan_schools")
national = _load("national")
plain_pulp = _load("plain_pulp")

from sim.core.priority import SLACK  # noqa: E402

MAX_COUNT = Policy(mode="strict", within_band=WithinBand.max_count)
SAME = 1e-6  # share of the case's learners, as in benchmarks/bench.py


def sim_lp_by_band(inputs: PlanInputs) -> dict[int, float]:
    """sim's LP optimum per band under strict max_count, before whole devices."""
    staged = dataclasses.replace(inputs, scenario=inputs.scenario.with_changes(policy=MAX_COUNT))
    lp, _ = optimise(build_model(staged), Request(), make_solver(inputs.scenario.solver))
    sums = inputs.cells.assign(lp=lp.covered).groupby("band")["lp"].sum()
    return {b: float(sums.get(b, 0.0)) for b in range(1, 6)}


def assert_same_coverage(inputs: PlanInputs) -> dict[int, float]:
    ours = sim_lp_by_band(inputs)
    plain = plain_pulp.plan(inputs).covered_by_band
    # sim holds each band SLACK learners below its optimum before serving the next
    allowed = SAME * max(1, int(inputs.cells["pupils"].sum())) + 2 * SLACK
    for band in range(1, 6):
        assert ours[band] == pytest.approx(plain[band], abs=allowed), f"band {band}: sim {ours[band]}, plain {plain[band]}"
    return plain


def _files(folder) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in ("areas.csv", "students.csv", "scenario.yaml")}


# ------------------------------------------------------------------ Long An by school

def test_school_generator_is_deterministic(tmp_path):
    schools.write(tmp_path / "a", seed=7)
    schools.write(tmp_path / "b", seed=7)
    schools.write(tmp_path / "c", seed=8)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["students.csv"] != _files(tmp_path / "c")["students.csv"]


def test_schools_split_every_district_row_exactly(tmp_path):
    scenario = sim.load_scenario(schools.write(tmp_path))
    inputs = prepare(scenario)  # the files read and check as any analyst's would
    areas = inputs.areas
    assert len(areas) == 430 and areas["code"].is_unique and areas["name"].is_unique
    assert areas["type"].value_counts().to_dict() == {"Trường Tiểu học": 225, "Trường THCS": 135, "Trường THPT": 55,
                                                      "Trung tâm GDNN-GDTX": 15}
    district_of = {code: code.split("-")[0] for code in areas["code"]}
    by_school = inputs.students.assign(area=inputs.students["area"].map(district_of))
    by_school = by_school.groupby(["area", "grade", "status"])[["pupils", "without_internet"]].sum()
    original = prepare(sim.load_scenario(BASELINE)).students.groupby(["area", "grade", "status"])[
        ["pupils", "without_internet"]].sum()
    pd.testing.assert_frame_equal(by_school, original)
    assert int(by_school["pupils"].sum()) == 9_777


def test_schools_teach_their_own_grades(tmp_path):
    inputs = prepare(sim.load_scenario(schools.write(tmp_path)))
    kind = dict(zip(inputs.areas["code"], inputs.areas["type"]))
    taught = {"Trường Tiểu học": set(range(1, 6)), "Trường THCS": set(range(6, 10)), "Trường THPT": {10, 11, 12},
              "Trung tâm GDNN-GDTX": {10, 11, 12, 13}}
    for area, grade in zip(inputs.students["area"], inputs.students["grade"]):
        assert grade in taught[kind[area]], (area, grade)


def test_school_scenario_is_the_baseline_with_its_earmark_on_one_school(tmp_path):
    scenario = sim.load_scenario(schools.write(tmp_path))
    baseline = sim.load_scenario(BASELINE)
    same = {"areas", "students", "name", "description", "earmarks"}
    assert scenario.model_dump(exclude=same) == baseline.model_dump(exclude=same)
    (mark,), (original,) = scenario.earmarks, baseline.earmarks
    school = prepare(scenario).areas.set_index("name").loc[mark.district]
    assert original.district == "Đức Huệ" and school["code"].startswith("801-")  # a school of Đức Huệ (GSO 801)
    assert (mark.budget_vnd, mark.devices, mark.data_packages) == (original.budget_vnd, original.devices, original.data_packages)


# ------------------------------------------------------------------ national synthetic

def test_national_generator_is_deterministic(tmp_path):
    national.write(tmp_path / "a", seed=3, districts=60, learners=50_000)
    national.write(tmp_path / "b", seed=3, districts=60, learners=50_000)
    national.write(tmp_path / "c", seed=4, districts=60, learners=50_000)
    assert _files(tmp_path / "a") == _files(tmp_path / "b")
    assert _files(tmp_path / "a")["students.csv"] != _files(tmp_path / "c")["students.csv"]


def test_national_case_has_the_promised_size():
    areas, students, scenario = national.build()
    assert len(areas) == 705 and areas["code"].is_unique and areas["name"].is_unique
    assert areas["name"].str.slice(0, 7).nunique() == 63  # "Tỉnh NN": provinces
    assert int(students["pupils"].sum()) == 2_215_863
    assert set(students["status"]) == {"poor", "near_poor", "covid_orphan"}
    assert set(students["grade"]) == {str(g) for g in range(1, 13)} | {"higher"}
    assert (students["without_internet"] <= students["pupils"]).all() and (students["pupils"] > 0).all()
    assert set(e["district"] for e in scenario["earmarks"]) <= set(areas["name"])


def test_a_smaller_national_case_keeps_its_counts_and_reads(tmp_path):
    inputs = prepare(sim.load_scenario(national.write(tmp_path, seed=5, districts=40, learners=20_000)))
    assert len(inputs.areas) == 40 and int(inputs.students["pupils"].sum()) == 20_000


def test_national_money_and_stock_leave_several_bands_partly_covered(tmp_path):
    inputs = prepare(sim.load_scenario(national.write(tmp_path, seed=5, districts=40, learners=20_000)))
    reached = assert_same_coverage(inputs)
    pupils = inputs.cells.groupby("band")["pupils"].sum()
    partly = [b for b in range(1, 6) if 0.5 < reached[b] < pupils[b] - 0.5]
    assert len(partly) >= 2, (reached, pupils.to_dict())


# ------------------------------------------------------------------ the plain model against sim

def test_plain_model_matches_sim_on_the_long_an_baseline():
    inputs = prepare(sim.load_scenario(BASELINE))
    reached = assert_same_coverage(inputs)
    assert reached[2] == pytest.approx(2_219, abs=1e-3)  # every poor pupil of grades 1-8, none in higher education


def test_plain_model_hand_solved_earmarked_cash(case):
    """Band 1: desktops at 5 M; the 10 M budget and B2's earmark of 5 M buy 3, B2 has 2 learners,
    so A1 gets 1 (its offline learner may take the one free package). Band 2: the 2 tablets."""
    scenario = case([student("A1", 10, "poor", 4, 2), student("A1", 5, "poor", 3), student("B2", 12, "near_poor", 2)],
                    budget_vnd=10_000_000,
                    devices={"tablet": {"unit_cost_vnd": 2_000_000, "grades": [1, 9], "in_stock": 2},
                             "desktop": {"unit_cost_vnd": 5_000_000}},
                    data_package={"monthly_cost_vnd": 1_000_000, "months": 1, "in_stock": 1},
                    earmarks=[{"district": "B2", "budget_vnd": 5_000_000}])
    reached = assert_same_coverage(prepare(scenario))
    assert [reached[b] for b in range(1, 6)] == pytest.approx([3, 2, 0, 0, 0], abs=1e-5)


def test_plain_model_hand_solved_earmarked_stock(case):
    """Band 2 only, all offline: A1's earmarked laptop and package cover one learner; the general
    tablet and package one more, in A1 or B2; no money. Band 3 gets nothing."""
    scenario = case([student("A1", 3, "poor", 2, 2), student("B2", 3, "poor", 1, 1), student("B2", 9, "near_poor", 5, 0)],
                    devices={"tablet": {"unit_cost_vnd": 2_000_000, "grades": [1, 9], "in_stock": 1},
                             "laptop": {"unit_cost_vnd": 9_000_000}},
                    data_package={"monthly_cost_vnd": 100_000, "months": 12, "in_stock": 1},
                    earmarks=[{"district": "A1", "devices": {"laptop": 1}, "data_packages": 1}])
    reached = assert_same_coverage(prepare(scenario))
    assert [reached[b] for b in range(1, 6)] == pytest.approx([0, 2, 0, 0, 0], abs=1e-5)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(st.sampled_from(["A1", "B2"]), st.sampled_from([3, 9, 10, 12, "higher"]),
                               st.sampled_from(["poor", "near_poor", "covid_orphan"]), st.integers(0, 30), st.integers(0, 30)),
                     min_size=1, max_size=6),
       budget=st.integers(0, 60), tablets=st.integers(0, 20), packages=st.integers(0, 20), earmark=st.integers(0, 30))
def test_plain_model_matches_sim_on_random_cases(case, rows, budget, tablets, packages, earmark):
    students = [student(a, g, s, p, min(o, p)) for a, g, s, p, o in rows]
    scenario = case(students, budget_vnd=budget * 1_000_000,
                    devices={"tablet": {"unit_cost_vnd": 3_000_000, "grades": [1, 9], "in_stock": tablets},
                             "desktop": {"unit_cost_vnd": 8_000_000}},
                    data_package={"monthly_cost_vnd": 100_000, "months": 12, "in_stock": packages},
                    earmarks=[{"district": "B2", "budget_vnd": earmark * 1_000_000, "devices": {"tablet": 2}}])
    assert_same_coverage(prepare(scenario))
