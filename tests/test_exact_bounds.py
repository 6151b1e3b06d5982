"""The relaxation's bounds before each whole-device MILP (``sim/core/exact.py``): a plan in hand that
reaches the bound rounded to its grid stands without the MILP (``Milp.settled``); a common whole
rate no LP plan reaches in every group is not sought by a MILP (``Milp.out_of_reach``); a MILP that
runs has its integer columns' bounds tightened by reduced costs (``Milp._fix_by_reduced_cost``).
All are shortcuts: none may change a learner figure or the money spent."""

from __future__ import annotations

import pulp
import pytest
from hypothesis import given, settings, strategies as st

import sim
from sim.core import exact
from sim.core.inputs import prepare
from sim.core.model import build_model
from sim.core.pipeline import plan_whole, with_changes
from sim.core.solvers import SolverFailed
from sim.read.scenario import Policy, WithinBand

from tests import test_exact as T


def _without_shortcuts(monkeypatch) -> None:
    monkeypatch.setattr(exact.Milp, "settled", lambda self, *a, **k: False)
    monkeypatch.setattr(exact.Milp, "_fix_by_reduced_cost", lambda self, *a, **k: False)
    monkeypatch.setattr(exact.Milp, "out_of_reach", lambda self, *a, **k: False)


@settings(T.PROFILE, max_examples=max(10, T.PROFILE.max_examples // 2))
@given(st.sampled_from(["max_count", "equal_rate"]).flatmap(T.instances))
def test_the_shortcuts_change_no_learner_and_no_money(instance):
    scenario, table = instance
    fast = T.solve(scenario, table)
    with pytest.MonkeyPatch.context() as patch:
        _without_shortcuts(patch)
        slow = T.solve(scenario, table)
    assert T.band_totals(fast) == T.band_totals(slow)
    assert T.band_order(fast, scenario, table) == T.band_order(slow, scenario, table)
    assert fast.summary["spent_vnd"] == slow.summary["spent_vnd"]


@pytest.fixture(scope="module")
def long_an_max_count():
    scenario = sim.load_scenario("data/scenarios/baseline.yaml")
    inputs = prepare(scenario)
    policy = Policy(mode="strict", within_band=WithinBand.max_count, weights=scenario.policy.weights)
    return with_changes(inputs, policy=policy)


def _by_band(inputs, plan) -> dict[int, int]:
    totals: dict[int, int] = {}
    for band, n in zip(inputs.cells["band"], plan.covered):
        totals[int(band)] = totals.get(int(band), 0) + n
    return totals


def test_long_an_band_1_needs_no_milp_and_the_figures_stay(long_an_max_count, monkeypatch):
    # The LP covers 459.59 learners of band 1 and rounding 459: no whole plan covers 460, so band 1
    # needs no MILP; bands 2 and 3 do (the relaxation there is above what whole units reach).
    fast = plan_whole(long_an_max_count)
    _without_shortcuts(monkeypatch)
    slow = plan_whole(long_an_max_count)
    assert _by_band(long_an_max_count, fast.plan) == _by_band(long_an_max_count, slow.plan)
    assert _by_band(long_an_max_count, fast.plan)[1] == 459
    assert fast.milps < slow.milps == 7


def test_a_tightened_milp_highs_calls_infeasible_is_solved_again(long_an_max_count, monkeypatch):
    # HiGHS 1.16's presolve once called a tightened MILP infeasible that its plan in hand met.
    expected = plan_whole(long_an_max_count)
    real, failed = exact.Milp._run, []

    def once_infeasible(self):
        if not failed:
            failed.append(True)
            raise SolverFailed("HiGHS answered 'kInfeasible' for a whole-device MILP")
        return real(self)

    monkeypatch.setattr(exact.Milp, "_run", once_infeasible)
    again = plan_whole(long_an_max_count)
    assert failed
    assert _by_band(long_an_max_count, again.plan) == _by_band(long_an_max_count, expected.plan)
    assert again.plan.accounts.general_cash_vnd == expected.plan.accounts.general_cash_vnd


@pytest.mark.parametrize("wrong", ["infeasible", "infeasible twice", "a plan below its optimum"])
def test_a_milp_highs_answers_wrongly_is_solved_again_from_scratch_then_without_presolve(long_an_max_count,
                                                                                       monkeypatch, wrong):
    # HiGHS 1.16's presolve calls some feasible MILPs infeasible (exact_search's max_count seed 587)
    # and can return a plan below the optimum it reports: every MILP here has a plan, so the MILP is
    # solved again (``Milp._run``), and the plan is the same as when HiGHS answers right.
    expected = plan_whole(long_an_max_count)
    real, calls = exact.Milp._solve_once, []

    def wrong_at_first(self):
        calls.append(self.highs.getOptionValue("presolve")[1])
        if len(calls) <= (2 if wrong == "infeasible twice" else 1):
            if wrong == "a plan below its optimum":
                real(self)
                return None
            raise SolverFailed("HiGHS answered 'kInfeasible' for a whole-device MILP")
        return real(self)

    monkeypatch.setattr(exact.Milp, "_solve_once", wrong_at_first)
    again = plan_whole(long_an_max_count)
    assert calls[:3] == (["on", "on", "off"] if wrong == "infeasible twice" else ["on", "on", "on"])
    assert _by_band(long_an_max_count, again.plan) == _by_band(long_an_max_count, expected.plan)
    assert again.plan.accounts.general_cash_vnd == expected.plan.accounts.general_cash_vnd


def test_a_milp_highs_calls_infeasible_three_times_fails_with_its_answer(long_an_max_count, monkeypatch):
    def infeasible(self):
        raise SolverFailed("HiGHS answered 'kInfeasible' for a whole-device MILP")

    monkeypatch.setattr(exact.Milp, "_solve_once", infeasible)
    with pytest.raises(SolverFailed, match="kInfeasible"):
        plan_whole(long_an_max_count)


def test_a_plan_in_hand_that_breaks_a_new_row_is_not_taken_for_a_whole_plan(long_an_max_count):
    m = build_model(long_an_max_count)
    milp = exact.Milp(m)
    milp.mark_integer(m.x.values())
    milp.optimise([(m.y[0], 1.0)], pulp.LpMaximize, whole=True)
    assert milp.in_hand_holds()
    reached = m.y[0].varValue
    assert reached >= 1
    m.add("less_than_reached", [(m.y[0], 1.0)], pulp.LpConstraintLE, reached - 1)
    milp.bound([(m.y[0], 1.0)], pulp.LpMaximize)  # hands the row over
    assert not milp.in_hand_holds()
    assert not milp.settled([(m.y[0], 1.0)], pulp.LpMaximize, reached)


def test_long_an_equal_rate_finds_its_first_level_without_a_milp(monkeypatch):
    # Band 1's 12 columns: the rounded plan's lowest rate is 81/256; no LP plan gives every column
    # the next whole rate above it (each column's learners rounded up), so that is t_1. The plan
    # and its leximin order are those of the MILPs.
    inputs = prepare(sim.load_scenario("data/scenarios/baseline.yaml"))
    fast = plan_whole(inputs)
    _without_shortcuts(monkeypatch)
    slow = plan_whole(inputs)
    assert fast.plan.covered == slow.plan.covered
    assert fast.milps < slow.milps
