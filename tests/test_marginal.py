"""Marginal values: the shadow-price sign convention, estimates confirmed by re-solving, policy names."""

from __future__ import annotations

import pulp
import pytest

import sim
from sim.analysis.marginal import Change, binding_constraints, default_changes, marginal_table, marginal_values, shadow_price
from sim.core.solvers import make_solver, solve_lp
from tests.conftest import BASELINE, student

M = 1_000_000


@pytest.mark.parametrize("solver", ["highs", "cbc"])
@pytest.mark.parametrize("sense", [pulp.LpMaximize, pulp.LpMinimize])
def test_shadow_price_is_the_change_in_objective_per_unit_of_right_hand_side(solver, sense):
    # max 3x + 2y st x + y <= 4, x - y <= 2: x = 3, y = 1, 11; the duals solve 3 = a + b, 2 = a - b:
    # a = 2.5, b = 0.5. The minimisation min 3x + 2y st x + y >= 4, x - y >= 2 has the same optimum
    # and shadow prices (raising a right-hand side by 1 raises the cost by 2.5 and 0.5).
    # PuLP 3.3.2 reports -2.5 and -0.5 from HiGHS for the maximisation; shadow_price undoes that.
    problem = pulp.LpProblem("signs", sense)
    x, y = problem.add_variable("x", lowBound=0), problem.add_variable("y", lowBound=0)
    problem.setObjective(pulp.LpAffineExpression([(x, 3), (y, 2)]))
    kind = pulp.LpConstraintLE if sense == pulp.LpMaximize else pulp.LpConstraintGE
    first = pulp.LpConstraint(pulp.LpAffineExpression([(x, 1), (y, 1)]), sense=kind, rhs=4, name="first")
    second = pulp.LpConstraint(pulp.LpAffineExpression([(x, 1), (y, -1)]), sense=kind, rhs=2, name="second")
    problem.addConstraint(first)
    problem.addConstraint(second)
    solve_lp(problem, make_solver(solver))
    assert pulp.value(problem.objective) == pytest.approx(11)
    assert shadow_price(first, problem, solver) == pytest.approx(2.5)
    assert shadow_price(second, problem, solver) == pytest.approx(0.5)
    if solver == "highs" and sense == pulp.LpMaximize:  # the raw sign this module corrects for
        assert first.pi == pytest.approx(-2.5)


def small_case(case, solver="highs"):
    """Band 1 only: 20 poor pupils of grade 10 in each district, desktops 2 M, 10 M of budget and
    6 M earmarked for Bình Hòa; served to the most learners (max_count): 5 + 3 = 8 learners."""
    return case([student("An Bình", 10, "poor", 20), student("Bình Hòa", 10, "poor", 20)],
                budget_vnd=10 * M, devices={"desktop": {"unit_cost_vnd": 2 * M}},
                earmarks=[{"district": "Bình Hòa", "budget_vnd": 6 * M}],
                policy={"within_band": "max_count"}, solver=solver)


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_estimates_agree_with_re_solving(case, solver):
    # Each learner costs 2 M: 0.5 learner per million of budget or of earmark, 1 per donated desktop.
    # 4 M more: 2 learners. 2 more desktops: 2 learners. No one lacks internet: data packages are
    # worth nothing. The earmark given to the general budget: the same 6 M, 3 learners: 0 net.
    scenario = small_case(case, solver)
    values = {v.label: v for v in marginal_values(scenario, default_changes(scenario, budget_step=4 * M, units=2))}
    budget = values["4,000,000 VND more in the budget"]
    assert (budget.band, budget.estimate, budget.lp_resolved, budget.plan_resolved) == (1, pytest.approx(2), pytest.approx(2), 2)
    desktops = values["2 more donated desktops"]
    assert (desktops.estimate, desktops.lp_resolved, desktops.plan_resolved) == (pytest.approx(2), pytest.approx(2), 2)
    packages = values["2 more donated data packages"]
    assert (packages.band, packages.estimate, packages.plan_resolved) == (None, 0, 0)
    earmark = values["the Bình Hòa earmark (6,000,000 VND) given to the general budget"]
    assert (earmark.estimate, earmark.lp_resolved, earmark.plan_resolved) == (pytest.approx(0), pytest.approx(0), 0)
    assert budget.binding == ["the budget"] and set(earmark.binding) == {"the budget", "the Bình Hòa earmark"}


def test_binding_constraints_are_named_in_policy_terms(case):
    table = binding_constraints(small_case(case))
    named = dict(zip(table["constraint"], table["learners per unit"]))
    assert named == {"the budget": pytest.approx(0.5), "the desktop stock": pytest.approx(1.0),
                     "the Bình Hòa earmark": pytest.approx(0.5)}
    assert set(table["unit"]) == {"million VND", "device or package"}


def test_an_earmark_costs_the_rest_of_the_province(case):
    # An Bình: 10 pupils of grade 10 online (desktop 1 M); Bình Hòa: 10 offline (desktop and data,
    # 2 M); 4 M of budget, 4 M earmarked for Bình Hòa; max_count. With the earmark: An Bình 4,
    # Bình Hòa 2 (6 learners). As general money the 8 M go to An Bình's cheaper pupils first:
    # 8 learners, all in An Bình: the earmark costs the rest of the province 4 learners, Bình Hòa 2.
    # Shadow prices: 1 learner per million of budget, 0.5 per million of the earmark: (1 - 0.5) 4 = 2.
    scenario = case([student("An Bình", 10, "poor", 10), student("Bình Hòa", 10, "poor", 10, without_internet=10)],
                    budget_vnd=4 * M, devices={"desktop": {"unit_cost_vnd": M}},
                    data_package={"monthly_cost_vnd": 100_000, "months": 10},
                    earmarks=[{"district": "Bình Hòa", "budget_vnd": 4 * M}], policy={"within_band": "max_count"})
    (value,) = marginal_values(scenario, [c for c in default_changes(scenario) if "earmark" in c.label])
    assert (value.estimate, value.lp_resolved, value.plan_resolved) == (pytest.approx(2), pytest.approx(2), 2)
    assert value.district_change == -2
    row = marginal_table([value]).iloc[0]
    assert (row["of which in its district"], row["rest of the province"]) == (-2, 4)


def test_long_an_budget_estimate_holds_when_re_solved():
    # Baseline: band 1 is short of money; 100 M more buys 100 / 8.5 = 11.76 desktops for grades 10-12.
    scenario = sim.load_scenario(BASELINE)
    (value,) = marginal_values(scenario, [Change("100 M more", {"budget_vnd": scenario.budget_vnd + 100 * M},
                                                 {"the budget": 100.0})])
    assert value.band == 1
    assert value.estimate == pytest.approx(100 / 8.5, abs=1e-6)
    assert value.lp_resolved == pytest.approx(value.estimate, abs=1e-4)
    assert abs(value.plan_by_band[1] - value.estimate) <= 1  # whole desktops: 11 or 12
