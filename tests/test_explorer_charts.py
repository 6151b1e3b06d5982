"""The explorer's reused figures draw exactly what a new figure draws, whatever came before;
the view draws only the tab on show and recalls the charts of results shown before."""

from __future__ import annotations

import pytest

from sim.views import explorer_charts, i18n
from sim.analysis.explorer import Controls, Explorer
from sim.views.widgets import COMPARISON_TAB, RESULTS_TAB, ExplorerView

from conftest import student


@pytest.fixture
def results(case):
    # Four results that move every part of the figures: more money, a district floor (its line
    # appears, then goes), no money at all (empty money panel), and the baseline again.
    scenario = case([student("An Bình", 9, "poor", 10), student("Bình Hòa", 5, "near_poor", 10)],
                    budget_vnd=6_000_000, devices={"desktop": {"unit_cost_vnd": 1_000_000},
                                                  "tablet": {"unit_cost_vnd": 500_000, "grades": [1, 9], "in_stock": 2}})
    ex = Explorer(scenario)
    c = Controls.of(scenario)
    solved = []
    for change in ({"budget_vnd": 9_000_000}, {"district_floor": 0.5}, {"budget_vnd": 0, "district_floor": 0.0}):
        for name, value in change.items():
            setattr(c, name, value)
        solved.append(ex.solve(ex.scenario(c)).result)
    return ex.baseline_result, [*solved, ex.baseline_result]


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_reused_figure_gives_the_picture_of_a_new_figure_byte_for_byte(results, language):
    baseline, others = results
    before = i18n.get_language()
    i18n.set_language(language)
    try:
        reused = explorer_charts.ResultsFigure(baseline)
        compared = explorer_charts.ComparisonFigure(baseline)
        for result in others:
            assert reused.png(result) == explorer_charts.png(explorer_charts.results_figure(result, baseline))
            assert compared.png(result) == explorer_charts.png(explorer_charts.comparison_figure(baseline, result))
    finally:
        i18n.set_language(before)


def test_a_language_switch_builds_the_figure_again(results):
    baseline, others = results
    before = i18n.get_language()
    try:
        i18n.set_language("vi")
        reused = explorer_charts.ResultsFigure(baseline)
        vietnamese = reused.png(others[0])
        first = reused.figure
        i18n.set_language("en")
        english = reused.png(others[0])
        assert reused.figure is not first and english != vietnamese
        assert english == explorer_charts.png(explorer_charts.results_figure(others[0], baseline))
    finally:
        i18n.set_language(before)


def test_the_view_draws_the_tab_on_show_and_recalls_charts_drawn_before(case, tmp_path):
    scenario = case([student("An Bình", 9, "poor", 10), student("Bình Hòa", 5, "near_poor", 10)],
                    budget_vnd=6_000_000)
    view = ExplorerView(Explorer(scenario), save_dir=tmp_path)
    baseline_chart = bytes(view.results_image.value)
    calls = []
    for tab, figure in view._figures.items():
        draw = figure.png
        figure.png = lambda result, draw=draw, tab=tab: calls.append(tab) or draw(result)

    view.results_tabs.selected_index = 2  # the save tab: neither chart shows
    view.budget.value = 9
    assert calls == [] and bytes(view.results_image.value) == baseline_chart
    assert "data-covered='9'" in view.headline.value  # the headline is always up to date (9 M: 9 desktops)
    view.results_tabs.selected_index = RESULTS_TAB
    assert calls == [RESULTS_TAB] and bytes(view.results_image.value) != baseline_chart
    view.results_tabs.selected_index = COMPARISON_TAB
    assert calls == [RESULTS_TAB, COMPARISON_TAB]
    view.results_tabs.selected_index = RESULTS_TAB
    view.budget.value = 6  # back to the baseline: recalled, not drawn
    assert calls == [RESULTS_TAB, COMPARISON_TAB] and bytes(view.results_image.value) == baseline_chart
