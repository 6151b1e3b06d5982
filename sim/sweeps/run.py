"""One run of a sweep: the grid point's settings and the draw's inputs -> one row of the table.

A run that cannot be planned (a combination of settings the scenario checks refuse, or a solver
failure) is a row with its ``status`` and ``error`` message, not a crash of the whole sweep.
Workers receive a ``SweepContext`` once (the scenario as data and the two tables already read)
and then only run numbers, so nothing is read from disk on a worker.

The rule of a run's cost: what is the same in every run is done once per process, the first time
the process runs a row (``SweepContext.base``: the cells of the tables as read, every cell the
students rows can have in cell order, the area index, the table's columns); a run then costs its
scenario (the containers on the changed paths copied, not the whole data), its checks, its cells
when its learner counts differ (picked from the cells made once: ``CellShape``, not
``build_cells`` again), the plan (``sim.core.pipeline.plan_whole``: the plan ``sim.solve`` makes,
without the max_count comparison) and the row's figures (``sim.results.result``'s summary parts),
never a re-read, the input hashes, nor the allocation and coverage tables no row shows.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pydantic import ValidationError

from sim.core import pipeline as plan
from sim.core.inputs import DATA_PACKAGE, PlanInputs, build_cells, build_resources, in_cell_order, suits_of
from sim.core.rules import BANDS, band_of
from sim.core.solvers import SolverFailed, Status
from sim.core.whole import WholePlan
from sim.read.errors import InputError, ScenarioError
from sim.read.scenario import Scenario, check_satisfiable
from sim.read.tables import AreaIndex
from sim.results.result import coverage_part, items_part, money_part
from sim.sweeps.draws import draw_inputs
from sim.sweeps.spec import SweepSpec, scenario_data

OK = "optimal"
FAILED = {ScenarioError: "unsatisfiable", InputError: "bad_input", ValidationError: "bad_input", SolverFailed: "solver_failed"}


@dataclass(frozen=True)
class RunSpec:
    """Run ``run`` (from 1) is draw ``draw`` of grid point ``point`` with the point's ``values``."""

    run: int
    point: int
    draw: int
    values: dict[str, Any] = field(default_factory=dict)


CELL_KEYS = ["area", "grade", "status", "band", "offline"]


@dataclass(frozen=True)
class CellShape:
    """Every cell the students rows can have, in cell order, whatever their counts: the cells of a
    draw (``sim.core.inputs.build_cells`` of the same rows with other counts) are the non-empty ones.

    ``build_cells`` splits each row into learners with internet and without, sorts stably in cell
    order and drops the empty cells; sorting every candidate once and dropping the empty ones per
    draw gives the same rows in the same order (a stable sort keeps the order of the rows kept).

    >>> frame = pd.DataFrame({"area": ["80"] * 2, "grade": [9, 1], "status": ["poor"] * 2,
    ...                       "pupils": [5, 3], "without_internet": [5, 1]})
    >>> CellShape.of(frame).cells(frame).equals(build_cells(frame))
    True
    """

    order: np.ndarray  # position in [online rows, offline rows] of every candidate cell, in cell order
    frame: pd.DataFrame  # CELL_KEYS of every candidate cell, in cell order
    grades: tuple[int, ...]  # the distinct grades
    grade_of: np.ndarray  # per candidate cell, its grade's position in ``grades``

    @classmethod
    def of(cls, students: pd.DataFrame) -> "CellShape":
        rows = students.drop(columns=["pupils", "without_internet"])
        both = pd.concat([rows.assign(offline=False), rows.assign(offline=True)], ignore_index=True)
        both["band"] = [band_of(s, g) for s, g in zip(both["status"], both["grade"])]
        ordered = in_cell_order(both)
        frame = ordered[CELL_KEYS].reset_index(drop=True)
        grades, grade_of = np.unique(frame["grade"].to_numpy(), return_inverse=True)
        return cls(ordered.index.to_numpy(), frame, tuple(grades.tolist()), grade_of)

    @staticmethod
    def fits(students: pd.DataFrame) -> bool:
        """Whether the counts are plain int64 columns, the form ``build_cells`` keeps as it is."""
        return all(students[c].dtype == np.int64 for c in ("pupils", "without_internet"))

    def kept(self, students: pd.DataFrame) -> tuple[np.ndarray, np.ndarray] | None:
        """Which candidate cells have learners, and the learners of those; None when ``build_cells``
        makes the cells instead: counts that are not int64 columns, or no learner at all (its empty
        table has columns of other types)."""
        if not self.fits(students):
            return None
        pupils, offline = students["pupils"].to_numpy(), students["without_internet"].to_numpy()
        counts = np.concatenate([pupils - offline, offline])[self.order]
        keep = counts > 0
        return (keep, counts[keep]) if keep.any() else None

    def cells(self, students: pd.DataFrame, kept: tuple[np.ndarray, np.ndarray] | None = None) -> pd.DataFrame:
        """``build_cells(students)`` for students rows of this shape (same rows, any int64 counts)."""
        keep, counts = kept or self.kept(students) or (None, None)
        if keep is None:
            return build_cells(students)
        cells = self.frame[keep].reset_index(drop=True)
        cells["pupils"] = counts
        return cells

    def suits(self, scenario: Scenario, keep: np.ndarray) -> dict[str, list[bool]]:
        """Per device, whether it suits each kept cell's grade (asked once per distinct grade)."""
        grade_of = self.grade_of[keep]
        return {name: np.array([device.suits(g) for g in self.grades], dtype=bool)[grade_of].tolist()
                for name, device in scenario.devices.items()}


@dataclass
class SweepContext:
    """What every run shares: the scenario as data, the tables as read, and the sweep.

    ``base()`` (the cells of the tables as read and the area index), ``shape()`` (every cell the
    students rows can have) and the table's columns are made once per process, when first asked
    for, and never sent between processes: a worker receives the context once and makes them itself."""

    data: dict
    areas: pd.DataFrame
    students: pd.DataFrame
    spec: SweepSpec
    items: list[str]
    _base: tuple | None = field(default=None, repr=False, compare=False)

    @classmethod
    def of(cls, scenario: Scenario, areas: pd.DataFrame, students: pd.DataFrame, spec: SweepSpec) -> "SweepContext":
        return cls(scenario_data(scenario), areas, students, spec, [*scenario.devices, DATA_PACKAGE])

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_base": None}

    def base(self) -> tuple[pd.DataFrame, AreaIndex]:
        """The cells of the tables as read and the area index (made once per process)."""
        return self._made()[:2]

    def shape(self) -> CellShape | None:
        """Every cell the students rows can have (made once per process; None when the counts are
        not plain int64, and ``build_cells`` then makes each draw's cells)."""
        return self._made()[2]

    def _made(self) -> tuple:
        if self._base is None:
            shape = CellShape.of(self.students) if CellShape.fits(self.students) else None
            self._base = build_cells(self.students), AreaIndex(self.areas), shape, self.columns()
        return self._base

    def runs(self) -> list[RunSpec]:
        """Every run of the sweep, in run order."""
        spec = self.spec
        return [RunSpec(spec.run_of(point, draw), point, draw, values)
                for point, values in enumerate(spec.points, start=1) for draw in range(1, spec.draws + 1)]

    def columns(self) -> list[str]:
        """The table's columns: ids, what varied, the learners, what was covered, money, stock, status."""
        spec, mc = self.spec, self.spec.monte_carlo
        ids = ["run"] + (["point"] if spec.grid else []) + (["draw"] if mc else [])
        varied = [p for p, _ in spec.grid]
        if mc:
            varied += [f"realised.{p.path}" for p in mc.pledges] + [p for p, _ in mc.prices]
        return [*ids, *varied, "pupils", "without_internet", *(f"pupils_band_{b}" for b in BANDS),
                "covered", *(f"covered_band_{b}" for b in BANDS), "spent_vnd", "cash_left_vnd",
                *(f"stock_left.{i}" for i in self.items), "status", "error"]


def run_one(context: SweepContext, run: RunSpec) -> dict[str, Any]:
    """Plan one run (the plan ``sim.solve`` makes, without the max_count comparison) and return its row."""
    row: dict[str, Any] = {"run": run.run, "point": run.point, "draw": run.draw, **run.values}
    data = with_values(context.data, run.values)
    students = context.students
    if context.spec.monte_carlo is not None:
        changes, record, students = draw_inputs(context.spec.monte_carlo, data, students, run.draw)
        data = with_values(data, changes)
        row.update(record)
    row["pupils"] = int(students["pupils"].sum())
    row["without_internet"] = int(students["without_internet"].sum())
    try:
        inputs = staged(context, Scenario.model_validate(data), students)
        planned = plan.plan_whole(inputs)
    except tuple(FAILED) as exc:
        status = next(name for kind, name in FAILED.items() if isinstance(exc, kind))
        return _complete(context, {**row, "status": status, "error": " | ".join(str(exc).splitlines())})
    pupils_by_band, covered, covered_by_band = coverage_figures(inputs, planned.plan)
    money, items = (part(inputs, planned.plan) for part in (money_part, items_part))
    row.update({f"pupils_band_{b}": pupils_by_band[str(b)] for b in BANDS})
    row["covered"] = covered
    row.update({f"covered_band_{b}": covered_by_band[str(b)] for b in BANDS})
    row.update(spent_vnd=money.spent_vnd, cash_left_vnd=money.cash_left_vnd)
    row.update({f"stock_left.{i}": items.stock_left[i] for i in context.items})
    return _complete(context, {**row, "status": str(Status.optimal), "error": ""})


def coverage_figures(inputs: PlanInputs, plan: WholePlan) -> tuple[dict[str, int], int, dict[str, int]]:
    """Learners per band, covered in all and per band: the figures of ``coverage_part(inputs, plan)``
    a row shows, added up as whole numbers on the cells as they are (no copy of the cells table)."""
    cells = inputs.cells
    if cells["pupils"].dtype != np.int64 or cells["band"].dtype != np.int64:  # not build_cells' form
        part = coverage_part(inputs, plan)
        return part.pupils_by_band, part.covered, part.covered_by_band
    band, counts = cells["band"].to_numpy(), np.asarray(plan.covered, dtype=np.int64)
    pupils = np.zeros(max(BANDS) + 1, dtype=np.int64)
    np.add.at(pupils, band, cells["pupils"].to_numpy())
    reached = np.zeros_like(pupils)
    np.add.at(reached, band, counts)
    return ({str(b): int(pupils[b]) for b in BANDS}, int(counts.sum()), {str(b): int(reached[b]) for b in BANDS})


def staged(context: SweepContext, scenario: Scenario, students: pd.DataFrame) -> PlanInputs:
    """The inputs of one run, as ``sim.core.inputs.prepare`` makes them from tables already read:
    the run's scenario checked (ScenarioError when it cannot be satisfied), the cells made once
    per process unless the run's learner counts were drawn, which devices suit each cell."""
    cells, index = context.base()
    check_satisfiable(scenario, index)
    shape = context.shape()
    kept = shape.kept(students) if shape is not None and students is not context.students else None
    if kept is not None:  # a draw's counts on the same rows: its cells picked from every cell the rows can have
        cells, suits = shape.cells(students, kept), shape.suits(scenario, kept[0])
    else:
        if students is not context.students:
            cells = build_cells(students)
        suits = suits_of(scenario, cells)
    # inputs_sha256 stays empty: no row shows it, and sweep.json holds the hash of every input
    return PlanInputs(scenario, context.areas, students, cells, suits, build_resources(scenario, index), {})


def with_values(data: dict, values: dict[str, Any]) -> dict:
    """Scenario data with the values set at their dotted paths (as ``sim.sweeps.spec.set_path``
    writes them), ``data`` unchanged: only the dicts and lists on the paths are copied, the rest is
    shared (nothing writes into scenario data after this; ``Scenario.model_validate`` reads it)."""
    if not values:
        return data
    out = dict(data)
    for path, value in values.items():
        *parents, last = path.split(".")
        node: Any = out
        for part in parents:
            if isinstance(node, list):
                key: Any = int(part)
                child = node[key]
            else:
                key = part
                child = {} if node.get(part) is None and part == "fairness" else node[part]
            node[key] = list(child) if isinstance(child, list) else dict(child)
            node = node[key]
        node[int(last) if isinstance(node, list) else last] = copy.deepcopy(value)
    return out


def _complete(context: SweepContext, row: dict) -> dict:
    """The row with exactly the table's columns, in order (None where a failed run has no value)."""
    return {column: _plain(row.get(column)) for column in context._made()[3]}


def _plain(value: Any) -> Any:
    """numpy numbers as Python numbers, so rows are plain JSON."""
    return value.item() if hasattr(value, "item") and not isinstance(value, (list, dict, str)) else value


def run_chunk(context: SweepContext, runs: list[RunSpec]) -> list[dict[str, Any]]:
    """Several runs in one task: a Dask task per run would cost more in scheduling than it saves."""
    return [run_one(context, run) for run in runs]
