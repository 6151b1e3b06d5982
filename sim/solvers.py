"""Solver choice and typed solve status: callers never see a solver's own codes.

HiGHS runs in process (highspy) and is the default; CBC runs as a separate program (cbcbox).
Duals: for a maximisation PuLP 3.3 reports shadow prices with opposite signs from HiGHS and CBC,
so this package only ever uses their magnitude (is a constraint binding or not).
"""

from __future__ import annotations

import os
import shutil
from enum import StrEnum
from importlib import resources
from importlib.metadata import PackageNotFoundError, version

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


def make_solver(name: SolverName | str) -> pulp.LpSolver:
    name = SolverName(name)
    if name is SolverName.cbc:
        return pulp.COIN_CMD(path=_cbc_path(), msg=False)
    _silence_highs_banner()
    return pulp.HiGHS(msg=False)


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
