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
from sim.views.charts import chart_style

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


def _axes(ax, size: tuple[float, float]):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    with chart_style():
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def _nfc(name: object) -> str:
    return unicodedata.normalize("NFC", str(name))


def district_table(result: Result) -> pd.DataFrame:
    """District, pupils, covered, rate, lat, lon (areas without learners are left out)."""
    rates = result.coverage_by("district")
    rates = rates[rates["pupils"] > 0].reset_index(drop=True)  # coverage.csv also lists empty input rows
    areas = result.inputs.areas[["name", "lat", "lon"]].rename(columns={"name": "district"})
    return rates.merge(areas, on="district", how="left")


def district_map(result: Result, ax=None, cmap: str = "RdYlGn"):
    """District centres as bubbles sized by eligible learners and coloured by coverage rate."""
    with chart_style():
        return _district_map(result, ax, cmap)


def _district_map(result: Result, ax, cmap: str):
    table = district_table(result)
    placed = table.dropna(subset=["lat", "lon"])
    ax = _axes(ax, (8, 6.5))
    top = max(placed["pupils"].max(), 1) if len(placed) else 1
    low, high = (placed["rate"].min(), placed["rate"].max()) if len(placed) else (0.0, 1.0)
    if high - low < 0.01:  # (nearly) equal rates: a scale one point wide, not a false contrast
        low, high = low - 0.005, high + 0.005
    points = ax.scatter(placed["lon"], placed["lat"], s=60 + 1400 * placed["pupils"] / top, c=placed["rate"],
                        cmap=cmap, vmin=low, vmax=high, edgecolors="black", linewidths=0.6, alpha=0.85, zorder=2)
    for _, row in placed.iterrows():
        ax.annotate(f"{_nfc(row['district'])}\n{i18n.percent(row['rate'])}", (row["lon"], row["lat"]), fontsize=8,
                    ha="center", va="center", xytext=(0, -18 - 14 * (row["pupils"] / top) ** 0.5),
                    textcoords="offset points", zorder=3)
    bar = ax.figure.colorbar(points, ax=ax, shrink=0.7)
    bar.ax.yaxis.set_major_formatter(_percent_axis(1))
    bar.set_label(i18n.t("map_colour_label"))
    missing = len(table) - len(placed)
    ax.set_title(i18n.t("map_title") + (i18n.t("map_missing", count=missing) if missing else ""))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v, 2)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: i18n.number(v, 2)))
    ax.set_xlabel(i18n.t("longitude"))
    ax.set_ylabel(i18n.t("latitude"))
    ax.set_aspect("equal", adjustable="datalim")
    ax.margins(0.12)
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
    ax = _axes(ax, (5.5, 5.5))
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
