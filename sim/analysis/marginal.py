"""Marginal values: what a little more money or stock, or an earmark set free, is worth in learners.

Each value is found twice (and both are reported):

1. **Estimate from the LP duals.** The *coverage LP of band b* keeps every earlier band at the
   learners the plan covers in it (``held_b``: sum_{c in b'} y[c] >= planned, b' < b), keeps the
   fairness rules' floors and caps, and covers as many learners of band b as it can. Its shadow
   prices are learners of band b per unit of each resource. A resource's value is read in the
   first band where its shadow price is not 0 (in strict mode that is where more of it goes).
2. **Confirmed by re-solving.** The same coverage LP with the change (does the estimate hold for a
   change this big?), and the whole plan with the change, in whole devices (what would happen).

The estimate assumes the band's extra learners are the cheapest to cover; the plan serves a band
at equal rates, so its figure can be lower. Shadow prices are read as d(objective)/d(right-hand
side) for both solvers: PuLP 3.3's in-process HiGHS reports the opposite sign for a maximisation
(``shadow_price``; tests/test_marginal.py checks the convention on both solvers).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import pulp

from sim.core.fairness import FairReport, add_computer_share, hold_gap, hold_group
from sim.core.inputs import DATA_PACKAGE, PlanInputs, prepare
from sim.core.model import MONEY_UNIT, AllocationModel, build_model
from sim.core.pipeline import plan_variants, plan_whole
from sim.core.priority import SLACK, band_cells
from sim.core.rules import BANDS
from sim.read.scenario import Scenario, SolverName
from sim.core.solvers import make_solver, solve_lp
from sim.read.tables import AreaIndex

TOLERANCE = 1e-7  # a shadow price below this (learners per unit) is 0


def shadow_price(constraint: pulp.LpConstraint, problem: pulp.LpProblem, solver: SolverName | str) -> float:
    """d(objective) / d(right-hand side) of a solved LP's constraint, whatever the solver.

    CBC (through PuLP) reports this for both senses; PuLP 3.3's in-process HiGHS negates it for a
    maximisation (it hands HiGHS the minimisation of -objective and passes the duals back as they are).
    """
    pi = constraint.pi or 0.0
    if SolverName(solver) is SolverName.highs and problem.sense == pulp.LpMaximize:
        return -pi
    return pi


# ---------------------------------------------------------------- the coverage LPs

def _policy_names(m: AllocationModel) -> dict[str, str]:
    """Constraint name -> what it is in the plan's words, for the constraints that are resources.

    A reserved pool whose scope is one segment of the LP is the right-hand side of that segment's
    supply_, packages_ and spend_ constraints; any other reserved pool has its own pool_<p>_ ones
    (see sim/core/model.py)."""
    inputs = m.inputs
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))

    def label(pool) -> str:
        area, band = pool.scope
        return "the " + " ".join(([names[area]] if area else []) + ([f"band-{band}"] if band else [])) + " earmark"

    out = {"budget": "the budget"}
    for k, item in enumerate(inputs.devices):
        out[f"stock_{k}"] = f"the {item} stock"
    out["stock_data_package"] = "the data-package stock"
    for i, segment in enumerate(m.segments):
        pool = m.local.get(segment)
        if pool is None:
            continue
        for k, item in enumerate(inputs.devices):
            if pool.stock.get(item, 0) > 0:
                out[f"supply_{k}_{i}"] = f"{label(pool)}'s {item}s"
        if pool.cash > 0:
            out[f"spend_{i}"] = label(pool)
        if pool.stock.get(DATA_PACKAGE, 0) > 0:
            out[f"packages_{i}"] = f"{label(pool)}'s data packages"
    for p, pool in enumerate(m.shared):
        for k, item in enumerate(inputs.devices):
            out[f"pool_{p}_stock_{k}"] = f"{label(pool)}'s {item}s"
        out[f"pool_{p}_packages"] = f"{label(pool)}'s data packages"
        out[f"pool_{p}_cash"] = label(pool)
    return out


def coverage_model(inputs: PlanInputs, report: FairReport) -> tuple[AllocationModel, dict[str, str]]:
    """The allocation LP with the plan's fairness floors and caps held; constraint names in policy terms."""
    m = build_model(inputs)
    named = _policy_names(m)
    fairness = inputs.scenario.fairness
    if fairness is not None and fairness.active:
        add_computer_share(m, fairness)
        if fairness.upper_secondary_computer_share > 0:
            named["computer_share"] = "the computer share for grades 10-12"
        area_names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
        for i, (g, level) in enumerate(report.floors.items()):
            hold_group(m, g, level, f"floor_{i}")
            named[f"hold_floor_{i}"] = f"the floor for {area_names[g.area]}" + (f" (band {g.band})" if g.band else "")
        if report.gap is not None:
            hold_gap(m, report.gap)
            for i, area in enumerate(m.areas):
                named[f"gap_lo_{i}"] = named[f"gap_hi_{i}"] = f"the gap cap ({area_names[area]})"
    return m, named


@dataclass
class BandLP:
    """The coverage LP of one band: its optimum and the shadow price of every named constraint."""

    band: int
    covered: float
    shadow: dict[str, float] = field(default_factory=dict)  # policy term -> learners of the band per unit


def _held_names(planned: dict[int, float]) -> dict[str, str]:
    return {f"held_{b}": f"band {b} served first (held at {planned[b]:,.0f} learners)" for b in planned}


def band_lps(inputs: PlanInputs, planned: dict[int, float], report: FairReport, bands=BANDS) -> list[BandLP]:
    """The coverage LP of each band in ``bands``, in order, with earlier bands held at ``planned``."""
    m, named = coverage_model(inputs, report)
    named.update(_held_names(planned))
    solver = make_solver(inputs.scenario.solver)
    out = []
    for band in BANDS:
        cells = band_cells(m, band)
        if band in bands and cells:
            m.problem.sense = pulp.LpMaximize
            m.problem.setObjective(pulp.LpAffineExpression([(m.y[c], 1.0) for c in cells]))
            solve_lp(m.problem, solver)
            constraints = {c.name: c for c in m.problem.constraints()}
            shadow = {}
            for name, term in named.items():
                if name in constraints:
                    value = shadow_price(constraints[name], m.problem, inputs.scenario.solver)
                    if abs(value) > TOLERANCE:
                        shadow[term] = shadow.get(term, 0.0) + value
            out.append(BandLP(band, pulp.value(m.problem.objective) or 0.0, shadow))
        if band in planned and cells:
            m.add(f"held_{band}", [(m.y[c], 1.0) for c in cells], pulp.LpConstraintGE, planned[band] - SLACK)
    return out


# ---------------------------------------------------------------- the questions

@dataclass
class Change:
    """One what-if: a scenario change, the resources it moves (term -> units), and how to say it."""

    label: str
    changes: dict
    moves: dict[str, float]  # policy term -> units added (negative: taken away), in the LP's units
    district: str | None = None  # for an earmark: its district


@dataclass
class MarginalValue:
    label: str
    band: int | None  # the band whose coverage LP prices it (None: binds nowhere)
    estimate: float  # learners of that band, from the shadow prices
    lp_resolved: float  # learners of that band, the coverage LP re-solved with the change
    plan_resolved: int  # learners, all bands, the whole plan re-solved with the change
    plan_by_band: dict[int, int]
    district_change: int | None = None  # for an earmark: learners in its district
    binding: list[str] = field(default_factory=list)


def default_changes(scenario: Scenario, budget_step: int = 100_000_000, units: int = 10) -> list[Change]:
    """More budget, more of each donated device and of data packages, and each money earmark set free."""
    out = [Change(f"{budget_step:,} VND more in the budget", {"budget_vnd": scenario.budget_vnd + budget_step},
                  {"the budget": budget_step / MONEY_UNIT})]
    for name, device in scenario.devices.items():
        devices = {n: d.model_dump() for n, d in scenario.devices.items()}
        devices[name]["in_stock"] = device.in_stock + units
        out.append(Change(f"{units} more donated {name}s", {"devices": devices}, {f"the {name} stock": units}))
    package = scenario.data_package.model_dump()
    package["in_stock"] += units
    out.append(Change(f"{units} more donated data packages", {"data_package": package}, {"the data-package stock": units}))
    for i, mark in enumerate(scenario.earmarks):
        if mark.budget_vnd <= 0:
            continue
        earmarks = [m.model_dump() for m in scenario.earmarks]
        earmarks[i]["budget_vnd"] = 0
        name = " ".join(([mark.district] if mark.district else []) + ([f"band-{mark.band}"] if mark.band else []))
        out.append(Change(f"the {name} earmark ({mark.budget_vnd:,} VND) given to the general budget",
                          {"earmarks": earmarks, "budget_vnd": scenario.budget_vnd + mark.budget_vnd},
                          {"the budget": mark.budget_vnd / MONEY_UNIT,
                           f"the {name} earmark": -mark.budget_vnd / MONEY_UNIT}, mark.district))
    return out


def _estimate(lps: list[BandLP], moves: dict[str, float]) -> tuple[int | None, float]:
    for lp in lps:
        if any(abs(lp.shadow.get(term, 0.0)) > TOLERANCE for term in moves):
            return lp.band, sum(lp.shadow.get(term, 0.0) * units for term, units in moves.items())
    return None, 0.0


def _by_band(inputs: PlanInputs, covered) -> dict[int, float]:
    bands = inputs.cells["band"]
    return {b: sum(v for v, bb in zip(covered, bands) if bb == b) for b in BANDS if (bands == b).any()}


def marginal_values(scenario: Scenario, changes: list[Change] | None = None, *, areas: pd.DataFrame | None = None,
                    students: pd.DataFrame | None = None) -> list[MarginalValue]:
    """Estimate and confirm the value of each change (``default_changes`` when None)."""
    inputs = prepare(scenario, areas, students)
    base = plan_whole(inputs)
    planned = _by_band(inputs, base.lp.covered)
    lps = band_lps(inputs, planned, base.report)
    base_whole = _by_band(inputs, base.plan.covered)
    out = []
    changes = changes if changes is not None else default_changes(scenario)
    for change, (other, variant) in zip(changes, plan_variants(inputs, (c.changes for c in changes))):
        band, estimate = _estimate(lps, change.moves)
        lp_resolved = 0.0
        if band is not None:
            before = next(lp.covered for lp in lps if lp.band == band)
            after = band_lps(other, {b: v for b, v in planned.items() if b < band}, base.report, bands=(band,))[0].covered
            lp_resolved = after - before
        plan = variant.plan
        whole = _by_band(inputs, plan.covered)
        district_change = None
        if change.district is not None:
            area = AreaIndex(inputs.areas).find(change.district)
            cells = [c for c, a in enumerate(inputs.cells["area"]) if a == area]
            district_change = int(sum(plan.covered[c] - base.plan.covered[c] for c in cells))
        binding = [term for term in change.moves if band is not None
                   and abs(next(lp for lp in lps if lp.band == band).shadow.get(term, 0.0)) > TOLERANCE]
        out.append(MarginalValue(change.label, band, estimate, lp_resolved,
                                 int(sum(whole.values()) - sum(base_whole.values())),
                                 {b: int(whole[b] - base_whole[b]) for b in whole}, district_change, binding))
    return out


CHANGE_COLUMNS = ["estimate from the LP (learners)", "LP re-solved (learners)", "plan re-solved, whole devices (learners)",
                  "of which in its district", "rest of the province"]


def marginal_table(values: list[MarginalValue]) -> pd.DataFrame:
    """One row per change, in an analyst's words (English: the table written to a file).

    ``attrs`` tells ``sim.views.readable`` how people read it in their language: ``phrases`` are
    the columns of English phrases to translate, ``signed`` the columns of changes (``+12``)."""
    rows = []
    for v in values:
        row = {"change": v.label,
               "first band it helps": "-" if v.band is None else f"band {v.band}",
               "estimate from the LP (learners)": round(v.estimate, 2) + 0.0,  # + 0.0: no "-0.0"
               "LP re-solved (learners)": round(v.lp_resolved, 2) + 0.0,
               "plan re-solved, whole devices (learners)": v.plan_resolved,
               "note": ("" if abs(v.estimate - v.lp_resolved) < 0.01 else
                        "the shadow price is not unique at this corner of the LP (e.g. a stock of 0): "
                        "use the re-solved figures")}
        if v.district_change is not None:
            row["of which in its district"] = v.district_change
            row["rest of the province"] = v.plan_resolved - v.district_change
        rows.append(row)
    table = pd.DataFrame(rows)
    table.attrs.update(phrases=["change", "first band it helps", "note"],
                       signed=[c for c in CHANGE_COLUMNS if c in table.columns])
    return table


def binding_constraints(scenario: Scenario, *, areas: pd.DataFrame | None = None,
                        students: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every constraint that limits some band's coverage, named in policy terms, with its shadow price."""
    inputs = prepare(scenario, areas, students)
    base = plan_whole(inputs)
    planned = _by_band(inputs, base.lp.covered)
    rows = [{"band": lp.band, "constraint": term, "learners per unit": round(value, 6), "unit": _unit(term)}
            for lp in band_lps(inputs, planned, base.report) for term, value in lp.shadow.items()]
    table = pd.DataFrame(rows, columns=["band", "constraint", "learners per unit", "unit"])
    table.attrs.update(phrases=["constraint"])  # in words of the current language: sim.views.readable
    return table


def _unit(term: str) -> str:
    if term == "the budget" or (term.endswith("earmark") and "'" not in term):
        return "million VND"
    if term.endswith("stock") or "earmark's" in term:
        return "device or package"
    return "learner"
