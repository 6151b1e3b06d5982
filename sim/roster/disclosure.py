"""Small groups in shareable tables: suppressed or coarsened, so that no row points at a child.

A shareable table names no learner, but a row that describes very few learners can still
re-identify one: in a roster of 3,000, every Covid-19 orphan on the waiting list may be the only
orphan of their school and grade. So, with ``K = 5``:

- per-school counts (``schools.csv``, ``schools.xlsx``): a count of 1 to 4 learners is shown as
  ``"<5"`` (0 and 5 or more are shown as they are);
- the waiting list (``waiting_list.csv``, by pseudonym): a row's school, grade, internet at home,
  status and band, and district are replaced by ``"khác/other"``, in that order, until at least
  ``K`` rows of the list show the same values; a row that would still be alone shows none of them.

The delivery lists in ``delivery/`` are personal and not coarsened.
"""

from __future__ import annotations

import pandas as pd

K = 5  # no shareable row describes fewer learners than this
SMALL = f"<{K}"
OTHER = "khác/other"


def suppress_counts(table: pd.DataFrame, columns: list[str], k: int = K) -> pd.DataFrame:
    """``table`` with every count from 1 to k - 1 in ``columns`` shown as ``"<k"``.

    >>> suppress_counts(pd.DataFrame({"n": [0, 3, 5]}), ["n"])["n"].tolist()
    [0, '<5', 5]
    """
    def shown(value):
        small = not isinstance(value, (str, bool)) and pd.notna(value) and 0 < value < k
        return f"<{k}" if small else value

    out = table.copy()
    for name in columns:
        out[name] = out[name].astype(object).map(shown)
    return out


def coarsen(table: pd.DataFrame, levels: list[list[str]], k: int = K) -> pd.DataFrame:
    """``table`` with the columns of ``levels`` generalised to ``OTHER``, level by level, in the
    rows whose values (over all the columns of ``levels``) fewer than ``k`` rows share.

    A group of k or more rows never loses a value; rows still in a group smaller than ``k`` once
    every level is generalised show ``OTHER`` everywhere.

    >>> t = pd.DataFrame({"school": list("AAAAABBBBC"), "status": ["poor"] * 10})
    >>> coarsen(t, [["school"], ["status"]])["school"].tolist()
    ['A', 'A', 'A', 'A', 'A', 'khác/other', 'khác/other', 'khác/other', 'khác/other', 'khác/other']
    >>> coarsen(t.assign(status=["poor"] * 9 + ["covid_orphan"]), [["school"], ["status"]])["status"].tolist()[4:]
    ['poor', 'khác/other', 'khác/other', 'khác/other', 'khác/other', 'khác/other']
    """
    out = table.copy()
    columns = [c for level in levels for c in level]
    for name in columns:
        out[name] = out[name].astype(object)
    for level in levels:
        sizes = out.groupby(columns, dropna=False, sort=False)[columns[0]].transform("size")
        small = sizes < k
        if not small.any():
            break
        out.loc[small, level] = OTHER
    sizes = out.groupby(columns, dropna=False, sort=False)[columns[0]].transform("size")
    out.loc[sizes < k, columns] = OTHER
    return out
