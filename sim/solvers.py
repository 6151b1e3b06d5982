"""Solver choice and typed solve status: callers never see a solver's own codes.

HiGHS runs in process (highspy) and is the default; CBC runs as a separate program (cbcbox).
Duals: for a maximisation PuLP 3.3 reports shadow prices with opposite signs from HiGHS and CBC;
the priority rules only use their magnitude (is a constraint binding or not), and
``sim.marginal.shadow_price`` corrects the sign where the value matters.
"""

from __future__ import annotations

import os
import shutil
from enum import StrEnum
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

import numpy as np
import pulp

from .scenario import SolverName


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


def _silence_highs_banner() -> None:
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


def _cbc_path() -> str:
    bundled = resources.files("cbcbox") / "cbc_dist" / "bin" / "cbc"
    if bundled.is_file():
        return str(bundled)
    found = shutil.which("cbc")
    if found is None:
        raise SolverFailed("CBC is not installed: install the package with `pip install pulp[cbc]`")
    return found


class BulkHiGHS(pulp.HiGHS):
    """PuLP's in-process HiGHS, loading the model as arrays in two calls.

    PuLP's own HiGHS class adds one column and one row at a time from Python, which took most
    of a Long An solve; the model, the solution and the duals are the same.
    """

    def buildSolverModel(self, lp: pulp.LpProblem) -> None:
        import highspy

        inf = highspy.kHighsInf
        variables = lp.variables()
        for i, var in enumerate(variables):
            var.index = i
        sign = -1.0 if lp.sense == pulp.LpMaximize else 1.0  # HiGHS minimises
        cost = np.zeros(len(variables))
        for var, coefficient in lp.objective.items():
            cost[var.index] = sign * coefficient
        lower = np.array([-inf if v.lowBound is None else v.lowBound for v in variables], dtype=float)
        upper = np.array([inf if v.upBound is None else v.upBound for v in variables], dtype=float)
        empty_i, empty_f = np.zeros(0, dtype=np.int32), np.zeros(0)
        lp.solverModel.addCols(len(variables), cost, lower, upper, 0, empty_i, empty_i, empty_f)
        starts, columns, values, row_lower, row_upper = [], [], [], [], []
        for i, constraint in enumerate(lp.constraints()):
            constraint.index = i
            starts.append(len(columns))
            for var, coefficient in constraint.items():
                if coefficient != 0:
                    columns.append(var.index)
                    values.append(coefficient)
            lb, ub = constraint.getLb(), constraint.getUb()
            row_lower.append(-inf if lb is None else lb)
            row_upper.append(inf if ub is None else ub)
        lp.solverModel.addRows(len(starts), np.array(row_lower, dtype=float), np.array(row_upper, dtype=float),
                               len(columns), np.array(starts, dtype=np.int32), np.array(columns, dtype=np.int32),
                               np.array(values, dtype=float))

    def actualSolve(self, lp: pulp.LpProblem) -> int:
        self.createAndConfigureSolver(lp)
        self.buildSolverModel(lp)
        self.callSolver(lp)
        status, solution_status = self.findSolutionValues(lp)
        lp.assignStatus(status, solution_status)
        return status


def make_solver(name: SolverName | str) -> pulp.LpSolver:
    name = SolverName(name)
    if name is SolverName.cbc:
        return pulp.COIN_CMD(path=_cbc_path(), msg=False)
    _silence_highs_banner()
    return BulkHiGHS(msg=False)


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
