"""What earlier plans fixed: devices already handed out, and the previous plan to stay close to.

Both come per district x device (district by name or code, as in ``allocation.csv``) and become
the LP's keys (area code, device). ``sim.solve(..., delivered=, previous=)`` uses them: the LP keeps
every district at or above what it has received (``model.add_delivered_floor``) and, among the
plans with the coverage reached, picks the one closest to the previous plan
(``priority.keep_close_to_previous``); whole devices then keep the deliveries (``whole_floors``),
break ties towards the previous plan, and the previous plan stands unchanged when it still fits
the money and stock and is as good (``previous_if_as_good``): a re-plan with nothing new gives
the same plan, byte for byte.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd
import pulp

from sim.read.errors import InputError, Problem, ScenarioError
from sim.core.inputs import PlanInputs, segments_of
from sim.read.names import did_you_mean, match_key
from sim.core.priority import LpSolution
from sim.core.solvers import SolverFailed, solve_lp
from sim.core.rules import BANDS, grade_level
from sim.core.whole import WholePlan, account, accounts_of
from sim.read.tables import AreaIndex

Counts = dict[tuple[str, str], int]  # (area code, device) -> devices
Units = dict[tuple[int, str], int]  # (cell, device) -> devices


@dataclass(frozen=True)
class Previous:
    """The plan in force: devices per (area code, device), and per (cell, device) when it was given
    as an allocation table whose rows all name cells of the current inputs (else None)."""

    counts: Counts
    units: Units | None

ROUNDING_NOISE = 1e-6


def _rows(table: object) -> list[tuple[str, str, float]]:
    """(district, device, devices) from a Result, an allocation-like table or a mapping."""
    if hasattr(table, "allocation"):  # a sim.Result
        table = table.allocation
    if isinstance(table, pd.DataFrame):
        missing = {"district", "device", "devices"} - set(table.columns)
        if missing:
            raise InputError([Problem("table", "columns are missing", column=",".join(sorted(missing)),
                                      expected="a table with district, device and devices, like allocation.csv")])
        return list(zip(table["district"].astype(str), table["device"].astype(str), table["devices"]))
    if isinstance(table, Mapping):
        return [(str(k[0]), str(k[1]), v) for k, v in table.items()]
    raise TypeError("expected a sim.Result, a DataFrame with district, device, devices, or {(district, device): n}")


def per_area(table: object, inputs: PlanInputs, what: str, *, strict: bool) -> Counts:
    """Devices per (area code, device). ``strict``: an unknown district or device is an error
    (deliveries); otherwise it is left out (a previous plan made with other areas or devices)."""
    index = AreaIndex(inputs.areas)
    devices = {match_key(d): d for d in inputs.devices}
    out: Counts = {}
    problems = []
    for district, device, count in _rows(table):
        area, name = index.find(district), devices.get(match_key(device))
        if strict and area is None:
            problems.append(Problem(what, "unknown district", column="district", value=district,
                                    expected="a name or code from the areas file", hint=index.suggestion(district)))
        if strict and name is None:
            problems.append(Problem(what, "the scenario has no such device", column="device", value=device,
                                    expected="one of " + ", ".join(inputs.devices), hint=did_you_mean(device, inputs.devices)))
        if area is None or name is None:
            continue
        if not float(count).is_integer() or count < 0:
            problems.append(Problem(what, "not a whole number of devices", column="devices", value=count, expected="an integer ≥ 0"))
            continue
        out[area, name] = out.get((area, name), 0) + int(count)
    if problems:
        raise InputError(problems)
    return {k: v for k, v in sorted(out.items()) if v or not strict}


def check_deliverable(inputs: PlanInputs, delivered: Counts, what: str = "deliveries") -> None:
    """No district can have received more devices of a kind than it has learners that kind suits."""
    cells = inputs.cells
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    problems = []
    for (area, device), count in delivered.items():
        room = int(sum(p for p, a, fits in zip(cells["pupils"], cells["area"], inputs.suits[device]) if a == area and fits))
        if count > room:
            problems.append(Problem(what, f"more {device} delivered in {names[area]} than it has learners a {device} suits",
                                    column="quantity", value=count,
                                    expected=f"at most {room} (the students file's learners there in the grades it suits)",
                                    hint="Check the deliveries, or the students file"))
    if problems:
        raise ScenarioError(problems)


def whole_floors(inputs: PlanInputs, lp: LpSolution, delivered: Counts) -> dict[tuple[int, str], int]:
    """Whole devices per (cell, device) that keep each district's deliveries.

    The deliveries say how many devices of a kind a district received, not who received them: they
    are counted against the district's learners that kind suits in the order the plan serves them,
    earliest band first (inside a band, the cells the LP gave that device most first), each cell up
    to its learners (over all devices). So devices already delivered never hold a later band's
    place while an earlier band's learner of that district waits."""
    cells = inputs.cells
    pupils, bands, area_of = list(cells["pupils"]), list(cells["band"]), list(cells["area"])
    room = list(pupils)
    floors: dict[tuple[int, str], int] = {}
    for (area, device), need in sorted(delivered.items()):
        fit = [c for c in range(len(pupils)) if area_of[c] == area and inputs.suits[device][c]]
        left = need
        for c in sorted(fit, key=lambda c: (bands[c], -round(lp.given.get((c, device), 0.0), 6), c)):
            take = min(room[c], left)
            if take:
                floors[c, device] = floors.get((c, device), 0) + take
                room[c] -= take
                left -= take
        # check_deliverable made sure each kind fits its district; kinds sharing cells may not, so
        # what is left (if any) goes where the kind suits, over the cells' learners: the plan is then
        # infeasible and says so when it is paid for.
    return dict(sorted(floors.items()))


def distance(units: dict[tuple[int, str], int], inputs: PlanInputs, previous: Counts) -> int:
    """Devices that differ from the previous plan: sum over district x device of |new - previous|."""
    area_of = list(inputs.cells["area"])
    new: Counts = {}
    for (c, device), n in units.items():
        new[area_of[c], device] = new.get((area_of[c], device), 0) + n
    return sum(abs(new.get(k, 0) - previous.get(k, 0)) for k in set(new) | set(previous))


def by_district(counts: Counts, inputs: PlanInputs) -> dict[str, dict[str, int]]:
    """{district name: {device: n}} in the areas file's order, for the summary."""
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    out: dict[str, dict[str, int]] = {}
    for code in inputs.areas["code"]:
        row = {d: n for (a, d), n in counts.items() if a == code and n}
        if row:
            out[names[code]] = row
    return out



def check_payable(m, solver) -> None:
    """Deliveries recorded must fit the money and stock: solve the LP with the floors and no
    objective; infeasible means the deliveries cost more than there is (ScenarioError, exit 3)."""

    m.problem.sense = pulp.LpMaximize
    m.problem.setObjective(pulp.LpAffineExpression())
    try:
        solve_lp(m.problem, solver)
    except SolverFailed:
        raise ScenarioError([Problem("deliveries", "the devices already delivered cost more than the money and stock on hand",
                                     expected="deliveries that the scenario and the donations counted can pay for",
                                     hint="Was a gift that paid for them cancelled, or are donations missing from the ledger?")]) from None


def stay_close(inputs: PlanInputs, plan, previous: Counts, floors: dict[tuple[int, str], int] | None = None):
    """Whole devices closer to the previous plan at the same coverage: in a cell holding a device
    of a kind its district has more of than the previous plan, while it has fewer of another kind
    that suits the cell, swap one for the other if the money and stock still allow. Each swap
    lowers sum |X - P| by 2 and changes no learner's coverage, so this ends; the LP's choice among
    interchangeable devices is otherwise undone by rounding to whole devices."""
    floors = floors or {}
    res, cells = inputs.resources, inputs.cells
    area_of, offline = list(cells["area"]), list(cells["offline"])
    units = dict(plan.units)
    segment = segments_of(inputs)  # where ``account`` counts units: areas, or (area, band) with band pools
    used = {s: {i: 0 for i in res.items} for s in sorted(set(segment))}
    totals: Counts = {}
    for (c, d), n in units.items():
        used[segment[c]][d] += n
        used[segment[c]]["data_package"] += n if offline[c] else 0
        totals[area_of[c], d] = totals.get((area_of[c], d), 0) + n
    cells_of: dict[str, list[int]] = {}
    for c, a in enumerate(area_of):
        cells_of.setdefault(a, []).append(c)

    def swap(c: int, old: str, new: str, sign: int) -> None:
        for device, delta in ((old, -sign), (new, sign)):
            units[c, device] = units.get((c, device), 0) + delta
            used[segment[c]][device] += delta
            totals[area_of[c], device] = totals.get((area_of[c], device), 0) + delta

    improved = True
    while improved:
        improved = False
        for a in sorted(cells_of):
            over = [d for d in inputs.devices if totals.get((a, d), 0) > previous.get((a, d), 0)]
            under = [d for d in inputs.devices if totals.get((a, d), 0) < previous.get((a, d), 0)]
            for old in over:
                for new in under:
                    for c in cells_of[a]:
                        if (units.get((c, old), 0) <= floors.get((c, old), 0) or not inputs.suits[new][c]
                                or totals[a, old] <= previous.get((a, old), 0) or totals.get((a, new), 0) >= previous[a, new]):
                            continue
                        swap(c, old, new, +1)
                        if account(used, res).payable:
                            improved = True
                        else:
                            swap(c, old, new, -1)
    units = {cd: n for cd, n in sorted(units.items()) if n > 0}
    return WholePlan(units, plan.covered, account(used, res))


def read_previous(table: object, inputs: PlanInputs) -> Previous:
    """The plan in force (a Result, an allocation table or {(district, device): n}) in the current
    inputs' areas and devices; also per cell when the table has grade, status and data_packages."""
    return Previous(per_area(table, inputs, "previous plan", strict=False), per_cell(table, inputs))


def per_cell(table: object, inputs: PlanInputs) -> Units | None:
    """Devices per (cell, device) of an allocation table: the learners without internet of a row are
    its ``data_packages``, the others ``devices - data_packages``. None when the table cannot be
    read so (no grade or status columns, or a row naming a cell the inputs do not have)."""
    if hasattr(table, "allocation"):
        table = table.allocation
    if not isinstance(table, pd.DataFrame) or not {"district", "grade", "status", "device", "devices",
                                                   "data_packages"} <= set(table.columns):
        return None
    index = AreaIndex(inputs.areas)
    devices = {match_key(d): d for d in inputs.devices}
    cells = inputs.cells
    cell_of = {key: c for c, key in enumerate(zip(cells["area"], cells["grade"], cells["status"], cells["offline"]))}
    units: Units = {}
    for district, grade, status, device, n, packages in zip(table["district"].astype(str), table["grade"], table["status"],
                                                            table["device"].astype(str), table["devices"], table["data_packages"]):
        area, name = index.find(district), devices.get(match_key(device))
        try:
            level = grade_level(grade)
        except ValueError:
            return None
        for offline, count in ((True, int(packages)), (False, int(n) - int(packages))):
            if count == 0:
                continue
            c = cell_of.get((area, level, str(status), offline))
            if c is None or name is None or count < 0:
                return None
            units[c, name] = units.get((c, name), 0) + count
    return dict(sorted(units.items()))


def _quality(inputs: PlanInputs, units: Units, covered: list[int], report) -> tuple:
    """What makes one whole plan better than another under the scenario's rules, compared
    lexicographically, larger better: fairness floors first (less shortfall below them), then the
    learners per band in the order they are served (``strict``) or the weighted total (``weighted``)."""
    policy = inputs.scenario.policy
    shortfall = sum(max(0, target - sum(covered[c] for c in g.cells)) for g, target in report.floor_targets().items())
    bands = list(inputs.cells["band"])
    per_band = [sum(n for n, b in zip(covered, bands) if b == band) for band in BANDS]
    if policy.mode.value == "weighted":
        served = (sum(policy.weights[b] * n for b, n in zip(BANDS, per_band)),)
    else:
        served = tuple(per_band)
    return (-shortfall, *served)


def _spread(inputs: PlanInputs, covered: list[int]) -> float:
    cells = inputs.cells.assign(covered=covered)
    sums = cells.groupby("area")[["pupils", "covered"]].sum()
    rates = sums["covered"] / sums["pupils"]
    return float(rates.max() - rates.min()) if len(rates) else 0.0


def previous_if_as_good(inputs: PlanInputs, plan, previous: Previous, delivered: Counts | None, report):
    """The previous plan, unchanged, when it still fits and is at least as good as ``plan``; else ``plan``.

    It fits when every device suits its learners, no cell gets more than its learners, deliveries
    are kept, and the money and stock pay for it (``whole.account``). It is as good when
    ``_quality`` is no lower, and a gap cap the new plan meets is met too. So a re-plan with
    nothing new changes nothing; a new donation or a changed rule changes what it must.
    Returns (plan, whether the previous plan stood)."""
    units = previous.units
    if units is None or units == plan.units:
        return plan, units is not None
    cells = inputs.cells
    pupils, area_of = list(cells["pupils"]), list(cells["area"])
    covered = [0] * len(pupils)
    totals: Counts = {}
    for (c, d), n in units.items():
        if not inputs.suits[d][c]:
            return plan, False
        covered[c] += n
        totals[area_of[c], d] = totals.get((area_of[c], d), 0) + n
    if any(n > p for n, p in zip(covered, pupils)):
        return plan, False
    if delivered and any(totals.get(key, 0) < n for key, n in delivered.items()):
        return plan, False
    accounts = accounts_of(units, inputs)
    if not accounts.payable:
        return plan, False
    if _quality(inputs, units, covered, report) < _quality(inputs, plan.units, plan.covered, report):
        return plan, False
    fairness = inputs.scenario.fairness
    if fairness is not None and fairness.max_gap is not None:
        if _spread(inputs, covered) > max(fairness.max_gap, _spread(inputs, plan.covered)) + 1e-9:
            return plan, False
    return WholePlan(dict(units), covered, accounts), True
