"""The shortcuts that make large plans fast give exactly what the plain computations give.

- ``whole._Money`` keeps the general money known one unit at a time; ``whole.account`` recounts
  everything. They must agree on every plan, including areas with earmarked cash and stock.
- ``groups``: the LP over groups of interchangeable cells reaches the same band totals and, under
  ``equal_rate``, the same rate in every cell as the LP over the cells themselves.
- ``solvers.IncrementalHiGHS`` (one HiGHS model kept between the LPs of a plan) reaches the same
  optima as PuLP's own HiGHS class, which rebuilds the model for every LP.
"""

from __future__ import annotations

import os

import pandas as pd
import pulp
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.core.groups import group_cells, split
from sim.core.inputs import Resources, prepare
from sim.core.model import build_model
from sim.core.steps import Request, optimise
from sim.read.scenario import Policy
from sim.core.solvers import make_solver
from sim.core.whole import _Ledger, account, round_to_whole
from tests.test_properties import AREAS as AREA_TABLE, scenarios, students

PROFILE = settings(max_examples=int(os.environ.get("SIM_HYPOTHESIS_EXAMPLES", 60)), deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])
ITEMS = ["tablet", "desktop", "data_package"]
AREAS = ["A1", "A2", "A3"]


@st.composite
def resources(draw) -> Resources:
    units = st.integers(0, 4)
    return Resources(
        cash=draw(st.integers(0, 12)),
        price={item: draw(st.integers(0, 4)) for item in ITEMS},
        stock={item: draw(units) for item in ITEMS},
        earmarked_cash={a: draw(st.integers(1, 6)) for a in draw(st.sets(st.sampled_from(AREAS)))},
        earmarked_stock={a: {item: draw(units) for item in ITEMS} for a in draw(st.sets(st.sampled_from(AREAS)))},
    )


class _Inputs:
    """The little of PlanInputs a ledger reads: one online and one offline cell per area."""

    def __init__(self, res: Resources):
        self.resources = res
        self.cells = pd.DataFrame({"area": [a for a in AREAS for _ in (0, 1)], "offline": [False, True] * len(AREAS)})


@PROFILE
@given(resources(), st.lists(st.tuples(st.integers(0, 2 * len(AREAS) - 1), st.sampled_from(["tablet", "desktop"]),
                                       st.sampled_from([1, 1, 1, 2, -1])), max_size=40))
def test_money_kept_up_to_date_agrees_with_a_full_recount(res, steps):
    ledger = _Ledger(_Inputs(res))
    for cell, device, delta in steps:
        if ledger.units.get((cell, device), 0) + delta < 0:
            continue
        saved = ledger.money.snapshot()
        ledger.change(cell, device, delta)
        assert ledger.payable() == account(ledger.used, res).payable
        if ledger.money.exact:
            assert ledger.money.general == account(ledger.used, res).general_cash_vnd
        if delta > 0 and not ledger.payable():  # as the hand-out does: take the unit back
            ledger.change(cell, device, -delta)
            ledger.money.restore(saved)
            assert ledger.payable() == account(ledger.used, res).payable


def _lp(inputs, policy: Policy, grouped: bool):
    solver = make_solver("highs")
    if not grouped:
        return optimise(build_model(inputs), Request(), solver)[0]
    grouping = group_cells(inputs)
    return split(optimise(build_model(grouping.inputs), Request(), solver)[0], grouping, list(inputs.cells["pupils"]))


def _by_band(inputs, covered) -> dict[int, float]:
    totals: dict[int, float] = {}
    for band, y in zip(inputs.cells["band"], covered):
        totals[band] = totals.get(band, 0.0) + y
    return totals


@PROFILE
@given(scenarios(), students(), st.sampled_from(["equal_rate", "max_count"]))
def test_groups_of_interchangeable_cells_change_no_optimum(scenario, table, within_band):
    policy = Policy(mode="strict", within_band=within_band)
    inputs = prepare(scenario.with_changes(policy=policy), AREA_TABLE, table)
    cells, groups = _lp(inputs, policy, grouped=False), _lp(inputs, policy, grouped=True)
    by_cells, by_groups = _by_band(inputs, cells.covered), _by_band(inputs, groups.covered)
    for band in by_cells:
        assert by_groups[band] == pytest.approx(by_cells[band], abs=1e-4)
    if within_band == "equal_rate":  # leximin rates are unique, so every cell's rate agrees
        for c, pupils in enumerate(inputs.cells["pupils"]):
            assert groups.covered[c] / pupils == pytest.approx(cells.covered[c] / pupils, abs=1e-4)


def test_long_an_groups_are_fewer_than_cells_and_keep_every_learner():
    inputs = prepare(sim.load_scenario("data/scenarios/baseline.yaml"))
    grouping = group_cells(inputs)
    assert len(grouping.inputs.cells) < len(inputs.cells) / 2
    assert sorted(c for members in grouping.members for c in members) == list(range(len(inputs.cells)))
    assert grouping.inputs.cells["pupils"].sum() == inputs.cells["pupils"].sum()


@PROFILE
@given(scenarios(), students())
def test_one_highs_model_kept_between_lps_reaches_pulps_optima(scenario, table):
    inputs = prepare(scenario, AREA_TABLE, table)
    ours, _ = optimise(build_model(inputs), Request(), make_solver("highs"))
    theirs, _ = optimise(build_model(inputs), Request(), pulp.HiGHS(msg=False))
    ours_bands, their_bands = _by_band(inputs, ours.covered), _by_band(inputs, theirs.covered)
    for band in their_bands:
        assert ours_bands[band] == pytest.approx(their_bands[band], abs=1e-4)


def test_rounding_with_the_kept_money_equals_rounding_with_full_recounts(monkeypatch):
    scenario = sim.load_scenario("data/scenarios/baseline.yaml")
    inputs = prepare(scenario)
    lp = _lp(inputs, scenario.policy, grouped=True)
    fast = round_to_whole(inputs, lp)
    monkeypatch.setattr(_Ledger, "payable", lambda self: account(self.used, self.inputs.resources).payable)
    slow = round_to_whole(inputs, lp)
    assert fast.units == slow.units and fast.covered == slow.covered
