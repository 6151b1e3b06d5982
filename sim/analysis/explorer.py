"""The scenario explorer's logic: a scenario from control values, re-solving, comparing, saving.

The explorer notebook's widgets (``sim.widgets``) only read and set :class:`Controls` and show
what this module returns; nothing here imports ipywidgets or matplotlib.

>>> import sim
>>> explorer = Explorer(sim.load_scenario("data/scenarios/baseline.yaml"))   # doctest: +SKIP
>>> controls = Controls.of(explorer.baseline)                                 # doctest: +SKIP
>>> controls.budget_vnd += 1_000_000_000                                      # doctest: +SKIP
>>> solved = explorer.solve(explorer.scenario(controls))                      # doctest: +SKIP
>>> compare(explorer.baseline_result, solved.result, "district")              # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from sim.views import i18n
from sim.read.errors import Problems
from sim.core.inputs import DATA_PACKAGE, prepare
from sim.core.pipeline import solve as solve_plan
from sim.results.result import Result
from sim.results.write import write_atomic
from sim.read.scenario import Fairness, FloorScope, GradeBound, Scenario, load_scenario

COMPARISON_COLUMNS = ["pupils", "covered_baseline", "covered_scenario", "change", "rate_baseline", "rate_scenario",
                      "rate_change"]
MONEY_AND_STOCK_COLUMNS = ["item", "given", "bought", "from_stock", "stock_left", "money_spent"]
# Settings that say what a scenario is, not what it does: left out of the memory key and the change list.
DESCRIPTIVE = {"name", "description", "sources", "source_file"}
FILE_NAME = re.compile(r"^\w[\w\-.]*\.ya?ml$")  # no spaces: the file name goes into a shell command


@dataclass
class Controls:
    """Everything the explorer lets an analyst change, in the scenario's own units (VND, units, months)."""

    budget_vnd: int
    in_stock: dict[str, int]  # device name or "data_package" -> units donated in kind (general stock)
    unit_cost_vnd: dict[str, int]  # device -> price if bought
    grades: dict[str, tuple[GradeBound, GradeBound]]  # device -> (lowest, highest) grade it suits
    data_monthly_cost_vnd: int
    data_months: int
    mode: str
    within_band: str
    weights: dict[int, float] = field(default_factory=dict)
    district_floor: float = 0.0  # a coverage rate, 0.3 = 30% (the scenario's ``fairness.district_floor``)
    floor_scope: str = "overall"  # overall | band
    fairness_rule: str = "none"  # none | maxmin | leximin | alpha: how a band is shared across districts
    alpha: float = 1.0

    @classmethod
    def of(cls, scenario: Scenario) -> "Controls":
        """The control values that reproduce ``scenario``."""
        devices = scenario.devices
        package = scenario.data_package
        return cls(
            budget_vnd=scenario.budget_vnd,
            in_stock={**{d: x.in_stock for d, x in devices.items()}, DATA_PACKAGE: package.in_stock},
            unit_cost_vnd={d: x.unit_cost_vnd for d, x in devices.items()},
            grades={d: tuple(x.grades) for d, x in devices.items()},
            data_monthly_cost_vnd=package.monthly_cost_vnd,
            data_months=package.months,
            mode=str(scenario.policy.mode),
            within_band=str(scenario.policy.within_band),
            weights=dict(scenario.policy.weights),
            **_fairness_controls(scenario.fairness),
        )


def _fairness_controls(fairness: Fairness | None) -> dict:
    fairness = fairness or Fairness()
    return {"district_floor": fairness.district_floor, "floor_scope": str(fairness.floor_scope),
            "fairness_rule": str(fairness.rule), "alpha": fairness.alpha}


def fairness_with(base: Fairness | None, controls: Controls) -> dict | None:
    """The scenario's ``fairness`` section with the controls' floor, scope, rule and alpha; the
    base's other rules (gap cap, computer share) are kept. A scenario without the section keeps
    none while the floor is 0 and no rule is chosen, so its plan and file are exactly as before."""
    if base is None and not controls.district_floor and controls.fairness_rule == "none":
        return None
    return {**(base or Fairness()).model_dump(), "district_floor": float(controls.district_floor),
            "floor_scope": controls.floor_scope, "rule": controls.fairness_rule, "alpha": float(controls.alpha)}


def scenario_with(base: Scenario, controls: Controls) -> Scenario:
    """A checked copy of ``base`` with the controls' values; earmarks, tables and solver are kept."""
    devices = {name: device.model_dump() for name, device in base.devices.items()}
    for name, device in devices.items():
        device["in_stock"] = int(controls.in_stock.get(name, device["in_stock"]))
        device["unit_cost_vnd"] = int(controls.unit_cost_vnd.get(name, device["unit_cost_vnd"]))
        device["grades"] = tuple(controls.grades.get(name, device["grades"]))
    package = {"monthly_cost_vnd": int(controls.data_monthly_cost_vnd), "months": int(controls.data_months),
               "in_stock": int(controls.in_stock.get(DATA_PACKAGE, base.data_package.in_stock))}
    policy = {"mode": controls.mode, "within_band": controls.within_band, "weights": dict(controls.weights)}
    return base.with_changes(budget_vnd=int(controls.budget_vnd), devices=devices, data_package=package, policy=policy,
                             fairness=fairness_with(base.fairness, controls))


@dataclass
class Solved:
    """One re-solve: the result, how long it took, and whether it came from the explorer's memory."""

    result: Result
    seconds: float
    from_memory: bool


class Explorer:
    """A baseline scenario and its result, and a memory of the last scenarios solved.

    Moving a control back to a value already tried shows the earlier result at once (the last
    ``memory`` scenarios are kept); the baseline is solved once and always kept. Plans are solved without the max_count comparison, which
    would double the time and which the explorer does not show.
    """

    def __init__(self, baseline: Scenario, memory: int = 64):
        self.baseline = baseline
        self.memory = memory
        self._solved: OrderedDict[str, Result] = OrderedDict()
        self._baseline_key = self._key(baseline)
        self.baseline_result = solve_plan(baseline, compare=False)

    def scenario(self, controls: Controls) -> Scenario:
        return scenario_with(self.baseline, controls)

    @staticmethod
    def _key(scenario: Scenario) -> str:
        return scenario.model_dump_json(exclude=DESCRIPTIVE)

    def solve(self, scenario: Scenario) -> Solved:
        started = time.perf_counter()
        key = self._key(scenario)
        if key == self._baseline_key:
            return Solved(self.baseline_result, time.perf_counter() - started, True)
        if key in self._solved:
            self._solved.move_to_end(key)
            return Solved(self._solved[key], time.perf_counter() - started, True)
        result = solve_plan(scenario, compare=False)
        self._solved[key] = result
        while len(self._solved) > self.memory:
            self._solved.popitem(last=False)
        return Solved(result, time.perf_counter() - started, False)


# ---------------------------------------------------------------- comparing two results

def compare(baseline: Result, other: Result, by: str) -> pd.DataFrame:
    """Coverage of ``other`` against ``baseline`` per ``by`` (``band``, ``district`` or ``grade``).

    Columns: ``by``, pupils, covered_baseline, covered_scenario, change (learners, other minus
    baseline), rate_baseline, rate_scenario, rate_change (a fraction: 0.05 is 5 points).
    Rows in the inputs' order (band 1 first, districts as in the areas file).
    """
    ours, theirs = baseline.coverage_by(by), other.coverage_by(by)
    table = theirs.merge(ours, on=by, how="left", suffixes=("_scenario", "_baseline"), sort=False)
    table = table.rename(columns={"pupils_scenario": "pupils"}).fillna({"covered_baseline": 0})
    table["covered_baseline"] = table["covered_baseline"].astype(int)
    table["change"] = table["covered_scenario"] - table["covered_baseline"]
    table["rate_change"] = table["rate_scenario"] - table["rate_baseline"]
    return table[[by, *COMPARISON_COLUMNS]]


def totals(baseline: Result, other: Result) -> dict[str, int | float]:
    """The headline: learners covered in both plans, the change, and the money of ``other``."""
    a, b = baseline.summary, other.summary
    return {
        "pupils": b["pupils"], "covered": b["covered"], "rate": b["covered"] / b["pupils"] if b["pupils"] else 0.0,
        "covered_baseline": a["covered"], "change": b["covered"] - a["covered"],
        "spent_vnd": b["spent_vnd"], "spent_general_vnd": b["spent_general_vnd"],
        "spent_earmarked_vnd": b["spent_earmarked_vnd"], "cash_left_vnd": b["cash_left_vnd"],
    }


def money_and_stock(result: Result) -> pd.DataFrame:
    """One row per item (devices, then data_package): given, bought, from stock, stock left, money spent (VND)."""
    s = result.summary
    rows = [[item, s["given"][item], s["bought"][item], s["from_stock"][item], s["stock_left"][item],
             s["spent_by_item_vnd"][item]] for item in s["given"]]
    return pd.DataFrame(rows, columns=MONEY_AND_STOCK_COLUMNS)


@dataclass(frozen=True)
class FairnessFigures:
    """What the fairness rules did to a plan, for the explorer's results view.

    ``below_floor``: (district, band or None, rate) of every district (``floor_scope: overall``)
    or district and band (``band``) whose whole-device coverage rate is below the floor.
    ``covered_without``: learners the same scenario covers without its fairness rules.
    """

    floor: float
    scope: str
    rule: str
    lowest: tuple[str, float]
    highest: tuple[str, float]
    below_floor: list[tuple[str, int | None, float]]
    covered: int
    covered_without: int


def fairness_figures(result: Result) -> FairnessFigures | None:
    """The lowest and highest district rates and the floors not met; None without active fairness rules."""
    fairness = result.scenario.fairness
    if fairness is None or not fairness.active or "fairness" not in result.summary:
        return None
    f = result.summary["fairness"]
    below = []
    if fairness.district_floor > 0:
        by_band = fairness.floor_scope is FloorScope.band
        table = result.coverage_by("district", "band") if by_band else result.coverage_by("district")
        for row in table[(table["pupils"] > 0) & (table["rate"] < fairness.district_floor - 1e-9)].itertuples():
            below.append((row.district, int(row.band) if by_band else None, float(row.rate)))
    return FairnessFigures(floor=fairness.district_floor, scope=str(fairness.floor_scope), rule=str(fairness.rule),
                           lowest=(f["worst_district"], f["min_district_rate"]),
                           highest=(f["best_district"], f["max_district_rate"]), below_floor=below,
                           covered=f["covered"], covered_without=f["covered_without_fairness"])


def labelled(table: pd.DataFrame) -> pd.DataFrame:
    """The same table for people to read, in the current language: headers and groups in words,
    counts grouped by thousands, rates as percentages, changes with a sign."""
    shown = pd.DataFrame(index=table.index)
    words = {"band": i18n.band_label, "grade": i18n.grade_label, "status": i18n.status_label, "item": i18n.item_label}
    for column in table.columns:
        values = table[column]
        if column in words:
            values = values.map(words[column])
            if column == "band":  # keep the band number in front of its words
                values = table[column].astype(str) + "  " + values
        elif column == "rate_change":
            values = values.map(lambda v: "–" if pd.isna(v) else i18n.signed(100 * v, 1))
        elif column.startswith("rate"):
            values = values.map(i18n.percent)
        elif column == "change":
            values = values.map(i18n.signed)
        elif pd.api.types.is_numeric_dtype(values):
            values = values.map(i18n.number)
        shown[i18n.t(column) if column in i18n.MESSAGES else column] = values
    return shown


# ---------------------------------------------------------------- saving a scenario

def changes_from(baseline: Scenario, scenario: Scenario) -> list[str]:
    """Each setting that differs, as ``key.path: old → new`` (YAML keys, plain numbers). A fairness
    section the baseline lacks is compared with the defaults (every rule off)."""

    def flat(value, prefix: str = "") -> dict[str, object]:
        if isinstance(value, dict):
            out: dict[str, object] = {}
            for key, item in value.items():
                out.update(flat(item, f"{prefix}{key}."))
            return out
        return {prefix[:-1]: value}

    if baseline.fairness is None and scenario.fairness is not None:
        baseline = baseline.with_changes(fairness=Fairness())
    before = flat(baseline.model_dump(mode="json", exclude=DESCRIPTIVE))
    after = flat(scenario.model_dump(mode="json", exclude=DESCRIPTIVE))
    return [f"{key}: {before.get(key)} → {after.get(key)}" for key in after if before.get(key) != after.get(key)]


def _relative(table: Path, folder: Path) -> str:
    try:
        return Path(os.path.relpath(Path(table).resolve(), folder)).as_posix()
    except ValueError:  # another drive on Windows: keep the absolute path
        return str(table)


def scenario_file_text(scenario: Scenario, folder: Path, baseline: Scenario | None = None) -> str:
    """The YAML ``save_scenario`` writes into ``folder``: table paths relative to it, the changes
    from the baseline in the description."""
    folder = Path(folder).resolve()
    lines = [i18n.t("saved_from", base=baseline.name)] if baseline is not None else []
    if baseline is not None:
        changes = changes_from(baseline, scenario)
        lines += [i18n.t("changes"), *(f"- {c}" for c in changes)] if changes else [i18n.t("no_changes")]
    description = "\n".join(lines) or scenario.description
    saved = scenario.with_changes(description=description, areas=_relative(scenario.areas, folder),
                                  students=_relative(scenario.students, folder))
    return saved.to_yaml()


def save_scenario(scenario: Scenario, path: str | Path, *, baseline: Scenario | None = None,
                  overwrite: bool = False) -> Path:
    """Write ``scenario`` to ``path`` as YAML that ``python -m sim run`` reads unchanged.

    The scenario is named after the file. The file is checked by reading it back with its tables
    before it replaces anything, and appears whole or not at all. Raises InputError for a bad
    file name, an existing file (unless ``overwrite``) or the baseline's own file.
    """
    path = Path(path)
    problems = Problems(path)
    if not FILE_NAME.match(path.name):
        problems.add(i18n.t("bad_file_name"), value=path.name, expected=i18n.t("bad_file_name_expected"))
    elif baseline is not None and baseline.source_file is not None and path.resolve() == Path(baseline.source_file).resolve():
        problems.add(i18n.t("baseline_protected"), expected=i18n.t("file_exists_expected"))
    elif path.exists() and not overwrite:
        problems.add(i18n.t("file_exists"), expected=i18n.t("file_exists_expected"))
    problems.raise_if_any()
    folder = path.parent.resolve()
    folder.mkdir(parents=True, exist_ok=True)
    text = scenario_file_text(scenario.with_changes(name=path.stem), folder, baseline)
    # checked before it replaces anything: the run command will accept it (keys, tables, earmarks)
    write_atomic(folder / path.name, text, check=lambda tmp: prepare(load_scenario(tmp)))
    return path

