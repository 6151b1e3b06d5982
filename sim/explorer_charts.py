"""The explorer's charts: one figure of results, one of changes against the baseline.

Figures are made with ``matplotlib.figure.Figure``, not pyplot, so that redrawing after every
change neither piles figures up in pyplot nor shows them twice in a notebook; ``png`` turns
one into the bytes an image widget shows. Words follow ``sim.i18n``; the font is
``sim.charts.CHART_FONT``.
"""

from __future__ import annotations

import io

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from . import i18n
from .charts import COVERED_COLOUR, PUPILS_COLOUR, chart_style
from .explorer import compare, money_and_stock
from .results import Result

MORE_COLOUR = "#238b45"
FEWER_COLOUR = "#cb181d"
BASELINE_COLOUR = "#252525"
FLOOR_COLOUR = "#d94801"
MILLION = 1_000_000
# Margins in figure fractions, sized for the longest Vietnamese band and item labels.
RESULTS_GRID = {"left": 0.215, "right": 0.985, "top": 0.94, "bottom": 0.05, "wspace": 0.5, "hspace": 0.45}
COMPARISON_GRID = {"left": 0.24, "right": 0.985, "top": 0.93, "bottom": 0.1, "wspace": 0.3}


def _tidy(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def _rate_axis(ax, axis: str = "x") -> None:
    formatter = FuncFormatter(lambda v, _: i18n.percent(v, 0))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)
    (ax.set_xlim if axis == "x" else ax.set_ylim)(0, 1.12)


def _rates(result: Result, by: str):
    table = result.coverage_by(by)
    return table[by].tolist(), table["rate"].fillna(0).tolist(), table


def _band_panel(ax, result: Result, baseline: Result | None) -> None:
    bands, rates, table = _rates(result, "band")
    rows = range(len(bands))
    ax.barh(rows, [1] * len(bands), color=PUPILS_COLOUR)
    ax.barh(rows, rates, height=0.55, color=COVERED_COLOUR, label=i18n.t("this_scenario"))
    if baseline is not None:
        _, before, _ = _rates(baseline, "band")
        ax.scatter(before, rows, marker="|", s=300, color=BASELINE_COLOUR, zorder=3)
    for row, c, p in zip(rows, table["covered"], table["pupils"]):
        ax.text(1.01, row, i18n.t("covered_of", covered=i18n.number(c), pupils=i18n.number(p)), va="center", fontsize=8)
    ax.set_yticks(list(rows), [f"{b}  {i18n.band_label(b)}" for b in bands], fontsize=8)
    ax.invert_yaxis()
    _rate_axis(ax)
    ax.set_xlim(0, 1.35)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_title(i18n.t("chart_band_rate_title"), fontsize=10, loc="left")
    _tidy(ax)


def _grade_panel(ax, result: Result, baseline: Result | None) -> None:
    grades, rates, _ = _rates(result, "grade")
    cols = range(len(grades))
    ax.bar(cols, [1] * len(grades), color=PUPILS_COLOUR)
    ax.bar(cols, rates, width=0.55, color=COVERED_COLOUR)
    if baseline is not None:
        _, before, _ = _rates(baseline, "grade")
        ax.scatter(cols, before, marker="_", s=200, color=BASELINE_COLOUR, zorder=3)
    ax.set_xticks(list(cols), [i18n.grade_label(g).replace("/", "/\n").replace(" ", "\n") for g in grades], fontsize=8)
    ax.set_xlabel(i18n.t("grade"), fontsize=8)
    _rate_axis(ax, "y")
    ax.set_title(i18n.t("chart_grade_title"), fontsize=10, loc="left")
    _tidy(ax)


def _district_floor(result: Result) -> float:
    """The floor on districts' overall rates, or 0 (a floor per band is not a line on this panel)."""
    fairness = result.scenario.fairness
    if fairness is None or str(fairness.floor_scope) != "overall":
        return 0.0
    return fairness.district_floor


def _district_panel(ax, result: Result, baseline: Result | None) -> None:
    names, rates, table = _rates(result, "district")
    rows = range(len(names))
    ax.barh(rows, [1] * len(names), color=PUPILS_COLOUR)
    ax.barh(rows, rates, height=0.55, color=COVERED_COLOUR)
    if baseline is not None:
        _, before, _ = _rates(baseline, "district")
        ax.scatter(before, rows, marker="|", s=150, color=BASELINE_COLOUR, zorder=3)
    for row, c, p in zip(rows, table["covered"], table["pupils"]):
        ax.text(1.01, row, f"{i18n.number(c)} / {i18n.number(p)}", va="center", fontsize=7)
    ax.set_yticks(list(rows), names, fontsize=8)
    ax.invert_yaxis()
    floor = _district_floor(result)
    if floor:
        ax.axvline(floor, color=FLOOR_COLOUR, linestyle="--", linewidth=1, zorder=2)
        ax.text(floor, -0.6, i18n.t("floor_mark", floor=i18n.percent(floor, 0)), color=FLOOR_COLOUR, fontsize=7,
                ha="center", va="bottom")
    _rate_axis(ax)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_title(i18n.t("chart_district_title"), fontsize=10, loc="left")
    _tidy(ax)


def _item_panel(ax, items: list[str], values: list[float], title: str, colour: str) -> None:
    rows = range(len(items))
    ax.barh(rows, values, color=colour)
    top = max(values, default=0) or 1
    for row, value in zip(rows, values):
        decimals = 1 if 0 < value < 100 and value != int(value) else 0  # 3.5 million, not 4
        ax.text(value + 0.02 * top, row, i18n.number(value, decimals), va="center", fontsize=8)
    ax.set_yticks(list(rows), [i18n.item_label(i) for i in items], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v)))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    _tidy(ax)


def results_figure(result: Result, baseline: Result | None = None) -> Figure:
    """Coverage per band, grade and district (with the baseline's rates as black ticks), money
    spent buying each item and stock left."""
    with chart_style():
        # Fixed margins, not a layout engine: the layout engines measure every label several
        # times, which more than doubles the time to draw.
        fig = Figure(figsize=(12, 8.5))
        axes = fig.subplot_mosaic([["band", "grade"], ["district", "money"], ["district", "stock"]],
                                  width_ratios=[1.15, 1], gridspec_kw=RESULTS_GRID)
        if baseline is not None:
            fig.text(0.985, 0.995, i18n.t("baseline_marks"), ha="right", va="top", fontsize=9)
        _band_panel(axes["band"], result, baseline)
        _grade_panel(axes["grade"], result, baseline)
        _district_panel(axes["district"], result, baseline)
        table = money_and_stock(result)
        _item_panel(axes["money"], table["item"].tolist(), (table["money_spent"] / MILLION).tolist(),
                    i18n.t("chart_money_title"), COVERED_COLOUR)
        _item_panel(axes["stock"], table["item"].tolist(), table["stock_left"].tolist(),
                    i18n.t("chart_stock_title"), PUPILS_COLOUR)
    return fig


def _change_panel(ax, labels: list[str], changes: list[int], title: str) -> None:
    rows = range(len(labels))
    ax.barh(rows, changes, color=[MORE_COLOUR if c > 0 else FEWER_COLOUR for c in changes])
    ax.axvline(0, color=BASELINE_COLOUR, linewidth=0.8)
    span = max((abs(c) for c in changes), default=0) or 1
    for row, change in zip(rows, changes):
        ax.text(change + (0.02 * span if change >= 0 else -0.02 * span), row, i18n.signed(change),
                va="center", ha="left" if change >= 0 else "right", fontsize=8)
    ax.set_yticks(list(rows), labels, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-1.3 * span, 1.3 * span)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.signed(v)))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel(i18n.t("axis_delta"), fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    _tidy(ax)


def comparison_figure(baseline: Result, other: Result) -> Figure:
    """Learners covered in ``other`` minus the baseline, per band and per district."""
    bands, districts = compare(baseline, other, "band"), compare(baseline, other, "district")
    with chart_style():
        fig = Figure(figsize=(12, 5))
        left, right = fig.subplots(1, 2, width_ratios=[1.1, 1], gridspec_kw=COMPARISON_GRID)
        _change_panel(left, [f"{b}  {i18n.band_label(b)}" for b in bands["band"]], bands["change"].tolist(),
                      i18n.t("chart_delta_band_title"))
        _change_panel(right, districts["district"].tolist(), districts["change"].tolist(),
                      i18n.t("chart_delta_district_title"))
    return fig


def png(fig: Figure, dpi: int = 72) -> bytes:
    """The figure as PNG bytes, drawn with the chart font."""
    buffer = io.BytesIO()
    with chart_style():
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def show(fig: Figure, dpi: int = 80):
    """Show a figure in a notebook as a PNG image (a Figure made without pyplot does not show itself)."""
    from IPython.display import Image, display

    display(Image(data=png(fig, dpi), format="png"))
