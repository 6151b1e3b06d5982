"""The fairness frontier: sweep one fairness setting and tabulate what each value costs and buys.

For every value of the swept setting (the district floor, alpha, the gap cap or the computer share)
the whole plan is solved; a row gives the learners covered, the worst and best district rates,
their Gini and max/min ratio, the price of fairness against the same scenario with no fairness
rules, and how many rules the money could not meet. The row of the scenario's own setting is
marked ``chosen``; ``band_1`` ... ``band_5`` are the learners covered in each band. Read it as: moving
down the table, what does a fairer plan cost in learners, and in which bands?
"""

from __future__ import annotations

import pandas as pd

from sim.read.errors import InputError, Problem
from sim.core.inputs import prepare
from sim.results.metrics import coverage_metrics, price_of_fairness
from sim.core.pipeline import plan_variants
from sim.results.fairness import unmet_rules
from sim.core.rules import BANDS
from sim.read.scenario import Fairness, Scenario

PARAMETERS = ("district_floor", "alpha", "max_gap", "upper_secondary_computer_share")
COLUMNS = ["value", "covered", "rate", "min_district_rate", "max_district_rate", "gini", "max_min_ratio",
           "price_of_fairness", "unmet", "chosen"] + [f"band_{b}" for b in BANDS]


def swept_fairness(base: Fairness | None, parameter: str, value: float | None, file: str = "") -> Fairness:
    """The scenario's fairness settings with one of them changed (alpha switches ``rule: alpha`` on)."""
    if parameter not in PARAMETERS:
        raise InputError([Problem(file, f"cannot sweep '{parameter}'", column="--param", value=parameter,
                                  expected="one of " + ", ".join(PARAMETERS))])
    data = (base or Fairness()).model_dump()
    data[parameter] = value
    if parameter == "alpha":
        data["rule"] = "alpha"
    try:
        return Fairness.model_validate(data)
    except Exception as exc:  # pydantic's range checks, said as the rest of the package says them
        raise InputError([Problem(file, f"not a valid {parameter}", column=parameter, value=value,
                                  expected="alpha from 0 to 5" if parameter == "alpha" else "a share from 0 to 1")]) from exc


def chosen_value(scenario: Scenario, parameter: str) -> float | None:
    fairness = scenario.fairness or Fairness()
    return getattr(fairness, parameter)


def frontier(scenario: Scenario, parameter: str, values: list[float | None], *,
             areas: pd.DataFrame | None = None, students: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per value of ``parameter`` (plus the scenario's own value, marked ``chosen``)."""
    file = str(scenario.source_file or scenario.name)
    settings = [(v, swept_fairness(scenario.fairness, parameter, v, file)) for v in values]
    chosen = chosen_value(scenario, parameter)
    if parameter == "alpha" and (scenario.fairness is None or scenario.fairness.rule != "alpha"):
        chosen = None  # the scenario does not use alpha at all
    if chosen is not None and chosen not in values:
        settings.append((chosen, swept_fairness(scenario.fairness, parameter, chosen, file)))
    inputs = prepare(scenario, areas, students)
    ordered = sorted(settings, key=lambda vs: (vs[0] is None, vs[0] or 0.0))
    plans = plan_variants(inputs, [{"fairness": None}, *({"fairness": fairness} for _, fairness in ordered)])
    without = sum(next(plans)[1].plan.covered)
    rows = []
    for (value, _), (staged, fair) in zip(ordered, plans):
        metrics = coverage_metrics(staged, fair.plan.covered)
        pof = price_of_fairness(without, metrics["covered"])
        rows.append({"value": value, "covered": metrics["covered"], "rate": metrics["rate"],
                     "min_district_rate": metrics["min_district_rate"], "max_district_rate": metrics["max_district_rate"],
                     "gini": metrics["gini"], "max_min_ratio": metrics["max_min_ratio"],
                     "price_of_fairness": None if pof is None else round(pof, 6),
                     "unmet": len(unmet_rules(staged, fair.plan, fair.report)), "chosen": value == chosen,
                     **{f"band_{b}": int(sum(n for n, bb in zip(fair.plan.covered, staged.cells["band"]) if bb == b))
                        for b in BANDS}})
    table = pd.DataFrame(rows, columns=COLUMNS)
    table.attrs.update(parameter=parameter, covered_without_fairness=without)
    return table
