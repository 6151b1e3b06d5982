"""Turn a scenario and its tables into the planner's inputs: cells and resource pools.

A *cell* is one group of learners the rules cannot tell apart: area x grade x status x internet.
Its band follows from grade and status (``rules.band_of``). A *pool* is money or stock and where
it may be used: the general pool anywhere, a reserved pool (earmarks) only for the learners of
its scope: one area, one priority band, or that band in that area.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.core.rules import STATUSES, band_of
from sim.read.scenario import Scenario, check_satisfiable
from sim.read.tables import AreaIndex, read_areas, read_students

DATA_PACKAGE = "data_package"


Scope = tuple[str | None, int | None]  # (area code or None, band or None); (None, None) is the general pool
GENERAL: Scope = (None, None)


@dataclass
class Pool:
    """Money (VND) and stock (units per item) usable only for the learners of ``scope``."""

    scope: Scope
    cash: int
    stock: dict[str, int]

    def covers(self, area: str, band: int) -> bool:
        """Whether learners of ``band`` in ``area`` may be served from this pool."""
        return self.scope[0] in (None, area) and self.scope[1] in (None, band)

    @property
    def level(self) -> int:
        """How specific the scope is, most specific first: 0 area and band, 1 area, 2 band, 3 general."""
        area, band = self.scope
        return {(True, True): 0, (True, False): 1, (False, True): 2, (False, False): 3}[area is not None, band is not None]


@dataclass
class Resources:
    """Money and stock, in whole VND and whole units.

    ``stock`` maps a device name, or ``data_package``, to the general (unrestricted) stock and
    ``cash`` is the general budget. Reserved pools: ``earmarked_stock[area][item]`` and
    ``earmarked_cash[area]`` may be used in that area only; ``band_cash[scope]`` and
    ``band_stock[scope][item]``, for scopes (area or None, band), only for learners of that band
    (in that area). Several earmarks of one scope add up to one pool.
    """

    cash: int
    price: dict[str, int]
    stock: dict[str, int]
    earmarked_cash: dict[str, int] = field(default_factory=dict)
    earmarked_stock: dict[str, dict[str, int]] = field(default_factory=dict)
    band_cash: dict[Scope, int] = field(default_factory=dict)
    band_stock: dict[Scope, dict[str, int]] = field(default_factory=dict)

    @property
    def items(self) -> list[str]:
        """Devices in scenario order, then the data package."""
        return list(self.price)

    @property
    def banded(self) -> bool:
        """Whether some reserved pool is for a band: plans are then counted per (area, band)."""
        return bool(self.band_cash or self.band_stock)

    def reserved(self) -> list[Pool]:
        """Every reserved pool, sorted by scope (area code, then band; None first)."""
        scopes = {(a, None) for a in [*self.earmarked_cash, *self.earmarked_stock]} | set(self.band_cash) | set(self.band_stock)
        pools = []
        for scope in sorted(scopes, key=lambda s: (s[0] or "", s[1] or 0)):
            if scope[1] is None:
                cash, kept = self.earmarked_cash.get(scope[0], 0), self.earmarked_stock.get(scope[0], {})
            else:
                cash, kept = self.band_cash.get(scope, 0), self.band_stock.get(scope, {})
            pools.append(Pool(scope, cash, {i: kept.get(i, 0) for i in self.items}))
        return pools

    def pools(self) -> list[Pool]:
        """The general pool, then every reserved pool."""
        return [Pool(GENERAL, self.cash, dict(self.stock)), *self.reserved()]


def segment_key(res: Resources, area: str, band: int):
    """Where a plan's units are counted: per (area, band) when some pool is for a band, else per area."""
    return (area, int(band)) if res.banded else area


def segments_of(inputs: "PlanInputs") -> list:
    """The segment of every cell (see ``segment_key``)."""
    res = inputs.resources
    if not res.banded:
        return inputs.cells["area"].tolist()
    return [segment_key(res, a, b) for a, b in zip(inputs.cells["area"].tolist(), inputs.cells["band"].tolist())]


@dataclass
class PlanInputs:
    scenario: Scenario
    areas: pd.DataFrame
    students: pd.DataFrame
    cells: pd.DataFrame  # area, grade, status, band, offline, pupils; one row per non-empty cell
    suits: dict[str, list[bool]]  # device -> per cell, does the device suit the cell's grade?
    resources: Resources
    inputs_sha256: dict[str, str]

    @property
    def devices(self) -> list[str]:
        return list(self.scenario.devices)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def scenario_sha256(scenario: Scenario) -> str:
    """Hash of the scenario's settings; the tables are hashed by content, not by path."""
    settings = scenario.model_dump(mode="json", exclude={"areas", "students", "source_file"})
    return _sha256(json.dumps(settings, sort_keys=True, ensure_ascii=False).encode())


def in_cell_order(frame: pd.DataFrame, keys: tuple[str, ...] = ("area", "grade", "status", "offline")) -> pd.DataFrame:
    """Rows sorted as cells are: by area code, grade, status by priority (poor, near-poor, Covid-19
    orphan), then internet at home before none; ties keep their order."""
    keys = [k for k in keys if k in frame.columns]
    frame = frame.assign(_s=frame["status"].map({s: i for i, s in enumerate(STATUSES)}))
    return frame.sort_values([k if k != "status" else "_s" for k in keys], kind="stable").drop(columns="_s")


def build_cells(students: pd.DataFrame) -> pd.DataFrame:
    """Split each students row into learners with and without internet; drop empty cells."""
    online = students.assign(offline=False, pupils=students["pupils"] - students["without_internet"])
    offline = students.assign(offline=True, pupils=students["without_internet"])
    cells = pd.concat([online, offline], ignore_index=True).drop(columns="without_internet")
    cells = cells[cells["pupils"] > 0]
    pairs = list(zip(cells["status"], cells["grade"]))
    band = {pair: band_of(*pair) for pair in set(pairs)}  # asked once per distinct (status, grade)
    cells["band"] = [band[pair] for pair in pairs]
    cells = in_cell_order(cells)
    return cells[["area", "grade", "status", "band", "offline", "pupils"]].reset_index(drop=True)


def build_resources(scenario: Scenario, index: AreaIndex) -> Resources:
    price = {name: d.unit_cost_vnd for name, d in scenario.devices.items()}
    price[DATA_PACKAGE] = scenario.data_package.unit_cost_vnd
    stock = {name: d.in_stock for name, d in scenario.devices.items()}
    stock[DATA_PACKAGE] = scenario.data_package.in_stock
    cash: dict = {}
    kept: dict = {}
    band_cash: dict = {}
    band_kept: dict = {}
    for mark in scenario.earmarks:  # several earmarks of one scope add up
        area = index.find(mark.district) if mark.district is not None else None
        key, into_cash, into_stock = (area, cash, kept) if mark.band is None else ((area, mark.band), band_cash, band_kept)
        into_cash[key] = into_cash.get(key, 0) + mark.budget_vnd
        pool_stock = into_stock.setdefault(key, {})
        for item, count in [*mark.devices.items(), (DATA_PACKAGE, mark.data_packages)]:
            pool_stock[item] = pool_stock.get(item, 0) + count
    return Resources(scenario.budget_vnd, price, stock, cash, kept, band_cash, band_kept)


def prepare(scenario: Scenario, areas: pd.DataFrame | None = None, students: pd.DataFrame | None = None) -> PlanInputs:
    """Read and check everything a run needs. Tables given here replace the scenario's files.

    ``students`` given directly must already be in the reader's form (area code, grade 1-13).
    """
    hashes = {"scenario": scenario_sha256(scenario)}
    if areas is None:
        areas = read_areas(scenario.areas)
        hashes["areas"] = _sha256(Path(scenario.areas).read_bytes())
    else:
        hashes["areas"] = _sha256(areas.to_csv(index=False).encode())
    if students is None:
        students = read_students(scenario.students, areas)
        hashes["students"] = _sha256(Path(scenario.students).read_bytes())
    else:
        hashes["students"] = _sha256(students.to_csv(index=False).encode())
    index = AreaIndex(areas)
    check_satisfiable(scenario, index)
    cells = build_cells(students)
    return PlanInputs(scenario, areas, students, cells, suits_of(scenario, cells), build_resources(scenario, index),
                      hashes)


def suits_of(scenario: Scenario, cells: pd.DataFrame) -> dict[str, list[bool]]:
    """Device -> per cell, whether the device suits the cell's grade (asked once per distinct grade)."""
    grades = cells["grade"].tolist()
    return {name: [fits[g] for g in grades] for name, device in scenario.devices.items()
            for fits in [{g: device.suits(g) for g in set(grades)}]}
