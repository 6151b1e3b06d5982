"""The allocation plan written the way a PuLP textbook would: the yardstick of ``make bench``.

NOT part of ``sim``, and on purpose it uses the PuLP APIs that the house rules forbid in
``sim/``: ``LpVariable`` and ``LpVariable.dicts``, ``lpSum``, ``prob += constraint, "name"`` with
one named constraint per cell, and CBC run as a program (``PULP_CBC_CMD``, or ``COIN_CMD`` with
cbcbox's CBC once PuLP 4 drops the former). Measuring that style is the point of the file, so
PuLP's deprecation warnings are silenced here, and only here.

It states the same rules as ``sim/model.py``, from the same read and checked inputs
(``sim.core.inputs.prepare``: the students table and the scenario, not sim's cells):

- cells c = area x grade x status x internet at home; x[c,d] learners of c given device d (only
  when d suits c's grade); y[c] = sum_d x[c,d] covered, 0 <= y[c] <= pupils[c];
- devices handed out in area a: sum_{c in a} x[c,d] <= E[a,d] + s[a,d] + b[a,d] (earmarked
  stock, general stock drawn, bought); sum_a s[a,d] <= S[d];
- data packages for covered learners without internet, likewise per area and from the stock;
- money, in millions of VND: sum_i price[i] b[a,i] <= C[a] + g[a] (earmarked cash first, then
  the budget), sum_a g[a] <= B;

and the same strict policy with ``max_count`` inside a band: for each band in order, maximise its
covered learners and hold the band at that optimum; then minimise the money spent.
CBC writes its solution with 8 significant digits, so a band is held ``RELATIVE_SLACK`` of its
optimum (plus ``SLACK`` learners) below it, or the next LP could be infeasible by a rounding.
"""

from __future__ import annotations

import time
import warnings
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd
import pulp

from sim.core.inputs import PlanInputs
from sim.core.rules import BANDS, band_of
from sim.read.tables import AreaIndex

MONEY_UNIT = 1_000_000  # prices in millions of VND: CBC's presolve dislikes VND next to learner counts
PACKAGE = "data_package"
SLACK = 1e-6
RELATIVE_SLACK = 1e-7


@dataclass
class PlainModel:
    prob: pulp.LpProblem
    cells: pd.DataFrame  # area, grade, status, band, offline, pupils
    y: dict
    x: dict
    bought: dict
    price: dict[str, float]  # per item, in millions of VND


@dataclass
class PlainResult:
    covered_by_band: dict[int, float]  # each band's LP optimum, learners
    spent_vnd: float
    final_by_band: dict[int, float] = field(default_factory=dict)  # after the money LP (held bands may sit at their hold)
    seconds: dict[str, float] = field(default_factory=dict)  # build, solve, extract
    variables: int = 0
    constraints: int = 0
    solves: int = 0
    table: pd.DataFrame | None = None  # covered learners per cell


def _cells(students: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for s in students.itertuples(index=False):
        for offline, pupils in ((False, s.pupils - s.without_internet), (True, s.without_internet)):
            if pupils > 0:
                rows.append((s.area, int(s.grade), s.status, band_of(s.status, int(s.grade)), offline, int(pupils)))
    return pd.DataFrame(rows, columns=["area", "grade", "status", "band", "offline", "pupils"])


def build(inputs: PlanInputs) -> PlainModel:
    """The LP with every rule, one statement per variable group and constraint, textbook style."""
    scenario = inputs.scenario
    cells = _cells(inputs.students)
    devices = list(scenario.devices)
    items = devices + [PACKAGE]
    price = {d: scenario.devices[d].unit_cost_vnd / MONEY_UNIT for d in devices}
    price[PACKAGE] = scenario.data_package.unit_cost_vnd / MONEY_UNIT
    stock = {d: scenario.devices[d].in_stock for d in devices}
    stock[PACKAGE] = scenario.data_package.in_stock
    index = AreaIndex(inputs.areas)
    earmarked_cash: dict[str, float] = defaultdict(float)
    earmarked: dict[tuple[str, str], int] = defaultdict(int)
    for mark in scenario.earmarks:
        area = index.find(mark.district)
        earmarked_cash[area] += mark.budget_vnd / MONEY_UNIT
        for device, count in mark.devices.items():
            earmarked[area, device] += count
        earmarked[area, PACKAGE] += mark.data_packages

    n = len(cells)
    area, grade, offline, pupils = (cells[col].tolist() for col in ("area", "grade", "offline", "pupils"))
    areas = sorted(set(area))
    cells_in = defaultdict(list)
    for c in range(n):
        cells_in[area[c]].append(c)
    pairs = [(c, d) for c in range(n) for d in devices if scenario.devices[d].suits(grade[c])]
    fits = defaultdict(list)
    for c, d in pairs:
        fits[c].append(d)
    area_no = {a: i for i, a in enumerate(areas)}
    item_no = {item: k for k, item in enumerate(items)}

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # the textbook APIs are the point here
        prob = pulp.LpProblem("plain_allocation", pulp.LpMaximize)
        x = pulp.LpVariable.dicts("x", [(c, item_no[d]) for c, d in pairs], lowBound=0)
        x = {(c, d): x[c, item_no[d]] for c, d in pairs}
        y = {c: pulp.LpVariable(f"y_{c}", lowBound=0, upBound=pupils[c]) for c in range(n)}
        keys = [(area_no[a], item_no[i]) for a in areas for i in items]
        s = pulp.LpVariable.dicts("s", keys, lowBound=0)
        b = pulp.LpVariable.dicts("b", keys, lowBound=0)
        g = pulp.LpVariable.dicts("g", range(len(areas)), lowBound=0)
    from_stock = {(a, i): s[area_no[a], item_no[i]] for a in areas for i in items}
    bought = {(a, i): b[area_no[a], item_no[i]] for a in areas for i in items}
    cash = {a: g[area_no[a]] for a in areas}

    for c in range(n):
        prob += y[c] == pulp.lpSum(x[c, d] for d in fits[c]), f"cover_{c}"
    for d in devices:
        for a in areas:
            prob += (pulp.lpSum(x[c, d] for c in cells_in[a] if (c, d) in x)
                     <= earmarked[a, d] + from_stock[a, d] + bought[a, d]), f"supply_{item_no[d]}_{area_no[a]}"
        prob += pulp.lpSum(from_stock[a, d] for a in areas) <= stock[d], f"stock_{item_no[d]}"
    for a in areas:
        prob += (pulp.lpSum(y[c] for c in cells_in[a] if offline[c])
                 <= earmarked[a, PACKAGE] + from_stock[a, PACKAGE] + bought[a, PACKAGE]), f"packages_{area_no[a]}"
    prob += pulp.lpSum(from_stock[a, PACKAGE] for a in areas) <= stock[PACKAGE], "stock_package"
    for a in areas:
        prob += (pulp.lpSum(price[i] * bought[a, i] for i in items)
                 <= earmarked_cash[a] + cash[a]), f"spend_{area_no[a]}"
    prob += pulp.lpSum(cash[a] for a in areas) <= scenario.budget_vnd / MONEY_UNIT, "budget"
    return PlainModel(prob, cells, y, x, bought, price)


def cbc() -> pulp.LpSolver:
    """PuLP's bundled CBC while PuLP has it, else CBC from cbcbox (as ``solver: cbc`` in sim)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        if hasattr(pulp, "PULP_CBC_CMD") and pulp.PULP_CBC_CMD(msg=False).available():
            return pulp.PULP_CBC_CMD(msg=False)
    from sim.core.solvers import _cbc_path

    return pulp.COIN_CMD(path=_cbc_path(), msg=False)


def _solve(prob: pulp.LpProblem, solver: pulp.LpSolver) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        prob.solve(solver)
    if prob.status != pulp.LpStatusOptimal:
        raise RuntimeError(f"CBC answered {pulp.LpStatus[prob.status]} for {prob.name}")


def solve_strict_max_count(model: PlainModel, solver: pulp.LpSolver | None = None) -> dict[int, float]:
    """Each band in order: maximise its covered learners, hold that; then spend the least money.
    Returns each band's optimum (0 for a band with no learners)."""
    solver = solver or cbc()
    prob, y, band = model.prob, model.y, model.cells["band"].tolist()
    best = {b: 0.0 for b in BANDS}
    for b in BANDS:
        in_band = [c for c in y if band[c] == b]
        if not in_band:
            continue
        prob.sense = pulp.LpMaximize
        prob.setObjective(pulp.lpSum(y[c] for c in in_band))
        _solve(prob, solver)
        best[b] = pulp.value(prob.objective)
        prob += pulp.lpSum(y[c] for c in in_band) >= best[b] * (1 - RELATIVE_SLACK) - SLACK, f"hold_band_{b}"
    prob.sense = pulp.LpMinimize
    prob.setObjective(pulp.lpSum(model.price[i] * v for (_a, i), v in model.bought.items()))
    _solve(prob, solver)
    return best


def extract(model: PlainModel, best: dict[int, float]) -> PlainResult:
    """Covered learners per cell and band, and the money spent, from the solution."""
    table = model.cells.assign(covered=[model.y[c].varValue or 0.0 for c in range(len(model.cells))])
    given = pd.DataFrame([(c, d, v.varValue or 0.0) for (c, d), v in model.x.items()], columns=["cell", "device", "given"])
    table = table.join(given.pivot(index="cell", columns="device", values="given").fillna(0.0))
    by_band = table.groupby("band")["covered"].sum()
    spent = sum(model.price[i] * (v.varValue or 0.0) for (_a, i), v in model.bought.items()) * MONEY_UNIT
    final = {b: float(by_band.get(b, 0.0)) for b in BANDS}
    return PlainResult(dict(best), spent, final, table=table)


def plan(inputs: PlanInputs, solver: pulp.LpSolver | None = None) -> PlainResult:
    """Build, solve and extract, timing each step."""
    started = time.perf_counter()
    model = build(inputs)
    built = time.perf_counter()
    size = len(model.prob.variables()), len(model.prob.constraints())  # before the bands' holds
    best = solve_strict_max_count(model, solver)
    solved = time.perf_counter()
    result = extract(model, best)
    result.seconds = {"build": built - started, "solve": solved - built, "extract": time.perf_counter() - solved}
    result.variables, result.constraints = size
    result.solves = len(set(model.cells["band"])) + 1  # one LP per band with learners, then the money LP
    return result
