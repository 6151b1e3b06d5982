"""Invariants of re-planning on random small scenarios (hypothesis): deliveries kept, least change."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.core.inputs import prepare
from sim.core.model import build_model
from sim.core.steps import Request, optimise
from sim.core.rules import BANDS
from sim.core.solvers import make_solver
from tests.test_properties import AREAS, M, scenarios, students

PROFILE = settings(max_examples=int(os.environ.get("SIM_HYPOTHESIS_EXAMPLES", 60)) // 2, deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-4


def per_district_device(result: sim.Result) -> dict[tuple[str, str], int]:
    return {k: int(v) for k, v in result.allocation.groupby(["district", "device"])["devices"].sum().items()}


@PROFILE
@given(scenarios(), students(), st.integers(0, 20), st.integers(0, 4))
def test_a_district_never_gets_fewer_devices_than_it_received(scenario, table, extra, quarters):
    """Deliveries are a share of what a richer plan gave; the plan with less money keeps them all,
    or says it cannot pay for them, and never breaks the budget or a stock."""
    richer = sim.solve(scenario.with_changes(budget_vnd=scenario.budget_vnd + extra * M), areas=AREAS, students=table,
                       compare=False)
    delivered = {k: n * quarters // 4 for k, n in per_district_device(richer).items()}
    try:
        result = sim.solve(scenario, areas=AREAS, students=table, compare=False, delivered=delivered, previous=richer)
    except sim.ScenarioError as exc:
        assert "already delivered cost more than the money and stock" in str(exc)
        return
    given_now = per_district_device(result)
    assert all(given_now.get(k, 0) >= n for k, n in delivered.items())
    s = result.summary
    assert 0 <= s["spent_general_vnd"] <= scenario.budget_vnd
    assert all(n >= 0 for n in s["stock_left"].values())
    assert (result.coverage["covered"] <= result.coverage["pupils"]).all()


def lp_plan(scenario: sim.Scenario, table, previous=None):
    inputs = prepare(scenario, AREAS, table)
    model = build_model(inputs)
    lp, _ = optimise(model, Request(previous=previous), make_solver(scenario.solver))
    area = list(inputs.cells["area"])
    bands = list(inputs.cells["band"])
    by_band = {b: sum(v for c, v in enumerate(lp.covered) if bands[c] == b) for b in BANDS}
    totals: dict[tuple[str, str], float] = {}
    for (c, d), v in lp.given.items():
        totals[area[c], d] = totals.get((area[c], d), 0.0) + v
    return by_band, totals


@PROFILE
@given(scenarios(), students(), st.dictionaries(st.tuples(st.sampled_from(["A1", "B2"]), st.sampled_from(["tablet", "desktop"])),
                                                st.integers(0, 8), max_size=4))
def test_staying_close_never_costs_coverage_and_changes_least(scenario, table, previous):
    """LP level, strict modes: with a previous plan P every band covers what it covers without
    one, and sum |X - P| is no larger than that of the plan made without P."""
    if scenario.policy.mode != "strict":
        return
    plain_bands, plain = lp_plan(scenario, table)
    close_bands, close = lp_plan(scenario, table, previous)
    for band in BANDS:
        assert abs(close_bands[band] - plain_bands[band]) <= TOLERANCE * max(1.0, plain_bands[band])

    def change(totals):
        keys = set(totals) | set(previous)
        return sum(abs(totals.get(k, 0.0) - previous.get(k, 0)) for k in keys)

    assert change(close) <= change(plain) + TOLERANCE * max(1.0, change(plain))
