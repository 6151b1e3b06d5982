"""summary.json is built from typed parts, follows the committed JSON Schema, and allows no stray key."""

from __future__ import annotations

import json

import jsonschema
import pytest
import yaml

import sim
from sim.ledger.donations import Delivery, Donation, Sourced
from sim.ledger.replan import replan
from sim.ledger.store import Ledger
from sim.results.schema import committed_schema, json_schema, schema_text
from sim.results.summary import Summary
from sim.sweeps.spec import TOP_KEYS
from tests.conftest import BASELINE, ROOT

SCENARIOS = ROOT / "data" / "scenarios"


def plan_scenarios() -> list:
    """data/scenarios/*.yaml except sweep files (only sweep keys: description, grid, monte_carlo)."""
    files = sorted(SCENARIOS.glob("*.yaml"))
    return [p for p in files if not set(yaml.safe_load(p.read_text(encoding="utf-8"))) <= set(TOP_KEYS)]


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(committed_schema())


def problems(summary: dict) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator().iter_errors(summary)]


@pytest.fixture(scope="module")
def baseline() -> dict:
    return sim.solve(sim.load_scenario(BASELINE)).summary


def test_the_committed_schema_is_what_the_dataclasses_give():
    committed = (ROOT / "sim" / "results" / "summary.schema.json").read_text(encoding="utf-8")
    assert committed == schema_text(), "run: python -m sim.results.schema > sim/results/summary.schema.json"
    jsonschema.Draft202012Validator.check_schema(json_schema())


def test_the_scenario_files_are_told_apart():
    assert [p.name for p in plan_scenarios()] == ["baseline.yaml", "fairness.yaml", "rolling.yaml", "tayninh2025.yaml"]


@pytest.mark.parametrize("path", plan_scenarios(), ids=lambda p: p.stem)
def test_every_plan_scenario_gives_a_valid_summary(path):
    summary = sim.solve(sim.load_scenario(path)).summary
    assert problems(summary) == []
    assert Summary.from_json_dict(summary).to_json_dict() == summary


def test_a_replan_with_deliveries_and_a_previous_plan_gives_a_valid_summary(tmp_path):
    scenario = sim.load_scenario(SCENARIOS / "rolling.yaml")
    with Ledger(tmp_path / "ledger.sqlite", create=True) as ledger:
        ledger.record([Sourced(r, "test") for r in [
            Donation("G1", "2026-11-24", "Nhà hảo tâm", "cash", "", 0, 900_000_000, "", None, "received"),
            Donation("G2", "2026-11-24", "Công ty", "device", "tablet", 40, 0, "Đức Huệ", None, "delivered"),
            Donation("G3", "2026-11-24", "Hội", "cash", "", 0, 50_000_000, "", 2, "pledged"),
            Delivery("L1", "2026-12-01", "Tân An", "laptop", 5, "")]])
        replan(scenario, ledger)
        done = replan(scenario, ledger)
        stored = done.previous  # the first version, as the ledger keeps it
    summary = done.result.summary
    assert {"ledger", "delivered", "previous_plan"} <= set(summary)
    assert sorted(summary["inputs_sha256"]) == ["areas", "ledger", "previous_plan", "scenario", "students"]
    assert "held_aside" not in summary["ledger"]  # a band-reserved gift is a pool now, not held aside
    assert problems(summary) == [] and problems(stored.summary) == []
    assert Summary.from_json_dict(summary).to_json_dict() == summary


def test_a_stray_or_missing_key_fails(baseline):
    assert problems(baseline) == []
    assert problems({**baseline, "stray": 1}) != []
    assert problems({**baseline, "pools": [{**baseline["pools"][0], "stray": 1}]}) != []
    assert problems({k: v for k, v in baseline.items() if k != "spent_vnd"}) != []
    assert problems({**baseline, "covered": "many"}) != []
    with pytest.raises(ValueError, match="stray"):
        Summary.from_json_dict({**baseline, "stray": 1})


def test_keys_come_in_the_schema_order(baseline):
    order = list(committed_schema()["properties"])
    assert list(baseline) == [k for k in order if k in baseline]
    assert list(baseline)[:3] == ["scenario", "status", "policy"] and list(baseline)[-1] == "seconds"


def test_the_summary_dict_is_a_view_nobody_adds_keys_to(tmp_path):
    result = sim.solve(sim.load_scenario(BASELINE), compare=False)
    result.summary["stray"] = 1
    assert "stray" not in result.summary
    assert "stray" not in json.loads(result.write(tmp_path)[2].read_text())


def test_the_pools_add_up_to_the_money_and_stock_totals(baseline):
    general, *earmarked = baseline["pools"]
    assert (general["pool"], general["district"], general["band"]) == ("chung", None, None)
    assert general["cash_vnd"] == baseline["budget_vnd"] and general["cash_spent_vnd"] == baseline["spent_general_vnd"]
    assert general["cash_left_vnd"] == baseline["cash_left_vnd"]
    assert [p["district"] for p in earmarked] == ["Đức Huệ"]
    assert sum(p["cash_vnd"] for p in earmarked) == baseline["earmarked_vnd"]
    assert sum(p["cash_spent_vnd"] for p in earmarked) == baseline["spent_earmarked_vnd"]
    for item, n in baseline["given"].items():  # a pool's given: from its stock or bought with its money
        assert sum(p["given"][item] for p in baseline["pools"]) == n
        assert sum(p["stock_left"][item] for p in baseline["pools"]) == baseline["stock_left"][item]
    for pool in baseline["pools"]:
        assert all(0 <= pool["stock_left"][i] <= pool["stock"][i] for i in pool["stock"])
