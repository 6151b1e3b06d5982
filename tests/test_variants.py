"""Variants of inputs already read (``sim.core.pipeline.with_changes``) and plans wanted for their
learners only: the same answers as inputs read afresh and full plans."""

from __future__ import annotations

from pathlib import Path

import pytest

import sim
from sim.core.inputs import prepare
from sim.core.pipeline import plan_whole, with_changes
from sim.results.result import by_band

BASELINE = Path(__file__).resolve().parents[1] / "data" / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def inputs():
    return prepare(sim.load_scenario(BASELINE))


def test_changed_device_grades_change_which_cells_a_device_suits(inputs):
    """A variant whose tablets suit grades 1-12 plans as a scenario read with those grades does."""
    devices = {name: device.model_copy() for name, device in inputs.scenario.devices.items()}
    devices["tablet"] = devices["tablet"].model_copy(update={"grades": (1, 12)})
    variant = with_changes(inputs, devices=devices)
    fresh = prepare(inputs.scenario.with_changes(devices=devices))
    assert variant.suits == fresh.suits
    assert variant.suits != inputs.suits  # grades 10-12 are suited by tablets now
    assert plan_whole(variant).plan.covered == plan_whole(fresh).plan.covered


def test_learners_only_plans_cover_the_same_learners(inputs):
    """Leaving out the least-spend and tie-break MILPs moves no learner figure per band."""
    for policy in ("max_count", "equal_rate"):
        variant = with_changes(inputs, policy=inputs.scenario.policy.model_copy(update={"within_band": policy}))
        full, lean = plan_whole(variant), plan_whole(variant, learners_only=True)
        assert full.milps > lean.milps  # the whole plan here needs exact MILPs, and the lean one fewer
        cells = variant.cells
        assert by_band(cells.assign(c=lean.plan.covered), "c") == by_band(cells.assign(c=full.plan.covered), "c")
