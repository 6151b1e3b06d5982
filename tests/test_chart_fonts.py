"""Vietnamese letters render in every chart: the chart font has them, and drawing warns of none missing.

Warnings are errors in the test suite, so a glyph missing from the font fails these tests.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import pytest
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont

import sim
from sim.views import charts, explorer_charts, i18n
from sim.analysis.explorer import Controls, Explorer

from conftest import BASELINE

ALL_VIETNAMESE = "ĂÂĐÊÔƠƯăâđêôơư àáảãạ ằắẳẵặ ầấẩẫậ èéẻẽẹ ềếểễệ ìíỉĩị òóỏõọ ồốổỗộ ờớởỡợ ùúủũụ ừứửữự ỳýỷỹỵ"


@pytest.fixture(scope="module")
def results():
    explorer = Explorer(sim.load_scenario(BASELINE))
    controls = Controls.of(explorer.baseline)
    controls.budget_vnd += 1_000_000_000
    return explorer.baseline_result, explorer.solve(explorer.scenario(controls)).result


def _draw(fig: Figure) -> None:
    fig.savefig(io.BytesIO(), format="png")


def test_the_chart_font_is_dejavu_sans_and_is_found_without_fallback():
    assert charts.CHART_FONT == "DejaVu Sans"
    path = findfont(FontProperties(family=charts.CHART_FONT), fallback_to_default=False)
    assert Path(path).name == "DejaVuSans.ttf"


def test_the_check_catches_a_font_without_vietnamese():
    fig = Figure()
    fig.text(0.1, 0.5, "Đức Huệ", family="cmr10")  # a TeX font matplotlib ships, Latin only
    with pytest.warns(UserWarning, match="missing from font"):
        _draw(fig)


def test_every_vietnamese_letter_draws_with_the_chart_font():
    with charts.chart_style():
        fig = Figure()
        fig.text(0.01, 0.5, ALL_VIETNAMESE, fontsize=8)
        _draw(fig)


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_chart_draws_without_a_missing_glyph(results, language):
    baseline, richer = results
    before = i18n.get_language()
    i18n.set_language(language)
    try:
        for fig in (explorer_charts.results_figure(richer, baseline), explorer_charts.comparison_figure(baseline, richer)):
            assert explorer_charts.png(fig).startswith(b"\x89PNG")
        for chart in (charts.coverage_by_band, charts.coverage_by_district):
            ax = chart(baseline)
            _draw(ax.figure)
            plt.close(ax.figure)
    finally:
        i18n.set_language(before)


def test_charts_keep_their_font_whatever_the_users_default(results):
    baseline, richer = results
    with matplotlib.rc_context({"font.family": "cmr10"}), warnings.catch_warnings():
        warnings.simplefilter("error")
        explorer_charts.png(explorer_charts.results_figure(richer, baseline))
