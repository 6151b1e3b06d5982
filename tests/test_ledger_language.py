"""The ledger, the plan versions and the marginal values speak the user's language (issue 12):
what changed between versions, the season's events, what each version bought, the moments a
version was stored and approved, and the marginal-value tables. Vietnamese by default, English
with ``SIM_LANG=en``; files keep their English columns and ISO timestamps.

tests/conftest.py sets English for every test: the Vietnamese ones set their language here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.analysis.marginal import binding_constraints, default_changes, marginal_table, marginal_values
from sim.cli.main import main
from sim.ledger.donations import Donation, Sourced
from sim.ledger.replan import replan
from sim.ledger.season import season_events
from sim.ledger.store import Ledger
from sim.ledger.versions import diff, what_each_bought
from sim.locale import set_language
from sim.views.readable import readable
from tests.conftest import ROOT, student

M = 1_000_000
SEASON = ROOT / "data" / "donations"
# English words a Vietnamese text never needs (ids, names and numbers aside)
ENGLISH = re.compile(r"\b(the|of|and|or|to|for|in|per|new|no|none|changed|cancelled|pledged|received|delivered|"
                     r"donations?|learners?|devices?|band|district|tablets?|laptops?|desktops?|data|packages?|"
                     r"stock|budget|earmark|million|unit|VND|change|note|first|helps|estimate|re-solved|whole|"
                     r"province|constraint|more|given|counted)\b")
ISO_MOMENT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def english(text: str) -> list[str]:
    return ENGLISH.findall(str(text))


def desktops(donation_id: str, quantity: int, status: str) -> Donation:
    return Donation(donation_id, "2026-11-24", "Công ty A", "device", "desktop", quantity, 0, "", None, status)


@pytest.fixture
def season(case, tmp_path):
    """Three versions: 3 desktops pledged (new), nothing changed, the pledge cancelled."""
    scenario = case([student("An Bình", 10, "poor", 6), student("Bình Hòa", 10, "poor", 6)], budget_vnd=2 * M,
                    devices={"desktop": {"unit_cost_vnd": M}}, donations={"count": "pledged"})
    with Ledger(tmp_path / "ledger.sqlite", create=True) as ledger:
        replan(scenario, ledger, compare=False)
        ledger.record([Sourced(desktops("D1", 3, "pledged"), "test")])
        replan(scenario, ledger, compare=False)
        replan(scenario, ledger, compare=False)
        ledger.set_status("D1", "cancelled", "test")
        replan(scenario, ledger, compare=False)
        yield ledger


def test_what_changed_between_versions_is_vietnamese(season):
    set_language("vi")
    shown = str(diff(season.version(3), season.version(4)))
    assert "D1  Công ty A: 3 máy tính để bàn; đã cam kết -> đã hủy; được tính 3 máy tính để bàn -> 0" in shown, shown
    assert "\n  nguồn chung  máy tính để bàn" in shown, shown  # the pools, in words
    assert not english(shown), (english(shown), shown)
    bought = what_each_bought(season)
    assert bought["donations"].tolist() == ["D1 3 máy tính để bàn (mới, đã cam kết)", "không có khoản tài trợ nào thay đổi",
                                            "D1 3 máy tính để bàn (đã cam kết -> đã hủy)"]
    assert not english(readable(bought).to_string())


def test_what_changed_between_versions_stays_english_in_english(season):
    set_language("en")
    shown = str(diff(season.version(3), season.version(4)))
    assert "D1  Công ty A: 3 desktops; pledged -> cancelled; counted 3 desktops -> 0" in shown
    assert "\n  general  desktop" in shown and "chung" not in shown, shown  # no Vietnamese pool name left
    assert what_each_bought(season)["donations"].tolist() == ["D1 3 desktops (new, pledged)", "no donation changed",
                                                              "D1 3 desktops (pledged -> cancelled)"]


def test_the_bands_of_a_diff_are_grouped_as_the_language_writes_numbers(case, tmp_path):
    scenario = case([student("An Bình", 10, "poor", 1500)], budget_vnd=0, devices={"desktop": {"unit_cost_vnd": M}})
    with Ledger(tmp_path / "ledger.sqlite", create=True) as ledger:
        replan(scenario, ledger, compare=False)
        ledger.record([Sourced(desktops("D1", 1200, "received"), "test")])
        replan(scenario, ledger, compare=False)
        set_language("vi")
        assert re.search(r"0 ->\s+1\.200\s+\+1\.200\n", str(diff(ledger.version(1), ledger.version(2))))


def test_the_season_events_are_in_words_of_the_language():
    files = (SEASON / "season_2023.csv", SEASON / "season_2023_status.csv", SEASON / "season_2023_deliveries.csv")
    set_language("vi")
    said = [e.description for e in season_events(*files)]
    assert "LA23-009 800 máy tính bảng (đã cam kết)" in said and "LA23-009 đã hủy" in said
    assert "GIAO-01 đã giao 40 máy tính xách tay cho Tân Hưng" in said
    assert not [d for d in said if english(d)], [d for d in said if english(d)]
    set_language("en")
    events = season_events(*files)
    said = [e.description for e in events]
    assert "LA23-009 800 tablets (pledged)" in said and "LA23-009 cancelled" in said
    assert "GIAO-01 40 laptops delivered in Tân Hưng" in said
    assert [e.status_change for e in events if e.status_change and e.status_change[1] == "cancelled"] == [("LA23-009", "cancelled")]


def test_moments_are_written_as_the_language_writes_them():
    from sim.locale import datetime

    set_language("vi")
    assert datetime("2026-11-30T15:04:05+00:00") == "30/11/2026 15:04"
    set_language("en")
    assert datetime("2026-11-30T15:04:05+00:00") == "30 Nov 2026, 15:04"


@pytest.mark.parametrize("language, moment", [("vi", r"\d\d/\d\d/\d{4} \d\d:\d\d"), ("en", r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d")])
def test_plans_list_show_and_approve_print_moments_in_words(season, capsys, language, moment):
    db = str(season.path)
    set_language(language)
    printed = {}
    for command in (["plans", "list"], ["plans", "show", "2"], ["plans", "approve", "2", "--by", "Nguyễn Văn A"]):
        assert main([*command, "--db", db]) == 0
        printed[command[1]] = capsys.readouterr().out
    for name, out in printed.items():
        assert not ISO_MOMENT.search(out), f"plans {name}: {out}"
        assert re.search(moment, out), f"plans {name}: {out}"
    assert len(re.findall(moment, printed["list"])) == 4
    assert ISO_MOMENT.fullmatch(season.version(2).created_at[:16])  # the ledger keeps ISO


def small_case(case):
    """As tests/test_marginal.py: 20 poor pupils of grade 10 in each district, desktops 2 M, 10 M of
    budget and 6 M earmarked for Bình Hòa, max_count: 0.5 learner a million, 1 a desktop."""
    return case([student("An Bình", 10, "poor", 20), student("Bình Hòa", 10, "poor", 20)],
                budget_vnd=10 * M, devices={"desktop": {"unit_cost_vnd": 2 * M}},
                earmarks=[{"district": "Bình Hòa", "budget_vnd": 6 * M}], policy={"within_band": "max_count"})


def test_marginal_tables_read_in_vietnamese(case):
    scenario = small_case(case)
    table = marginal_table(marginal_values(scenario, default_changes(scenario, budget_step=4 * M, units=2)))
    set_language("vi")
    shown = readable(table)
    assert list(shown.columns) == ["thay đổi", "nhóm được lợi đầu tiên", "ước tính từ bài toán tuyến tính (người học)",
                                   "giải lại bài toán tuyến tính (người học)", "lập lại kế hoạch, máy nguyên chiếc (người học)",
                                   "ghi chú", "trong đó ở huyện của khoản tài trợ", "phần còn lại của tỉnh"]
    assert shown.iloc[0].tolist()[:5] == ["thêm 4.000.000 đồng vào ngân sách", "nhóm 1", "+2", "+2", "+2"]
    assert not english(shown.to_string()), english(shown.to_string())
    limits = readable(binding_constraints(scenario), decimals={"learners per unit": 1})
    assert list(limits.columns) == ["nhóm ưu tiên", "ràng buộc", "số người học trên một đơn vị", "đơn vị"]
    assert set(map(tuple, limits[["ràng buộc", "số người học trên một đơn vị", "đơn vị"]].values)) == {
        ("khoản tài trợ riêng cho Bình Hòa", "0,5", "triệu đồng"), ("kho máy tính để bàn được tặng", "1,0", "máy hoặc gói"),
        ("ngân sách", "0,5", "triệu đồng")}
    set_language("en")
    assert list(readable(table).columns) == list(table.columns)  # English: the code's own words
    assert readable(table).iloc[0].tolist()[:3] == ["4,000,000 VND more in the budget", "band 1", "+2"]
    assert table.iloc[0]["change"] == "4,000,000 VND more in the budget"  # the table itself (files) is unchanged


def test_the_marginal_command_prints_whole_numbers_without_decimals(case, capsys):
    # 100 M more: 50 learners by the LP's estimate, 32 when re-solved (40 pupils, 8 covered);
    # the Bình Hòa earmark set free: 3 learners leave Bình Hòa for An Bình.
    scenario = small_case(case)
    set_language("vi")
    assert main(["marginal", str(scenario.source_file)]) == 0
    printed = capsys.readouterr().out
    assert ",00" not in printed, printed
    assert re.search(r"thêm 100\.000\.000 đồng vào ngân sách\s+nhóm 1\s+\+50\s+\+32\s+\+32 giá mờ", printed), printed
    assert re.search(r"khoản tài trợ riêng cho Bình Hòa \(6\.000\.000 đồng\) chuyển vào ngân sách chung\s+nhóm 1\s+0\s+0\s+0\s+−3\s+\+3",
                     printed), printed
    assert not english(printed), english(printed)
    set_language("en")
    assert main(["marginal", str(scenario.source_file)]) == 0
    printed = capsys.readouterr().out
    assert re.search(r"100,000,000 VND more in the budget\s+band 1\s+\+50\s+\+32\s+\+32 the shadow price", printed), printed


def test_the_frontier_command_writes_rates_as_percentages_and_the_setting_in_words(case, capsys):
    from tests.test_frontier import floors_case

    scenario = floors_case(case, district_floor=0.2)
    set_language("vi")
    assert main(["frontier", str(scenario.source_file), "--param", "district_floor", "--values", "0,0.4"]) == 0
    printed = capsys.readouterr().out
    assert "theo mức sàn mỗi huyện (district_floor)" in printed, printed
    # each row: the floor, learners covered, then the rate, the worst and the best district's rates
    for floor in ("0,0%", "20,0%", "40,0%"):
        assert re.search(rf"^\s+{floor}\s+\d+(\s+\d+,\d%){{3}}\s", printed, flags=re.M), printed


def test_a_count_of_devices_or_data_packages_is_plural_in_english_only(case, tmp_path):
    """'1 tablet', '800 tablets', '1 data package', '300 data packages' in English; Vietnamese has no
    plural ('800 máy tính bảng'): a donation, what a version counted (plans show, plans diff) and
    the earmark of a traced donation all write a count the same way (sim.locale.item_count)."""
    from sim.ledger.trace import trace
    from sim.ledger.versions import show

    def gift(donation_id: str, kind: str, device: str, quantity: int, earmark: str = "") -> Donation:
        return Donation(donation_id, "2026-11-24", "Công ty A", kind, device, quantity, 0, earmark, None, "received")

    set_language("en")
    assert [gift("T", "device", "tablet", n).describe() for n in (1, 800)] == ["1 tablet", "800 tablets"]
    assert [gift("P", "data_package", "", n).describe() for n in (1, 300)] == ["1 data package", "300 data packages"]
    set_language("vi")
    assert [gift("T", "device", "tablet", n).describe() for n in (1, 800)] == ["1 máy tính bảng", "800 máy tính bảng"]
    assert gift("P", "data_package", "", 300).describe() == "300 gói dữ liệu di động"

    scenario = case([student("An Bình", 10, "poor", 6), student("Bình Hòa", 10, "poor", 6)], budget_vnd=0,
                    devices={"desktop": {"unit_cost_vnd": M}}, donations={"count": "received"})
    with Ledger(tmp_path / "ledger.sqlite", create=True) as ledger:
        ledger.record([Sourced(gift("D1", "device", "desktop", 1, "An Bình"), "test")])
        replan(scenario, ledger, compare=False)
        ledger.record([Sourced(gift("D2", "device", "desktop", 2), "test")])
        replan(scenario, ledger, compare=False)
        set_language("en")
        shown, changed, traced = show(ledger.version(2)), str(diff(ledger.version(1), ledger.version(2))), trace(ledger, "D1")
        assert "Counted: anywhere: 2 desktops, An Bình: 1 desktop" in shown, shown
        assert "D2  Công ty A: 2 desktops; new, received; counted 0 -> 2 desktops" in changed, changed
        assert "D1: 1 desktop for An Bình" in traced and "0 of its 1 desktop confirmed handed over there (0 desktops " in traced, traced
        set_language("vi")
        shown, traced = show(ledger.version(2)), trace(ledger, "D1")
        assert "Đã tính: mọi nơi: 2 máy tính để bàn, An Bình: 1 máy tính để bàn" in shown, shown
        assert "0 trong 1 máy tính để bàn đã được xác nhận bàn giao tại đó (tổng cộng 0 máy tính để bàn " in traced, traced


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_diff_writes_a_decrease_with_the_minus_sign_as_everywhere_else(season, tmp_path, capsys, language):
    """plans diff (and replan, which prints the same diff) writes changes as sim.locale.signed does
    (−3 with a real minus sign, +3, 0): the same number looks the same in every text; the CSV of
    plans diff --csv keeps a plain -3 for the programs that read it."""
    from sim.locale import signed

    set_language(language)
    shown = str(diff(season.version(3), season.version(4)))
    assert "−3" in shown and signed(-3) == "−3", shown
    assert not re.search(r"(?<![\w-])-\d", shown), shown  # no hyphen-minus before a number
    assert not re.search(r"\+0\b", shown), shown  # no change is 0, as signed writes it
    out = tmp_path / "diff.csv"
    assert main(["plans", "diff", "3", "4", "--db", str(tmp_path / "ledger.sqlite"), "--csv", str(out)]) == 0
    assert "−3" in capsys.readouterr().out
    text = out.read_text(encoding="utf-8-sig")
    assert ",-2," in text and "−" not in text
