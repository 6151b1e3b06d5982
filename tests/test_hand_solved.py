"""Small cases solved by hand; each test states the arithmetic behind its expected values."""

from __future__ import annotations

import pytest

import sim
from tests.conftest import covered, given, student

M = 1_000_000


def bands(result: sim.Result) -> dict[str, int]:
    return result.summary["covered_by_band"]


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_bands_are_served_in_order(case, solver):
    # Five learners in each band, desktops at 1 M, 12 M: bands 1 and 2 in full, 2 of band 3.
    scenario = case([
        student("An Bình", 10, "poor", 5),          # band 1
        student("An Bình", 5, "poor", 5),           # band 2
        student("An Bình", 10, "near_poor", 5),     # band 3
        student("An Bình", 5, "near_poor", 5),      # band 4
        student("An Bình", 5, "covid_orphan", 5),   # band 5
    ], budget_vnd=12 * M, solver=solver)
    result = sim.solve(scenario)
    assert bands(result) == {"1": 5, "2": 5, "3": 2, "4": 0, "5": 0}
    assert result.summary["spent_vnd"] == 12 * M
    assert result.summary["cash_left_vnd"] == 0


def test_near_poor_grade_12_is_in_band_1(case):
    # Near-poor grade 12 (band 1) comes before poor grade 5 (band 2): 3 devices go to grade 12.
    result = sim.solve(case([student("An Bình", 5, "poor", 3), student("An Bình", 12, "near_poor", 3)],
                            budget_vnd=3 * M))
    assert covered(result, grade="12", status="near_poor") == 3
    assert covered(result, grade="5", status="poor") == 0
    assert bands(result)["1"] == 3


def test_stock_that_suits_some_grades_goes_down_the_bands(case):
    # Band 1: 2 in grade 9 (tablet or desktop), 2 in grade 11 (desktop only); band 2: 3 in grade 3.
    # 3 donated tablets (grades 1-9), desktops 1 M, 2 M cash. Band 1 takes 2 tablets for grade 9
    # and buys 2 desktops for grade 11; the one tablet left goes to band 2.
    result = sim.solve(case([student("An Bình", 9, "poor", 2), student("An Bình", 11, "poor", 2),
                             student("An Bình", 3, "poor", 3)],
                            budget_vnd=2 * M,
                            devices={"tablet": {"unit_cost_vnd": 3 * M, "grades": [1, 9], "in_stock": 3},
                                     "desktop": {"unit_cost_vnd": M}}))
    assert given(result, grade="9", device="tablet") == 2
    assert given(result, grade="11", device="desktop") == 2
    assert given(result, grade="3", device="tablet") == 1
    assert result.summary["stock_left"]["tablet"] == 0
    assert result.summary["bought"] == {"tablet": 0, "desktop": 2, "data_package": 0}


def test_devices_only_go_to_grades_they_suit(case):
    # Tablets suit grades 1-9 only; higher-education learners cannot get one, whatever is left.
    result = sim.solve(case([student("An Bình", 3, "poor", 10), student("An Bình", "higher", "poor", 5)],
                            budget_vnd=4 * M, devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}}))
    assert covered(result, grade="3") == 4
    assert covered(result, grade="higher") == 0


def test_earmark_money_stays_in_its_district(case):
    # 4 + 4 band-1 learners, desktops 1 M, 2 M general cash, 3 M earmarked for Bình Hòa.
    # Equal rates: both districts rise together until the general 2 M is used (An Bình at 2 of 4);
    # Bình Hòa then rises on its own earmark to 3 of 4. Total 5 M, all spent.
    result = sim.solve(case([student("An Bình", 10, "poor", 4), student("Bình Hòa", 10, "poor", 4)],
                            budget_vnd=2 * M, earmarks=[{"district": "Bình Hòa", "budget_vnd": 3 * M}]))
    assert covered(result, district="An Bình") == 2
    assert covered(result, district="Bình Hòa") == 3
    assert result.summary["cash_left_vnd"] == 0
    assert result.summary["earmark_left_vnd"] == {"Bình Hòa": 0}


def test_earmark_is_not_used_elsewhere_even_when_left_over(case):
    result = sim.solve(case([student("An Bình", 10, "poor", 4), student("Bình Hòa", 10, "poor", 1)],
                            budget_vnd=0, earmarks=[{"district": "bình hoà", "budget_vnd": 3 * M}]))  # other case, old tone placement
    assert covered(result, district="An Bình") == 0
    assert covered(result, district="Bình Hòa") == 1
    assert result.summary["earmark_left_vnd"] == {"Bình Hòa": 2 * M}


def test_earmarked_devices_stay_in_their_district(case):
    result = sim.solve(case([student("An Bình", 10, "poor", 2), student("Bình Hòa", 10, "poor", 2)],
                            earmarks=[{"district": "B2", "devices": {"desktop": 5}}]))
    assert covered(result, district="An Bình") == 0
    assert covered(result, district="Bình Hòa") == 2
    assert result.summary["stock_left"]["desktop"] == 3


def test_learners_without_internet_need_a_data_package(case):
    # 4 learners, 2 without internet; desktop 1 M, data 100,000 x 10 months = 1 M; 5 M cash.
    # With internet a learner costs 1 M, without 2 M: equal rates give 5/6 of each group in the
    # LP; in whole devices one group gets 2 and the other 1 (3 learners, 4 M), and 1 M is left,
    # less than the 2 M the fourth learner would need.
    result = sim.solve(case([student("An Bình", 10, "poor", 4, without_internet=2)], budget_vnd=5 * M,
                            data_package={"monthly_cost_vnd": 100_000, "months": 10}))
    assert result.summary["covered"] == 3
    assert result.summary["cash_left_vnd"] == M
    row = result.allocation.iloc[0]
    assert (row["devices"], row["data_packages"]) == (3, result.summary["without_internet"]["covered"])


def test_donated_data_packages_are_used_first(case):
    # Same learners with 2 donated packages: each learner now costs 1 M, so all 4 are covered.
    result = sim.solve(case([student("An Bình", 10, "poor", 4, without_internet=2)], budget_vnd=5 * M,
                            data_package={"monthly_cost_vnd": 100_000, "months": 10, "in_stock": 2}))
    assert result.summary["covered"] == 4
    assert result.summary["cash_left_vnd"] == M
    assert result.summary["stock_left"]["data_package"] == 0
    assert result.allocation["data_packages"].sum() == 2


def test_equal_rate_against_max_count(case):
    # Band 2: 10 in grade 3 (tablet 1 M) and 10 in higher education (desktop 3 M); 20 M.
    # equal_rate: 10t x 1 M + 10t x 3 M = 20 M gives t = 1/2: 5 and 5, 10 learners.
    # max_count: all 10 of grade 3 (10 M), then 3 in higher education (9 M): 13 learners.
    students = [student("An Bình", 3, "poor", 10), student("An Bình", "higher", "poor", 10)]
    devices = {"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}, "desktop": {"unit_cost_vnd": 3 * M}}
    equal = sim.solve(case(students, budget_vnd=20 * M, devices=devices))
    assert (covered(equal, grade="3"), covered(equal, grade="higher")) == (5, 5)
    assert equal.summary["max_count_comparison"]["more_than_equal_rate"] == 3
    most = sim.solve(case(students, budget_vnd=20 * M, devices=devices,
                          policy={"mode": "strict", "within_band": "max_count"}))
    assert (covered(most, grade="3"), covered(most, grade="higher")) == (10, 3)
    assert most.summary["cash_left_vnd"] == M


def test_equal_rate_is_leximin_not_just_max_min(case):
    # Band 2: 10 in grade 3 and 5 in higher education that no device suits. Max-min alone would
    # stop at rate 0; leximin holds the unservable cell at 0 and still raises grade 3 to 4 of 10.
    result = sim.solve(case([student("An Bình", 3, "poor", 10), student("An Bình", "higher", "poor", 5)],
                            budget_vnd=4 * M, devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}}))
    assert covered(result, grade="3") == 4


def test_weighted_mode_follows_the_weights(case):
    # Band 1: 5 learners at 2 M each; band 2: 5 at 1 M (tablets); 6 M.
    # strict: band 1 first, 3 learners. weighted with band 2 worth 10x band 1: 5 of band 2, and the
    # 1 M left cannot buy a 2 M desktop.
    students = [student("An Bình", 10, "poor", 5), student("An Bình", 3, "poor", 5)]
    devices = {"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}, "desktop": {"unit_cost_vnd": 2 * M}}
    strict = sim.solve(case(students, budget_vnd=6 * M, devices=devices))
    assert bands(strict)["1"] == 3 and bands(strict)["2"] == 0
    weighted = sim.solve(case(students, budget_vnd=6 * M, devices=devices,
                              policy={"mode": "weighted", "weights": {1: 1, 2: 10}}))
    assert bands(weighted)["1"] == 0 and bands(weighted)["2"] == 5
    assert weighted.summary["cash_left_vnd"] == M


def test_rounding_hands_out_what_fractions_leave(case):
    # Three districts' band-1 cells of 3 learners, 4 M for 1 M desktops: the LP gives 4/3 each;
    # whole devices give 1 each and the 4th desktop to the first cell in the fixed order.
    areas = [{"code": c, "name": n, "type": "", "population": "", "lat": "", "lon": ""}
             for c, n in (("1", "Một"), ("2", "Hai"), ("3", "Ba"))]
    result = sim.solve(case([student(n, 10, "poor", 3) for n in ("Một", "Hai", "Ba")], areas=areas, budget_vnd=4 * M))
    assert sorted(result.coverage["covered"]) == [1, 1, 2]
    assert result.summary["cash_left_vnd"] == 0


def test_leximin_with_earmarks_in_several_districts(case):
    # 4 band-1 learners in each of three districts, desktops 1 M, 3 M general cash, earmarks of
    # 2 M for Hai and 4 M for Ba. Highest common rate t: Một needs 4t M of general cash, Hai
    # 4t - 2 M more than its earmark: 4t + (4t - 2) = 3 gives t = 5/8 (2.5 learners each), and
    # both are then held. Ba rises alone on its own 4 M to all 4. In whole devices Một and Hai
    # get 2 each, the 1 M left goes to the first of them in the fixed order: 3, 2, 4.
    areas = [{"code": c, "name": n, "type": "", "population": "", "lat": "", "lon": ""}
             for c, n in (("1", "Một"), ("2", "Hai"), ("3", "Ba"))]
    result = sim.solve(case([student(n, 10, "poor", 4) for n in ("Một", "Hai", "Ba")], areas=areas, budget_vnd=3 * M,
                            earmarks=[{"district": "Hai", "budget_vnd": 2 * M}, {"district": "Ba", "budget_vnd": 4 * M}]))
    assert [covered(result, district=n) for n in ("Một", "Hai", "Ba")] == [3, 2, 4]
    assert result.summary["cash_left_vnd"] == 0 and result.summary["earmark_left_vnd"] == {"Hai": 0, "Ba": 0}


def test_leximin_holds_every_stuck_group_in_one_round(case):
    # Twelve districts, each with grade-10 learners no device suits and grade-9 learners that
    # tablets suit. Leximin must not spend one round per stuck group: the groups no device suits
    # are held at 0 at once and the grade-9 groups share the money at one rate.
    areas = [{"code": str(i), "name": f"Xã {i}", "type": "", "population": "", "lat": "", "lon": ""} for i in range(12)]
    rows = [student(f"Xã {i}", g, "poor", 5) for i in range(12) for g in (9, 10)]
    result = sim.solve(case(rows, areas=areas, budget_vnd=30 * M,
                            devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}}), compare=False)
    assert covered(result, grade="10") == 0 and covered(result, grade="9") == 30
    assert sorted({covered(result, district=f"Xã {i}") for i in range(12)}) == [2, 3]
    assert result.summary["solver"]["lp_solves"] <= 4



def test_a_bands_leximin_is_held_with_its_rates_free_to_move_between_groups(case):
    # Band 1: 2 in grade 9 (tablets, grades 1-9) and 2 in grade 11 (desktops, grade 10 to higher
    # education); band 2: 1 in higher education. 1 donated tablet, tablets 10 M, desktops 5 M,
    # 15 M cash. Band 1's leximin is (1/2, 1): both groups reach 1/2 (the donated tablet and a 5 M
    # desktop), not both 1 (15 M more, 10 M left). Either group can take the 1: grade 9 in full
    # costs a 10 M tablet and leaves nothing; grade 11 in full costs a 5 M desktop and leaves 5 M,
    # a desktop for band 2. Band 1 is held by its rates, not by whichever plan found them
    # (exact._hold_rates): band 2 gets its learner.
    result = sim.solve(case([student("An Bình", 9, "poor", 2), student("An Bình", 11, "poor", 2),
                             student("An Bình", "higher", "poor", 1)],
                            budget_vnd=15 * M,
                            devices={"tablet": {"unit_cost_vnd": 10 * M, "grades": [1, 9], "in_stock": 1},
                                     "desktop": {"unit_cost_vnd": 5 * M, "grades": [10, "higher"]}}), compare=False)
    assert (covered(result, grade="9"), covered(result, grade="11"), covered(result, grade="higher")) == (1, 2, 1)
    assert bands(result) == {"1": 3, "2": 1, "3": 0, "4": 0, "5": 0}
    assert result.summary["cash_left_vnd"] == 0
    assert result.summary["solver"]["whole_devices"]["not_proved_bands"] == []



def test_a_groups_cells_are_split_leximin_best_where_rounding_stands(case):
    # Band 1: 2 learners in grade 11 and 4 in grade 12 of one district, desktops 5 M, 20 M: one
    # group of 6 (same district, band, devices), 4 desktops, as the LP says: rounding stands. Over
    # its cells, 2 and 2 gives rates (1/2, 1), leximin-better than 1 and 3 (1/2, 3/4), which
    # rounding the LP's 2/3 each cell by cell gives (pipeline.split_in_groups).
    result = sim.solve(case([student("An Bình", 11, "poor", 2), student("An Bình", 12, "poor", 4)],
                            budget_vnd=20 * M, devices={"desktop": {"unit_cost_vnd": 5 * M}}), compare=False)
    assert (covered(result, grade="11"), covered(result, grade="12")) == (2, 2)
    assert result.summary["solver"]["whole_devices"] == {"method": "rounding", "milps": 0, "not_proved_bands": []}


def test_the_groups_below_a_leximin_level_are_any_that_take_those_rates(case):
    # Band 1: 2, 4 and 3 learners in three districts, desktops 5 M, 30 M: 6 desktops. Every group
    # reaches 1/2 or more with 5 (1, 2 and 2: rates 1/2, 1/2, 2/3), not more than 1/2 in Một and
    # Hai together (7): one group stays at 1/2, Một or Hai. With Hai there, Một reaches 1:
    # (1/2, 2/3, 1); with Một there, Hai reaches only 3/4: (1/2, 2/3, 3/4). Rounding the LP (2/3
    # each) gives the sixth desktop to Hai (the larger fraction); the next levels must not keep
    # Một at 1/2 because that plan had it there (exact._share_rates): 2, 2 and 2.
    areas = [{"code": c, "name": n, "type": "", "population": "", "lat": "", "lon": ""}
             for c, n in (("1", "Một"), ("2", "Hai"), ("3", "Ba"))]
    result = sim.solve(case([student("Một", 11, "poor", 2), student("Hai", 11, "poor", 4), student("Ba", 11, "poor", 3)],
                            areas=areas, budget_vnd=30 * M, devices={"desktop": {"unit_cost_vnd": 5 * M}}),
                       compare=False)
    assert [covered(result, district=n) for n in ("Một", "Hai", "Ba")] == [2, 2, 2]
    assert result.summary["solver"]["whole_devices"]["not_proved_bands"] == []


def test_among_equally_fair_plans_the_one_covering_most_learners(case):
    # Band 1: 2 learners in grade 9 in Một (tablets, 10 M), 1 in grade 12 in Hai (no device suits
    # grade 12: rate 0), 4 in grade 11 in Ba (desktops, 5 M); 30 M. Leximin over Một and Ba: both
    # reach 1/2 (15 M), not 3/4 and 1 together (35 M); one of them reaches 1: Một 2 and Ba 2, or
    # Một 1 and Ba 4, both (0, 1/2, 1) and 30 M. The second covers 5 learners, not 4: the most
    # learners come before the fixed tie-break (earlier groups first would pick the first).
    areas = [{"code": c, "name": n, "type": "", "population": "", "lat": "", "lon": ""}
             for c, n in (("1", "Một"), ("2", "Hai"), ("3", "Ba"))]
    result = sim.solve(case([student("Một", 9, "poor", 2), student("Hai", 12, "poor", 1), student("Ba", 11, "poor", 4)],
                            areas=areas, budget_vnd=30 * M,
                            devices={"tablet": {"unit_cost_vnd": 10 * M, "grades": [1, 9]},
                                     "desktop": {"unit_cost_vnd": 5 * M, "grades": [10, 11]}}), compare=False)
    assert [covered(result, district=n) for n in ("Một", "Hai", "Ba")] == [1, 0, 4]
    assert result.summary["spent_vnd"] == 30 * M
    assert result.summary["solver"]["whole_devices"]["not_proved_bands"] == []
