"""Bad sweep files: exit code 2 and a message naming the file, line, key, value and what is expected."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sim.cli.main import main
from tests.conftest import student

M = 1_000_000


@pytest.fixture
def scenario(case):
    return case([student("An Bình", 9, "poor", 10)], budget_vnd=10 * M,
                devices={"tablet": {"unit_cost_vnd": M, "grades": [1, 9]}, "laptop": {"unit_cost_vnd": 2 * M}},
                earmarks=[{"district": "An Bình", "budget_vnd": 5 * M}])


def sweep_errors(scenario, tmp_path, capsys, text: str) -> str:
    grid = tmp_path / "grid.yaml"
    grid.write_text(text, encoding="utf-8")
    code = main(["sweep", str(scenario.source_file), "--grid", str(grid), "--out", str(tmp_path / "out"), "--workers", "0"])
    assert code == 2
    assert not (tmp_path / "out").exists()  # nothing runs, nothing is written
    return capsys.readouterr().err


CASES = {
    "unknown top key": (
        "gird:\n  budget_vnd: [1, 2]\n",
        ["grid.yaml, line 1, key 'gird': unknown key 'gird'; expected one of description, grid, monte_carlo. "
         "Did you mean 'grid'?"]),
    "misspelt setting": (
        "grid:\n  devices.tablett.unit_cost_vnd: [1000000]\n",
        ["grid.yaml, line 2, key 'grid.devices.tablett.unit_cost_vnd': not a setting of the scenario "
         "(found 'devices.tablett.unit_cost_vnd')", "Did you mean 'devices.tablet.unit_cost_vnd'?"]),
    "a value that is not a number": (
        "grid:\n  budget_vnd:\n    - 1000000\n    - lots\n",
        ["grid.yaml, line 4, key 'grid.budget_vnd': not a valid budget_vnd: Input should be a valid integer, "
         "unable to parse string as an integer (found 'lots'); expected a value like the scenario's 10000000"]),
    "a number YAML reads as text": (
        "grid:\n  budget_vnd: [2e9]\n",
        ["(found '2e9')", "Write numbers in full without quotes, e.g. 2000000000 or 2_000_000_000"]),
    "a negative budget": (
        "grid:\n  budget_vnd: [1000, -5]\n",
        ["grid.yaml, line 2, key 'grid.budget_vnd': the budget is negative (found -5); expected an amount ≥ 0 VND"]),
    "an unknown policy": (
        "grid:\n  policy.mode: [strict, fair]\n",
        ["key \'grid.policy.mode': not a valid policy.mode: Input should be 'strict' or 'weighted' (found 'fair')"]),
    "one value without a list": (
        "grid:\n  budget_vnd: 5000000\n",
        ["key \'grid.budget_vnd': not a list of values (found 5000000)", "For one value write a list of one: [2000000000]"]),
    "a nested setting": (
        "grid:\n  devices:\n    tablet: {in_stock: [0, 5]}\n",
        ["line 2, key 'grid.devices': a nested mapping, not a list of values",
         "Write each setting as one dotted key, e.g. devices.tablet.in_stock: [0, 5]"]),
    "the tables": (
        "grid:\n  students: [a.csv, b.csv]\n",
        ["'students' cannot be swept: a sweep reads the tables once"]),
    "an empty range": (
        "grid:\n  budget_vnd: {from: 5, to: 1, step: 1}\n",
        ["key \'grid.budget_vnd': an empty range", "expected from ≤ to and a step > 0"]),
    "nothing to sweep": (
        "description: nothing\n",
        ["grid.yaml: nothing to sweep; expected a grid: section, a monte_carlo: section or both"]),
    "no seed": (
        "monte_carlo:\n  runs: 10\n",
        ["grid.yaml, line 1, key 'monte_carlo': key 'seed' is missing; expected seed: any whole number ≥ 0",
         "the same seed gives the same table"]),
    "no runs": (
        "monte_carlo:\n  runs: 0\n  seed: 1\n",
        ["grid.yaml, line 2, key 'monte_carlo.runs': not a whole number in range (found 0); "
         "expected a whole number from 1 to 1,000,000"]),
    "a misspelt Monte Carlo key": (
        "monte_carlo:\n  runs: 3\n  seed: 1\n  prises: {}\n",
        ["line 4, key \'monte_carlo.prises': unknown key 'prises'", "Did you mean 'prices'?"]),
    "a pledge that is not an amount": (
        "monte_carlo:\n  runs: 3\n  seed: 1\n  pledges:\n    devices.tablet.unit_cost_vnd: {probability: 0.5}\n",
        ["line 5, key \'monte_carlo.pledges.devices.tablet.unit_cost_vnd': not an amount a pledge can be",
         "expected one of budget_vnd, devices.laptop.in_stock, devices.tablet.in_stock, data_package.in_stock, "
         "earmarks.0.budget_vnd, earmarks.0.data_packages"]),
    "a share above 1": (
        "monte_carlo:\n  runs: 3\n  seed: 1\n  pledges:\n    budget_vnd: {share: {uniform: [0.5, 1.5]}}\n",
        ["line 5, key \'monte_carlo.pledges.budget_vnd.share.uniform.1': out of range (found 1.5); "
         "expected a number from 0 to 1 (the share of the pledge that arrives)"]),
    "a probability above 1": (
        "monte_carlo:\n  runs: 3\n  seed: 1\n  pledges:\n    budget_vnd: {probability: 90}\n",
        ["key \'monte_carlo.pledges.budget_vnd.probability': out of range (found 90); expected a probability from 0 to 1"]),
    "a percentage": (
        "monte_carlo:\n  runs: 3\n  seed: 1\n  pledges:\n    budget_vnd: {probability: 90%}\n",
        ["key \'monte_carlo.pledges.budget_vnd.probability': not a number (found '90%'); expected a probability "
         "from 0 to 1. Write a share as a decimal number: 90% is 0.9"]),
    "a scenario given as the sweep file": (
        "areas: areas.csv\nstudents: students.csv\nbudget_vnd: 5\n",
        ["grid.yaml: this is a scenario file, not a sweep file; expected grid: and/or monte_carlo:. "
         "Give the scenario first and the sweep file after --grid"]),
    "a range out of order": (
        "monte_carlo:\n  runs: 3\n  seed: 1\n  prices:\n    devices.laptop.unit_cost_vnd: {triangular: [3, 2, 4]}\n",
        ["line 5, key \'monte_carlo.prices.devices.laptop.unit_cost_vnd.triangular': the numbers are not in order "
         "(found [3, 2, 4]); expected triangular: [low, most likely, high], each ≥ the one before"]),
    "an unknown distribution": (
        "monte_carlo:\n  runs: 3\n  seed: 1\n  learners:\n    pupils: {uniforme: [0.9, 1.1]}\n",
        ["key \'monte_carlo.learners.pupils.uniforme': not a known distribution (found 'uniforme')",
         "Did you mean 'uniform'?"]),
    "a price both in the grid and drawn": (
        "grid:\n  devices.laptop.unit_cost_vnd: [1, 2]\nmonte_carlo:\n  runs: 3\n  seed: 1\n"
        "  prices:\n    devices.laptop.unit_cost_vnd: {uniform: [1, 2]}\n",
        ["line 7, key \'monte_carlo.prices.devices.laptop.unit_cost_vnd': this price is also in the grid"]),
    "not YAML": (
        "grid: [budget_vnd: {\n",
        ["grid.yaml, line 2, column 1: not valid YAML"]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_a_bad_sweep_file_is_refused_with_a_clear_message(scenario, tmp_path, capsys, name):
    text, expected = CASES[name]
    err = sweep_errors(scenario, tmp_path, capsys, text)
    assert err.startswith("error: bad input\n")
    for part in expected:
        assert part in err


def test_every_problem_of_a_file_is_listed_at_once(scenario, tmp_path, capsys):
    err = sweep_errors(scenario, tmp_path, capsys, "grid:\n  budget_vnd: [-1]\n  policy.mode: [fair]\n"
                                                   "monte_carlo: {runs: 2}\n")
    assert len(err.strip().splitlines()) == 4  # the header line and three problems


def test_the_command_exits_2_without_a_traceback(scenario, tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("grid:\n  budget_vnd: [-1]\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "sim", "sweep", str(scenario.source_file), "--grid", str(grid),
                           "--out", str(tmp_path / "out")], capture_output=True, text=True,
                          env={**os.environ, "SIM_LANG": "en"})
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "the budget is negative" in done.stderr


def test_a_missing_sweep_file(scenario, tmp_path, capsys):
    assert main(["sweep", str(scenario.source_file), "--grid", str(tmp_path / "nope.yaml"), "--out", str(tmp_path / "o")]) == 2
    assert "nope.yaml: file not found; expected an existing sweep YAML file" in capsys.readouterr().err
