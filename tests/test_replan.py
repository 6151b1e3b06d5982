"""Re-planning from the ledger, solved by hand: what counts, what was delivered, what changes least."""

from __future__ import annotations

import dataclasses
import json

import pytest

import sim
from sim.ledger.donations import Delivery, Donation, Sourced
from sim.core.fixed import stay_close
from sim.ledger.store import Ledger
from sim.ledger.replan import replan
from sim.ledger.versions import diff, versions_table
from tests.conftest import covered, given, student
from tests.test_ledger import run_cli

M = 1_000_000


def cash(donation_id, amount, status="received", district="", band=None) -> Donation:
    return Donation(donation_id, "2026-11-24", "Nhà hảo tâm", "cash", "", 0, amount, district, band, status)


def devices(donation_id, device, quantity, status="received", district="") -> Donation:
    return Donation(donation_id, "2026-11-24", "Công ty", "device", device, quantity, 0, district, None, status)


def record(ledger: Ledger, *records) -> None:
    ledger.record([Sourced(r, "test") for r in records])


def delivery(delivery_id, district, device, quantity) -> Delivery:
    return Delivery(delivery_id, "2026-12-01", district, device, quantity, "")


@pytest.fixture
def ledger(tmp_path):
    with Ledger(tmp_path / "ledger.sqlite", create=True) as opened:
        yield opened


# ---------------------------------------------------------------- what counts

@pytest.mark.parametrize("counting, expected", [
    ({"count": "received"}, 1 + 3),                                   # budget + received
    ({"count": "pledged"}, 1 + 3 + 2),                                # + the pledge in full
    ({"count": "pledged_at_rate", "realisation_rate": 0.5}, 1 + 3 + 1),  # + half the pledge
])
def test_which_donations_count(case, ledger, counting, expected):
    # 10 band-1 learners, desktops at 1 M, 1 M budget; received 3 M, pledged 2 M, cancelled 4 M.
    scenario = case([student("An Bình", 10, "poor", 10)], budget_vnd=1 * M, donations=counting)
    record(ledger, cash("D1", 3 * M), cash("D2", 2 * M, "pledged"), cash("D3", 4 * M, "cancelled"))
    result = replan(scenario, ledger, compare=False).result
    assert covered(result) == expected
    assert result.summary["budget_vnd"] == expected * M


def test_a_rate_applies_to_the_pools_total_not_each_pledge(case, ledger):
    # Three pledges of one desktop at 70%: 2.1 desktops, rounded down to 2 (not 3 x 0 = 0).
    scenario = case([student("An Bình", 10, "poor", 5)], donations={"count": "pledged_at_rate", "realisation_rate": 0.7})
    record(ledger, *(devices(f"D{i}", "desktop", 1, "pledged") for i in range(3)))
    result = replan(scenario, ledger, compare=False).result
    assert covered(result) == 2
    assert result.summary["from_stock"]["desktop"] == 2


def test_an_earmarked_gift_stays_in_its_district(case, ledger):
    # 4 + 4 band-1 learners; 2 M anywhere, 3 desktops for Bình Hòa only. Equal rates: 4t <= 2 M
    # of general money in An Bình while Bình Hòa uses its own desktops, so t = 1/2: An Bình 2,
    # Bình Hòa 2; An Bình can go no higher, Bình Hòa rises to its 3 desktops.
    scenario = case([student("An Bình", 10, "poor", 4), student("Bình Hòa", 10, "poor", 4)])
    record(ledger, cash("D1", 2 * M), devices("D2", "Desktop", 3, district="BÌNH HOÀ"))
    result = replan(scenario, ledger, compare=False).result
    assert covered(result, district="An Bình") == 2
    assert covered(result, district="Bình Hòa") == 3
    assert result.summary["ledger"]["counted"] == {"anywhere: cash": 2 * M, "Bình Hòa: desktop": 3}


def test_a_gift_reserved_for_a_band_is_a_pool_of_that_band(case, ledger):
    # 4 band-1 learners, desktops 1 M; 5 M for band 1 and 1 M anywhere. The band's pool (more
    # specific) pays first: 4 desktops, 4 M of its 5 M; the general 1 M is left.
    scenario = case([student("An Bình", 10, "poor", 4)])
    record(ledger, cash("D1", 5 * M, band=1), cash("D2", 1 * M))
    result = replan(scenario, ledger, compare=False).result
    assert covered(result) == 4
    assert "held_aside" not in result.summary["ledger"]
    assert result.summary["ledger"]["counted"] == {"anywhere: cash": 1 * M, "band 1: cash": 5 * M}
    general, band_1 = result.summary["pools"]
    assert (general["pool"], general["cash_spent_vnd"], general["cash_left_vnd"]) == ("chung", 0, 1 * M)
    assert (band_1["pool"], band_1["band"], band_1["cash_spent_vnd"], band_1["cash_left_vnd"]) == ("nhóm 1", 1, 4 * M, 1 * M)
    assert band_1["given"] == {"desktop": 4, "data_package": 0}


def test_a_delivered_gift_reserved_for_a_band_is_kept_and_not_paid_twice(case, ledger):
    # 6 band-1 learners in An Bình, no money at all. A gift of 5 desktops for band 1, delivered
    # in An Bình: the plan keeps the 5 delivered desktops and takes them from the gift's pool
    # (An Bình, band 1), so it buys nothing (it used to count the gift as zero stock, buy the
    # 5 desktops again and fail for want of cash).
    scenario = case([student("An Bình", 10, "poor", 6)], budget_vnd=0)
    gift = Donation("D1", "2026-11-24", "Công ty X", "device", "desktop", 5, 0, "An Bình", 1, "delivered")
    record(ledger, gift)
    result = replan(scenario, ledger, compare=False).result
    assert covered(result) == 5
    assert given(result, device="desktop") == 5
    assert result.summary["bought"] == {"desktop": 0, "data_package": 0}
    assert result.summary["spent_vnd"] == 0
    assert result.summary["delivered"] == {"An Bình": {"desktop": 5}}
    general, gift_pool = result.summary["pools"]
    assert general["given"] == {"desktop": 0, "data_package": 0}
    assert (gift_pool["pool"], gift_pool["stock"]["desktop"], gift_pool["given"]["desktop"], gift_pool["stock_left"]["desktop"]) \
        == ("An Bình, nhóm 1", 5, 5, 0)


def test_plans_diff_shows_what_each_pool_gave_and_has_left(case, ledger):
    # Version 1: 2 M for band 1 buys 2 of the 3 band-1 learners' desktops. Version 2: 1 M more
    # for band 1 buys the third: the band-1 pool gave 3 desktops (was 2), 3 M spent (was 2 M).
    scenario = case([student("An Bình", 10, "poor", 3)])
    record(ledger, cash("D1", 2 * M, band=1))
    first = replan(scenario, ledger, compare=False)
    record(ledger, cash("D2", 1 * M, band=1))
    second = replan(scenario, ledger, compare=False)
    change = diff(ledger.version(first.version), ledger.version(second.version))
    assert change.pools.to_dict("records") == [
        {"pool": "nhóm 1", "item": "VND", "given_before": 2 * M, "given_after": 3 * M, "left_before": 0, "left_after": 0},
        {"pool": "nhóm 1", "item": "desktop", "given_before": 2, "given_after": 3, "left_before": 0, "left_after": 0}]
    assert "Pools that changed (given, and left):\n  band 1  VND          given 2,000,000 -> 3,000,000, left 0 -> 0" in str(change)
    stored = ledger.version(first.version)
    summary = {k: v for k, v in stored.summary.items() if k != "pools"}  # as stored before pools existed
    old = dataclasses.replace(stored, summary_json=json.dumps(summary))
    assert diff(old, ledger.version(second.version)).pools.empty  # nothing to show for them
    assert "Pools that changed" not in str(diff(old, ledger.version(second.version)))


def test_a_ledger_that_does_not_fit_the_scenario_names_the_donation(case, ledger):
    scenario = case([student("An Bình", 10, "poor", 4)])
    record(ledger, devices("D1", "phone", 3), cash("D2", M, district="Binh Hoa xa"), devices("D3", "fax", 1, "cancelled"))
    with pytest.raises(sim.ScenarioError) as excinfo:
        replan(scenario, ledger, compare=False)
    text = str(excinfo.value)
    assert "ledger.sqlite, column 'device': D1: the scenario has no such device (found 'phone'); expected one of desktop" in text
    assert "column 'earmark_district': D2: unknown district (found 'Binh Hoa xa')" in text
    assert "Did you mean 'Bình Hòa'?" in text
    assert "D3" not in text  # cancelled: never counted, so never checked
    assert ledger.versions() == []


# ---------------------------------------------------------------- deliveries are fixed

def test_a_cancelled_pledge_shrinks_the_plan_but_not_what_was_delivered(case, ledger):
    # Band 1: 5 in Bình Hòa; band 2: 5 in An Bình; desktops 1 M. 5 M received + 5 M pledged cover
    # all 10. Two desktops are handed over in An Bình; then the pledge is cancelled: 5 M are left,
    # 2 M of which An Bình already has. Without the delivery Bình Hòa (band 1) would get all 5.
    scenario = case([student("Bình Hòa", 10, "poor", 5), student("An Bình", 5, "poor", 5)], donations={"count": "pledged"})
    record(ledger, cash("D1", 5 * M), cash("D2", 5 * M, "pledged"))
    first = replan(scenario, ledger, compare=False)
    assert covered(first.result) == 10
    record(ledger, delivery("G1", "An Bình", "desktop", 2))
    ledger.set_status("D2", "cancelled")
    second = replan(scenario, ledger, compare=False)
    assert given(second.result, district="An Bình", device="desktop") == 2
    assert given(second.result, district="Bình Hòa", device="desktop") == 3
    assert second.result.summary["delivered"] == {"An Bình": {"desktop": 2}}
    fresh = sim.solve(scenario.with_changes(budget_vnd=5 * M), compare=False)
    assert covered(fresh, district="Bình Hòa") == 5 and covered(fresh, district="An Bình") == 0

    change = diff(ledger.version(first.version), ledger.version(second.version))
    rows = {(r.district, r.device): (r.before, r.after, r.because) for r in change.devices.itertuples()}
    assert rows == {("Bình Hòa", "desktop"): (5, 3, "D2"), ("An Bình", "desktop"): (5, 2, "D2, deliveries")}
    assert list(change.donations["status"]) == ["pledged -> cancelled"]
    assert "Bình Hòa  desktop       5 ->      3       −2   because: D2" in str(change)


def test_what_is_left_after_the_deliveries_is_shared_at_equal_rates(case):
    # Band 1: grades 10 and 11 in Bình Hòa, 5 each; band 2: 5 in An Bình, which has received 4
    # desktops. 10 M: 4 M are An Bình's desktops, the other 6 M serve band 1 at equal rates, 3 and 3.
    # (The LP plans with the deliveries; patching them into a plan of 5 + 5 made without them
    # would take the 4 back from band 1 unevenly.)
    scenario = case([student("Bình Hòa", 10, "poor", 5), student("Bình Hòa", 11, "poor", 5), student("An Bình", 5, "poor", 5)],
                    budget_vnd=10 * M)
    result = sim.solve(scenario, delivered={("An Bình", "desktop"): 4})
    assert covered(result, district="An Bình") == 4
    assert covered(result, district="Bình Hòa", grade="10") == 3
    assert covered(result, district="Bình Hòa", grade="11") == 3


def test_deliveries_the_money_cannot_pay_for_are_refused(case, tmp_path):
    scenario = case([student("An Bình", 10, "poor", 5)])
    db = tmp_path / "ledger.sqlite"
    with Ledger(db, create=True) as ledger:
        record(ledger, cash("D1", 1 * M), delivery("G1", "An Bình", "desktop", 2))
    done = run_cli("replan", tmp_path / "scenario.yaml", "--db", db, "--out", tmp_path / "out")
    assert done.returncode == 3, done.stderr
    assert "the devices already delivered cost more than the money and stock on hand" in done.stderr
    assert not (tmp_path / "out").exists()


def test_deliveries_beyond_the_learners_are_refused(case, ledger):
    scenario = case([student("An Bình", 10, "poor", 5)], budget_vnd=10 * M)
    record(ledger, delivery("G1", "An Bình", "desktop", 6))
    with pytest.raises(sim.ScenarioError, match="more desktop delivered in An Bình than it has learners a desktop suits"):
        replan(scenario, ledger, compare=False)


def test_a_delivered_gift_in_kind_is_stock_and_a_delivery(case, ledger):
    scenario = case([student("Bình Hòa", 10, "poor", 5), student("An Bình", 5, "poor", 5)])
    record(ledger, devices("D1", "desktop", 3, "delivered", district="An Bình"))
    result = replan(scenario, ledger, compare=False).result
    assert result.summary["delivered"] == {"An Bình": {"desktop": 3}}
    assert given(result, district="An Bình") == 3 and covered(result, district="Bình Hòa") == 0


# ---------------------------------------------------------------- least change, after the best coverage

@pytest.mark.parametrize("kept", ["An Bình", "Bình Hòa"])
def test_among_equally_good_plans_the_previous_one_is_kept(case, kept):
    # max_count, 2 + 2 band-1 learners, money for 2: either district is as good. The previous plan decides.
    scenario = case([student("An Bình", 10, "poor", 2), student("Bình Hòa", 10, "poor", 2)], budget_vnd=2 * M,
                    policy={"mode": "strict", "within_band": "max_count"})
    result = sim.solve(scenario, previous={(kept, "desktop"): 2})
    assert given(result, district=kept) == 2
    assert result.summary["previous_plan"]["devices_changed"] == 0


@pytest.mark.parametrize("before", [{"tablet": 4}, {"desktop": 4}, {"tablet": 1, "desktop": 3}])
def test_the_previous_choice_of_device_is_kept(case, before):
    # Grade 5 suits both devices at the same price: 4 devices in all, split as before.
    scenario = case([student("An Bình", 5, "poor", 4)], budget_vnd=4 * M,
                    devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}, "desktop": {"unit_cost_vnd": M}})
    result = sim.solve(scenario, previous={("An Bình", d): n for d, n in before.items()})
    assert {d: given(result, device=d) for d in before} == before


@pytest.mark.parametrize("desktop_price, expected", [(1 * M, {"tablet": 1, "desktop": 3}),   # same price: swapped back
                                                      (2 * M, {"tablet": 4, "desktop": 0})])  # dearer: 4 M cannot pay
def test_whole_devices_are_swapped_back_to_the_previous_choice_when_the_money_allows(case, desktop_price, expected):
    # 4 learners of grade 5, 4 M; the plan made without a previous one, then brought closer to
    # 1 tablet + 3 desktops by swapping devices inside a group (nobody's coverage changes).
    scenario = case([student("An Bình", 5, "poor", 4)], budget_vnd=4 * M,
                    devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}, "desktop": {"unit_cost_vnd": desktop_price}})
    plain = sim.solve(scenario, compare=False)
    previous = {("A1", "tablet"): 1, ("A1", "desktop"): 3}
    plain_units = {d: sum(n for (c, dd), n in plain.plan.units.items() if dd == d) for d in ("tablet", "desktop")}
    assert plain_units != {"tablet": 1, "desktop": 3}  # this is what rounding alone gives
    closer = stay_close(plain.inputs, plain.plan, previous)
    assert {d: sum(n for (c, dd), n in closer.units.items() if dd == d) for d in ("tablet", "desktop")} == expected
    assert closer.covered == plain.plan.covered and closer.accounts.payable


def test_coverage_comes_before_staying_close(case):
    # The previous plan gave nothing; money for 2 is still spent on 2 learners.
    scenario = case([student("An Bình", 10, "poor", 5)], budget_vnd=2 * M)
    result = sim.solve(scenario, previous={("An Bình", "desktop"): 0})
    assert covered(result) == 2
    assert result.summary["previous_plan"]["devices_changed"] == 2


def test_without_deliveries_or_a_previous_plan_nothing_changes(case):
    scenario = case([student("An Bình", 10, "poor", 3), student("Bình Hòa", 5, "near_poor", 4)], budget_vnd=5 * M)
    plain, fixed = sim.solve(scenario), sim.solve(scenario, delivered={})
    assert plain.allocation.equals(fixed.allocation) and plain.coverage.equals(fixed.coverage)
    assert "delivered" not in plain.summary and "previous_plan" not in plain.summary


# ---------------------------------------------------------------- versions and determinism

def test_the_same_ledger_gives_byte_identical_files_and_a_replan_with_nothing_new_changes_nothing(case, tmp_path):
    scenario = case([student("An Bình", 10, "poor", 6, 2), student("Bình Hòa", 3, "near_poor", 7, 3)], budget_vnd=3 * M)
    outputs = []
    for name in ("a", "b"):
        with Ledger(tmp_path / f"{name}.sqlite", create=True) as ledger:
            record(ledger, cash("D1", 4 * M), devices("D2", "desktop", 2, district="Bình Hòa"))
            replan(scenario, ledger).result.write(tmp_path / name)
            again = replan(scenario, ledger)
            assert again.result.summary["previous_plan"]["devices_changed"] == 0
            assert versions_table(ledger)["previous"].tolist()[1] == 1
        outputs.append({p.name: p.read_bytes() for p in (tmp_path / name).iterdir()})
    first, second = outputs
    assert first["allocation.csv"] == second["allocation.csv"] and first["coverage.csv"] == second["coverage.csv"]
    one, two = (json.loads(o["summary.json"]) for o in outputs)
    assert one.pop("seconds") >= 0 and two.pop("seconds") >= 0
    assert one == two
    assert sorted(one["inputs_sha256"]) == ["areas", "ledger", "scenario", "students"]


def test_record_replan_and_explain_in_three_commands(case, tmp_path):
    case([student("An Bình", 10, "poor", 6), student("Bình Hòa", 10, "poor", 6)], budget_vnd=2 * M)
    db, yaml = tmp_path / "ledger.sqlite", tmp_path / "scenario.yaml"
    assert run_cli("replan", yaml, "--db", db, "--out", tmp_path / "v1", "--quiet").returncode == 0
    added = run_cli("donations", "add", "--donation-id", "D1", "--date", "24/11/2026", "--kind", "cash",
                    "--amount-vnd", "4.000.000", "--earmark-district", "Bình Hòa", "--status", "received", "--db", db)
    assert added.returncode == 0, added.stderr
    replanned = run_cli("replan", yaml, "--db", db, "--out", tmp_path / "v2")
    assert replanned.returncode == 0, replanned.stderr
    assert "Stored as plan version 2" in replanned.stdout
    assert "Bình Hòa  desktop       1 ->      4       +3   because: D1" in replanned.stdout
    assert "An Bình   desktop       1 ->      2       +1   because: indirectly D1" in replanned.stdout
    explained = run_cli("plans", "diff", "1", "2", "--db", db)
    assert explained.returncode == 0 and "because: D1" in explained.stdout
    assert "D1  Nhà hảo tâm" not in explained.stdout and "D1  -: 4,000,000 VND for Bình Hòa; new, received" in explained.stdout
    listed = run_cli("plans", "list", "--db", db)
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 3
    assert run_cli("plans", "diff", "1", "7", "--db", db).returncode == 2


def test_a_changed_scenario_is_named_as_a_cause(case, ledger):
    scenario = case([student("An Bình", 10, "poor", 6)], budget_vnd=2 * M)
    first = replan(scenario, ledger, compare=False)
    second = replan(scenario.with_changes(budget_vnd=5 * M), ledger, compare=False)
    change = diff(ledger.version(first.version), ledger.version(second.version))
    assert change.scenario_changed
    assert change.devices[["district", "before", "after", "because"]].values.tolist() == [["An Bình", 2, 5, "scenario"]]
    assert not diff(ledger.version(first.version), ledger.version(first.version)).scenario_changed
