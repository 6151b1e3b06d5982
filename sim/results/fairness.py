"""What the fairness rules did to a whole-device plan: district metrics, price of fairness, unmet rules.

In ``strict`` mode a rule across districts (max-min, leximin, alpha) acts on the districts' rates
*inside each band*, so that the band order stays the law; the summary therefore gives, besides the
overall district rates, the per-band district rates the rule acted on (``per_band``), and says
which one the rule acts on (``acts_on``: ``per_band`` or ``overall``). A floor acts on overall
rates (``floor_scope: overall``) or per band (``band``).
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.fairness import UPPER_SECONDARY, FairReport
from sim.core.inputs import PlanInputs
from sim.core.whole import WholePlan
from sim.read.scenario import FairnessRule, Mode
from sim.results.metrics import coverage_metrics, district_rates, price_of_fairness
from sim.core.rules import BANDS


@dataclass
class Unmet:
    """A fairness rule the plan does not meet, with by how much and where."""

    rule: str
    wanted: float
    reached: float
    districts: dict[str, float]
    reason: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "wanted": round(self.wanted, 6), "reached": round(self.reached, 6),
                "short_by": round(abs(self.wanted - self.reached), 6),
                "districts": {k: round(v, 6) for k, v in self.districts.items()}, "reason": self.reason}


def _named(inputs: PlanInputs, levels: dict) -> dict[str, float]:
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    return {names[g.area] + (f" (band {g.band})" if g.band else ""): level for g, level in levels.items()}


def unmet_rules(inputs: PlanInputs, plan: WholePlan, report: FairReport) -> list[Unmet]:
    """The fairness rules the whole-device plan does not meet: by how much, where and why."""
    fairness, covered = inputs.scenario.fairness, plan.covered
    unmet = []
    f = fairness.district_floor
    rate = {g: sum(covered[c] for c in g.cells) / g.pupils for g in report.floors}
    below = {g: r for g, r in rate.items() if r < f - 1e-9}
    if below:
        reasons = []
        money = [g for g in below if report.floor_share[g] < 1 - 1e-9]
        if money:
            reasons.append(f"the money and stock cannot bring every district to the floor: the most all of them can "
                           f"reach together is {min(report.floors[g] for g in money):.1%} (a district that can "
                           f"reach more gets more, up to the floor)")
        if any(report.floor_share[g] >= 1 - 1e-9 and report.floors[g] < f - 1e-9 for g in below):
            reasons.append("some districts have too many learners in grades no device suits")
        targets = report.floor_targets()
        if any(sum(covered[c] for c in g.cells) < targets.get(g, 0) for g in below):
            reasons.append("rounding to whole devices leaves some districts a few learners below the floor, "
                           "where what was left could not pay for one more device")
        if not reasons:
            reasons.append("devices already delivered or kept from the previous plan hold the rates where they are")
        unmet.append(Unmet("district_floor", f, min(below.values()), _named(inputs, below), "; ".join(reasons)))
    if fairness.max_gap is not None:
        rates = district_rates(inputs, covered)
        best, worst = max(rates, key=rates.get), min(rates, key=rates.get)
        if rates[best] - rates[worst] > fairness.max_gap + 1e-9:
            reasons = []
            if report.gap_widened:
                reasons.append("the district floors or the deliveries spread the rates wider than the cap")
            if report.gap_released:
                reasons.append("the worst-off districts could not be raised further, so what could still cover "
                               "learners elsewhere was handed out in band order rather than left unused")
            reason = "; ".join(reasons) or "met in the LP; rounding to whole devices widens it by a few learners"
            unmet.append(Unmet("max_gap", fairness.max_gap, rates[best] - rates[worst],
                               {best: rates[best], worst: rates[worst]}, reason))
    share = fairness.upper_secondary_computer_share
    if share > 0:
        computers = set(fairness.computers(inputs.scenario.devices))
        upper = {c for c, g in enumerate(inputs.cells["grade"]) if g in UPPER_SECONDARY}
        served = sum(covered[c] for c in upper)
        given = sum(n for (c, d), n in plan.units.items() if c in upper and d in computers)
        if served and given / served < share - 1e-9:
            unmet.append(Unmet("upper_secondary_computer_share", share, given / served, {},
                               "met in the LP; whole devices gave a few more tablets than the share allows"))
    return unmet


def rates_per_band(inputs: PlanInputs, covered) -> dict[str, dict]:
    """Per band: each district's rate among its learners of that band, the worst and the best
    (what a rule across districts acts on in ``strict`` mode)."""
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    cells = inputs.cells.assign(covered=list(covered))
    out = {}
    for band in BANDS:
        mine = cells[cells["band"] == band]
        if mine.empty:
            continue
        sums = mine.groupby("area", sort=False)[["pupils", "covered"]].sum()
        rates = {names[a]: round(float(sums.at[a, "covered"]) / float(sums.at[a, "pupils"]), 6)
                 for a in inputs.areas["code"] if a in sums.index and sums.at[a, "pupils"] > 0}
        worst, best = min(rates, key=rates.get), max(rates, key=rates.get)
        out[str(band)] = {"min_district_rate": rates[worst], "worst_district": worst,
                          "max_district_rate": rates[best], "best_district": best, "rates": rates}
    return out


def fairness_summary(inputs: PlanInputs, plan: WholePlan, report: FairReport, covered_without: int | None) -> dict:
    """The summary's ``fairness`` object: settings, district metrics (overall and per band), price of
    fairness, unmet rules."""
    fairness = inputs.scenario.fairness
    metrics = coverage_metrics(inputs, plan.covered)
    covered = metrics["covered"]
    if covered_without is None:  # no rule changes the plan
        covered_without = covered
    pof = price_of_fairness(covered_without, covered)
    per_band_rule = inputs.scenario.policy.mode is Mode.strict and fairness.rule is not FairnessRule.none
    return {
        "settings": fairness.model_dump(mode="json"),
        "min_district_rate": metrics["min_district_rate"],
        "max_district_rate": metrics["max_district_rate"],
        "worst_district": metrics["worst_district"],
        "best_district": metrics["best_district"],
        "gini": metrics["gini"],
        "max_min_ratio": metrics["max_min_ratio"],
        "covered": covered,
        "covered_without_fairness": int(covered_without),
        "price_of_fairness": None if pof is None else round(pof, 6),
        "unmet": [u.as_dict() for u in unmet_rules(inputs, plan, report)],
        "rates": metrics["rates"],
        "acts_on": "per_band" if per_band_rule else "overall",
        "per_band": rates_per_band(inputs, plan.covered),
    }
