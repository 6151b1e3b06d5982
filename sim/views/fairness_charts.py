"""Views of fairness across districts: a map of Long An, a Lorenz curve, the frontier, a widget.

Like ``sim.charts`` these are views: nothing in the core imports them. Each chart takes ``ax=None``
(a new figure when None) and returns what it drew on. The map is a plain scatter of the district
centres from the areas file (``lat``, ``lon``): no map tiles, no geopandas. Words and numbers follow
``sim.views.i18n`` (Vietnamese by default), drawn in ``charts.CHART_FONT``.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
from matplotlib.ticker import FuncFormatter

from sim.results.metrics import gini
from sim.results.result import Result
from sim.views import i18n
from sim.views.charts import axes_or_new, chart_style

RULE_CHOICES = {  # what the explorer offers -> (fairness setting swept by the slider, fixed settings)
    "none (the plan as it is)": (None, {}),
    "district floor": ("district_floor", {}),
    "max-min across districts, band by band": (None, {"rule": "maxmin"}),
    "leximin across districts, band by band": (None, {"rule": "leximin"}),
    "alpha-fair across districts, band by band": ("alpha", {"rule": "alpha"}),
    "cap on the gap between districts": ("max_gap", {}),
}
RULE_LABELS = {  # the choice -> its words in the catalogue
    "none (the plan as it is)": "fair_choice_none",
    "district floor": "fair_choice_floor",
    "max-min across districts, band by band": "fair_choice_maxmin",
    "leximin across districts, band by band": "fair_choice_leximin",
    "alpha-fair across districts, band by band": "fair_choice_alpha",
    "cap on the gap between districts": "fair_choice_gap",
}


def _percent_axis(decimals: int = 0) -> FuncFormatter:
    return FuncFormatter(lambda v, _: i18n.percent(v, decimals))




def _nfc(name: object) -> str:
    return unicodedata.normalize("NFC", str(name))


def district_table(result: Result) -> pd.DataFrame:
    """District, pupils, covered, rate, lat, lon (areas without learners are left out)."""
    rates = result.coverage_by("district")
    rates = rates[rates["pupils"] > 0].reset_index(drop=True)  # coverage.csv also lists empty input rows
    areas = result.inputs.areas[["name", "lat", "lon"]].rename(columns={"name": "district"})
    return rates.merge(areas, on="district", how="left")


def colour_scale(result: Result):
    """The map's colours: 0% to 100% always, so that a few points' difference looks like a few
    points; with a district floor, the colours turn from red to green at the floor."""
    from matplotlib.colors import Normalize, TwoSlopeNorm

    floor = result.scenario.fairness.district_floor if result.scenario.fairness else 0.0
    if 0 < floor < 1:
        return TwoSlopeNorm(vmin=0.0, vcenter=floor, vmax=1.0), floor
    return Normalize(vmin=0.0, vmax=1.0), None


# Where a district's label may go around its bubble, in the order tried (multiples of the bubble's
# radius plus a gap, in points): below, above, right, left, then the corners, then farther out.
_PLACES = [(0, -1), (0, 1), (1, 0), (-1, 0), (1, -1), (-1, -1), (1, 1), (-1, 1)]
_REACHES = (1.0, 1.9, 2.8, 3.8, 5.0)  # beyond the first, a leader line joins label and bubble


def _overlaps(box, boxes, pad: float = 1.0) -> bool:
    return any(box.x0 < b.x1 + pad and b.x0 < box.x1 + pad and box.y0 < b.y1 + pad and b.y0 < box.y1 + pad
               for b in boxes)


def _place_labels(ax, placed: pd.DataFrame, sizes: pd.Series) -> list:
    """One label per district, each where it overlaps no other label and, if it can, no other
    bubble: the first free place of ``_PLACES`` around its bubble, then the same places farther out
    with a leader line. Largest districts first, so they get the nearest places. Deterministic."""
    from matplotlib.transforms import Bbox

    figure = ax.figure
    figure.canvas.draw()  # fixes the limits (equal aspect), so that places can be measured
    renderer = figure.canvas.get_renderer()
    points = figure.dpi / 72
    bubbles = []
    for (_, row), size in zip(placed.iterrows(), sizes):
        x, y = ax.transData.transform((row["lon"], row["lat"]))
        r = (size ** 0.5) / 2 * points
        bubbles.append(Bbox([[x - r * 0.7, y - r * 0.7], [x + r * 0.7, y + r * 0.7]]))  # the circle's core
    inside = ax.bbox

    def label_at(text, xy, radius, reach, dx, dy):
        offset = (dx * (radius * reach + 4), dy * (radius * reach + 4))
        return ax.annotate(text, xy, xytext=offset, textcoords="offset points", fontsize=8, zorder=3,
                           ha={1: "left", -1: "right", 0: "center"}[dx], va={1: "bottom", -1: "top", 0: "center"}[dy],
                           arrowprops=dict(arrowstyle="-", color="0.4", lw=0.6) if reach > 1 else None)

    labels, taken = [], []
    for i in sorted(range(len(placed)), key=lambda k: (-sizes.iloc[k], k)):
        row = placed.iloc[i]
        xy, radius = (row["lon"], row["lat"]), (sizes.iloc[i] ** 0.5) / 2
        text = f"{_nfc(row['district'])}\n{i18n.percent(row['rate'])}"
        others = [b for k, b in enumerate(bubbles) if k != i]
        chosen = None
        # first clear of other labels and bubbles; then clear of other labels (over a bubble's edge)
        for avoid in (taken + others, taken):
            for reach in _REACHES:
                for dx, dy in _PLACES:
                    label = label_at(text, xy, radius, reach, dx, dy)
                    box = label.get_window_extent(renderer)
                    if not _overlaps(box, avoid) and inside.contains(box.x0, box.y0) and inside.contains(box.x1, box.y1):
                        chosen = label
                        break
                    label.remove()
                if chosen is not None:
                    break
            if chosen is not None:
                break
        if chosen is None:  # nowhere free (a crowded map at a small size): below the bubble
            chosen = label_at(text, xy, radius, 1.0, 0, -1)
        taken.append(chosen.get_window_extent(renderer))
        labels.append(chosen)
    return labels


def district_map(result: Result, ax=None, cmap: str = "RdYlGn"):
    """District centres as bubbles sized by eligible learners and coloured by coverage rate, on a
    scale from 0% to 100% (turning at the district floor when there is one); labels never overlap."""
    with chart_style():
        return _district_map(result, ax, cmap)


def _district_map(result: Result, ax, cmap: str):
    table = district_table(result)
    placed = table.dropna(subset=["lat", "lon"]).reset_index(drop=True)
    ax = axes_or_new(ax, (8, 6.5))
    top = max(placed["pupils"].max(), 1) if len(placed) else 1
    norm, floor = colour_scale(result)
    sizes = 60 + 1400 * placed["pupils"] / top
    points = ax.scatter(placed["lon"], placed["lat"], s=sizes, c=placed["rate"],
                        cmap=cmap, norm=norm, edgecolors="black", linewidths=0.6, alpha=0.85, zorder=2)
    bar = ax.figure.colorbar(points, ax=ax, shrink=0.7)
    bar.ax.yaxis.set_major_formatter(_percent_axis(0))
    if floor is not None:  # the floor marked, and the quarters not crowding it
        bar.set_ticks(sorted({floor} | {q for q in (0.0, 0.25, 0.5, 0.75, 1.0) if abs(q - floor) > 0.08}))
        bar.ax.axhline(floor, color="black", linewidth=1.2)
    bar.set_label(i18n.t("map_colour_label"))
    missing = len(table) - len(placed)
    ax.set_title(i18n.t("map_title") + (i18n.t("map_missing", count=missing) if missing else ""))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v, 2)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v, 2)))
    ax.set_xlabel(i18n.t("longitude"))
    ax.set_ylabel(i18n.t("latitude"))
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.12)
    _place_labels(ax, placed, sizes)
    return ax


def lorenz_curve(result: Result, ax=None):
    """Districts ranked by coverage rate: cumulative share of districts against cumulative share of the
    rates. The diagonal is every district at the same rate; the Gini is twice the area between."""
    with chart_style():
        return _lorenz_curve(result, ax)


def _lorenz_curve(result: Result, ax):
    rates = sorted(result.coverage_by("district")["rate"].fillna(0))
    total = sum(rates) or 1.0
    xs, ys, running = [0.0], [0.0], 0.0
    for i, rate in enumerate(rates, start=1):
        running += rate
        xs.append(i / len(rates))
        ys.append(running / total)
    ax = axes_or_new(ax, (5.5, 5.5))
    ax.plot([0, 1], [0, 1], color="grey", linestyle="--", linewidth=1, label=i18n.t("lorenz_equal"))
    ax.plot(xs, ys, marker="o", color="#2171b5", label=i18n.t("lorenz_districts"))
    ax.fill_between(xs, ys, xs, color="#2171b5", alpha=0.12)
    ax.xaxis.set_major_formatter(_percent_axis())
    ax.yaxis.set_major_formatter(_percent_axis())
    ax.set_xlabel(i18n.t("lorenz_x"))
    ax.set_ylabel(i18n.t("lorenz_y"))
    ax.set_title(i18n.t("lorenz_title", gini=i18n.number(gini(rates), 3)))
    ax.legend(loc="upper left", frameon=False)
    return ax


def frontier_chart(table: pd.DataFrame, axes=None):
    """Two panels from ``sim.frontier.frontier``: learners covered against the worst district's rate,
    and against the Gini of district rates; each point labelled with its value, the scenario's starred."""
    with chart_style():
        return _frontier_chart(table, axes)


def _value(value: float) -> str:
    return i18n.number(value, 0 if float(value).is_integer() else len(f"{value:g}".partition(".")[2]))


def _frontier_chart(table: pd.DataFrame, axes):
    if axes is None:
        import matplotlib.pyplot as plt

        _, axes = plt.subplots(1, 2, figsize=(11, 4.5), layout="constrained")
    parameter = table.attrs.get("parameter", "value")
    for ax, column, label in ((axes[0], "min_district_rate", i18n.t("frontier_worst")),
                              (axes[1], "gini", i18n.t("frontier_gini"))):
        ax.plot(table[column], table["covered"], marker="o", color="#2171b5", zorder=2)
        for _, row in table.iterrows():
            text = i18n.t("frontier_off") if pd.isna(row["value"]) else _value(row["value"])
            ax.annotate(text, (row[column], row["covered"]), xytext=(4, 4), textcoords="offset points", fontsize=8)
        chosen = table[table["chosen"]]
        if len(chosen):
            ax.scatter(chosen[column], chosen["covered"], marker="*", s=260, color="#d62728", zorder=3,
                       label=i18n.t("frontier_chosen"))
            ax.legend(loc="best", frameon=False)
        ax.set_xlabel(label)
        ax.set_ylabel(i18n.t("frontier_covered"))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v)))
        if column == "min_district_rate":
            ax.xaxis.set_major_formatter(_percent_axis())
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v, 3)))
        ax.spines[["top", "right"]].set_visible(False)
    axes[0].set_title(i18n.t("frontier_title", parameter=parameter))
    axes[1].set_title(i18n.t("frontier_title_gini"))
    return axes


def fairness_settings(choice: str, value: float) -> dict:
    """The scenario's ``fairness`` section for one of ``RULE_CHOICES`` and the slider's value."""
    parameter, fixed = RULE_CHOICES[choice]
    return {**fixed, **({parameter: value} if parameter else {})}


def show_fairness(scenario, choice: str, value: float) -> Result:
    """Solve with the chosen rule and show its summary lines, the map and the Lorenz curve."""
    import matplotlib.pyplot as plt

    from sim.core.pipeline import solve
    from sim.views.text import fairness_text

    result = solve(scenario.with_changes(fairness=fairness_settings(choice, value)), compare=False)
    summary = result.summary
    print(i18n.t(RULE_LABELS[choice]) + (f" = {_value(value)}" if RULE_CHOICES[choice][0] else "") + ": "
          + ", ".join(i18n.t("fair_band_line", band=b, covered=i18n.number(summary["covered_by_band"][b]))
                      for b in summary["covered_by_band"]))
    print("\n".join(fairness_text(summary["fairness"])))
    with chart_style():
        fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.5), layout="constrained", width_ratios=[1.4, 1])
        district_map(result, ax=left)
        lorenz_curve(result, ax=right)
        plt.show()
    return result


def fairness_explorer(scenario):
    """A dropdown for the rule and a slider for its setting; the plan is solved again on each change."""
    import ipywidgets as widgets

    choice = widgets.Dropdown(options=[(i18n.t(RULE_LABELS[c]), c) for c in RULE_CHOICES], value="district floor",
                              description=i18n.t("fair_rule"))
    value = widgets.FloatSlider(value=0.3, min=0.0, max=1.0, step=0.05, description=i18n.t("fair_setting"),
                                continuous_update=False, readout_format=".2f")

    def adjust(change) -> None:  # the slider's range follows the rule
        parameter = RULE_CHOICES[change["new"]][0]
        value.max = 5.0 if parameter == "alpha" else 1.0
        value.disabled = parameter is None

    choice.observe(adjust, names="value")
    out = widgets.interactive_output(lambda choice, value: show_fairness(scenario, choice, value),
                                     {"choice": choice, "value": value})
    return widgets.VBox([widgets.HBox([choice, value]), out])
