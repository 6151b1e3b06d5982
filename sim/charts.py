"""Matplotlib views of a solved plan: coverage by band, coverage by district, money and stock.

This is a view of a :class:`sim.Result`; nothing in the core package imports it, so
``import sim`` never loads matplotlib. Every chart takes ``ax=None`` (a new figure is made
when it is None) and returns the Axes it drew on. Text uses matplotlib's default DejaVu Sans,
which has every Vietnamese letter.
"""

from __future__ import annotations

import unicodedata

import pandas as pd
from matplotlib.ticker import FuncFormatter, PercentFormatter

from .results import Result
from .rules import BANDS

PUPILS_COLOUR = "#c6dbef"
COVERED_COLOUR = "#2171b5"
MONEY_AND_STOCK_COLUMNS = ["item", "given", "bought", "from stock", "stock left", "money spent VND"]


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _axes(ax, size: tuple[float, float]):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=size, layout="constrained")
    return ax


def coverage_by_band(result: Result, ax=None):
    """Horizontal bars of pupils and covered learners per priority band, band 1 at the top."""
    summary = result.summary
    bands = [str(b) for b in BANDS]
    pupils = [summary["pupils_by_band"][b] for b in bands]
    covered = [summary["covered_by_band"][b] for b in bands]
    labels = [f"{b}  {summary['band_labels'][b]}" for b in bands]
    ax = _axes(ax, (9, 0.6 * len(bands) + 1.5))
    rows = range(len(bands))
    ax.barh(rows, pupils, color=PUPILS_COLOUR, label="pupils")
    ax.barh(rows, covered, height=0.5, color=COVERED_COLOUR, label="covered")
    top = max(pupils, default=0) or 1
    for row, p, c in zip(rows, pupils, covered):
        rate = f"{c / p:.1%}" if p else "-"
        ax.text(p + 0.01 * top, row, f"{_n(c)} of {_n(p)}  ({rate})", va="center", fontsize=9)
    ax.set_yticks(list(rows), labels)
    ax.invert_yaxis()  # band 1 at the top
    ax.set_xlim(0, top * 1.3)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _: _n(x)))
    ax.set_xlabel("learners")
    ax.set_title(f"Learners covered by priority band: {_n(summary['covered'])} of {_n(summary['pupils'])}")
    ax.legend(loc="lower right", frameon=False)
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def coverage_by_district(result: Result, ax=None):
    """Horizontal bars of the coverage rate per district, highest at the top, labelled covered / pupils."""
    table = result.coverage_by("district").sort_values(["rate", "district"], ascending=[False, True], na_position="last")
    names = [unicodedata.normalize("NFC", str(name)) for name in table["district"]]
    rates = table["rate"].fillna(0).tolist()
    ax = _axes(ax, (8, 0.35 * len(table) + 1.5))
    rows = range(len(table))
    ax.barh(rows, rates, color=COVERED_COLOUR)
    for row, rate, c, p in zip(rows, rates, table["covered"], table["pupils"]):
        ax.text(rate + 0.005, row, f"{_n(c)} / {_n(p)}", va="center", fontsize=9, zorder=3,
                bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
    total = result.summary["pupils"]
    if total:
        overall = result.summary["covered"] / total
        ax.axvline(overall, color="grey", linestyle="--", linewidth=1, zorder=2)
        ax.text(overall, -0.7, f" all districts {overall:.1%}", color="grey", fontsize=9, va="bottom")
    ax.set_yticks(list(rows), names)
    ax.invert_yaxis()
    ax.set_ylim(len(table) - 0.5, -1.2)
    ax.set_xlim(0, max(rates, default=0) * 1.25 or 1)
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("share of eligible learners covered")
    ax.set_title("Coverage by district (covered / pupils)")
    ax.spines[["top", "right"]].set_visible(False)
    return ax


def money_and_stock(result: Result) -> pd.DataFrame:
    """One row per item: given, bought, from stock, stock left and money spent (VND) on buying it."""
    s = result.summary
    rows = [{"item": item, "given": s["given"][item], "bought": s["bought"][item], "from stock": s["from_stock"][item],
             "stock left": s["stock_left"][item], "money spent VND": s["spent_by_item_vnd"][item]}
            for item in s["given"]]
    return pd.DataFrame(rows, columns=MONEY_AND_STOCK_COLUMNS)
