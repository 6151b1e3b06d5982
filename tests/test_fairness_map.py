"""The district map shows differences honestly: colours on a 0–100% scale (turning at the floor
when there is one), so a few points look like a few points, and labels that do not overlap."""

from __future__ import annotations

import itertools

import matplotlib
import pytest

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import TwoSlopeNorm  # noqa: E402
from matplotlib.text import Annotation  # noqa: E402

import sim  # noqa: E402
from sim.views.fairness_charts import district_map, district_table  # noqa: E402
from tests.conftest import BASELINE  # noqa: E402


@pytest.fixture(scope="module")
def baseline():
    return sim.load_scenario(BASELINE)


@pytest.fixture(scope="module")
def base_result(baseline):
    return sim.solve(baseline, compare=False)


def _labels(ax):
    return [child for child in ax.get_children() if isinstance(child, Annotation)]


def test_colours_run_from_0_to_100_percent_not_from_the_lowest_to_the_highest_district(base_result):
    rates = district_table(base_result)["rate"]
    assert rates.max() - rates.min() < 0.1  # the baseline's districts are a few points apart...
    ax = district_map(base_result)
    try:
        norm = ax.collections[0].norm
        assert (norm.vmin, norm.vmax) == (0.0, 1.0)  # ...and look it, not red against green
    finally:
        plt.close(ax.figure)


def test_with_a_floor_the_colours_turn_at_the_floor_and_the_colour_bar_marks_it(baseline):
    result = sim.solve(baseline.with_changes(fairness={"district_floor": 0.3}), compare=False)
    ax = district_map(result)
    try:
        norm = ax.collections[0].norm
        assert isinstance(norm, TwoSlopeNorm) and (norm.vmin, norm.vcenter, norm.vmax) == (0.0, 0.3, 1.0)
        bar = ax.figure.axes[-1]
        assert 0.3 in [round(t, 6) for t in bar.get_yticks()]
    finally:
        plt.close(ax.figure)


def test_one_label_per_district_and_no_two_labels_overlap(base_result):
    ax = district_map(base_result)
    try:
        ax.figure.canvas.draw()
        renderer = ax.figure.canvas.get_renderer()
        labels = _labels(ax)
        names = sorted(label.get_text().split("\n")[0] for label in labels)
        assert names == sorted(district_table(base_result)["district"])
        boxes = [(label.get_text().split("\n")[0], label.get_window_extent(renderer)) for label in labels]
        crossing = [(a, b) for (a, one), (b, two) in itertools.combinations(boxes, 2) if one.overlaps(two)]
        assert crossing == []
        assert all(ax.bbox.contains(box.x0, box.y0) and ax.bbox.contains(box.x1, box.y1) for _, box in boxes)
    finally:
        plt.close(ax.figure)
