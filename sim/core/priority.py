"""The plan's priority order as a sequence of LPs over one model.

``strict``: bands are served one after another. Band b is optimised with every earlier band held
at what it reached, so no learner of a later band is covered while an earlier band's learner
could still have been covered with what is left.
Inside a band, ``equal_rate`` is leximin over the band's cells (raise the lowest coverage rate,
fix the cells that cannot go higher, repeat), so being cheaper to serve is no reason to be served
first; ``max_count`` maximises the band's covered learners.
``weighted``: one LP maximising sum_b w_b * (covered learners of band b).
A last LP keeps every cell's coverage and spends as little money as it can, so nothing is bought
that stock could have given. With a previous plan (re-planning), an LP before it keeps each band's
coverage and changes the previous plan as little as it can (``keep_close_to_previous``).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulp

from sim.core.model import MONEY_UNIT, AllocationModel
from sim.core.rules import BANDS
from sim.read.scenario import Mode, Policy, WithinBand
from sim.core.solvers import solve_lp

# Solvers meet constraints to about 1e-7; floors are held this much below what was reached,
# so a later LP never fails on rounding noise (whole devices are counted afterwards).
SLACK = 1e-6
BINDING = 1e-9
RISE = 1e-4  # cap on the rise tested in a leximin round, as a coverage rate
INTERIOR_POINT_FROM = 5_000  # LP cells from which leximin rounds are solved by interior point


@dataclass
class LpSolution:
    covered: list[float]  # per cell
    given: dict[tuple[int, str], float]  # (cell, device) -> learners
    solves: int


class _Runner:
    def __init__(self, m: AllocationModel, solver: pulp.LpSolver):
        self.m, self.solver, self.solves = m, solver, 0

    def maximise(self, terms) -> float:
        self.m.problem.sense = pulp.LpMaximize
        self.m.problem.setObjective(pulp.LpAffineExpression(list(terms)))
        solve_lp(self.m.problem, self.solver)
        self.solves += 1
        return pulp.value(self.m.problem.objective) or 0.0

    def hold_cell(self, c: int, value: float) -> None:
        self.m.y[c].lowBound = max(0.0, value - SLACK)


def _band_cells(m: AllocationModel, band: int) -> list[int]:
    return [c for c, b in enumerate(m.inputs.cells["band"]) if b == band]


def serve_max_count(run: _Runner, cells: list[int], tag: str) -> None:
    """Maximise the learners covered in ``cells``, then hold that total: sum_c y[c] >= best."""
    best = run.maximise((run.m.y[c], 1.0) for c in cells)
    run.m.add(f"hold_{tag}", [(run.m.y[c], 1.0) for c in cells], pulp.LpConstraintGE, best - SLACK)


def serve_equal_rate(run: _Runner, cells: list[int], tag: str) -> None:
    """Leximin over the coverage rates y[c]/p_c of ``cells``.

    Round k: (1) maximise t subject to y[c] >= t p_c for every cell still free, giving t*;
    (2) keep y[c] >= t* p_c and maximise sum_c w[c] subject to y[c] >= (t* + w[c]) p_c,
    0 <= w[c] <= RISE. The feasible set is convex, so if each of several cells can rise above t*
    on its own, all can rise together (average the solutions); hence with a small cap every
    cell that can rise reaches w[c] = EPS in (2), and a cell with w[c] = 0 cannot rise above t*
    without another falling below. Hold those at t* and go on with the rest.
    Cells no device suits are held at 0 from the start.
    """
    m = run.m
    pupils = list(m.inputs.cells["pupils"])
    servable = {c for (c, _d) in m.x}
    if len(pupils) > INTERIOR_POINT_FROM and hasattr(run.solver, "method"):
        # Leximin LPs (max t with a floor per cell) are highly degenerate: simplex crawls on them
        # at national size, interior point does not (national: 60 s of simplex, 20 s of IPM).
        run.solver.method = "ipm"
    free = [c for c in cells if c in servable]
    round_no = 0
    while free:
        name = f"{tag}_{round_no}"
        t = m.problem.add_variable(f"t_{name}", lowBound=0, upBound=1)
        floors = [m.add(f"floor_{name}_{c}", [(m.y[c], 1.0), (t, -float(pupils[c]))], pulp.LpConstraintGE, 0.0)
                  for c in free]
        level = run.maximise([(t, 1.0)])
        # Floors are held a little below the rate reached, in rate terms: a group of many
        # learners must not fail the next LP on solver noise either.
        reached = max(0.0, level - SLACK)
        # A floor with a non-zero dual is tight in every optimum (complementary slackness): when
        # every floor has one, all cells are held without the second LP.
        if level >= 1 - BINDING or all(abs(f.pi or 0.0) > BINDING for f in floors):
            held = free
        else:
            rise = {c: m.problem.add_variable(f"w_{name}_{c}", lowBound=0, upBound=RISE) for c in free}
            for c in free:
                m.add(f"rise_{name}_{c}", [(m.y[c], 1.0), (rise[c], -float(pupils[c]))],
                      pulp.LpConstraintGE, reached * float(pupils[c]))
            run.maximise((w, 1.0) for w in rise.values())
            held = [c for c in free if (rise[c].value() or 0.0) < RISE / 2] or free
        for c in held:
            run.hold_cell(c, reached * pupils[c])
        held_set = set(held)
        free = [c for c in free if c not in held_set]
        round_no += 1
    if hasattr(run.solver, "method"):
        run.solver.method = None


def keep_close_to_previous(run: _Runner, previous: dict[tuple[str, str], float]) -> None:
    """Among the plans with the coverage reached, the one that changes the previous plan least.

    Hold each band's covered learners at what the policy reached, then minimise the L1 change
    per district x device, sum_{a,d} |X[a,d] - P[a,d]| with X[a,d] = sum_{c in a} x[c,d], through
    X[a,d] - P[a,d] = u[a,d] - v[a,d], u, v >= 0; then hold sum (u + v) at that least change so the
    money-saving LP after it cannot undo it. Coverage first, churn second, money third.
    """
    m = run.m
    bands = list(m.inputs.cells["band"])
    for band in BANDS:
        cells = [c for c in range(len(m.y)) if bands[c] == band]
        if cells:
            reached = sum(m.y[c].value() or 0.0 for c in cells)
            m.add(f"hold_reached_{band}", [(m.y[c], 1.0) for c in cells], pulp.LpConstraintGE, reached - SLACK)
    change = []
    for i, a in enumerate(m.areas):
        for k, d in enumerate(m.inputs.devices):
            given = [(m.x[c, d], 1.0) for c in m.cells_of(a) if (c, d) in m.x]
            if not given:
                continue
            up = m.problem.add_variable(f"up_{k}_{i}", lowBound=0)
            down = m.problem.add_variable(f"down_{k}_{i}", lowBound=0)
            m.add(f"change_{k}_{i}", given + [(up, -1.0), (down, 1.0)], pulp.LpConstraintEQ, float(previous.get((a, d), 0)))
            change += [(up, 1.0), (down, 1.0)]
    if not change:
        return
    m.problem.sense = pulp.LpMinimize
    m.problem.setObjective(pulp.LpAffineExpression(change))
    solve_lp(m.problem, run.solver)
    run.solves += 1
    least = pulp.value(m.problem.objective) or 0.0
    m.add("hold_least_change", change, pulp.LpConstraintLE, least * (1 + BINDING) + SLACK)


def spend_least(run: _Runner) -> None:
    """Keep every cell's coverage and minimise the money spent (general and earmarked)."""
    m = run.m
    for c, y in enumerate(m.y):
        run.hold_cell(c, y.value() or 0.0)
    res = m.inputs.resources
    m.problem.sense = pulp.LpMinimize
    m.problem.setObjective(pulp.LpAffineExpression(
        [(var, res.price[item] / MONEY_UNIT) for (_segment, item), var in m.bought.items()]))
    solve_lp(m.problem, run.solver)
    run.solves += 1


def optimise(m: AllocationModel, policy: Policy, solver: pulp.LpSolver,
             previous: dict[tuple[str, str], float] | None = None) -> LpSolution:
    """Run the policy's sequence of LPs and return the fractional plan. With ``previous``
    (devices per (area, device) of the plan in force) the plan changes it as little as it can."""
    run = _Runner(m, solver)
    if not m.y:
        return LpSolution([], {}, 0)
    if policy.mode is Mode.weighted:
        bands = list(m.inputs.cells["band"])
        run.maximise((m.y[c], policy.weights[bands[c]]) for c in range(len(m.y)))
    else:
        for band in BANDS:
            cells = _band_cells(m, band)
            if not cells:
                continue
            if policy.within_band is WithinBand.equal_rate:
                serve_equal_rate(run, cells, f"b{band}")
            else:
                serve_max_count(run, cells, f"b{band}")
    if previous is not None:
        keep_close_to_previous(run, previous)
    spend_least(run)
    covered = [y.value() or 0.0 for y in m.y]
    given = {key: var.value() or 0.0 for key, var in m.x.items()}
    return LpSolution(covered, given, run.solves)
