"""A whole-device MILP that grows step by step, solved by an in-process HiGHS (fixed seed), with the
LP relaxation's bound before each step (``Milp.settled``, ``Milp.out_of_reach``) and reduced-cost
tightening for the steps that need a MILP (``Milp._fix_by_reduced_cost``). ``sim.core.exact`` states
the steps (bands, leximin levels, least change, least money, the tie-break) and why each is exact.
"""

from __future__ import annotations

import math

import numpy as np
import pulp

from sim.core.model import AllocationModel
from sim.core.solvers import Loaded, SolverFailed, set_threads, silence_highs_banner

SEED = 20240615


class Milp:
    """A growing PuLP problem solved as a MILP by an in-process HiGHS (fixed seed)."""

    def __init__(self, m: AllocationModel):
        import highspy

        silence_highs_banner()
        self.m, self.integer = m, set()
        self.highs = highspy.Highs()
        set_threads(self.highs)
        # Feasibility jump (a primal heuristic HiGHS runs before the root) is off: every MILP here
        # starts from a plan in hand (``optimise``), so it only costs time (Long An equal_rate
        # 0.45 -> 0.38 s, by school 0.25 -> 0.19 s; the same plans: tests/expected).
        for option, value in (("output_flag", False), ("random_seed", SEED), ("mip_rel_gap", 0.0),
                              ("mip_abs_gap", 1e-7), ("presolve", "on"),
                              ("mip_heuristic_run_feasibility_jump", False)):
            self.highs.setOptionValue(option, value)
        self.loaded = Loaded(m.problem, self.highs)
        self.solves = 0
        self.relaxations = 0  # LP relaxations solved (``bound``)
        self.relaxed = None  # the last relaxation: (columns, z_LP, values, reduced costs)
        self.last: np.ndarray | None = None
        self.start: dict[pulp.LpVariable, float] = {}  # values for the first MILP (a partial warm start)
        self.hints: dict[int, float] = {}  # id(variable) -> value in the next warm start (columns added since)

    def mark_integer(self, variables) -> None:
        self.integer.update(id(v) for v in variables)

    def hint(self, var: pulp.LpVariable, value: float) -> None:
        """The value of a variable added since the last MILP in the next warm start (default 0)."""
        self.hints[id(var)] = value

    def retire(self, rows: list[pulp.LpConstraint], variables) -> None:
        """Take rows out of every later MILP (no bounds any more) and fix their own variables at 0:
        HiGHS's presolve then drops both. Rows not handed over yet are handed over first."""
        wanted = {id(row) for row in rows}
        where = [i for i, row in enumerate(self.loaded.rows) if id(row) in wanted]
        if len(where) < len(wanted):
            self.loaded.sync(self.m.problem)
            where = [i for i, row in enumerate(self.loaded.rows) if id(row) in wanted]
        inf = np.full(len(where), np.inf)
        self.highs.changeRowsBounds(len(where), np.array(where, dtype=np.int32), -inf, inf)
        for var in variables:
            var.lowBound = var.upBound = 0.0
            self.integer.discard(id(var))

    def binary(self, name: str) -> pulp.LpVariable:
        var = self.m.problem.add_variable(name, lowBound=0, upBound=1)
        self.integer.add(id(var))
        return var

    def _run(self) -> np.ndarray:
        """Solve; the optimum's column values. HiGHS 1.16's presolve can answer wrongly in two ways:
        an optimum that the solution it returns does not reach (seen when it settles the MILP at the
        root after a warm start: the reported objective is right, the returned columns are the warm
        start's), and "infeasible" for a MILP that has plans (``benchmarks/exact_search.py``,
        max_count seed 587: the reference model, all zeros a plan, called infeasible). Every MILP
        here has a plan (the plan in hand meets every row it holds), so either answer is the
        solver's error: the MILP is solved again from scratch (no warm start), and if that still
        fails, without presolve."""
        failure = SolverFailed("HiGHS returned a whole-device plan that does not reach its own optimum")
        for attempt in ("as handed over", "from scratch", "without presolve"):
            if attempt != "as handed over":
                self.highs.clearSolver()
            if attempt == "without presolve":
                self.highs.setOptionValue("presolve", "off")
            try:
                values = self._solve_once()
            except SolverFailed as exc:  # a status other than optimal
                values, failure = None, exc
            finally:
                self.highs.setOptionValue("presolve", "on")
            if values is not None:
                return values
        raise failure

    def _solve_once(self) -> np.ndarray | None:
        self.highs.run()
        status = self.highs.getModelStatus().name
        if status != "kOptimal":
            raise SolverFailed(f"HiGHS answered '{status}' for a whole-device MILP")
        values = np.array(self.highs.getSolution().col_value)
        reported = self.highs.getInfo().objective_function_value
        reached = float(np.asarray(self.highs.getLp().col_cost_) @ values)
        return values if abs(reached - reported) <= 1e-6 * max(1.0, abs(reported)) else None

    def _load(self, terms, sense: int) -> int:
        """Hand the objective and what changed over to HiGHS; the number of columns."""
        problem = self.m.problem
        problem.sense = sense
        problem.setObjective(pulp.LpAffineExpression(list(terms)))
        self.loaded.sync(problem)
        return len(self.loaded.columns)

    def bound(self, terms, sense: int) -> float:
        """The optimum of the LP relaxation (every column continuous) with ``terms`` as objective:
        no whole plan does better. The last MILP's plan (``last``, the variables' values) stays."""
        n = self._load(terms, sense)
        self.highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
        self.highs.run()
        status = self.highs.getModelStatus().name
        if status != "kOptimal":
            raise SolverFailed(f"HiGHS answered '{status}' for a whole-device MILP's relaxation")
        self.relaxations += 1
        value = self.highs.getInfo().objective_function_value
        solution = self.highs.getSolution()
        self.relaxed = (n, value, np.array(solution.col_value), np.array(solution.col_dual))
        return -value if sense == pulp.LpMaximize else value

    def out_of_reach(self, lows: dict[pulp.LpVariable, float]) -> bool:
        """Whether no plan, not even in the LP relaxation, has every variable of ``lows`` at its
        low value or above (with every row and bound handed over so far): then no whole plan has.
        An "infeasible" is confirmed by a second solve without presolve. The variables keep their
        own bounds afterwards."""
        saved = {var: var.lowBound for var in lows}
        try:
            for var, low in lows.items():
                var.lowBound = max(var.lowBound or 0.0, low)
            n = self._load([], pulp.LpMaximize)
            self.highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), np.zeros(n, dtype=np.uint8))
            self.highs.run()
            self.relaxations += 1
            if self.highs.getModelStatus().name in ("kInfeasible", "kUnboundedOrInfeasible"):
                # a MILP is skipped on this answer: confirmed without presolve (HiGHS 1.16's presolve
                # has called feasible MILPs infeasible, see ``_run``)
                self.highs.clearSolver()
                self.highs.setOptionValue("presolve", "off")
                try:
                    self.highs.run()
                finally:
                    self.highs.setOptionValue("presolve", "on")
                self.relaxations += 1
        finally:
            for var, low in saved.items():
                var.lowBound = low
        status = self.highs.getModelStatus().name
        if status in ("kInfeasible", "kUnboundedOrInfeasible"):
            return True
        if status != "kOptimal":
            raise SolverFailed(f"HiGHS answered '{status}' for a whole-device MILP's relaxation")
        return False

    def in_hand_holds(self) -> bool:
        """Whether the last MILP's plan (columns added since at their hints, else 0) meets every row
        and bound handed over so far (within 1e-6): then its objective values are a whole plan's.
        True before any MILP: the plan in hand is then the rounded plan, which meets every rule."""
        if self.last is None:
            return True
        import highspy

        lp = self.highs.getLp()
        n = len(self.loaded.columns)
        values = np.zeros(n)
        values[:len(self.last)] = self.last
        for key, value in self.hints.items():
            column = self.loaded.column_of.get(key)
            if column is not None and column >= len(self.last):
                values[column] = value
        matrix = lp.a_matrix_
        starts, index, entries = np.asarray(matrix.start_), np.asarray(matrix.index_), np.asarray(matrix.value_)
        rows = np.zeros(lp.num_row_)
        if matrix.format_ == highspy.MatrixFormat.kColwise:
            np.add.at(rows, index, entries * np.repeat(values, np.diff(starts)))
        else:  # row-wise until HiGHS next solves
            np.add.at(rows, np.repeat(np.arange(lp.num_row_), np.diff(starts)), entries * values[index])
        tolerance = 1e-6
        return bool(np.all(rows >= np.asarray(lp.row_lower_) - tolerance)
                    and np.all(rows <= np.asarray(lp.row_upper_) + tolerance)
                    and np.all(values >= np.asarray(lp.col_lower_) - tolerance)
                    and np.all(values <= np.asarray(lp.col_upper_) + tolerance))

    def settled(self, terms, sense: int, reached: float, *, grid: float = 1.0, rel_gap: float = 0.0) -> bool:
        """Whether a whole plan in hand whose objective is ``reached`` is already optimal: the
        objective takes values on a ``grid`` (multiples of it: 1 for learners), so the best whole
        value is the relaxation's bound (``bound``) rounded down to the grid (up, minimising); a
        plan reaching that needs no MILP. ``rel_gap``: within this share of the bound is enough (a
        tie-break only, as ``optimise`` takes it)."""
        bound = self.bound(terms, sense)
        if not self.in_hand_holds():
            return False
        if sense == pulp.LpMaximize:
            best = math.floor(bound / grid + 1e-6) * grid
            return reached >= best - 1e-6 * max(1.0, abs(best)) or reached >= (1 - rel_gap) * bound
        best = math.ceil(bound / grid - 1e-6) * grid
        return reached <= best + 1e-6 * max(1.0, abs(best)) or reached <= (1 + rel_gap) * bound

    def _fix_by_reduced_cost(self, n: int, reached: float, sense: int) -> bool:
        """Reduced-cost bound tightening from the relaxation just solved (``bound``) for a MILP whose
        plan in hand reaches ``reached``: an integer column at its lower bound with reduced cost d > 0
        (in HiGHS's minimisation) moves at most floor((z_in_hand - z_LP) / d) in any plan at least as
        good, and likewise down from its upper bound. Every plan as good as the one in hand stays;
        the bounds hold for this MILP only (``Loaded.sync`` hands every variable's own bounds over
        again before the next solve). HiGHS does the same at its root, but its work there grows with
        the square of a column's range (national columns hold 10^4-10^5 units): done here first,
        the national MILPs take 10-50 ms instead of 120-160 ms. Returns whether a bound moved."""
        if self.relaxed is None or self.relaxed[0] != n or not self.in_hand_holds():
            return False
        _n, z_lp, values, duals = self.relaxed
        z_hand = -reached if sense == pulp.LpMaximize else reached
        gap = max(0.0, z_hand - z_lp) + 1e-7 * max(1.0, abs(z_lp))
        lp = self.highs.getLp()
        lower, upper = np.array(lp.col_lower_), np.array(lp.col_upper_)
        integer = np.array([id(v) in self.integer for v in self.loaded.columns])
        at_lower = integer & (duals > 1e-9) & (values <= lower + 1e-9)
        at_upper = integer & (duals < -1e-9) & (values >= upper - 1e-9)
        reach = np.full(n, np.inf)
        reach[at_lower] = gap / duals[at_lower]
        reach[at_upper] = gap / -duals[at_upper]
        reach = np.floor(reach + 1e-6)
        new_upper, new_lower = upper.copy(), lower.copy()
        new_upper[at_lower] = np.minimum(upper[at_lower], lower[at_lower] + reach[at_lower])
        new_lower[at_upper] = np.maximum(lower[at_upper], upper[at_upper] - reach[at_upper])
        changed = np.flatnonzero((new_upper < upper) | (new_lower > lower))
        if len(changed):
            self.highs.changeColsBounds(len(changed), changed.astype(np.int32), new_lower[changed], new_upper[changed])
        return bool(len(changed))

    def optimise(self, terms, sense: int, *, whole: bool = False, rel_gap: float = 0.0, grid: float | None = None,
                 reached: float | None = None) -> float:
        """Solve with ``terms`` as objective; ``whole``: the objective takes whole values only, so
        an incumbent within 1 of the bound is optimal (HiGHS stops there); ``grid``: the objective
        takes multiples of it (``whole`` is a grid of 1); ``rel_gap``: stop within this share of the
        objective (a tie-break only; deterministic, as HiGHS's search is)."""
        step = grid if grid is not None else 1.0 if whole else 0.0
        self.highs.setOptionValue("mip_abs_gap", step * (1 - 1e-6) if step else 1e-7)
        self.highs.setOptionValue("mip_rel_gap", rel_gap)
        problem = self.m.problem
        n = self._load(terms, sense)
        kinds = np.array([1 if id(v) in self.integer else 0 for v in self.loaded.columns], dtype=np.uint8)
        self.highs.changeColsIntegrality(n, np.arange(n, dtype=np.int32), kinds)
        tightened = reached is not None and self._fix_by_reduced_cost(n, reached, sense)
        self.relaxed = None
        if self.last is not None:  # the last optimum is feasible for every later MILP: a warm start
            start = np.zeros(n)
            start[:len(self.last)] = self.last
            where = self.loaded.column_of
            for key, value in self.hints.items():
                if key in where and where[key] >= len(self.last):
                    start[where[key]] = value
            self.highs.setSolution(n, np.arange(n, dtype=np.int32), start)
        elif self.start:  # the rounded plan's units: HiGHS completes the rest (stock, purchases, money)
            where = self.loaded.column_of
            known = [(where[id(v)], value) for v, value in self.start.items() if id(v) in where]
            self.highs.setSolution(len(known), np.array([k for k, _ in known], dtype=np.int32),
                                   np.array([value for _, value in known], dtype=float))
        try:
            values = self._run()
        except SolverFailed:
            if not tightened:
                raise
            # HiGHS 1.16's presolve has called a tightened MILP infeasible that its plan in hand
            # meets: solved again within the variables' own bounds
            self.highs.clearSolver()
            self.loaded.sync(problem)
            values = self._run()
        self.last, self.hints = values, {}
        for var, value in zip(self.loaded.columns, values):
            var.varValue = value
        self.solves += 1
        return sum(coefficient * (var.varValue or 0.0) for var, coefficient in problem.objective.items())
