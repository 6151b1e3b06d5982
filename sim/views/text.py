"""The short plain-text summary printed after a run, in Vietnamese or English (``sim.views.i18n``).

Numbers are grouped as the language writes them (``1.234`` or ``1,234``); districts are listed in
Vietnamese alphabetical order.
"""

from __future__ import annotations

import os
import re

from sim.core.rules import BANDS
from sim.views import i18n


def thousands(value: int) -> str:
    """A whole number with thousands grouped as the current language writes them: 12.345 or 12,345."""
    return i18n.number(value)


_n = thousands  # short name inside this module; other modules import ``thousands``


def _status(status: str) -> str:
    key = f"status_{status}"
    return i18n.t(key) if key in i18n.MESSAGES else status


def summary_text(summary: dict, timing: bool | None = None) -> str:
    """The summary in plain text. ``timing``: show the run time; by default shown unless
    ``SOURCE_DATE_EPOCH`` is set (reproducible output wanted, as in ``sim report``'s pages)."""
    t = i18n.t
    if timing is None:
        timing = "SOURCE_DATE_EPOCH" not in os.environ
    seconds = t("summary_seconds", seconds=i18n.number(summary["seconds"], 1)) if timing else ""
    lines = [t("summary_plan", scenario=summary["scenario"], status=_status(summary["status"]),
               solver=summary["solver"]["name"], lps=_lps(summary["solver"]["lp_solves"]), seconds=seconds),
             "", t("summary_by_band")]
    labels = {str(b): i18n.band_label(b) for b in BANDS}
    width = max(len(label) for label in [*labels.values(), t("all_bands")])
    of = t("summary_of")
    for b in map(str, BANDS):
        pupils, covered = summary["pupils_by_band"][b], summary["covered_by_band"][b]
        rate = i18n.percent(covered / pupils) if pupils else "-"
        lines.append(f"  {b}  {labels[b]:<{width}}  {_n(covered):>7} {of} {_n(pupils):>7}  {rate:>6}")
    total, covered = summary["pupils"], summary["covered"]
    rate = i18n.percent(covered / total if total else 0)
    lines.append(f"     {t('all_bands'):<{width}}  {_n(covered):>7} {of} {_n(total):>7}  {rate:>6}")
    lines += ["", t("summary_money", spent=_n(summary["spent_vnd"]), general=_n(summary["spent_general_vnd"]),
                    earmarked=_n(summary["spent_earmarked_vnd"]), left=_n(summary["cash_left_vnd"]))]
    for district in i18n.vietnamese_sorted(summary["earmark_left_vnd"]):
        lines.append(t("summary_earmark", district=district, left=_n(summary["earmark_left_vnd"][district])))
    bought = ", ".join(i18n.item_count(n, item) for item, n in summary["bought"].items() if n) or t("nothing")
    lines.append(t("summary_bought", items=bought))
    lines.append(t("summary_stock_left", items=", ".join(i18n.item_count(n, item) for item, n in summary["stock_left"].items())))
    whole = summary["solver"].get("whole_devices")
    if whole:
        lines.append(whole_devices_text(whole))
    comparison = summary.get("max_count_comparison")
    if comparison:
        more = comparison["more_than_equal_rate"]
        lines.append(t("summary_max_count_one" if more == 1 else "summary_max_count", more=_n(more)))
    if summary.get("fairness"):
        lines += ["", *fairness_text(summary["fairness"])]
    return "\n".join(lines)


def whole_devices_text(whole: dict) -> str:
    """Whether the whole-device plan is proved the best whole plan (``solver.whole_devices``): in
    every band, or not from a band on (``not_proved_bands`` runs from the first such band to the
    last band with learners: the later bands are optimised with it held; docs/speed.md says when
    and why)."""
    bands = whole.get("not_proved_bands") or []
    if not bands:
        return i18n.t("summary_whole_proved")
    return i18n.t("summary_whole_not_proved", first=min(bands))


def _lps(count: int) -> str:
    """How many linear programs the plan solved: ``giải 17 bài toán tuyến tính``, ``17 LPs``, ``1 LP``."""
    from sim.locale import ngettext

    return ngettext("summary_lps", count).format(count=_n(count))


def _rate(value: float | None) -> str:
    return "-" if value is None else i18n.percent(value)


def _rule(name: str) -> str:
    key = f"rule_{name}"
    return i18n.t(key) if key in i18n.MESSAGES else name


def _place(name: str) -> str:
    """``Đức Huệ (band 2)`` (as summary.json names a band of a district) in the current language."""
    match = re.fullmatch(r"(.*) \(band (\d+)\)", name)
    return i18n.t("band_in_district", district=match[1], band=match[2]) if match else name


def fairness_text(fairness: dict) -> list[str]:
    """District equity lines: lowest and highest district rate, Gini, price of fairness, rules not met."""
    t = i18n.t
    ratio = fairness["max_min_ratio"]
    lines = [t("summary_districts", low=_rate(fairness["min_district_rate"]), worst=fairness["worst_district"],
               high=_rate(fairness["max_district_rate"]), best=fairness["best_district"],
               gini=i18n.number(fairness["gini"], 3), ratio="-" if ratio is None else i18n.number(ratio, 2))]
    if fairness.get("acts_on") == "per_band":  # what a rule across districts acted on, band by band
        for band, row in (fairness.get("per_band") or {}).items():
            lines.append(t("summary_band_districts", band=band, low=_rate(row["min_district_rate"]),
                           worst=row["worst_district"], high=_rate(row["max_district_rate"]), best=row["best_district"]))
    lines.append(t("summary_price_of_fairness", price=_rate(fairness["price_of_fairness"]), covered=_n(fairness["covered"]),
                   without=_n(fairness["covered_without_fairness"])))
    for rule in fairness["unmet"]:
        districts = [_place(d) for d in i18n.vietnamese_sorted(rule["districts"])]
        worst = ", ".join(districts[:5]) + (", ..." if len(districts) > 5 else "")
        lines.append(t("summary_not_met", rule=_rule(rule["rule"]), wanted=_rate(rule["wanted"]),
                       reached=_rate(rule["reached"]), where=f" ({worst})" if worst else "",
                       reason=i18n.translate_error(rule["reason"])))
    return lines
