"""Sweep files (GRID.yaml): a grid of scenario settings and/or a Monte Carlo over uncertain inputs.

A sweep file has up to three keys::

    description: what the sweep asks           # optional, free text
    grid:                                      # every combination of these values
      budget_vnd: [1000000000, 2000000000]
      devices.tablet.unit_cost_vnd: {from: 3000000, to: 4000000, step: 500000}
    monte_carlo:                               # `runs` random draws, the same for every grid point
      runs: 200
      seed: 2023
      pledges:                                 # amounts that may arrive only in part
        budget_vnd: {probability: 0.9, share: {uniform: [0.6, 1.0]}}
      prices:                                  # prices drawn from a range
        devices.laptop.unit_cost_vnd: {triangular: [10000000, 10500000, 12000000]}
      learners:                                # factors on each students row (verification errors)
        pupils: {uniform: [0.95, 1.05]}
        without_internet: {uniform: [0.9, 1.1]}

Grid keys are dotted paths into the scenario (``devices.tablet.in_stock``, ``earmarks.0.budget_vnd``,
``policy.mode``, ``fairness.district_floor``); every value is checked as the scenario file's own
value would be, before anything runs. Runs are numbered from 1: grid points in the order of the
cartesian product (the last key varies fastest), each with draws 1..runs; run = (point − 1) × runs + draw.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import hashlib
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import ValidationError

from sim.read.errors import InputError, Problem, Problems, ScenarioError, manual_page
from sim.read.names import did_you_mean
from sim.read.scenario import Fairness, Scenario, key_lines, check_satisfiable, read_yaml
from sim.read.tables import AreaIndex, read_areas

TOP_KEYS = ("description", "grid", "monte_carlo")
MONTE_CARLO_KEYS = ("runs", "seed", "pledges", "prices", "learners")
PLEDGE_KEYS = ("probability", "share")
LEARNER_KEYS = ("pupils", "without_internet")
DISTRIBUTIONS = {"uniform": 2, "triangular": 3}  # name -> how many numbers: [low, high] / [low, most likely, high]
RANGE_KEYS = ("from", "to", "step")
NOT_SWEPT = ("areas", "students")  # the tables are read once per sweep
MAX_RUNS = 1_000_000


@dataclass(frozen=True)
class Distribution:
    """A number (``fixed``), ``uniform`` on [low, high], or ``triangular`` [low, most likely, high]."""

    kind: str
    params: tuple[float, ...]

    @property
    def low(self) -> float:
        return self.params[0]

    @property
    def high(self) -> float:
        return self.params[-1]

    def as_data(self) -> object:
        return self.params[0] if self.kind == "fixed" else {self.kind: list(self.params)}


@dataclass(frozen=True)
class Pledge:
    """An amount of the scenario that arrives with ``probability``, and then ``share`` of it."""

    path: str
    probability: float = 1.0
    share: Distribution = Distribution("fixed", (1.0,))


@dataclass(frozen=True)
class MonteCarlo:
    runs: int
    seed: int
    pledges: tuple[Pledge, ...] = ()
    prices: tuple[tuple[str, Distribution], ...] = ()
    pupils: Distribution | None = None
    without_internet: Distribution | None = None


@dataclass(frozen=True)
class SweepSpec:
    """A checked sweep: grid values per path, and the Monte Carlo settings (or None)."""

    grid: tuple[tuple[str, tuple[Any, ...]], ...] = ()
    monte_carlo: MonteCarlo | None = None
    description: str = ""
    file: str = ""

    @property
    def draws(self) -> int:
        return self.monte_carlo.runs if self.monte_carlo else 1

    @property
    def points(self) -> list[dict[str, Any]]:
        """Grid points in run order: the cartesian product, last key varying fastest."""
        paths = [p for p, _ in self.grid]
        return [dict(zip(paths, values)) for values in itertools.product(*(v for _, v in self.grid))]

    @property
    def runs(self) -> int:
        return math.prod(len(v) for _, v in self.grid) * self.draws

    def run_of(self, point: int, draw: int) -> int:
        """Run number (from 1) of grid point ``point`` and draw ``draw`` (both from 1)."""
        return (point - 1) * self.draws + draw

    def with_runs(self, runs: int) -> "SweepSpec":
        """The same sweep with another number of Monte Carlo draws (draw d is the same in both)."""
        if self.monte_carlo is None or not 1 <= runs <= MAX_RUNS:
            raise ValueError(f"runs must be 1 to {MAX_RUNS:,}, for a sweep with a monte_carlo section")
        return dataclasses.replace(self, monte_carlo=dataclasses.replace(self.monte_carlo, runs=runs))

    def canonical(self) -> dict:
        """Everything that decides the runs' results (not the description), as plain JSON data."""
        mc = self.monte_carlo
        return {
            "grid": [[p, list(v)] for p, v in self.grid],
            "monte_carlo": None if mc is None else {
                "runs": mc.runs, "seed": mc.seed,
                "pledges": [[p.path, p.probability, p.share.as_data()] for p in mc.pledges],
                "prices": [[p, d.as_data()] for p, d in mc.prices],
                "learners": {"pupils": mc.pupils and mc.pupils.as_data(),
                             "without_internet": mc.without_internet and mc.without_internet.as_data()},
            },
        }

    def sha256(self) -> str:
        return hashlib.sha256(json.dumps(self.canonical(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# ---------------------------------------------------------------- paths into a scenario

def scenario_data(scenario: Scenario) -> dict:
    """The scenario as plain data, the form grid values are written into."""
    return scenario.model_dump(mode="json", exclude={"source_file"})


def scenario_paths(scenario: Scenario) -> dict[str, Any]:
    """Every dotted path of the scenario and its value; a missing ``fairness`` has its defaults."""
    data = scenario_data(scenario)
    data.setdefault("fairness", Fairness().model_dump(mode="json"))
    out: dict[str, Any] = {}

    def walk(value: Any, prefix: str) -> None:
        if prefix:
            out[prefix] = value
        if isinstance(value, dict):
            for key, item in value.items():
                walk(item, f"{prefix}.{key}" if prefix else str(key))
        elif isinstance(value, list) and value and all(isinstance(x, dict) for x in value):
            for i, item in enumerate(value):
                walk(item, f"{prefix}.{i}")

    walk(data, "")
    return out


def set_path(data: dict, path: str, value: Any) -> None:
    """Write ``value`` at ``path`` in scenario data (made by ``scenario_data``); creates ``fairness``."""
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        if isinstance(node, list):
            node = node[int(part)]
        else:
            if node.get(part) is None and part == "fairness":
                node[part] = {}
            node = node[part]
    if isinstance(node, list):
        node[int(last)] = copy.deepcopy(value)
    else:
        node[last] = copy.deepcopy(value)


def scenario_with(data: dict, values: dict[str, Any]) -> Scenario:
    """A validated scenario from scenario data with the values set (raises ValidationError)."""
    changed = copy.deepcopy(data)
    for path, value in values.items():
        set_path(changed, path, value)
    return Scenario.model_validate(changed)


def pledge_paths(scenario: Scenario) -> list[str]:
    """Amounts a pledge can be: the budget, stocks, and each earmark's money, devices and packages."""
    paths = ["budget_vnd", *(f"devices.{d}.in_stock" for d in scenario.devices), "data_package.in_stock"]
    for i, mark in enumerate(scenario.earmarks):
        paths += [f"earmarks.{i}.budget_vnd", *(f"earmarks.{i}.devices.{d}" for d in mark.devices),
                  f"earmarks.{i}.data_packages"]
    return paths


def price_paths(scenario: Scenario) -> list[str]:
    return [*(f"devices.{d}.unit_cost_vnd" for d in scenario.devices), "data_package.monthly_cost_vnd"]


# ---------------------------------------------------------------- reading the file

class _Reader:
    """Collects every problem of one sweep file, each with its line."""

    def __init__(self, file: str, text: str):
        self.file, self.lines, self.problems = file, key_lines(text), Problems(file)

    def line(self, *path: object) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    def add(self, path: tuple, message: str, value: object = None, expected: str | None = None,
            hint: str | None = None, column: str | None = None) -> None:
        """A problem at ``path`` (keys and list positions, for the line); ``column`` defaults to the keys."""
        column = column or ".".join(str(p) for p in path) or None
        self.problems.add(message, self.line(*path), column, value, expected, hint)

    def mapping(self, value: object, path: tuple, example: str) -> dict:
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.add(path, "not a mapping of keys to values", value, example)
            return {}
        return value

    def keys(self, data: dict, path: tuple, known: tuple[str, ...]) -> None:
        for key in data:
            if str(key) not in known:
                guess = difflib.get_close_matches(str(key), known, n=1)
                self.add(path + (key,), f"unknown key '{key}'", None, "one of " + ", ".join(known),
                         f"Did you mean '{guess[0]}'?" if guess else None)

    def number(self, value: object, path: tuple, low: float | None, high: float | None, what: str) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            self.add(path, "not a number", value, what, _number_hint(value))
            return None
        if (low is not None and value < low) or (high is not None and value > high):
            self.add(path, "out of range", value, what)
            return None
        return value

    def whole(self, value: object, path: tuple, low: int, high: int, what: str) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.add(path, "not a whole number in range", value, what, _number_hint(value))
            return None
        return value

    def distribution(self, value: object, path: tuple, low: float | None, high: float | None, unit: str) -> Distribution | None:
        """A number, {uniform: [low, high]} or {triangular: [low, most likely, high]}, within [low, high]."""
        bounds = _bounds_text(low, high)
        expected = (f"a number{bounds}, {{uniform: [low, high]}} or {{triangular: [low, most likely, high]}} "
                    f"({unit})")
        if not isinstance(value, dict):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.add(path, "not a number or a distribution", value, expected, _number_hint(value))
                return None
            number = self.number(value, path, low, high, f"a number{bounds} ({unit})")
            return None if number is None else Distribution("fixed", (float(number),))
        if len(value) != 1 or str(next(iter(value))) not in DISTRIBUTIONS:
            names = [str(k) for k in value]
            guess = difflib.get_close_matches(names[0], list(DISTRIBUTIONS), n=1) if len(names) == 1 else []
            self.add(path + tuple(names[:1]), "not a known distribution", ", ".join(names) or None, expected,
                     f"Did you mean '{guess[0]}'?" if guess else None)
            return None
        kind, numbers = next(iter(value.items()))
        size = DISTRIBUTIONS[kind]
        shape = "[low, high]" if size == 2 else "[low, most likely, high]"
        if not isinstance(numbers, list) or len(numbers) != size:
            self.add(path + (kind,), f"{kind} needs {size} numbers", numbers, f"{kind}: {shape}")
            return None
        checked = [self.number(x, path + (kind, i), low, high, f"a number{bounds} ({unit})") for i, x in enumerate(numbers)]
        if any(x is None for x in checked):
            return None
        if sorted(checked) != checked:
            self.add(path + (kind,), "the numbers are not in order", numbers, f"{kind}: {shape}, each ≥ the one before")
            return None
        return Distribution(kind, tuple(float(x) for x in checked))


def _bounds_text(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    return f" ≥ {low:g}" if low is not None else ""


def _number_hint(value: object) -> str | None:
    if isinstance(value, str) and value.strip().endswith("%"):
        try:
            share = float(value.strip().rstrip("%").replace(",", ".")) / 100
        except ValueError:
            return None
        return f"Write a share as a decimal number: {value.strip()} is {share:g}"
    if isinstance(value, str):
        try:
            float(value.replace("_", ""))
        except ValueError:
            return None
        return "Write numbers in full without quotes, e.g. 2000000000 or 2_000_000_000 (YAML reads 2e9 as text)"
    return None


def _grid_values(reader: _Reader, path: str, raw: object) -> list | None:
    """A list of values, or {from, to, step} for evenly spaced numbers (both ends included)."""
    where = ("grid", path)
    if isinstance(raw, list):
        if not raw:
            reader.add(where, "no values", raw, "a list of at least one value, e.g. [1000000000, 2000000000]")
            return None
        return raw
    if isinstance(raw, dict) and raw and not set(map(str, raw)) & set(RANGE_KEYS):
        inner, node = path, raw
        while isinstance(node, dict) and node:  # the first setting inside, to show it written dotted
            key = next(iter(node))
            inner, node = f"{inner}.{key}", node[key]
        example = json.dumps(node, ensure_ascii=False) if isinstance(node, list) else "[value, value]"
        reader.add(where, "a nested mapping, not a list of values", None, "a list of values for each setting",
                   f"Write each setting as one dotted key, e.g. {inner}: {example}")
        return None
    if isinstance(raw, dict):
        reader.keys(raw, where, RANGE_KEYS)
        missing = [k for k in RANGE_KEYS if k not in raw]
        if missing:
            reader.add(where, "a range needs from, to and step", raw, "{from: 1000000000, to: 3000000000, step: 500000000}")
            return None
        ends = [reader.number(raw[k], where + (k,), None, None, "a number") for k in RANGE_KEYS]
        if any(e is None for e in ends):
            return None
        start, stop, step = ends
        if step <= 0 or stop < start:
            reader.add(where, "an empty range", raw, "from ≤ to and a step > 0")
            return None
        count = math.floor((stop - start) / step + 1e-9) + 1
        if count > MAX_RUNS:
            reader.add(where, "too many values", count, f"at most {MAX_RUNS:,}")
            return None
        whole = all(isinstance(raw[k], int) for k in RANGE_KEYS)
        return [int(start + i * step) if whole else round(start + i * step, 10) for i in range(count)]
    reader.add(where, "not a list of values", raw, "a list such as [1000000000, 2000000000] or {from: …, to: …, step: …}",
               "For one value write a list of one: [2000000000]")
    return None


def _check_grid(reader: _Reader, grid: dict, scenario: Scenario, index: AreaIndex) -> list[tuple[str, tuple]]:
    known = scenario_paths(scenario)
    data = scenario_data(scenario)
    out = []
    for path, raw in grid.items():
        path = str(path)
        where = ("grid", path)
        if path.split(".")[0] in NOT_SWEPT:
            reader.add(where, f"'{path}' cannot be swept: a sweep reads the tables once", path,
                       "a setting of the scenario", "Make one sweep per students or areas file")
            continue
        if path not in known:
            guess = difflib.get_close_matches(path, list(known), n=1, cutoff=0.7)
            reader.add(where, "not a setting of the scenario", path,
                       "a dotted path such as budget_vnd, devices.tablet.unit_cost_vnd, data_package.months, policy.mode",
                       f"Did you mean '{guess[0]}'?" if guess else None)
            continue
        values = _grid_values(reader, path, raw)
        if values is None:
            continue
        for i, value in enumerate(values):
            problem = _value_problem(data, path, value, known[path], index)
            if problem:
                message, expected, hint = problem
                reader.add(where + ((i,) if isinstance(raw, list) else ()), message, value, expected,
                           hint or _number_hint(value), column=f"grid.{path}")
        out.append((path, tuple(values)))
    return out


def _value_problem(data: dict, path: str, value: Any, current: Any, index: AreaIndex) -> tuple | None:
    """Why one grid value is not valid in the scenario, as (message, expected, hint), or None."""
    example = f"a value like the scenario's {json.dumps(current, ensure_ascii=False)}"
    try:
        changed = scenario_with(data, {path: value})
    except ValidationError as exc:
        return f"not a valid {path}: {exc.errors()[0]['msg']}", example, None
    try:
        check_satisfiable(changed, index)
    except ScenarioError as exc:
        first = exc.problems[0]
        return first.message, first.expected, first.hint
    return None


def _check_monte_carlo(reader: _Reader, raw: dict, scenario: Scenario, grid_paths: list[str]) -> MonteCarlo | None:
    where = ("monte_carlo",)
    reader.keys(raw, where, MONTE_CARLO_KEYS)
    runs = seed = None
    if "runs" not in raw:
        reader.add(where, "key 'runs' is missing", None, "runs: how many random draws, e.g. runs: 200")
    else:
        runs = reader.whole(raw["runs"], where + ("runs",), 1, MAX_RUNS, f"a whole number from 1 to {MAX_RUNS:,}")
    if "seed" not in raw:
        reader.add(where, "key 'seed' is missing", None, "seed: any whole number ≥ 0, e.g. seed: 2023",
                   "The seed makes the draws repeatable: the same seed gives the same table")
    else:
        seed = reader.whole(raw["seed"], where + ("seed",), 0, 2**63 - 1, "a whole number ≥ 0")
    pledges = []
    allowed = pledge_paths(scenario)
    for path, spec in reader.mapping(raw.get("pledges"), where + ("pledges",), "pledges: {budget_vnd: {probability: 0.9}}").items():
        path, at = str(path), where + ("pledges", path)
        if path not in allowed:
            reader.add(at, "not an amount a pledge can be", path, "one of " + ", ".join(allowed), did_you_mean(path, allowed))
            continue
        spec = reader.mapping(spec, at, "{probability: 0.9} or {share: {uniform: [0.5, 1.0]}} or both")
        reader.keys(spec, at, PLEDGE_KEYS)
        probability = 1.0
        if "probability" in spec:
            probability = reader.number(spec["probability"], at + ("probability",), 0, 1, "a probability from 0 to 1")
        share = Distribution("fixed", (1.0,))
        if "share" in spec:
            share = reader.distribution(spec["share"], at + ("share",), 0, 1, "the share of the pledge that arrives")
        if probability is not None and share is not None:
            pledges.append(Pledge(path, float(probability), share))
    prices = []
    allowed = price_paths(scenario)
    for path, spec in reader.mapping(raw.get("prices"), where + ("prices",), "prices: {devices.laptop.unit_cost_vnd: {uniform: [10000000, 12000000]}}").items():
        path, at = str(path), where + ("prices", path)
        if path not in allowed:
            reader.add(at, "not a price of the scenario", path, "one of " + ", ".join(allowed), did_you_mean(path, allowed))
            continue
        if path in grid_paths:
            reader.add(at, "this price is also in the grid", path, "each price either in grid or in monte_carlo.prices")
            continue
        dist = reader.distribution(spec, at, 0, None, "VND")
        if dist is not None:
            prices.append((path, dist))
    learners = reader.mapping(raw.get("learners"), where + ("learners",), "learners: {pupils: {uniform: [0.95, 1.05]}}")
    reader.keys(learners, where + ("learners",), LEARNER_KEYS)
    factors = {key: reader.distribution(learners[key], where + ("learners", key), 0, None,
                                        "a factor on each students row: 1 is the count as reported")
               for key in LEARNER_KEYS if key in learners}
    if runs is None or seed is None:
        return None
    return MonteCarlo(runs, seed, tuple(pledges), tuple(prices), factors.get("pupils"), factors.get("without_internet"))


def parse_sweep(data: object, scenario: Scenario, areas: pd.DataFrame | None = None, file: str = "sweep",
                text: str = "") -> SweepSpec:
    """Check sweep settings (as read from YAML) against the scenario and its areas table (read from
    the scenario's file when not given); InputError lists every problem."""
    if areas is None:
        areas = read_areas(scenario.areas)
    reader = _Reader(file, text)
    if not isinstance(data, dict):
        raise InputError([Problem(file, "not a YAML mapping", expected="a grid: section, a monte_carlo: section or both")])
    if "grid" not in data and "monte_carlo" not in data and {"areas", "students"} & set(map(str, data)):
        raise InputError([Problem(file, "this is a scenario file, not a sweep file", expected="grid: and/or monte_carlo:",
                                  hint=f"Give the scenario first and the sweep file after --grid (see {manual_page('sweeps')})")])
    reader.keys(data, (), TOP_KEYS)
    if "grid" not in data and "monte_carlo" not in data:
        reader.add((), "nothing to sweep", None, f"a grid: section, a monte_carlo: section or both (see {manual_page('sweeps')})")
    index = AreaIndex(areas)
    grid = _check_grid(reader, reader.mapping(data.get("grid"), ("grid",), "grid: {budget_vnd: [1000000000, 2000000000]}"),
                       scenario, index)
    monte_carlo = None
    if "monte_carlo" in data:
        raw = reader.mapping(data["monte_carlo"], ("monte_carlo",), "monte_carlo: {runs: 200, seed: 2023, …}")
        monte_carlo = _check_monte_carlo(reader, raw, scenario, [p for p, _ in grid])
    description = data.get("description") or ""
    if not isinstance(description, str):
        reader.add(("description",), "not text", description, "a line of text")
    reader.problems.raise_if_any()
    spec = SweepSpec(tuple(grid), monte_carlo, description or "", file)
    if spec.runs > MAX_RUNS:
        raise InputError([Problem(file, "too many runs", None, None, spec.runs, f"at most {MAX_RUNS:,} runs in one sweep",
                                  "Use fewer grid values or Monte Carlo runs")])
    return spec


def load_sweep(path: str | Path, scenario: Scenario, areas: pd.DataFrame | None = None) -> SweepSpec:
    """Read and check a sweep YAML file against the scenario and its areas table."""
    data, text = read_yaml(Path(path), "sweep YAML file")
    return parse_sweep(data, scenario, areas, str(path), text)
