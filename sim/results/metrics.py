"""Coverage rates and inequality measures of a plan: who is covered, and how evenly across districts.

A district's *coverage rate* is its covered learners over its eligible learners (all bands).
Inequality is measured across districts, each district counting once (a small district's rate
weighs as much as a large one's: the question is "is any district left behind?"):

- the Gini coefficient of the district rates, G = sum_i sum_j |r_i - r_j| / (2 n^2 mean(r)),
  0 when every district has the same rate, approaching 1 when one district has everything;
- the max/min ratio of district rates (None when the worst district has nobody covered).

The price of fairness compares the plan with the same scenario without its fairness rules:
(covered without - covered with) / covered without (Bertsimas, Farias and Trichakis, 2011).
"""

from __future__ import annotations

import math

import pandas as pd

from sim.core.inputs import PlanInputs
from sim.core.rules import BANDS, HIGHER_LEVEL, STATUSES, grade_label

INTERNET_LABELS = {False: "with internet", True: "without internet"}


def gini(values) -> float:
    """Gini coefficient of non-negative values; 0 for an empty list or all zeros.

    >>> gini([0.3, 0.3, 0.3])
    0.0
    >>> round(gini([0, 0, 1]), 4)
    0.6667
    """
    values = [float(v) for v in values]
    n, total = len(values), sum(values)
    if n == 0 or total <= 0:
        return 0.0
    spread = sum(abs(a - b) for a in values for b in values)
    return spread / (2 * n * total)


def max_min_ratio(values) -> float | None:
    """Highest over lowest value; None when the lowest is 0 (the ratio is unbounded).

    >>> max_min_ratio([0.2, 0.5, 0.4])
    2.5
    >>> max_min_ratio([0.0, 0.5]) is None
    True
    """
    values = list(values)
    if not values or min(values) <= 0:
        return None
    return max(values) / min(values)


def price_of_fairness(covered_without: float, covered_with: float) -> float | None:
    """(covered without the rules - covered with them) / covered without; None when nobody is covered.

    >>> price_of_fairness(200, 190)
    0.05
    """
    if covered_without <= 0:
        return None
    return (covered_without - covered_with) / covered_without


def coverage_rates(inputs: PlanInputs, covered, by: str) -> pd.DataFrame:
    """Pupils, covered and rate grouped by ``district``, ``band``, ``grade``, ``status`` or ``internet``.

    Rows come in the inputs' order (districts as in the areas file, grades 1-12 then higher).
    """
    cells = inputs.cells.assign(covered=list(covered))
    if by == "district":
        names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
        order = [names[a] for a in inputs.areas["code"]]
        keys = cells["area"].map(names)
    elif by == "band":
        order, keys = list(BANDS), cells["band"]
    elif by == "grade":
        order = [grade_label(g) for g in range(1, HIGHER_LEVEL + 1)]
        keys = cells["grade"].map(grade_label)
    elif by == "status":
        order, keys = list(STATUSES), cells["status"]
    elif by == "internet":
        order, keys = list(INTERNET_LABELS.values()), cells["offline"].map(INTERNET_LABELS)
    else:
        raise ValueError(f"cannot group by {by!r}: use district, band, grade, status or internet")
    table = cells.assign(**{by: keys}).groupby(by, sort=False)[["pupils", "covered"]].sum()
    table = table.reindex([k for k in order if k in table.index]).reset_index()
    table[["pupils", "covered"]] = table[["pupils", "covered"]].astype(float if _fractional(covered) else int)
    return table.assign(rate=table["covered"] / table["pupils"])


def _fractional(values) -> bool:
    return any(not float(v).is_integer() for v in values)


def _rounded(value: float | None, digits: int = 6) -> float | None:
    return None if value is None or math.isnan(value) else round(value, digits)


def district_rates(inputs: PlanInputs, covered) -> dict[str, float]:
    """Coverage rate per district with eligible learners, in the areas file's order."""
    table = coverage_rates(inputs, covered, "district")
    return dict(zip(table["district"], table["rate"]))


def coverage_metrics(inputs: PlanInputs, covered) -> dict:
    """Rates by district, band, grade, status and internet at home; Gini and max/min of district rates."""
    rates = district_rates(inputs, covered)
    values = list(rates.values())
    worst = min(rates, key=rates.get) if rates else None
    best = max(rates, key=rates.get) if rates else None
    pupils = int(inputs.cells["pupils"].sum())
    total = float(sum(covered))
    return {
        "covered": int(round(total)),
        "rate": _rounded(total / pupils if pupils else None),
        "min_district_rate": _rounded(rates[worst]) if worst else None,
        "max_district_rate": _rounded(rates[best]) if best else None,
        "worst_district": worst,
        "best_district": best,
        "gini": _rounded(gini(values)),
        "max_min_ratio": _rounded(max_min_ratio(values)),
        "rates": {by: {str(k): _rounded(r) for k, r in zip(table[by], table["rate"])}
                  for by in ("district", "band", "grade", "status", "internet")
                  for table in [coverage_rates(inputs, covered, by)]},
    }
