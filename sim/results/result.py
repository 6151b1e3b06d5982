"""Tidy tables and the summary of a whole-device plan; writing them to disk atomically."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from sim.core.inputs import PlanInputs, in_cell_order
from sim.core.rules import BAND_LABELS, BANDS, HIGHER_LEVEL, STATUSES, band_of, grade_label
from sim.read.scenario import Scenario
from sim.core.solvers import Status
from sim.core.whole import Accounts, WholePlan
from sim.results.pools import pool_report
from sim.results.summary import (Coverage, DistrictAccount, Fairness, InputHashes, Items, MaxCountComparison, Money,
                                 PoolSummary, PreviousPlan, Provenance, UnitsInfo, Reach, SolverInfo, Summary)
from sim.results.cells import csv_text
from sim.results.write import write_atomic

ALLOCATION_COLUMNS = ["district", "grade", "status", "band", "device", "devices", "data_packages"]
COVERAGE_COLUMNS = ["district", "grade", "status", "band", "pupils", "covered"]
KEYS = ["district", "grade", "status", "band"]


def _labelled(inputs: PlanInputs, frame: pd.DataFrame) -> pd.DataFrame:
    """``district`` (the area's name) and ``grade`` (1-12 or the higher-education label) added:
    each distinct code and grade looked up once, not once per row."""
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    grades = {g: grade_label(g) for g in pd.unique(frame["grade"])}
    return frame.assign(district=frame["area"].map(names), grade=frame["grade"].map(grades))


def allocation_table(inputs: PlanInputs, plan: WholePlan) -> pd.DataFrame:
    """Whole devices and data packages per district x grade x status x device.

    Rows are sorted by the first cell of their district x grade x status (so by area code, grade,
    status by priority), then by device in the scenario's order; each device given to a cell
    without internet comes with a data package."""
    if not plan.units:
        return pd.DataFrame(columns=ALLOCATION_COLUMNS)
    cells = inputs.cells
    cell = np.fromiter((c for c, _ in plan.units), dtype=np.int64, count=len(plan.units))
    devices = np.fromiter(plan.units.values(), dtype=np.int64, count=len(plan.units))
    at = cells.index.get_indexer(cell)  # cells are numbered by their index (0, 1, ... as prepared)
    if (at < 0).any():
        raise KeyError(f"cells {sorted(set(cell[at < 0].tolist()))[:5]} of the plan are not in the inputs")
    offline = cells["offline"].to_numpy(dtype=bool)[at]
    given = cells[["area", "grade", "status", "band"]].iloc[at].reset_index(drop=True)
    device_order = {d: i for i, d in enumerate(inputs.devices)}
    given = given.assign(cell=cell, device=[d for _, d in plan.units], devices=devices,
                         data_packages=np.where(offline, devices, 0))
    given = given.assign(_cell=given.groupby(["area", "grade", "status"], sort=False)["cell"].transform("min"),
                         _d=given["device"].map(device_order))
    table = given.groupby(["_cell", "_d", "area", "grade", "status", "band", "device"], as_index=False, sort=True)[
        ["devices", "data_packages"]].sum()
    return _labelled(inputs, table)[ALLOCATION_COLUMNS].reset_index(drop=True)


def coverage_table(inputs: PlanInputs, plan: WholePlan) -> pd.DataFrame:
    """Pupils and covered learners per district x grade x status: one row for every row of the
    input, also those without learners (pupils 0, covered 0), which have no cell in the LP.
    Rows come in the cells' order (``in_cell_order``: area code, grade, status by priority)."""
    keys = ["area", "grade", "status"]
    cells = inputs.cells.assign(covered=plan.covered)
    sums = cells.groupby(keys, as_index=False, sort=False)[["pupils", "covered"]].sum()
    # the rows: every students row's key once, and any cell's (cells come from students rows);
    # the keys are distinct, so the sort below decides their order whatever order they come in
    rows = inputs.students[keys].drop_duplicates()
    table = in_cell_order(rows.merge(sums, on=keys, how="outer", sort=False), tuple(keys))
    table = table.fillna({"pupils": 0, "covered": 0}).astype({"pupils": "int64", "covered": "int64"})
    table["band"] = _bands(table["status"], table["grade"])
    return _labelled(inputs, table)[COVERAGE_COLUMNS].reset_index(drop=True)


def _bands(status: pd.Series, grade: pd.Series) -> np.ndarray:
    """``band_of`` of each row, worked out once per distinct (status, grade) pair."""
    order = {s: i for i, s in enumerate(STATUSES)}
    codes = status.map(order).to_numpy(dtype=np.int64) * 100 + grade.to_numpy(dtype=np.int64)
    distinct, where = np.unique(codes, return_inverse=True)
    bands = np.array([band_of(STATUSES[int(c) // 100], int(c) % 100) for c in distinct], dtype=np.int64)
    return bands[where.reshape(-1)]


def by_band(cells: pd.DataFrame, column: str) -> dict[str, int]:
    """``column`` summed per band, every band "1"-"5" present (0 where a band has no cell).
    Whole counts are added exactly as integers; other values as pandas adds them."""
    values = cells[column].to_numpy()
    if values.dtype.kind not in "iub":
        sums = cells.groupby("band")[column].sum()
        return {str(b): int(sums.get(b, 0)) for b in BANDS}
    totals = np.zeros(max(BANDS) + 1, dtype=np.int64)
    np.add.at(totals, cells["band"].to_numpy(dtype=np.int64), values.astype(np.int64))
    return {str(b): int(totals[b]) for b in BANDS}


def coverage_part(inputs: PlanInputs, plan: WholePlan) -> Coverage:
    """Learners eligible and covered, in all, per band and without internet (summary.json's coverage)."""
    cells = inputs.cells.assign(covered=plan.covered)
    offline = cells["offline"].to_numpy(dtype=bool)
    return Coverage(
        pupils=int(cells["pupils"].sum()),
        covered=int(cells["covered"].sum()),
        pupils_by_band=by_band(cells, "pupils"),
        covered_by_band=by_band(cells, "covered"),
        band_labels={str(b): BAND_LABELS[b] for b in BANDS},
        without_internet=Reach(pupils=int(cells["pupils"].to_numpy()[offline].sum()),
                               covered=int(cells["covered"].to_numpy()[offline].sum())))


def money_part(inputs: PlanInputs, plan: WholePlan) -> Money:
    """The budget and earmarks, what was spent from each and what is left (VND)."""
    res, acc = inputs.resources, plan.accounts
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    earmark_cash_used = {a: x.earmark_cash_vnd for a, x in acc.areas.items()}
    return Money(
        budget_vnd=res.cash,
        earmarked_vnd=sum(res.earmarked_cash.values()),
        spent_vnd=sum(x.spend_vnd for x in acc.areas.values()),
        spent_general_vnd=acc.general_cash_vnd,
        spent_earmarked_vnd=sum(earmark_cash_used.values()),
        cash_left_vnd=res.cash - acc.general_cash_vnd,
        earmark_left_vnd={names[a]: res.earmarked_cash[a] - earmark_cash_used.get(a, 0)
                          for a in sorted(res.earmarked_cash)})


def items_part(inputs: PlanInputs, plan: WholePlan) -> Items:
    """Units per item given, bought, taken from stock (general and earmarked) and left in stock."""
    res, acc = inputs.resources, plan.accounts
    items = res.items
    stock_left = {}
    for item in items:
        kept = sum(s.get(item, 0) for s in res.earmarked_stock.values())
        kept_used = sum(x.from_earmark.get(item, 0) for x in acc.areas.values())
        stock_left[item] = res.stock[item] - acc.stock_used[item] + kept - kept_used
    return Items(
        given={i: sum(x.used.get(i, 0) for x in acc.areas.values()) for i in items},
        bought={i: sum(x.bought.get(i, 0) for x in acc.areas.values()) for i in items},
        from_stock={i: acc.stock_used[i] + sum(x.from_earmark.get(i, 0) for x in acc.areas.values()) for i in items},
        stock_left=stock_left,
        spent_by_item_vnd={i: res.price[i] * sum(x.bought.get(i, 0) for x in acc.areas.values()) for i in items})


def build_summary(inputs: PlanInputs, plan: WholePlan, *, solver: SolverInfo, delivered: dict | None = None,
                  fairness: Fairness | None = None, previous_plan: PreviousPlan | None = None,
                  max_count_comparison: MaxCountComparison | None = None, version: str) -> Summary:
    """Everything an analyst or the People's Committee asks first (``Summary``; its JSON is summary.json)."""
    acc = plan.accounts
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    return Summary(
        scenario=inputs.scenario.name,
        status=str(Status.optimal),
        policy=inputs.scenario.policy.model_dump(mode="json"),
        coverage=coverage_part(inputs, plan),
        money=money_part(inputs, plan),
        items=items_part(inputs, plan),
        by_district=[
            DistrictAccount(district=names[a], code=a, given={i: v for i, v in x.used.items() if v},
                            bought={i: v for i, v in x.bought.items() if v},
                            from_general_stock={i: v for i, v in x.from_stock.items() if v},
                            from_earmarked_stock={i: v for i, v in x.from_earmark.items() if v},
                            spent_vnd=x.spend_vnd, earmarked_cash_vnd=x.earmark_cash_vnd,
                            general_cash_vnd=x.general_cash_vnd)
            for a, x in acc.areas.items()
        ],
        pools=[PoolSummary(**row) for row in pool_report(inputs, acc)],
        delivered=delivered,
        fairness=fairness,
        previous_plan=previous_plan,
        max_count_comparison=max_count_comparison,
        solver=solver,
        provenance=Provenance(inputs_sha256=InputHashes(**inputs.inputs_sha256), version=version,
                              units=_units(inputs.areas)),
    )


def _units(areas) -> UnitsInfo | None:
    """The unit lists' releases when the areas are the 2025 communes of one province."""
    from sim.units.catalogue import units_provenance

    found = units_provenance(areas)
    return UnitsInfo(**found) if found else None


@dataclass
class Result:
    """A solved plan: tidy tables, the summary, and the inputs it came from.

    ``typed_summary`` is the summary; ``summary`` is its JSON (summary.json) as a new dict each
    time, so changing that dict changes nothing: set ``typed_summary``'s fields instead.
    """

    scenario: Scenario
    inputs: PlanInputs
    plan: WholePlan
    allocation: pd.DataFrame
    coverage: pd.DataFrame
    typed_summary: Summary

    @property
    def summary(self) -> dict:
        return self.typed_summary.to_json_dict()

    @property
    def status(self) -> Status:
        return Status(self.typed_summary.status)

    def coverage_by(self, *keys: str) -> pd.DataFrame:
        """Pupils, covered and the coverage rate grouped by any of district, grade, status, band.

        Rows come in the inputs' order: districts as in the areas file, grades 1-12 then higher,
        statuses by priority, bands 1-5 (not alphabetical, which misplaces Đ in Vietnamese).
        """
        order = {
            "district": list(self.inputs.areas["name"]),
            "grade": [grade_label(g) for g in range(1, HIGHER_LEVEL + 1)],
            "status": list(STATUSES),
            "band": list(BANDS),
        }
        table = self.coverage.groupby(list(keys), as_index=False, sort=False)[["pupils", "covered"]].sum()
        table = table.sort_values(list(keys), key=lambda col: col.map({v: i for i, v in enumerate(order[col.name])}),
                                  ignore_index=True)
        return table.assign(rate=(table["covered"] / table["pupils"]).where(table["pupils"] > 0))

    def write(self, out_dir: str | Path) -> list[Path]:
        """Write allocation.csv, coverage.csv and summary.json; each file appears whole or not at all."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        files = {
            "allocation.csv": csv_text(self.allocation),
            "coverage.csv": csv_text(self.coverage),
            "summary.json": json.dumps(self.summary, ensure_ascii=False, indent=2) + "\n",
        }
        for name, text in files.items():
            # CSVs carry a UTF-8 byte-order mark so that Excel shows Vietnamese names correctly.
            write_atomic(out / name, text, encoding="utf-8-sig" if name.endswith(".csv") else "utf-8")
        return [out / name for name in files]
