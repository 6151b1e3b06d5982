"""The explorer's charts: one figure of results, one of changes against the baseline.

Figures are made with ``matplotlib.figure.Figure``, not pyplot, so that redrawing after every
change neither piles figures up in pyplot nor shows them twice in a notebook; ``png`` turns
one into the bytes an image widget shows. Words follow ``sim.views.i18n``; the font is
``sim.charts.CHART_FONT``.

Redrawing is the view's share of every change, so a figure is built once (axes, ticks, labels,
the baseline's marks) and then only its bars, numbers and floor line are updated for each new
result (:class:`ResultsFigure`, :class:`ComparisonFigure`); it is built again only when the
language or the groups shown change. Each panel function draws its fixed parts and returns the
function that updates the rest, so the first drawing and every update go through the same code.
"""

from __future__ import annotations

import io
from collections.abc import Callable

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from sim.views import i18n
from sim.views.charts import COVERED_COLOUR, PUPILS_COLOUR, chart_style
from sim.analysis.explorer import compare, money_and_stock
from sim.results.result import Result

MORE_COLOUR = "#238b45"
FEWER_COLOUR = "#cb181d"
BASELINE_COLOUR = "#252525"
FLOOR_COLOUR = "#d94801"
MILLION = 1_000_000
DPI = 72  # the widget's picture: 12 x 8.5 inches -> 864 x 612 pixels
# Margins in figure fractions, sized for the longest Vietnamese band and item labels.
RESULTS_GRID = {"left": 0.215, "right": 0.985, "top": 0.94, "bottom": 0.05, "wspace": 0.5, "hspace": 0.45}
COMPARISON_GRID = {"left": 0.24, "right": 0.985, "top": 0.93, "bottom": 0.1, "wspace": 0.3}

Update = Callable[[Result], None]
Panel = tuple[Update, list]  # the panel's update, and the artists it changes (an Axes: all of it)


def _tidy(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)


def _ticks_below(ax) -> None:
    """Ticks beneath the bars (they sit outside them), so that a redraw can leave them in the background."""
    ax.set_axisbelow(True)


def _rate_axis(ax, axis: str = "x") -> None:
    formatter = FuncFormatter(lambda v, _: i18n.percent(v, 0))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(formatter)
    (ax.set_xlim if axis == "x" else ax.set_ylim)(0, 1.12)


def _in_order(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Districts in Vietnamese alphabetical order (``i18n.sort_key``: Đ after D, tones after letters);
    bands and grades in their own order."""
    if by != "district":
        return table
    return table.iloc[sorted(range(len(table)), key=lambda i: i18n.sort_key(table[by].iloc[i]))].reset_index(drop=True)


def _rates(result: Result, by: str):
    table = _in_order(result.coverage_by(by), by)
    return table[by].tolist(), table["rate"].fillna(0).tolist(), table


def _district_floor(result: Result) -> float:
    """The floor on districts' overall rates, or 0 (a floor per band is not a line on this panel)."""
    fairness = result.scenario.fairness
    if fairness is None or str(fairness.floor_scope) != "overall":
        return 0.0
    return fairness.district_floor


def _band_panel(ax, result: Result, baseline: Result | None) -> Panel:
    bands, _, _ = _rates(result, "band")
    rows = range(len(bands))
    ax.barh(rows, [1] * len(bands), color=PUPILS_COLOUR)
    bars = ax.barh(rows, [0] * len(bands), height=0.55, color=COVERED_COLOUR, label=i18n.t("this_scenario"))
    marks = []
    if baseline is not None:
        _, before, _ = _rates(baseline, "band")
        marks.append(ax.scatter(before, rows, marker="|", s=300, color=BASELINE_COLOUR, zorder=3))
    numbers = [ax.text(1.01, row, "", va="center", fontsize=8) for row in rows]
    ax.set_yticks(list(rows), [f"{b}  {i18n.band_label(b)}" for b in bands], fontsize=8)
    ax.invert_yaxis()
    _rate_axis(ax)
    ax.set_xlim(0, 1.35)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_title(i18n.t("chart_band_rate_title"), fontsize=10, loc="left")
    _tidy(ax)
    _ticks_below(ax)

    def update(result: Result) -> None:
        _, rates, table = _rates(result, "band")
        for bar, rate in zip(bars, rates):
            bar.set_width(rate)
        for text, c, p in zip(numbers, table["covered"], table["pupils"]):
            text.set_text(i18n.t("covered_of", covered=i18n.number(c), pupils=i18n.number(p)))

    return update, [*bars, *marks, *numbers, *ax.spines.values()]


def _grade_panel(ax, result: Result, baseline: Result | None) -> Panel:
    grades, _, _ = _rates(result, "grade")
    cols = range(len(grades))
    ax.bar(cols, [1] * len(grades), color=PUPILS_COLOUR)
    bars = ax.bar(cols, [0] * len(grades), width=0.55, color=COVERED_COLOUR)
    marks = []
    if baseline is not None:
        _, before, _ = _rates(baseline, "grade")
        marks.append(ax.scatter(cols, before, marker="_", s=200, color=BASELINE_COLOUR, zorder=3))
    ax.set_xticks(list(cols), [i18n.grade_label(g).replace("/", "/\n").replace(" ", "\n") for g in grades], fontsize=8)
    ax.set_xlabel(i18n.t("grade"), fontsize=8)
    _rate_axis(ax, "y")
    ax.set_title(i18n.t("chart_grade_title"), fontsize=10, loc="left")
    _tidy(ax)
    _ticks_below(ax)

    def update(result: Result) -> None:
        for bar, rate in zip(bars, _rates(result, "grade")[1]):
            bar.set_height(rate)

    return update, [*bars, *marks, *ax.spines.values()]


def _district_panel(ax, result: Result, baseline: Result | None) -> Panel:
    names, _, _ = _rates(result, "district")
    rows = range(len(names))
    ax.barh(rows, [1] * len(names), color=PUPILS_COLOUR)
    bars = ax.barh(rows, [0] * len(names), height=0.55, color=COVERED_COLOUR)
    marks = []
    if baseline is not None:
        _, before, _ = _rates(baseline, "district")
        marks.append(ax.scatter(before, rows, marker="|", s=150, color=BASELINE_COLOUR, zorder=3))
    numbers = [ax.text(1.01, row, "", va="center", fontsize=7) for row in rows]
    ax.set_yticks(list(rows), names, fontsize=8)
    ax.invert_yaxis()
    floor_line = ax.axvline(0, color=FLOOR_COLOUR, linestyle="--", linewidth=1, zorder=2, visible=False)
    floor_text = ax.text(0, -0.6, "", color=FLOOR_COLOUR, fontsize=7, ha="center", va="bottom", visible=False)
    _rate_axis(ax)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1])
    ax.set_title(i18n.t("chart_district_title"), fontsize=10, loc="left")
    _tidy(ax)
    _ticks_below(ax)

    def update(result: Result) -> None:
        _, rates, table = _rates(result, "district")
        for bar, rate in zip(bars, rates):
            bar.set_width(rate)
        for text, c, p in zip(numbers, table["covered"], table["pupils"]):
            text.set_text(f"{i18n.number(c)} / {i18n.number(p)}")
        floor = _district_floor(result)
        floor_line.set_visible(bool(floor))
        floor_text.set_visible(bool(floor))
        if floor:
            floor_line.set_xdata([floor, floor])
            floor_text.set_x(floor)
            floor_text.set_text(i18n.t("floor_mark", floor=i18n.percent(floor, 0)))

    return update, [*bars, *marks, *numbers, floor_line, floor_text, *ax.spines.values()]


def _item_panel(ax, items: list[str], title: str, colour: str, values_of: Callable[[Result], list[float]]) -> Panel:
    rows = range(len(items))
    bars = ax.barh(rows, [0] * len(items), color=colour)
    numbers = [ax.text(0, row, "", va="center", fontsize=8) for row in rows]
    ax.set_yticks(list(rows), [i18n.item_label(i) for i in items], fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v)))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    _tidy(ax)

    def update(result: Result) -> None:
        values = values_of(result)
        top = max(values, default=0) or 1
        for bar, text, value in zip(bars, numbers, values):
            bar.set_width(value)
            decimals = 1 if 0 < value < 100 and value != int(value) else 0  # 3.5 million, not 4
            text.set_x(value + 0.02 * top)
            text.set_text(i18n.number(value, decimals))
        ax.set_xlim(0, top * 1.3)

    return update, [ax]  # its scale follows the values: redrawn whole


def _money(result: Result) -> list[float]:
    return (money_and_stock(result)["money_spent"] / MILLION).tolist()


def _stock(result: Result) -> list[float]:
    return money_and_stock(result)["stock_left"].tolist()


def _shape(result: Result) -> tuple:
    """What fixes a figure's layout: the groups shown and the words they are shown in."""
    return (i18n.get_language(), tuple(result.inputs.areas["name"]), tuple(result.coverage["grade"].unique()),
            tuple(result.summary["given"]))


class _ReusedFigure:
    """A figure built on first use and updated in place; built again when ``_shape`` changes.

    ``png`` draws the fixed parts once and keeps that picture (the background); each later call
    puts the background back and draws only the artists the update changes, in the order the
    full drawing would (by z-order), so the picture is the one a full drawing gives. The rate
    panels draw their ticks beneath their bars (``set_axisbelow``) so that the ticks, which are
    most of the cost, stay in the background; ticks sit outside the bars, so nothing moves.
    """

    def __init__(self):
        self.figure: Figure | None = None
        self._shape: tuple | None = None
        self._updates: list[Update] = []
        self._moving: list = []
        self._background = None

    def _build(self, result: Result) -> tuple[Figure, list[Panel]]:
        raise NotImplementedError

    def update(self, result: Result) -> Figure:
        """The figure, showing ``result`` (for ``savefig`` or ``png``; not kept for ``png`` to reuse)."""
        shape = _shape(result)
        if self.figure is None or shape != self._shape:
            with chart_style():
                self.figure, panels = self._build(result)
            self._shape, self._background = shape, None
            self._updates = [update for update, _ in panels]
            self._moving = [moving for _, moving in panels]
        for update in self._updates:
            update(result)
        return self.figure

    def _draw_order(self) -> list:
        """The moving artists as ``Axes.draw`` would order them: by z-order, then as added."""
        order = []
        for moving in self._moving:
            ax = moving[0].axes
            if moving == [ax]:
                order.append(ax)
            else:
                wanted = {id(a) for a in moving}
                order += sorted((a for a in ax.get_children() if id(a) in wanted), key=lambda a: a.get_zorder())
        return order

    def png(self, result: Result) -> bytes:
        """``result`` as PNG bytes, redrawing only what changes (the same picture as ``png(figure)``)."""
        import matplotlib
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        fig = self.update(result)
        with chart_style():
            if self._background is None:
                canvas = FigureCanvasAgg(fig)
                for artist in self._draw_order():
                    artist.set_animated(True)  # left out of the full drawing, which becomes the background
                canvas.draw()
                self._background = canvas.copy_from_bbox(fig.bbox)
            canvas = fig.canvas
            canvas.restore_region(self._background)
            for artist in self._draw_order():
                fig.draw_artist(artist)
            buffer = io.BytesIO()
            matplotlib.image.imsave(buffer, canvas.buffer_rgba(), format="png", origin="upper", dpi=fig.dpi,
                                    metadata={"Software": f"Matplotlib version{matplotlib.__version__}, https://matplotlib.org/"})
        return buffer.getvalue()


class ResultsFigure(_ReusedFigure):
    """Coverage per band, grade and district (the baseline's rates as black ticks, the district
    floor as a dashed line), money spent buying each item and stock left."""

    def __init__(self, baseline: Result | None = None):
        super().__init__()
        self.baseline = baseline

    def _build(self, result: Result) -> tuple[Figure, list[Panel]]:
        # Fixed margins, not a layout engine: the layout engines measure every label several
        # times, which more than doubles the time to draw.
        fig = Figure(figsize=(12, 8.5), dpi=DPI)
        axes = fig.subplot_mosaic([["band", "grade"], ["district", "money"], ["district", "stock"]],
                                  width_ratios=[1.15, 1], gridspec_kw=RESULTS_GRID)
        if self.baseline is not None:
            fig.text(0.985, 0.995, i18n.t("baseline_marks"), ha="right", va="top", fontsize=9)
        items = list(result.summary["given"])
        return fig, [
            _band_panel(axes["band"], result, self.baseline),
            _grade_panel(axes["grade"], result, self.baseline),
            _district_panel(axes["district"], result, self.baseline),
            _item_panel(axes["money"], items, i18n.t("chart_money_title"), COVERED_COLOUR, _money),
            _item_panel(axes["stock"], items, i18n.t("chart_stock_title"), PUPILS_COLOUR, _stock),
        ]


def results_figure(result: Result, baseline: Result | None = None) -> Figure:
    """Coverage per band, grade and district (with the baseline's rates as black ticks), money
    spent buying each item and stock left (a new figure; the explorer reuses a ``ResultsFigure``)."""
    return ResultsFigure(baseline).update(result)


def _change_panel(ax, labels: list[str], title: str, changes_of: Callable[[Result], list[int]]) -> Panel:
    rows = range(len(labels))
    bars = ax.barh(rows, [0] * len(labels))
    numbers = [ax.text(0, row, "", va="center", fontsize=8) for row in rows]
    ax.axvline(0, color=BASELINE_COLOUR, linewidth=0.8)
    ax.set_yticks(list(rows), labels, fontsize=8)
    ax.invert_yaxis()
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.signed(v)))
    ax.tick_params(axis="x", labelsize=8)
    ax.set_xlabel(i18n.t("axis_delta"), fontsize=8)
    ax.set_title(title, fontsize=10, loc="left")
    _tidy(ax)

    def update(result: Result) -> None:
        changes = changes_of(result)
        span = max((abs(c) for c in changes), default=0) or 1
        for bar, text, change in zip(bars, numbers, changes):
            bar.set_width(change)
            bar.set_facecolor(MORE_COLOUR if change > 0 else FEWER_COLOUR)
            text.set_x(change + (0.02 * span if change >= 0 else -0.02 * span))
            text.set_horizontalalignment("left" if change >= 0 else "right")
            text.set_text(i18n.signed(change))
        ax.set_xlim(-1.3 * span, 1.3 * span)

    return update, [ax]  # its scale follows the changes: redrawn whole


class ComparisonFigure(_ReusedFigure):
    """Learners covered in a result minus the baseline, per band and per district."""

    def __init__(self, baseline: Result):
        super().__init__()
        self.baseline = baseline

    def _changes(self, by: str) -> Callable[[Result], list[int]]:
        return lambda result: _in_order(compare(self.baseline, result, by), by)["change"].tolist()

    def _build(self, result: Result) -> tuple[Figure, list[Panel]]:
        bands, districts = compare(self.baseline, result, "band"), _in_order(compare(self.baseline, result, "district"), "district")
        fig = Figure(figsize=(12, 5), dpi=DPI)
        left, right = fig.subplots(1, 2, width_ratios=[1.1, 1], gridspec_kw=COMPARISON_GRID)
        return fig, [
            _change_panel(left, [f"{b}  {i18n.band_label(b)}" for b in bands["band"]], i18n.t("chart_delta_band_title"),
                          self._changes("band")),
            _change_panel(right, districts["district"].tolist(), i18n.t("chart_delta_district_title"),
                          self._changes("district")),
        ]


def comparison_figure(baseline: Result, other: Result) -> Figure:
    """Learners covered in ``other`` minus the baseline, per band and per district (a new figure)."""
    return ComparisonFigure(baseline).update(other)


def png(fig: Figure, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes, drawn with the chart font (tick labels are made when drawn)."""
    buffer = io.BytesIO()
    with chart_style():
        fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def show(fig: Figure, dpi: int = 80):
    """Show a figure in a notebook as a PNG image (a Figure made without pyplot does not show itself)."""
    from IPython.display import Image, display

    display(Image(data=png(fig, dpi), format="png"))
