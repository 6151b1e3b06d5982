"""Solver choice and typed solve status: callers never see a solver's own codes.

HiGHS runs in process (highspy) and is the default; CBC runs as a separate program (cbcbox).
Duals: for a maximisation PuLP 3.3 reports shadow prices with opposite signs from HiGHS and CBC;
the priority rules only use their magnitude (is a constraint binding or not), and
``sim.marginal.shadow_price`` corrects the sign where the value matters.
"""

from __future__ import annotations

import os
import shutil
import weakref
from enum import StrEnum
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pulp

from sim.read.scenario import SolverName


class Status(StrEnum):
    optimal = "optimal"
    infeasible = "infeasible"
    unbounded = "unbounded"
    not_solved = "not_solved"


_STATUS = {
    pulp.LpStatusOptimal: Status.optimal,
    pulp.LpStatusInfeasible: Status.infeasible,
    pulp.LpStatusUnbounded: Status.unbounded,
}


class SolverFailed(RuntimeError):
    """The solver did not return an optimal solution to a model that always has one."""


_banner_shown = False


def silence_highs_banner() -> None:
    # highspy prints its copyright banner to the process's stdout the first time a Highs object is
    # made, before PuLP can switch output off; make that first object with stdout closed.
    global _banner_shown
    if _banner_shown:
        return
    import highspy

    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    _banner_shown = True


THREADS_SETTING = "SIM_HIGHS_THREADS"


def set_threads(highs) -> None:
    """HiGHS's threads as the environment's ``SIM_HIGHS_THREADS`` says (a sweep's worker processes:
    1, as many workers as cores); unset, HiGHS's own choice. HiGHS keeps one pool of threads per
    process, sized by the first solve, and refuses a later solve asking for another size (a solve
    asking for none takes the pool as it is), so every HiGHS object of a process follows the same
    setting, read from the environment the process started with (tests/test_sweep_fast.py)."""
    wanted = threads_wanted()
    if wanted is not None:
        highs.setOptionValue("threads", wanted)


def threads_wanted() -> int | None:
    """HiGHS's threads as ``SIM_HIGHS_THREADS`` asks (see ``set_threads``), or None: HiGHS's choice."""
    wanted = os.environ.get(THREADS_SETTING, "")
    return int(wanted) if wanted.isdigit() and int(wanted) > 0 else None


def plain_highs(**options) -> pulp.HiGHS:
    """PuLP's own in-process HiGHS, quiet, following ``SIM_HIGHS_THREADS`` like every HiGHS here."""
    silence_highs_banner()
    return pulp.HiGHS(msg=False, threads=threads_wanted(), **options)


def _cbc_path() -> str:
    bundled = resources.files("cbcbox") / "cbc_dist" / "bin" / "cbc"
    if bundled.is_file():
        return str(bundled)
    found = shutil.which("cbc")
    if found is None:
        raise SolverFailed("CBC is not installed: install the package with `pip install pulp[cbc]`")
    return found


_HIGHS_STATUS = {  # HiGHS model status name -> PuLP status; anything else is "not solved"
    "kOptimal": pulp.LpStatusOptimal,
    "kInfeasible": pulp.LpStatusInfeasible,
    "kUnboundedOrInfeasible": pulp.LpStatusInfeasible,
    "kUnbounded": pulp.LpStatusUnbounded,
}


class Loaded:
    """What one PuLP problem has already handed to its HiGHS object: columns and rows, in order."""

    def __init__(self, lp: pulp.LpProblem, highs):
        self.owner = weakref.ref(lp)  # a copied problem must not share this HiGHS object
        self.highs = highs
        self.columns: list[pulp.LpVariable] = []
        self.column_of: dict[int, int] = {}  # id(variable) -> column
        self.rows: list[pulp.LpConstraint] = []

    def add_columns(self, variables) -> None:
        new = []
        for var in variables:
            if id(var) not in self.column_of:
                self.column_of[id(var)] = len(self.columns) + len(new)
                new.append(var)
        if new:
            empty_i, empty_f = np.zeros(0, dtype=np.int32), np.zeros(0)
            zeros = np.zeros(len(new))
            self.highs.addCols(len(new), zeros, zeros, zeros, 0, empty_i, empty_i, empty_f)
            self.columns += new

    def add_rows(self, constraints: list[pulp.LpConstraint]) -> None:
        inf = float("inf")
        column_of = self.column_of
        self.add_columns([var for constraint in constraints for var in constraint if id(var) not in column_of])
        starts, columns, values, lower, upper = [], [], [], [], []
        for constraint in constraints:
            starts.append(len(columns))
            for var, coefficient in constraint.items():
                if coefficient != 0:
                    columns.append(column_of[id(var)])
                    values.append(coefficient)
            lb, ub = constraint.getLb(), constraint.getUb()
            lower.append(-inf if lb is None else lb)
            upper.append(inf if ub is None else ub)
        self.highs.addRows(len(starts), np.array(lower, dtype=float), np.array(upper, dtype=float), len(columns),
                           np.array(starts, dtype=np.int32), np.array(columns, dtype=np.int32),
                           np.array(values, dtype=float))
        self.rows += constraints

    def sync(self, lp: pulp.LpProblem) -> None:
        """Hand over what changed since the last solve: new constraints and the variables in them
        (PuLP problems here only grow), every bound (rules move bounds between LPs) and the
        objective. A variable in no constraint and not in the objective plays no part, so it
        is not handed over (its value stays None)."""
        constraints = list(lp._constraints.values())
        known = len(self.rows)
        if len(constraints) < known or (known and constraints[known - 1] is not self.rows[-1]):
            raise SolverFailed("a constraint was removed from a problem already solved; build a new problem")
        self.add_columns(lp.objective.keys())
        if len(constraints) > known:
            self.add_rows(constraints[known:])
        inf = float("inf")
        n = len(self.columns)
        everything = np.arange(n, dtype=np.int32)
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in self.columns], dtype=float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in self.columns], dtype=float)
        self.highs.changeColsBounds(n, everything, lower, upper)
        # HiGHS minimises -objective for a maximisation, as pulp.HiGHS does, so duals keep its signs.
        sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0
        cost = np.zeros(n)
        for var, coefficient in lp.objective.items():
            cost[self.column_of[id(var)]] = sign * coefficient
        self.highs.changeColsCost(n, everything, cost)

    def read_solution(self, lp: pulp.LpProblem) -> int:
        status = _HIGHS_STATUS.get(self.highs.getModelStatus().name, pulp.LpStatusNotSolved)
        solution = self.highs.getSolution()
        for var, value, reduced in zip(self.columns, solution.col_value, solution.col_dual):
            var.varValue, var.dj = value, reduced
        for constraint, value, dual in zip(self.rows, solution.row_value, solution.row_dual):
            # PuLP keeps the constant on the left-hand side; slacks of <= rows are reported positive
            slack = constraint.constant + value
            constraint.slack = -slack if constraint.sense == pulp.LpConstraintLE else slack
            constraint.pi = dual
        return status


PRIMAL_SIMPLEX, CHOOSE_SIMPLEX = 4, 1  # HiGHS option simplex_strategy
TOLERANCE = 1e-9


class IncrementalHiGHS(pulp.HiGHS):
    """PuLP's in-process HiGHS, handing the model over as arrays and keeping it between solves.

    PuLP's own HiGHS class rebuilds the whole model one column and one row at a time from Python
    for every solve. The priority rules solve a sequence of LPs on one growing problem (a band's
    floors, then the next band's objective), so here the first solve loads the model in two
    array calls, and each later solve hands over only the new rows, the bounds and the objective.
    HiGHS then starts from the previous optimal basis (a warm start) instead of from scratch.
    Solutions, duals and statuses reach PuLP's objects exactly as with ``pulp.HiGHS``.
    """

    method: str | None = None  # HiGHS "solver" option for the next solves; None: as above

    def actualSolve(self, lp: pulp.LpProblem) -> int:
        loaded = getattr(lp, "_sim_loaded", None)
        if loaded is None or loaded.owner() is not lp:
            self.createAndConfigureSolver(lp)
            loaded = lp._sim_loaded = Loaded(lp, lp.solverModel)
        lp.solverModel = loaded.highs
        warm = bool(loaded.rows)
        loaded.sync(lp)
        if not warm:
            set_threads(loaded.highs)
            # Each LP's optimum becomes the next LPs' floors, so errors would add up along the
            # chain: solve to tighter tolerances than HiGHS's default 1e-7.
            loaded.highs.setOptionValue("primal_feasibility_tolerance", TOLERANCE)
            loaded.highs.setOptionValue("dual_feasibility_tolerance", TOLERANCE)
        method = self.method or ("simplex" if warm else "choose")
        loaded.highs.setOptionValue("solver", method)
        # Each LP after the first starts from the last optimum, which the rules keep feasible
        # (new floors and holds are met by it; only the objective moves): primal simplex goes on
        # from there, where the default dual simplex would start over. On the national benchmark
        # this took the band LPs from 13 s to 2 s.
        loaded.highs.setOptionValue("simplex_strategy", PRIMAL_SIMPLEX if warm else CHOOSE_SIMPLEX)
        self.callSolver(lp)
        status = loaded.read_solution(lp)
        if status != pulp.LpStatusOptimal and warm:
            # Long chains of warm starts can end on a basis HiGHS cannot repair within its
            # tolerances; the model itself is feasible (the holds come from a solution of it), so
            # solve it once more from scratch before calling it anything but optimal.
            lp._sim_loaded = None
            return self.actualSolve(lp)
        lp.assignStatus(status)
        return status


def make_solver(name: SolverName | str) -> pulp.LpSolver:
    name = SolverName(name)
    if name is SolverName.cbc:
        return pulp.COIN_CMD(path=_cbc_path(), msg=False)
    silence_highs_banner()
    return IncrementalHiGHS(msg=False)


def solver_version(name: SolverName | str) -> str:
    package = {"highs": "highspy", "cbc": "cbcbox"}[SolverName(name).value]
    try:
        return f"{name} {version(package)} (PuLP {pulp.__version__})"
    except PackageNotFoundError:
        return f"{name} (PuLP {pulp.__version__})"


def solve_lp(problem: pulp.LpProblem, solver: pulp.LpSolver) -> Status:
    """Solve and return the typed status; raise SolverFailed unless optimal."""
    problem.solve(solver)
    status = _STATUS.get(problem.status, Status.not_solved)
    if status is not Status.optimal:
        raise SolverFailed(f"the solver answered '{status}' for the {problem.name} model")
    return status
