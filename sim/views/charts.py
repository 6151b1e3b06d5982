"""Matplotlib views of a solved plan: coverage by band, coverage by district, money and stock.

This is a view of a :class:`sim.Result`; nothing in the core package imports it, so
``import sim`` never loads matplotlib. Every chart takes ``ax=None`` (a new figure is made
when it is None) and returns the Axes it drew on. Words follow ``sim.views.i18n`` (Vietnamese by
default). The font is chosen here, once: ``CHART_FONT``, DejaVu Sans, has every Vietnamese
letter (ă â đ ê ô ơ ư with all five tones); draw inside ``chart_style()`` to use it.
"""

from __future__ import annotations

import unicodedata

import matplotlib
import pandas as pd
from matplotlib.ticker import FuncFormatter

from sim.views import i18n
from sim.results.result import Result
from sim.core.rules import BANDS

CHART_FONT = "DejaVu Sans"  # ships with matplotlib; covers Vietnamese (Latin Extended Additional)
PUPILS_COLOUR = "#c6dbef"
COVERED_COLOUR = "#2171b5"
MONEY_AND_STOCK_COLUMNS = ["item", "given", "bought", "from stock", "stock left", "money spent VND"]


def chart_style():
    """A context in which charts are drawn with ``CHART_FONT``, whatever the user's matplotlib settings."""
    return matplotlib.rc_context({"font.family": CHART_FONT})


def _n(value: float) -> str:
    return i18n.number(value)


def axes_or_new(ax, size: tuple[float, float]):
    """``ax`` if given, else new axes of ``size`` inches in the chart style."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    with chart_style():
        _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def coverage_by_band(result: Result, ax=None):
    """Horizontal bars of pupils and covered learners per priority band, band 1 at the top."""
    with chart_style():
        return _coverage_by_band(result, ax)


def _coverage_by_band(result: Result, ax):
    summary = result.summary
    bands = [str(b) for b in BANDS]
    pupils = [summary["pupils_by_band"][b] for b in bands]
    covered = [summary["covered_by_band"][b] for b in bands]
    labels = [f"{b}  {i18n.band_label(b)}" for b in bands]
    ax = axes_or_new(ax, (9, 0.6 * len(bands) + 1.5))
    rows = range(len(bands))
    ax.barh(rows, pupils, color=PUPILS_COLOUR, label=i18n.t("legend_pupils"))
    ax.barh(rows, covered, height=0.5, color=COVERED_COLOUR, label=i18n.t("legend_covered"))
    top = max(pupils, default=0) or 1
    for row, p, c in zip(rows, pupils, covered):
        rate = i18n.percent(c / p if p else None)
        ax.text(p + 0.01 * top, row, f"{i18n.t('covered_of', covered=_n(c), pupils=_n(p))}  ({rate})", va="center", fontsize=9)
    ax.set_yticks(list(rows), labels)
    ax.invert_yaxis()  # band 1 at the top
    ax.set_xlim(0, top * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _n(x)))
    ax.set_xlabel(i18n.t("axis_learners"))
    ax.set_title(i18n.t("chart_band_title", covered=_n(summary["covered"]), pupils=_n(summary["pupils"])))
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def coverage_by_district(result: Result, ax=None):
    """Horizontal bars of the coverage rate per district, highest at the top, labelled covered / pupils."""
    with chart_style():
        return _coverage_by_district(result, ax)


def _coverage_by_district(result: Result, ax):
    table = result.coverage_by("district")
    table = table.assign(_name=table["district"].map(i18n.sort_key)).sort_values(  # ties in Vietnamese alphabetical order
        ["rate", "_name"], ascending=[False, True], na_position="last").drop(columns="_name")
    names = [unicodedata.normalize("NFC", str(name)) for name in table["district"]]
    rates = table["rate"].fillna(0).tolist()
    ax = axes_or_new(ax, (8, 0.35 * len(table) + 1.5))
    rows = range(len(table))
    ax.barh(rows, rates, color=COVERED_COLOUR)
    for row, rate, c, p in zip(rows, rates, table["covered"], table["pupils"]):
        ax.text(rate + 0.005, row, f"{_n(c)} / {_n(p)}", va="center", fontsize=9, zorder=3,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    total = result.summary["pupils"]
    if total:
        overall = result.summary["covered"] / total
        ax.axvline(overall, color="grey", linestyle="--", linewidth=1, zorder=2)
        ax.text(overall, -0.7, f" {i18n.t('all_districts')} {i18n.percent(overall)}", color="grey", fontsize=9, va="bottom")
    ax.set_yticks(list(rows), names)
    ax.invert_yaxis()
    ax.set_ylim(len(table) - 0.5, -1.2)
    ax.set_xlim(0, max(rates, default=0) * 1.25 or 1)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: i18n.percent(x, 0)))
    ax.set_xlabel(i18n.t("axis_share"))
    ax.set_title(i18n.t("chart_district_title"))
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def money_and_stock(result: Result) -> pd.DataFrame:
    """One row per item: given, bought, from stock, stock left and money spent (VND) on buying it."""
    s = result.summary
    rows = [{"item": item, "given": s["given"][item], "bought": s["bought"][item], "from stock": s["from_stock"][item],
             "stock left": s["stock_left"][item], "money spent VND": s["spent_by_item_vnd"][item]}
            for item in s["given"]]
    return pd.DataFrame(rows, columns=MONEY_AND_STOCK_COLUMNS)


MONEY_AND_STOCK_KEYS = {"item": "item", "given": "given", "bought": "bought", "from stock": "from_stock",
                        "stock left": "stock_left", "money spent VND": "money_spent"}


def money_and_stock_table(result: Result):
    """``money_and_stock`` as a notebook shows it: items and headers in words of the current language,
    numbers grouped as that language writes them (a pandas Styler)."""
    table = money_and_stock(result)
    table["item"] = table["item"].map(i18n.item_label)
    return i18n.table(table, MONEY_AND_STOCK_KEYS)
