"""Every pool of money and stock in a plan's summary: what it held, what it gave, what is left.

A pool is the general budget and stock (``chung``: usable anywhere) or a reserved pool (earmarks)
for a district, a priority band (``nhóm``), or that band in that district. ``given`` counts the
units a pool supplied: from its stock, or bought with its money (a unit paid by two pools counts
for the one that paid first, the more specific). Over all pools, ``given`` adds up to what the
plan hands out, and ``cash_spent_vnd`` to what it spends.
"""

from __future__ import annotations

from sim.core.inputs import PlanInputs
from sim.core.whole import Accounts
from sim.read.names import ascii_fold


def pool_name(district: str | None, band: int | None) -> str:
    """'chung' for the general pool, else the district, 'nhóm <band>', or 'district, nhóm <band>'.

    >>> pool_name(None, None), pool_name("Đức Huệ", None), pool_name(None, 1), pool_name("Đức Huệ", 2)
    ('chung', 'Đức Huệ', 'nhóm 1', 'Đức Huệ, nhóm 2')
    """
    parts = [district] if district is not None else []
    parts += [f"nhóm {band}"] if band is not None else []
    return ", ".join(parts) or "chung"


def pool_report(inputs: PlanInputs, accounts: Accounts) -> list[dict]:
    """One entry per pool: the general pool first, then the reserved pools sorted by district
    name (without tone marks first, so Đ sorts with D; band-only pools, with no district, first)
    then band."""
    res = inputs.resources
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    pools = res.pools()
    general, reserved = pools[0], pools[1:]
    def key(pool) -> tuple:
        name = names.get(pool.scope[0], "") if pool.scope[0] else ""
        return ascii_fold(name).casefold(), name, pool.scope[1] or 0

    reserved.sort(key=key)
    out = []
    for pool in [general, *reserved]:
        area, band = pool.scope
        acc = accounts.pools[pool.scope]
        spent = acc.cash_spent_vnd
        given = {i: acc.from_stock.get(i, 0) + acc.bought.get(i, 0) for i in res.items}
        out.append({
            "pool": pool_name(names.get(area) if area else None, band),
            "district": names.get(area) if area else None,
            "band": band,
            "cash_vnd": pool.cash,
            "cash_spent_vnd": spent,
            "cash_left_vnd": pool.cash - spent,
            "stock": dict(pool.stock),
            "given": given,
            "stock_left": {i: pool.stock[i] - acc.from_stock.get(i, 0) for i in res.items},
        })
    return out
