"""Matplotlib views of a sweep's table: how learners covered spread over the runs.

Views only (nothing in the core imports this module). Like ``sim.charts``, every chart takes
``ax=None`` and returns its Axes, and words follow ``sim.views.i18n``. Only runs with status ``optimal``
are drawn; the others have no plan.
"""

from __future__ import annotations

import numbers

import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from sim.views import i18n
from sim.views.charts import COVERED_COLOUR, PUPILS_COLOUR, axes_or_new, chart_style
from sim.core.rules import BANDS


def planned(table: pd.DataFrame) -> pd.DataFrame:
    return table[table["status"] == "optimal"]


def coverage_distribution(table: pd.DataFrame, column: str = "covered", ax=None):
    """Histogram of learners covered over the runs, with the median and the middle 90% of runs."""
    with chart_style():
        values = planned(table)[column].astype(float)
        ax = axes_or_new(ax, (8, 4))
        ax.hist(values, bins=min(30, max(5, values.nunique())), color=COVERED_COLOUR, edgecolor="white")
        if len(values):
            low, median, high = values.quantile([0.05, 0.5, 0.95])
            ax.axvspan(low, high, color=PUPILS_COLOUR, alpha=0.4, zorder=0,
                       label=i18n.t("sweep_interval", low=i18n.number(low), high=i18n.number(high)))
            ax.axvline(median, color="black", linewidth=1.5, label=i18n.t("sweep_median", value=i18n.number(median)))
            ax.legend(loc="best", framealpha=0.9, edgecolor="none")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: i18n.number(x)))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(i18n.t("axis_learners"))
        ax.set_ylabel(i18n.t("sweep_axis_runs"))
        ax.set_title(i18n.t("sweep_distribution_title", runs=i18n.number(len(values))))
        ax.spines[["top", "right"]].set_visible(False)
        return ax


def coverage_by_band(table: pd.DataFrame, ax=None):
    """Per priority band, learners covered over the runs: the thin bar spans the middle 90% of runs,
    the thick bar the middle half, the tick is the median."""
    with chart_style():
        rows = planned(table)
        ax = axes_or_new(ax, (9, 0.6 * len(BANDS) + 1.5))
        positions = range(len(BANDS))
        for row, band in zip(positions, BANDS):
            values = rows[f"covered_band_{band}"].astype(float)
            if not len(values):
                continue
            p5, p25, median, p75, p95 = values.quantile([0.05, 0.25, 0.5, 0.75, 0.95])
            ax.barh(row, p95 - p5, left=p5, height=0.15, color=PUPILS_COLOUR)
            ax.barh(row, max(p75 - p25, 0.0), left=p25, height=0.5, color=PUPILS_COLOUR, edgecolor=COVERED_COLOUR)
            ax.plot([median, median], [row - 0.3, row + 0.3], color=COVERED_COLOUR, linewidth=2.5)
            ax.text(p95, row, f"  {i18n.number(median)}", va="center", fontsize=9)
        ax.set_yticks(list(positions), [f"{b}  {i18n.band_label(b)}" for b in BANDS])
        ax.invert_yaxis()  # band 1 at the top
        ax.set_xlim(left=0)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: i18n.number(x)))
        ax.set_xlabel(i18n.t("axis_learners"))
        ax.set_title(i18n.t("sweep_band_title"))
        ax.spines[["top", "right"]].set_visible(False)
        return ax


def coverage_by_setting(table: pd.DataFrame, setting: str, by: str | None = None, ax=None):
    """Median learners covered against one grid setting, one line per value of another (``by``)."""
    with chart_style():
        rows = planned(table)
        ax = axes_or_new(ax, (8, 4))
        groups = rows.groupby(by, sort=True) if by else [(None, rows)]
        for value, group in groups:
            line = group.groupby(setting, sort=True)["covered"].median()
            ax.plot(line.index.astype(float), line.to_numpy(dtype=float), marker="o",
                    label=None if by is None else f"{by} = {_value_text(value)}")
        if by:
            ax.legend(frameon=False)
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: i18n.number(x)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda x, _: i18n.number(x)))
        ax.set_xlabel(setting)
        ax.set_ylabel(i18n.t("axis_learners"))
        ax.set_title(i18n.t("sweep_setting_title", setting=setting))
        ax.spines[["top", "right"]].set_visible(False)
        return ax


def _value_text(value: object) -> str:
    numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return i18n.number(value, 0 if float(value).is_integer() else 2) if numeric else str(value)
