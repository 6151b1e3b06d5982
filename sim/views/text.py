"""The short plain-text summary printed after a run."""

from __future__ import annotations

import os

from sim.core.rules import BANDS


def thousands(value: int) -> str:
    """A whole number with thousands separated by commas: 12,345."""
    return f"{value:,}"


_n = thousands  # short name inside this module; other modules import ``thousands``


def summary_text(summary: dict, timing: bool | None = None) -> str:
    """The summary in plain text. ``timing``: show the run time; by default shown unless
    ``SOURCE_DATE_EPOCH`` is set (reproducible output wanted, as in ``sim report``'s pages)."""
    if timing is None:
        timing = "SOURCE_DATE_EPOCH" not in os.environ
    seconds = f", {summary['seconds']:.1f} s" if timing else ""
    lines = [f"Plan '{summary['scenario']}': {summary['status']}, "
             f"{summary['solver']['name']}, {summary['solver']['lp_solves']} LPs{seconds}",
             "", "Learners covered, by priority band:"]
    width = max(len(label) for label in summary["band_labels"].values())
    for b in map(str, BANDS):
        pupils, covered = summary["pupils_by_band"][b], summary["covered_by_band"][b]
        rate = f"{covered / pupils:6.1%}" if pupils else "     -"
        lines.append(f"  {b}  {summary['band_labels'][b]:<{width}}  {_n(covered):>7} of {_n(pupils):>7}  {rate}")
    total, covered = summary["pupils"], summary["covered"]
    lines.append(f"     {'all bands':<{width}}  {_n(covered):>7} of {_n(total):>7}  {covered / total if total else 0:6.1%}")
    lines += ["", f"Money: spent {_n(summary['spent_vnd'])} VND "
                  f"({_n(summary['spent_general_vnd'])} from the budget, {_n(summary['spent_earmarked_vnd'])} earmarked); "
                  f"budget left {_n(summary['cash_left_vnd'])} VND"]
    for district, left in summary["earmark_left_vnd"].items():
        lines.append(f"  earmark for {district}: {_n(left)} VND left")
    bought = ", ".join(f"{item} {_n(n)}" for item, n in summary["bought"].items() if n) or "nothing"
    lines.append(f"Bought: {bought}")
    lines.append("Stock left: " + ", ".join(f"{item} {_n(n)}" for item, n in summary["stock_left"].items()))
    comparison = summary.get("max_count_comparison")
    if comparison:
        more = comparison["more_than_equal_rate"]
        lines.append(f"Serving each band to the most learners (max_count) instead of at equal rates would cover "
                     f"{_n(more)} more learner{'s' if more != 1 else ''}.")
    if summary.get("fairness"):
        lines += ["", *fairness_text(summary["fairness"])]
    return "\n".join(lines)


def _rate(value: float | None) -> str:
    return "-" if value is None else f"{value:.1%}"


def fairness_text(fairness: dict) -> list[str]:
    """District equity lines: lowest and highest district rate, Gini, price of fairness, rules not met."""
    ratio = fairness["max_min_ratio"]
    lines = [f"District coverage: lowest {_rate(fairness['min_district_rate'])} ({fairness['worst_district']}), "
             f"highest {_rate(fairness['max_district_rate'])} ({fairness['best_district']}); "
             f"Gini {fairness['gini']:.3f}; highest/lowest {'-' if ratio is None else f'{ratio:.2f}'}"]
    if fairness.get("acts_on") == "per_band":  # what a rule across districts acted on, band by band
        for band, row in (fairness.get("per_band") or {}).items():
            lines.append(f"  band {band}: lowest {_rate(row['min_district_rate'])} ({row['worst_district']}), "
                         f"highest {_rate(row['max_district_rate'])} ({row['best_district']}) (the rule acts band by band)")
    pof = fairness["price_of_fairness"]
    lines.append(f"Price of fairness: {_rate(pof)} ({_n(fairness['covered'])} covered; "
                 f"{_n(fairness['covered_without_fairness'])} without the fairness rules)")
    for rule in fairness["unmet"]:
        worst = ", ".join(list(rule["districts"])[:5]) + (", ..." if len(rule["districts"]) > 5 else "")
        lines.append(f"Not met: {rule['rule']} {_rate(rule['wanted'])}: reached {_rate(rule['reached'])}"
                     + (f" ({worst})" if worst else "") + f". {rule['reason']}.")
    return lines
