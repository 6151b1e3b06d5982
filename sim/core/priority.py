"""Rules for serving learners inside one priority band, and the LPs that close a plan.

These are the pipeline's objective steps (``core.steps`` runs them in the plan's order); each is a
sequence of LPs over one model (``Runner``), holding what it reached before the next step starts.

- ``serve_max_count``: the most learners of the band, then hold that total.
- ``serve_equal_rate``: leximin over the band's cells (raise the lowest coverage rate, hold the
  cells that cannot go higher, repeat), so being cheaper to serve is no reason to be served first.
- ``serve_weighted``: one LP maximising sum_b w_b * (covered learners of band b).
- ``keep_close_to_previous``: among the plans with the coverage reached, the one changing the
  previous plan least (re-planning).
- ``spend_least``: keep every cell's coverage and spend as little money as possible, so nothing is
  bought that stock could have given.

``leximin`` is the one leximin routine: over cells here, over districts in ``core.fairness``.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import pulp

from sim.core.model import MONEY_UNIT, AllocationModel
from sim.core.rules import BANDS
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


class Runner:
    """Solves the LPs of one plan on one model, counting them."""

    def __init__(self, m: AllocationModel, solver: pulp.LpSolver):
        self.m, self.solver, self.solves = m, solver, 0

    def optimise(self, terms, sense: int = pulp.LpMaximize) -> float:
        self.m.problem.sense = sense
        self.m.problem.setObjective(pulp.LpAffineExpression(list(terms)))
        solve_lp(self.m.problem, self.solver)
        self.solves += 1
        return pulp.value(self.m.problem.objective) or 0.0

    def maximise(self, terms) -> float:
        return self.optimise(terms, pulp.LpMaximize)

    def minimise(self, terms) -> float:
        return self.optimise(terms, pulp.LpMinimize)

    def hold_cell(self, c: int, value: float) -> None:
        """Keep cell c at ``value`` covered learners or more in every later LP (a bound, not a row)."""
        self.m.y[c].lowBound = max(0.0, value - SLACK)

    def solution(self) -> LpSolution:
        m = self.m
        return LpSolution([y.value() or 0.0 for y in m.y], {key: var.value() or 0.0 for key, var in m.x.items()},
                          self.solves)


def band_cells(m: AllocationModel, band: int) -> list[int]:
    return [c for c, b in enumerate(m.inputs.cells["band"]) if b == band]


Needs = list[tuple[tuple[int, ...], float]]  # (cells, learners): sum_{c in cells} y[c] >= t * learners


def leximin(run: Runner, needs: dict[Hashable, Needs], tag: str, *, bounds: bool = False) -> dict[Hashable, float]:
    """Leximin over the levels t_k in [0, 1] of the keys k (cells or districts), where k at level t
    covers at least t * learners in each of its needs; every key is held at the level it reaches.

    Round r: maximise t subject to each free key's needs at t. A key with a need whose row has a
    non-zero dual cannot rise above t without another falling below it (complementary slackness:
    the row is tight in every optimum); when every free key has one, all are held. When some
    have, those are held and the others go to the next round. When none has (a degenerate
    optimum), a second LP lets each free key rise by w_k <= RISE above t: the feasible set is
    convex, so every key that can rise on its own can rise together with the others, and the keys
    left at w_k = 0 are held. Keys with nothing to cover (no learner some device suits) are held
    at 0 at once. With ``bounds`` (every key one cell) a key is held by a bound on y[c], else by a row.
    """
    m = run.m
    levels = {k: 0.0 for k, need in needs.items() if not any(amount > 0 for _, amount in need)}
    free = [k for k in needs if k not in levels]
    if len(m.y) > INTERIOR_POINT_FROM and hasattr(run.solver, "method"):
        # Leximin LPs (max t with a floor per key) are highly degenerate: simplex crawls on them
        # at national size, interior point does not (national: 60 s of simplex, 20 s of IPM).
        run.solver.method = "ipm"
    round_no = 0
    while free:
        name = f"{tag}_{round_no}"
        t = m.problem.add_variable(f"t_{name}", lowBound=0, upBound=1)
        rows = {k: [m.add(f"level_{name}_{i}_{j}", [(m.y[c], 1.0) for c in cells] + [(t, -amount)],
                          pulp.LpConstraintGE, 0.0)
                    for j, (cells, amount) in enumerate(needs[k]) if amount > 0] for i, k in enumerate(free)}
        level = run.maximise([(t, 1.0)])
        # Cells are held a little below the level reached in rate terms too: a cell of many
        # learners must not fail the next LP on solver noise either.
        reached = max(0.0, level - SLACK)
        stuck = [k for k in free if any(abs(row.pi or 0.0) > BINDING for row in rows[k])]
        if level >= 1 - BINDING or len(stuck) == len(free):
            held = free
        elif stuck:  # sure to be stuck; the others are tested again next round
            held = stuck
        else:
            rise = {k: m.problem.add_variable(f"w_{name}_{i}", lowBound=0, upBound=RISE) for i, k in enumerate(free)}
            for i, k in enumerate(free):
                for j, (cells, amount) in enumerate(needs[k]):
                    if amount > 0:
                        m.add(f"rise_{name}_{i}_{j}", [(m.y[c], 1.0) for c in cells] + [(rise[k], -amount)],
                              pulp.LpConstraintGE, reached * amount)
            run.maximise((w, 1.0) for w in rise.values())
            held = [k for k in free if (rise[k].value() or 0.0) < RISE / 2] or free
        for i, k in enumerate(held):
            levels[k] = min(level, 1.0)
            for j, (members, amount) in enumerate(needs[k]):
                if bounds:  # a bound, held SLACK below in rate terms and in learners
                    run.hold_cell(members[0], reached * amount)
                else:
                    m.add(f"hold_{name}_{i}_{j}", [(m.y[c], 1.0) for c in members], pulp.LpConstraintGE,
                          levels[k] * amount - SLACK)
        held_set = set(held)
        free = [k for k in free if k not in held_set]
        round_no += 1
    if hasattr(run.solver, "method"):
        run.solver.method = None
    return levels


def serve_max_count(run: Runner, cells: list[int], tag: str) -> None:
    """Maximise the learners covered in ``cells``, then hold that total: sum_c y[c] >= best."""
    best = run.maximise((run.m.y[c], 1.0) for c in cells)
    run.m.add(f"hold_{tag}", [(run.m.y[c], 1.0) for c in cells], pulp.LpConstraintGE, best - SLACK)


def serve_equal_rate(run: Runner, cells: list[int], tag: str) -> None:
    """Leximin over the coverage rates y[c] / p_c of ``cells`` (``leximin`` with one need per cell).
    Cells no device suits are held at 0 from the start."""
    m = run.m
    pupils = m.inputs.cells["pupils"]
    servable = {c for (c, _d) in m.x}
    leximin(run, {c: [((c,), float(pupils[c]) if c in servable else 0.0)] for c in cells}, tag, bounds=True)


def serve_weighted(run: Runner, weights: dict[int, float]) -> None:
    """One LP: maximise sum_c w_{band(c)} y[c]."""
    m = run.m
    bands = list(m.inputs.cells["band"])
    run.maximise((m.y[c], weights[bands[c]]) for c in range(len(m.y)))


def hold_bands(run: Runner, tag: str) -> None:
    """Hold every band at the learners it has now: sum_{c in b} y[c] >= reached_b."""
    m = run.m
    for band in BANDS:
        cells = band_cells(m, band)
        if cells:
            reached = sum(m.y[c].value() or 0.0 for c in cells)
            m.add(f"hold_{tag}_{band}", [(m.y[c], 1.0) for c in cells], pulp.LpConstraintGE, reached - SLACK)


def keep_close_to_previous(run: Runner, previous: dict[tuple[str, str], float]) -> None:
    """Among the plans with the coverage reached, the one that changes the previous plan least.

    Hold each band's covered learners at what the policy reached, then minimise the L1 change
    per district x device, sum_{a,d} |X[a,d] - P[a,d]| with X[a,d] = sum_{c in a} x[c,d], through
    X[a,d] - P[a,d] = u[a,d] - v[a,d], u, v >= 0; then hold sum (u + v) at that least change so the
    money-saving LP after it cannot undo it. Coverage first, churn second, money third.
    """
    m = run.m
    hold_bands(run, "reached")
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
    least = run.minimise(change)
    m.add("hold_least_change", change, pulp.LpConstraintLE, least * (1 + BINDING) + SLACK)


def spend_least(run: Runner) -> None:
    """Keep every cell's coverage and minimise the money spent (general and earmarked)."""
    m = run.m
    for c, y in enumerate(m.y):
        run.hold_cell(c, y.value() or 0.0)
    res = m.inputs.resources
    run.minimise((var, res.price[item] / MONEY_UNIT) for (_segment, item), var in m.bought.items())
