"""From the fractional LP plan to whole devices and packages, without breaking budget or stock.

1. Round every x[c,d] down. 2. Count what that costs, in whole units and VND, pool by pool
(``account``); if rounding noise still broke a limit, take units back from the lowest priority.
Units are counted per segment (area, or (area, band) when some reserved pool is for a band,
``inputs.segment_key``); a segment draws only on the pools whose scope covers it.
3. Hand out what rounding freed one unit at a time in priority order: band by band, and inside a
band to the cell with the lowest coverage rate (``equal_rate``) or the cheapest cell
(``max_count``), as long as ``account`` finds the plan payable. A cell that cannot take one more
unit never can later (units only ever use up resources), so each cell is tried until it fails.
All choices are by fixed orders, so the same inputs give the same plan.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass, field

import pulp


from sim.read.errors import Problem, ScenarioError
from sim.core.inputs import DATA_PACKAGE, GENERAL, PlanInputs, Pool, Resources, Scope, segments_of
from sim.core.priority import LpSolution
from sim.core.solvers import plain_highs
from sim.read.scenario import Mode, WithinBand

ROUNDING_NOISE = 1e-6
REMEMBER_FAILED_TRIALS = True  # the hand-out's memo of failed trials (off only to test it changes nothing)
FREE = "*"  # the key of areas with no reserved pool of their own (``exact_account``)
Targets = list[tuple[tuple[int, ...], int]]  # (cells, learners they must reach)


@dataclass
class AreaAccount:
    """Where one area's devices and packages come from, in whole units and VND."""

    used: dict[str, int]
    from_earmark: dict[str, int] = field(default_factory=dict)
    from_stock: dict[str, int] = field(default_factory=dict)
    bought: dict[str, int] = field(default_factory=dict)
    spend_vnd: int = 0
    earmark_cash_vnd: int = 0  # from the area's own earmark (no band)
    general_cash_vnd: int = 0
    from_reserved: dict[str, int] = field(default_factory=dict)  # stock of pools for a band
    reserved_cash_vnd: int = 0  # money of pools for a band


@dataclass
class PoolAccount:
    """What one pool gave: units from its stock, units bought with its money, the money spent.
    A unit paid partly by two pools counts as bought by the one that paid first (more specific)."""

    scope: Scope
    cash_spent_vnd: int = 0
    from_stock: dict[str, int] = field(default_factory=dict)
    bought: dict[str, int] = field(default_factory=dict)


@dataclass
class Accounts:
    areas: dict[str, AreaAccount]
    general_cash_vnd: int
    stock_used: dict[str, int]  # general stock
    payable: bool
    pools: dict[Scope, PoolAccount] = field(default_factory=dict)  # every pool of the resources


def _dear_first(res: Resources) -> list[str]:
    return sorted(res.items, key=lambda i: (-res.price[i], i))


def beyond_earmark(used: dict[str, int], area: str, res: Resources) -> dict[str, int]:
    """Units of each item an area uses beyond its earmarked stock (earmarked stock goes first)."""
    kept = res.earmarked_stock.get(area, {})
    return {i: used.get(i, 0) - min(used.get(i, 0), kept.get(i, 0)) for i in res.items}


def _attribute(bought: dict[str, int], payers: list[tuple[Scope, int]], res: Resources,
               pools: dict[Scope, PoolAccount]) -> None:
    """Credit bought units to the pools that paid ``payers`` (scope, VND), in that order: units
    are paid dearest first, and each unit goes to the pool that pays its first VND (the general
    pool takes whatever the payers do not cover)."""
    paid, spent = 0, 0
    queue = [(scope, vnd) for scope, vnd in payers if vnd > 0]
    for item in _dear_first(res):
        left, price = bought.get(item, 0), res.price[item]
        while left > 0:  # as unit by unit, in runs: the units whose first VND the same pool pays
            while queue and spent >= paid + queue[0][1]:
                paid += queue.pop(0)[1]
            scope = queue[0][0] if queue else GENERAL
            run = min(left, -(-(paid + queue[0][1] - spent) // price)) if queue and price > 0 else left
            pools[scope].bought[item] = pools[scope].bought.get(item, 0) + run
            spent += price * run
            left -= run


def _pool_accounts(res: Resources) -> dict[Scope, PoolAccount]:
    return {pool.scope: PoolAccount(pool.scope, 0, {i: 0 for i in res.items}, {i: 0 for i in res.items})
            for pool in res.pools()}


def account(used: dict, res: Resources) -> Accounts:
    """Pay for ``used[segment][item]`` units (segments: areas, or (area, band) with band pools;
    see ``inputs.segment_key``). Without band pools: earmarked stock, then general stock, then
    purchases paid from the area's earmarked cash and then the general budget (below). With band
    pools: ``account_banded``.

    General stock goes first to areas with no earmarked cash (each unit saves its full price of
    general money), then to earmarked areas whose spending exceeds their earmark, largest excess
    first, and what is still left to earmarked areas, so donated stock is used before any money;
    dearer items are placed first. ``payable`` is whether the general budget suffices.
    """
    if res.banded:
        found = account_banded(used, res)
    else:
        found = _account_by_area(used, res)
    if found.payable or not res.reserved():
        return found
    return exact_account(used, res) or found


def exact_account(used: dict, res: Resources) -> Accounts | None:
    """``account`` when the greedy sharing of stock and money between pools found no way to pay
    (it can miss one, e.g. general stock given to a district whose earmark could have bought its
    devices): the least general money over every way to draw whole units of stock from the pools
    covering each segment, then the least money spent; the money is then shared among the pools
    by a transportation LP (whole data, so its vertex is whole). None when no way is payable.

    Segments of areas with no reserved pool of their own are drawn for together (one per band
    with band pools): only the pools' totals bind them, so their sum is what the MILP needs
    (as in ``groups``); the units drawn are then handed to them in segment order, each up to what
    it uses."""
    items = _dear_first(res)
    pools = res.pools()
    segments = sorted(used)
    alike = _alike(segments, res)
    demand: dict = {}
    for s in segments:
        mine = demand.setdefault(alike[s], {i: 0 for i in items})
        for i in items:
            mine[i] += used[s].get(i, 0)
    keys = sorted(demand)
    where = {s: (s if isinstance(s, tuple) else (s, None)) for s in [*segments, *keys]}
    covering = {s: [k for k, p in enumerate(pools) if p.covers(*where[s])] for s in where}
    problem = pulp.LpProblem("account", pulp.LpMinimize)
    draw, pay = {}, {}
    for s in keys:
        for k in covering[s]:
            for item in items:
                top = min(demand[s][item], pools[k].stock.get(item, 0))
                if top > 0:
                    draw[k, s, item] = problem.add_variable(f"d_{k}_{len(draw)}", 0, top, cat="Integer")
            if k == 0 or pools[k].cash > 0:
                pay[k, s] = problem.add_variable(f"p_{k}_{len(pay)}", 0)
    spend = {}
    for s in keys:
        for item in items:
            took = [draw[k, s, item] for k in covering[s] if (k, s, item) in draw]
            if took:
                problem += pulp.lpSum(took) <= demand[s][item]
        spend[s] = pulp.lpSum(res.price[i] * (demand[s][i] - pulp.lpSum(draw[k, s, i] for k in covering[s]
                                                                          if (k, s, i) in draw)) for i in items)
        problem += spend[s] <= pulp.lpSum(pay[k, s] for k in covering[s] if (k, s) in pay)
    for k, pool in enumerate(pools):
        for item in items:
            took = [v for (kk, _s, i), v in draw.items() if kk == k and i == item]
            if took:
                problem += pulp.lpSum(took) <= pool.stock[item]
        if k:
            paid = [v for (kk, _s), v in pay.items() if kk == k]
            if paid:
                problem += pulp.lpSum(paid) <= pool.cash
    general = pulp.lpSum(v for (k, _s), v in pay.items() if k == 0)
    solver = plain_highs(random_seed=0, mip_rel_gap=0.0)
    problem.setObjective(general)
    problem.solve(solver)
    if problem.status != pulp.LpStatusOptimal or (pulp.value(general) or 0.0) > res.cash + 0.5:
        return None
    problem += general <= res.cash
    problem.setObjective(pulp.lpSum(spend.values()))
    problem.solve(solver)
    if problem.status != pulp.LpStatusOptimal:
        return None
    remaining = {s: {i: used[s].get(i, 0) for i in items} for s in segments}
    taken: dict = {s: {} for s in segments}
    members: dict = {}
    for s in segments:
        members.setdefault(alike[s], []).append(s)
    for (k, key, item), var in draw.items():
        n = int(round(var.varValue or 0.0))
        for s in members[key]:
            take = min(n, remaining[s][item])
            if take:
                remaining[s][item] -= take
                got = taken[s].setdefault(pools[k].scope, {})
                got[item] = got.get(item, 0) + take
                n -= take
    owed = {s: sum(res.price[i] * n for i, n in remaining[s].items()) for s in segments}
    share = pulp.LpProblem("share", pulp.LpMinimize)  # reserved money to the segments, most of it used
    flow = {(k, s): share.add_variable(f"f_{k}_{j}", 0) for j, s in enumerate(segments) for k in covering[s]
            if k and pools[k].cash > 0 and owed[s] > 0}
    for s in segments:
        mine = [v for (k, ss), v in flow.items() if ss == s]
        if mine:
            share += pulp.lpSum(mine) <= owed[s]
    for k, pool in enumerate(pools):
        mine = [v for (kk, _s), v in flow.items() if kk == k]
        if mine:
            share += pulp.lpSum(mine) <= pool.cash
    share.setObjective(-pulp.lpSum(flow.values()))
    if flow:
        share.solve(plain_highs())
    payers: dict = {s: [] for s in segments}
    left = {pool.scope: pool.cash for pool in pools}
    for s in segments:
        due = owed[s]
        for k in sorted(covering[s], key=lambda k: pools[k].level):
            if k == 0 or (k, s) not in flow:
                continue
            vnd = min(int(round(flow[k, s].varValue or 0.0)), due, left[pools[k].scope])
            if vnd > 0:
                payers[s].append((pools[k].scope, vnd))
                left[pools[k].scope] -= vnd
                due -= vnd
        if due > 0:
            payers[s].append((GENERAL, due))
    return _accounts_from(used, remaining, taken, payers, res)


def _alike(segments: list, res: Resources) -> dict:
    """Segment -> the key it is drawn for under in ``exact_account``: ``FREE`` (or (``FREE``, band)) for
    the segments of areas with no reserved pool of their own, else the segment itself."""
    own = {*res.earmarked_cash, *res.earmarked_stock, *(a for a, _b in res.band_cash), *(a for a, _b in res.band_stock)}
    out = {}
    for s in segments:
        area = s[0] if isinstance(s, tuple) else s
        free = FREE if area not in own else None
        out[s] = s if free is None else ((free, s[1]) if isinstance(s, tuple) else free)
    return out


def _account_by_area(used: dict, res: Resources) -> Accounts:
    items = _dear_first(res)
    accounts: dict[str, AreaAccount] = {}
    remaining: dict[str, dict[str, int]] = {}
    for area in sorted(used):
        acc = AreaAccount(dict(used[area]))
        remaining[area] = beyond_earmark(used[area], area, res)
        acc.from_earmark = {i: used[area].get(i, 0) - remaining[area][i] for i in items}
        acc.from_stock = {i: 0 for i in items}
        accounts[area] = acc
    stock = dict(res.stock)
    for item in items:  # areas without earmarked cash, in a fixed order
        for area in accounts:
            if res.earmarked_cash.get(area, 0) == 0:
                take = min(remaining[area][item], stock[item])
                accounts[area].from_stock[item] += take
                stock[item] -= take
    earmarked = {a: accounts[a] for a in accounts if res.earmarked_cash.get(a, 0) > 0}
    _stock_to_earmarked(earmarked, remaining, stock, res)
    general = 0
    for area, acc in accounts.items():
        acc.bought = {i: remaining[area][i] - acc.from_stock[i] for i in items}
        acc.spend_vnd = sum(res.price[i] * acc.bought[i] for i in items)
        acc.earmark_cash_vnd = min(acc.spend_vnd, res.earmarked_cash.get(area, 0))
        acc.general_cash_vnd = acc.spend_vnd - acc.earmark_cash_vnd
        general += acc.general_cash_vnd
    stock_used = {i: res.stock[i] - stock[i] for i in items}
    pools = _pool_accounts(res)
    pools[GENERAL].from_stock = dict(stock_used)
    pools[GENERAL].cash_spent_vnd = general
    for area, acc in accounts.items():
        mine = pools.get((area, None))
        if mine is not None:
            mine.cash_spent_vnd += acc.earmark_cash_vnd
            for i in items:
                mine.from_stock[i] += acc.from_earmark[i]
        _attribute(acc.bought, [((area, None), acc.earmark_cash_vnd)] if mine else [], res, pools)
    return Accounts(accounts, general, stock_used, general <= res.cash, pools)


def account_banded(used: dict[tuple[str, int], dict[str, int]], res: Resources) -> Accounts:
    """Pay for ``used[(area, band)][item]`` units from the pools whose scope covers the segment,
    the most specific first: area and band, then area, then band, then general.

    Stock first (donated stock before any money): level by level, dearer items first, each pool
    hands its units to the segments it covers, segments with no reserved money first (a unit of
    stock there saves general money), then those with the least money reserved for them alone (a
    district's band: such money can pay for nothing else), then in segment order. Then the purchases left, level by
    level: each pool pays what the segments it covers still owe, first those that later reserved
    pools (more general, not the general pool) can help least, then in segment order. The general
    pool pays whatever is left; ``payable`` is whether that is within the budget. No reserved pool
    ever gives more than it has."""
    items = _dear_first(res)
    pools = res.pools()
    stock = {p.scope: dict(p.stock) for p in pools}
    cash = {p.scope: p.cash for p in pools}
    segments = sorted(used)
    covering = {s: [p for p in sorted(pools, key=lambda p: p.level) if p.covers(*s)] for s in segments}
    remaining = {s: {i: used[s].get(i, 0) for i in items} for s in segments}
    taken = {s: {} for s in segments}  # segment -> scope -> item -> units from that pool's stock
    reserved_cash = {s: sum(p.cash for p in covering[s] if p.level < 3) for s in segments}
    # money that can pay for this segment only (a district's band): stock given there frees nothing else
    own_cash = {s: sum(p.cash for p in covering[s] if p.level == 0) for s in segments}
    by_level = sorted(pools, key=lambda p: (p.level, p.scope[0] or "", p.scope[1] or 0))
    for pool in by_level:
        mine = sorted((s for s in segments if pool.covers(*s)), key=lambda s: (reserved_cash[s] > 0, own_cash[s], s))
        for item in items:
            for s in mine:
                take = min(remaining[s][item], stock[pool.scope][item])
                if take:
                    stock[pool.scope][item] -= take
                    remaining[s][item] -= take
                    got = taken[s].setdefault(pool.scope, {})
                    got[item] = got.get(item, 0) + take
    owed = {s: sum(res.price[i] * n for i, n in remaining[s].items()) for s in segments}
    payers: dict = {s: [] for s in segments}
    for pool in by_level:
        mine = [s for s in segments if pool.covers(*s)]
        if pool.level < 3:
            later = {s: sum(cash[p.scope] for p in covering[s] if pool.level < p.level < 3) for s in mine}
            mine.sort(key=lambda s: (later[s], s))
        for s in mine:
            pay = owed[s] if pool.level == 3 else min(owed[s], cash[pool.scope])
            if pay:
                cash[pool.scope] -= pay
                owed[s] -= pay
                payers[s].append((pool.scope, pay))
    return _accounts_from(used, remaining, taken, payers, res)


def _accounts_from(used: dict, remaining: dict, taken: dict, payers: dict, res: Resources) -> Accounts:
    """Accounts of segments that took ``taken[s][scope][item]`` units of stock, bought ``remaining[s]``
    and were paid ``payers[s]`` = [(scope, VND)], the general pool (if any) last."""
    items = _dear_first(res)
    accounts: dict[str, AreaAccount] = {}
    out = _pool_accounts(res)
    for s in sorted(used):
        area = s[0] if isinstance(s, tuple) else s
        acc = accounts.setdefault(area, AreaAccount({i: 0 for i in items}, {i: 0 for i in items}, {i: 0 for i in items},
                                                    {i: 0 for i in items}, from_reserved={i: 0 for i in items}))
        for i in items:
            acc.used[i] += used[s].get(i, 0)
            acc.bought[i] += remaining[s][i]
        for scope, got in taken[s].items():
            into = acc.from_stock if scope == GENERAL else acc.from_earmark if scope[1] is None else acc.from_reserved
            for i, n in got.items():
                into[i] += n
                out[scope].from_stock[i] += n
        for scope, vnd in payers[s]:
            out[scope].cash_spent_vnd += vnd
            acc.spend_vnd += vnd
            if scope == GENERAL:
                acc.general_cash_vnd += vnd
            elif scope[1] is None:
                acc.earmark_cash_vnd += vnd
            else:
                acc.reserved_cash_vnd += vnd
        _attribute(remaining[s], [(scope, vnd) for scope, vnd in payers[s] if scope != GENERAL], res, out)
    general = out[GENERAL].cash_spent_vnd
    return Accounts(accounts, general, dict(out[GENERAL].from_stock), general <= res.cash, out)


def spent_vnd(accounts: Accounts) -> int:
    """The money a plan spends on purchases, every pool's together (VND): what the model's least-spend
    objective counts for its units."""
    return sum(area.spend_vnd for area in accounts.areas.values())


def accounts_of(units: dict[tuple[int, str], int], inputs: PlanInputs) -> Accounts:
    """``account`` of whole devices per (cell, device), each offline cell's unit with a package."""
    res = inputs.resources
    segment, offline = segments_of(inputs), list(inputs.cells["offline"])
    used = {s: {i: 0 for i in res.items} for s in sorted(set(segment))}
    for (c, d), n in units.items():
        used[segment[c]][d] += n
        if offline[c]:
            used[segment[c]][DATA_PACKAGE] += n
    return account(used, res)


def _stock_to_earmarked(accounts: dict[str, AreaAccount], remaining: dict[str, dict[str, int]],
                        stock: dict[str, int], res: Resources) -> None:
    """Share the general stock left by the other areas among the areas with earmarked cash."""
    items = _dear_first(res)

    def excess(area: str) -> int:
        spend = sum(res.price[i] * (remaining[area][i] - accounts[area].from_stock[i]) for i in items)
        return spend - res.earmarked_cash.get(area, 0)

    for item in items:
        for area in sorted(accounts, key=lambda a: (-excess(a), a)):
            over = excess(area)
            if over <= 0 or stock[item] == 0:
                continue
            units = math.ceil(over / res.price[item]) if res.price[item] else remaining[area][item]
            take = min(remaining[area][item] - accounts[area].from_stock[item], stock[item], units)
            accounts[area].from_stock[item] += take
            stock[item] -= take
        for area in sorted(accounts):  # donated stock before anyone's money, earmarked money too
            take = min(remaining[area][item] - accounts[area].from_stock[item], stock[item])
            accounts[area].from_stock[item] += take
            stock[item] -= take


def general_cash_needed(plain_beyond: dict[str, int], earmarked_used: dict[str, dict[str, int]],
                        res: Resources) -> tuple[int, dict[str, int], int]:
    """The general money ``account`` would find, the general stock and earmarked cash it would leave, from
    totals: areas without earmarked cash take general stock before anyone else, so together they
    buy max(0, sum_a r[a,i] - S[i]) of item i whichever area takes which unit; only the few areas
    with earmarked cash need counting one by one. ``plain_beyond[i]``: sum over areas without
    earmarked cash of their units beyond earmarked stock; ``earmarked_used[area]``: what each
    area with earmarked cash uses."""
    stock = dict(res.stock)
    general = 0
    for item, units in plain_beyond.items():
        take = min(units, stock[item])
        stock[item] -= take
        general += res.price[item] * (units - take)
    remaining = {a: beyond_earmark(used, a, res) for a, used in earmarked_used.items()}
    if remaining and any(stock.values()):
        accounts = {a: AreaAccount(dict(used), from_stock={i: 0 for i in res.items}) for a, used in earmarked_used.items()}
        _stock_to_earmarked(accounts, remaining, stock, res)
        for area, acc in accounts.items():
            for item, taken in acc.from_stock.items():
                remaining[area][item] -= taken
    left = 0
    for area, units in remaining.items():
        spend = sum(res.price[i] * n for i, n in units.items())
        general += max(0, spend - res.earmarked_cash[area])
        left += max(0, res.earmarked_cash[area] - spend)
    return general, stock, left


@dataclass
class WholePlan:
    units: dict[tuple[int, str], int]  # (cell, device) -> whole devices (each with a package if offline)
    covered: list[int]  # per cell
    accounts: Accounts


class _Money:
    """The general money a plan needs, as ``account`` counts it, kept up to date one unit at a
    time so that the hand-out rarely needs a full recount.

    Exact without a recount: units bought at full price when no general stock is left to anyone
    (+price each), and units of general stock taken or given back while some is left over after
    every area (no money moves). Otherwise the figure is recounted when asked, except that a
    change which must buy ``k`` more units than the spare stock covers needs at least their price
    beyond what the earmarks have left: when even that is over the budget, the answer is no.
    """

    def __init__(self, res: Resources, areas: list[str]):
        self.res = res
        self.plain_beyond = {i: 0 for i in res.items}  # see general_cash_needed
        self.earmarked_used: dict[str, dict[str, int]] = {a: {i: 0 for i in res.items}
                                                          for a in areas if res.earmarked_cash.get(a, 0) > 0}
        self.exact = False
        self.general = 0  # general money needed: exact when ``exact``, else as last counted
        self.spare: dict[str, int] = {}  # general stock no area uses, as last counted
        self.earmarks_left = 0  # earmarked cash no area uses, as last counted
        self.extra: int | None = None  # since the last count: the least price of units that must be bought

    def use(self, area: str, item: str, used_before: int, delta: int) -> None:
        kept = self.res.earmarked_stock.get(area, {}).get(item, 0)
        more = max(0, used_before + delta - kept) - max(0, used_before - kept)  # beyond earmarked stock
        if area in self.earmarked_used:
            self.earmarked_used[area][item] += delta
            self._unknown(item, more)
            return
        before = self.plain_beyond[item]
        after = self.plain_beyond[item] = before + more
        stock = self.res.stock[item]
        if more == 0 or not self.exact:
            self._unknown(item, more) if more else None
        elif before >= stock and after >= stock:
            self.general += self.res.price[item] * more
        elif before <= stock and after <= stock and self.spare[item] - more >= 0 and (more > 0 or self.spare[item] > 0):
            self.spare[item] -= more
        else:
            self.exact = False
            self.extra = 0
            self._unknown(item, more)

    def _unknown(self, item: str, more: int) -> None:
        if self.exact:
            self.exact, self.extra = False, 0
        if self.extra is None or more < 0:
            self.extra = None
        elif more > 0:
            self.extra += self.res.price[item] * max(0, more - self.spare[item])
            self.spare[item] = max(0, self.spare[item] - more)

    def payable(self) -> bool:
        if not self.exact:
            if self.extra is not None and self.general + self.extra - self.earmarks_left > self.res.cash:
                return False
            self.general, self.spare, self.earmarks_left = general_cash_needed(self.plain_beyond, self.earmarked_used, self.res)
            self.exact, self.extra = True, 0
        return self.general <= self.res.cash

    def snapshot(self) -> tuple:
        return self.exact, self.general, dict(self.spare), self.earmarks_left, self.extra

    def restore(self, saved: tuple) -> None:
        """Back to a snapshot, once the units changed since have been taken back."""
        self.exact, self.general, spare, self.earmarks_left, self.extra = saved
        self.spare = dict(spare)


class _Recount:
    """With band pools: whether the plan is payable, by a full ``account`` when asked after a change."""

    exact = False

    def __init__(self, res: Resources, used: dict):
        self.res, self.used = res, used
        self.known: bool | None = True  # payable as last counted; None after a change

    def use(self, segment, item: str, used_before: int, delta: int) -> None:
        self.known = None

    def payable(self) -> bool:
        if self.known is None:  # the greedy account: a unit it cannot place is left to the exact MILPs
            self.known = account_banded(self.used, self.res).payable
        return self.known

    def snapshot(self) -> bool | None:
        return self.known

    def restore(self, saved: bool | None) -> None:
        self.known = saved


class _Ledger:
    """Units per cell and their use of each segment's items (see ``account``), one unit at a time."""

    def __init__(self, inputs: PlanInputs):
        self.inputs = inputs
        cells = inputs.cells
        self.area, self.offline = list(cells["area"]), list(cells["offline"])
        self.segment = segments_of(inputs)
        self.units: dict[tuple[int, str], int] = {}
        self.covered = [0] * len(cells)
        self.used = {s: {i: 0 for i in inputs.resources.items} for s in sorted(set(self.segment))}
        res = inputs.resources
        self.money = _Recount(res, self.used) if res.banded else _Money(res, list(self.used))
        self.version = 0  # changes so far: equal versions mean equal units, use and money (see ``try_add``)

    def change(self, c: int, device: str, delta: int) -> None:
        self.version += 1
        self.units[c, device] = self.units.get((c, device), 0) + delta
        self.covered[c] += delta
        self._use(self.segment[c], device, delta)
        if self.offline[c]:
            self._use(self.segment[c], DATA_PACKAGE, delta)

    def _use(self, segment, item: str, delta: int) -> None:
        self.money.use(segment, item, self.used[segment][item], delta)
        self.used[segment][item] += delta

    def payable(self) -> bool:
        """Whether the general budget pays for the plan as it stands (as ``account`` would say)."""
        return self.money.payable()

    def accounts(self) -> Accounts:
        return account(self.used, self.inputs.resources)


def _priority(inputs: PlanInputs) -> list[int]:
    """Bands in the order they are served."""
    weights = inputs.scenario.policy.weights
    if inputs.scenario.policy.mode is Mode.weighted:
        return sorted(weights, key=lambda b: (-weights[b], b))
    return sorted(weights)


def _preferences(inputs: PlanInputs, lp: LpSolution, c: int, short: Callable[[str], bool] | None = None) -> list[str]:
    """Devices for one more unit in cell c: with a previous plan, those its district has fewer of
    than that plan first (``short``); then those the LP gave most; then the cheapest."""
    price = inputs.resources.price
    fits = [d for d in inputs.devices if inputs.suits[d][c]]
    return sorted(fits, key=lambda d: (short is not None and not short(d), -(lp.given.get((c, d), 0.0) % 1.0),
                                       price[d], d))


def round_to_whole(inputs: PlanInputs, lp: LpSolution, floors: Targets | None = None,
                   shares: Targets | None = None, kept: dict[tuple[int, str], int] | None = None,
                   previous: dict[tuple[str, str], int] | None = None) -> WholePlan:
    """Whole devices for the LP plan. For the fairness rules (sim/fairness.py): ``floors`` are groups
    of cells brought to at least so many covered learners before anything else is handed out;
    ``shares`` are groups (districts) brought back towards what the LP gave them band by band, before
    each band's hand-out. Both go one unit at a time to the group furthest below its target, to a
    cell whose LP share was rounded away (earliest band, lowest rate first).
    ``kept``: whole devices per (cell, device) the plan must keep (devices already delivered).
    ``previous``: devices per (area, device) of the plan in force; ties are broken towards it."""
    kept = kept or {}
    ledger = _Ledger(inputs)
    cells = inputs.cells
    pupils, bands = list(cells["pupils"]), list(cells["band"])
    order = _priority(inputs)
    rank = {b: i for i, b in enumerate(order)}

    def round_down(band: int | None) -> None:
        """The LP's units rounded down (and the kept ones), in the cells of ``band`` (None: all); then,
        should rounding noise leave the plan a few VND over, units given back from the lowest priority."""
        for (c, d), value in sorted(lp.given.items()):
            if band is None or bands[c] == band:
                whole = max(math.floor(value + ROUNDING_NOISE), kept.get((c, d), 0)) - ledger.units.get((c, d), 0)
                whole = min(whole, pupils[c] - ledger.covered[c])  # kept devices may sit where the LP put others
                if whole > 0:
                    ledger.change(c, d, whole)
        while not ledger.payable():
            found = max(((c, d) for (c, d), n in ledger.units.items() if n > kept.get((c, d), 0)
                         and (band is None or bands[c] == band)),
                        key=lambda cd: (rank[bands[cd[0]]], inputs.resources.price[cd[1]], cd[0]), default=None)
            if found is None:  # only delivered devices are left, and they cost more than there is
                raise ScenarioError([Problem("deliveries", "the devices already delivered cost more than the money and stock on hand",
                                             expected="deliveries the scenario and the donations counted can pay for")])
            ledger.change(*found, -1)

    for (c, d), n in sorted(kept.items()):  # devices already delivered
        if n > 0:
            ledger.change(c, d, n)
    # With fairness floors, they are met across bands first, from the LP's units.
    # Otherwise a band's units are rounded down only when its turn comes, so that what rounding
    # freed goes to the earlier bands before any later band holds it.
    by_band = not floors
    if not by_band:
        round_down(None)

    equal_rate = inputs.scenario.policy.within_band is WithinBand.equal_rate and inputs.scenario.policy.mode is Mode.strict
    price = inputs.resources.price
    package = price[DATA_PACKAGE]

    def key(c: int) -> tuple:
        left_in_lp = lp.covered[c] - ledger.covered[c]
        if equal_rate:  # lowest rate first; at equal rates the larger share the LP gave, then the fixed order
            # (shares are compared to 6 decimals: solver noise must not decide a tie)
            return (ledger.covered[c] / pupils[c], -round(left_in_lp, 6), c)
        left_in_lp = left_in_lp > ROUNDING_NOISE
        cheapest = min((price[d] for d in inputs.devices if inputs.suits[d][c]), default=0)
        return (not left_in_lp, cheapest + (package if ledger.offline[c] else 0), c)

    def short_of_previous(c: int) -> Callable[[str], bool] | None:
        if previous is None:
            return None
        area = ledger.area[c]
        return lambda d: sum(n for (cc, dd), n in ledger.units.items() if dd == d and ledger.area[cc] == area) \
            < previous.get((area, d), 0)

    failed: dict[tuple, int] = {}  # (segment, device, offline) -> ledger version at which one more unit failed

    def try_add(c: int) -> bool:
        """Give cell c one more unit if the money and stock left allow it. Whether a unit is payable
        depends only on the segment it is used in, the device and the package, and the plan as it
        stands: a trial that failed is not repeated until the plan has changed (``failed``)."""
        for device in _preferences(inputs, lp, c, short_of_previous(c)):
            key = (ledger.segment[c], device, ledger.offline[c])
            if REMEMBER_FAILED_TRIALS and failed.get(key) == ledger.version:
                continue
            saved = ledger.money.snapshot()
            ledger.change(c, device, +1)
            if ledger.payable():
                return True
            ledger.change(c, device, -1)
            ledger.money.restore(saved)
            failed[key] = ledger.version
        return False

    prices_of: dict[int, int] = {}

    def unit_price(c: int) -> int:  # the cheapest suitable device, with its package when offline
        if c not in prices_of:
            prices_of[c] = min(price[d] for d in inputs.devices if inputs.suits[d][c]) + (package if ledger.offline[c] else 0)
        return prices_of[c]

    def reach(targets: Targets, band: int | None, lp_share_only: bool) -> None:
        """Add units to the groups below their targets, in cells of ``band`` (any band when None,
        then cheapest cells first: a floor is met with as little as the LP needed for it)."""
        groups = [(cells_, target) for cells_, target in targets if target > 0]
        tried: set[int] = set()
        while True:
            short = []
            for i, (cells_, target) in enumerate(groups):
                reached = sum(ledger.covered[c] for c in cells_)
                open_cells = [c for c in cells_ if c not in tried and ledger.covered[c] < pupils[c]
                              and (band is None or bands[c] == band)
                              and (not lp_share_only or lp.covered[c] - ledger.covered[c] > ROUNDING_NOISE)]
                if reached < target and open_cells:
                    short.append((reached / target, i, min(open_cells, key=lambda c: (
                        0 if band is not None else unit_price(c), rank[bands[c]], ledger.covered[c] / pupils[c], c))))
            if not short:
                return
            c = min(short)[2]
            if not try_add(c):
                tried.add(c)

    reach(floors or [], None, lp_share_only=True)  # floors are guarantees: before any band's hand-out
    reach(floors or [], None, lp_share_only=False)
    for band in order:
        if by_band:
            round_down(band)
        reach(shares or [], band, lp_share_only=True)
        heap = [(key(c), c) for c in range(len(pupils)) if bands[c] == band and ledger.covered[c] < pupils[c]]
        heapq.heapify(heap)
        while heap:
            _, c = heapq.heappop(heap)
            if not try_add(c):
                continue  # no device fits the money and stock left: this cell is done
            if ledger.covered[c] < pupils[c]:
                heapq.heappush(heap, (key(c), c))
    units = {cd: n for cd, n in sorted(ledger.units.items()) if n > 0}
    return WholePlan(units, ledger.covered, ledger.accounts())
