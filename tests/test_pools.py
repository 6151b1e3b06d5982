"""Reserved pools (earmarks for a district, a band, or both), solved by hand; and a property test
that no pool ever gives more money or stock than it holds."""

from __future__ import annotations

import os

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sim
from sim.core.inputs import GENERAL, Resources
from sim.core.whole import account
from tests.conftest import covered
from tests.conftest import given as devices_given
from tests.conftest import student

M = 1_000_000
TABLET = {"unit_cost_vnd": M // 2, "grades": [1, 9]}
DESKTOP = {"unit_cost_vnd": M}


def pool(result: sim.Result, name: str) -> dict:
    return next(p for p in result.summary["pools"] if p["pool"] == name)


def test_band_pool_of_devices_serves_only_its_band_even_when_a_later_band_is_cheaper(case):
    # Band 1: 2 poor learners in grade 10 (desktops only). Band 2: 10 poor learners in grade 3
    # (tablets at 0.5 M are cheaper). 5 donated desktops for band 1, 1 M anywhere.
    # Band 1 takes 2 of its pool's desktops; the 3 others may not go to band 2, which buys
    # 2 tablets with the general 1 M.
    result = sim.solve(case([student("An Bình", 10, "poor", 2), student("An Bình", 3, "poor", 10)],
                            budget_vnd=1 * M, devices={"tablet": TABLET, "desktop": DESKTOP},
                            earmarks=[{"band": 1, "devices": {"desktop": 5}, "note": "company X, for exam grades"}]))
    assert result.summary["covered_by_band"] == {"1": 2, "2": 2, "3": 0, "4": 0, "5": 0}
    assert devices_given(result, grade="3", device="desktop") == 0
    assert result.summary["pools"] == [
        {"pool": "chung", "district": None, "band": None, "cash_vnd": 1 * M, "cash_spent_vnd": 1 * M, "cash_left_vnd": 0,
         "stock": {"tablet": 0, "desktop": 0, "data_package": 0}, "given": {"tablet": 2, "desktop": 0, "data_package": 0},
         "stock_left": {"tablet": 0, "desktop": 0, "data_package": 0}},
        {"pool": "nhóm 1", "district": None, "band": 1, "cash_vnd": 0, "cash_spent_vnd": 0, "cash_left_vnd": 0,
         "stock": {"tablet": 0, "desktop": 5, "data_package": 0}, "given": {"tablet": 0, "desktop": 2, "data_package": 0},
         "stock_left": {"tablet": 0, "desktop": 3, "data_package": 0}},
    ]


def test_district_and_band_pool_serves_that_band_in_that_district_only(case):
    # Band 1: 3 in An Bình, 3 in Bình Hòa; band 2: 3 in An Bình. Desktops 1 M, 2 M anywhere,
    # 2 M for band 2 in An Bình. Band 1 first, at equal rates on the general 2 M: 1 and 1.
    # The reserved 2 M may not serve band 1 (served first) nor Bình Hòa: An Bình's band 2 gets 2.
    result = sim.solve(case([student("An Bình", 10, "poor", 3), student("Bình Hòa", 10, "poor", 3),
                             student("An Bình", 5, "poor", 3)],
                            budget_vnd=2 * M, earmarks=[{"district": "An Bình", "band": 2, "budget_vnd": 2 * M}]))
    assert covered(result, district="An Bình", band=1) == 1
    assert covered(result, district="Bình Hòa", band=1) == 1
    assert covered(result, district="An Bình", band=2) == 2
    reserved = pool(result, "An Bình, nhóm 2")
    assert (reserved["district"], reserved["band"]) == ("An Bình", 2)
    assert (reserved["cash_vnd"], reserved["cash_spent_vnd"], reserved["cash_left_vnd"]) == (2 * M, 2 * M, 0)
    assert reserved["given"] == {"desktop": 2, "data_package": 0}
    assert pool(result, "chung")["given"] == {"desktop": 2, "data_package": 0}


def test_band_pool_of_cash_is_spent_on_its_band_in_every_district_and_the_rest_stays(case):
    # Band 1: 4 poor grade-10 learners in An Bình; band 3: 2 near-poor grade-10 learners in each
    # district. No general money, 5 M for band 3: band 1 gets nothing, band 3 all 4 (4 M), 1 M left.
    result = sim.solve(case([student("An Bình", 10, "poor", 4), student("An Bình", 10, "near_poor", 2),
                             student("Bình Hòa", 10, "near_poor", 2)],
                            budget_vnd=0, earmarks=[{"band": 3, "budget_vnd": 5 * M}]))
    assert result.summary["covered_by_band"] == {"1": 0, "2": 0, "3": 4, "4": 0, "5": 0}
    band_3 = pool(result, "nhóm 3")
    assert (band_3["cash_spent_vnd"], band_3["cash_left_vnd"], band_3["given"]["desktop"]) == (4 * M, 1 * M, 4)
    assert result.summary["cash_left_vnd"] == 0 and result.summary["spent_vnd"] == 4 * M


def test_pools_are_listed_general_first_then_by_district_name_then_band(case):
    # Band-only pools (no district) first, then An Bình, then Bình Hòa (its own pool before its
    # band-2 pool). Every pool is listed, even unused; two earmarks of one scope add up.
    result = sim.solve(case([student("An Bình", 10, "poor", 1)], budget_vnd=0, earmarks=[
        {"district": "Bình Hòa", "band": 2, "budget_vnd": M}, {"district": "Bình Hòa", "budget_vnd": M},
        {"band": 4, "data_packages": 3}, {"district": "An Bình", "band": 1, "devices": {"desktop": 1}},
        {"district": "An Bình", "band": 1, "devices": {"desktop": 2}}]))  # same scope: adds up
    assert [(p["pool"], p["district"], p["band"]) for p in result.summary["pools"]] == [
        ("chung", None, None), ("nhóm 4", None, 4), ("An Bình, nhóm 1", "An Bình", 1),
        ("Bình Hòa", "Bình Hòa", None), ("Bình Hòa, nhóm 2", "Bình Hòa", 2)]
    mine = pool(result, "An Bình, nhóm 1")
    assert (mine["stock"]["desktop"], mine["given"]["desktop"], mine["stock_left"]["desktop"]) == (3, 1, 2)
    assert pool(result, "nhóm 4")["stock_left"] == {"desktop": 0, "data_package": 3}


def test_without_band_pools_the_district_earmark_is_a_pool_too(case):
    # 4 + 4 band-1 learners, desktops 1 M, 2 M anywhere, 3 M for Bình Hòa (as in test_hand_solved):
    # An Bình 2 on general money, Bình Hòa 3 on its earmark.
    result = sim.solve(case([student("An Bình", 10, "poor", 4), student("Bình Hòa", 10, "poor", 4)],
                            budget_vnd=2 * M, earmarks=[{"district": "Bình Hòa", "budget_vnd": 3 * M}]))
    assert [(p["pool"], p["cash_spent_vnd"], p["given"]["desktop"]) for p in result.summary["pools"]] == [
        ("chung", 2 * M, 2), ("Bình Hòa", 3 * M, 3)]


def test_an_earmark_naming_neither_district_nor_band_is_an_error(case):
    scenario = case([student("An Bình", 10, "poor", 1)], earmarks=[{"budget_vnd": M, "note": "for whom?"}])
    with pytest.raises(sim.ScenarioError) as excinfo:
        sim.solve(scenario)
    text = str(excinfo.value)
    assert "scenario.yaml, line " in text and "key 'earmarks.0': an earmark that names neither a district nor a band" in text
    assert "expected district: (a name or code from areas.csv), band: (1 to 5), or both" in text


def test_an_earmark_for_a_band_that_does_not_exist_is_an_error(case):
    scenario = case([student("An Bình", 10, "poor", 1)], earmarks=[{"band": 6, "budget_vnd": M}])
    with pytest.raises(sim.ScenarioError) as excinfo:
        sim.solve(scenario)
    assert "key 'earmarks.0.band': not a priority band (found 6); expected a band from 1 to 5" in str(excinfo.value)


def test_a_district_earmark_without_a_band_hashes_as_before(case):
    # Scenarios written before bands could be named keep their inputs hash (and plan versions).
    scenario = case([student("An Bình", 10, "poor", 1)], earmarks=[{"district": "An Bình", "budget_vnd": M}])
    assert scenario.model_dump()["earmarks"] == [{"district": "An Bình", "budget_vnd": M, "devices": {}, "data_packages": 0,
                                                  "note": ""}]


# ---------------------------------------------------------------- never over a pool

AREAS = ["A1", "A2"]
ITEMS = ["tablet", "desktop", "data_package"]
PROFILE = settings(max_examples=int(os.environ.get("SIM_HYPOTHESIS_EXAMPLES", 100)), deadline=None, derandomize=True,
                   suppress_health_check=[HealthCheck.too_slow])


@st.composite
def banded(draw):
    units, money = st.integers(0, 3), st.integers(0, 6)
    scopes = [(a, b) for a in [None, *AREAS] for b in (1, 2)]
    res = Resources(
        cash=draw(money), price={i: draw(st.integers(0, 3)) for i in ITEMS}, stock={i: draw(units) for i in ITEMS},
        earmarked_cash={a: draw(money) for a in draw(st.sets(st.sampled_from(AREAS)))},
        earmarked_stock={a: {i: draw(units) for i in ITEMS} for a in draw(st.sets(st.sampled_from(AREAS)))},
        band_cash={s: draw(money) for s in draw(st.sets(st.sampled_from(scopes), min_size=1))},
        band_stock={s: {i: draw(units) for i in ITEMS} for s in draw(st.sets(st.sampled_from(scopes)))})
    used = {(a, b): {i: draw(st.integers(0, 4)) for i in ITEMS} for a in AREAS for b in (1, 2)}
    return res, used


@PROFILE
@given(banded())
def test_no_pool_gives_more_than_it_has_and_every_unit_is_paid_once(case_):
    res, used = case_
    acc = account(used, res)
    pools = {p.scope: p for p in res.pools()}
    for scope, spent in acc.pools.items():
        mine = pools[scope]
        for i in ITEMS:
            assert 0 <= spent.from_stock[i] <= mine.stock[i]
        if scope != GENERAL:
            assert 0 <= spent.cash_spent_vnd <= mine.cash
    assert acc.payable == (acc.pools[GENERAL].cash_spent_vnd <= res.cash)
    for i in ITEMS:  # every unit used comes from one pool's stock or one pool's money
        total = sum(u[i] for u in used.values())
        assert sum(p.from_stock[i] + p.bought[i] for p in acc.pools.values()) == total
        assert sum(a.used[i] for a in acc.areas.values()) == total
    spend = sum(res.price[i] * a.bought[i] for a in acc.areas.values() for i in ITEMS)
    assert sum(p.cash_spent_vnd for p in acc.pools.values()) == spend == sum(a.spend_vnd for a in acc.areas.values())
    for area, a in acc.areas.items():
        assert a.spend_vnd == a.general_cash_vnd + a.earmark_cash_vnd + a.reserved_cash_vnd


@PROFILE
@given(banded())
def test_pools_serve_only_the_segments_they_cover(case_):
    # Brute-force check by scope: take away one area's learners; no pool for the other area may
    # give more there than its share of the remaining need, and a pool for the other area
    # gives nothing at all.
    res, used = case_
    only_a1 = {s: (u if s[0] == "A1" else {i: 0 for i in ITEMS}) for s, u in used.items()}
    acc = account(only_a1, res)
    for scope, spent in acc.pools.items():
        if scope[0] == "A2":
            assert spent.cash_spent_vnd == 0 and not any(spent.from_stock.values()) and not any(spent.bought.values())
    only_band_1 = {s: (u if s[1] == 1 else {i: 0 for i in ITEMS}) for s, u in used.items()}
    acc = account(only_band_1, res)
    for scope, spent in acc.pools.items():
        if scope[1] == 2:
            assert spent.cash_spent_vnd == 0 and not any(spent.from_stock.values()) and not any(spent.bought.values())
