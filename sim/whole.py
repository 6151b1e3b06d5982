"""From the fractional LP plan to whole devices and packages, without breaking budget or stock.

1. Round every x[c,d] down. 2. Count what that costs, in whole units and VND, pool by pool
(``account``); if rounding noise still broke a limit, take units back from the lowest priority.
3. Hand out what rounding freed one unit at a time in priority order: band by band, and inside a
band to the cell with the lowest coverage rate (``equal_rate``) or the cheapest cell
(``max_count``), as long as ``account`` finds the plan payable. A cell that cannot take one more
unit never can later (units only ever use up resources), so each cell is tried until it fails.
All choices are by fixed orders, so the same inputs give the same plan.
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass, field

from .errors import Problem, ScenarioError
from .inputs import DATA_PACKAGE, PlanInputs, Resources
from .priority import LpSolution
from .scenario import Mode, WithinBand

ROUNDING_NOISE = 1e-6
Targets = list[tuple[tuple[int, ...], int]]  # (cells, learners they must reach)


@dataclass
class AreaAccount:
    """Where one area's devices and packages come from, in whole units and VND."""

    used: dict[str, int]
    from_earmark: dict[str, int] = field(default_factory=dict)
    from_stock: dict[str, int] = field(default_factory=dict)
    bought: dict[str, int] = field(default_factory=dict)
    spend_vnd: int = 0
    earmark_cash_vnd: int = 0
    general_cash_vnd: int = 0


@dataclass
class Accounts:
    areas: dict[str, AreaAccount]
    general_cash_vnd: int
    stock_used: dict[str, int]
    payable: bool


def account(used: dict[str, dict[str, int]], res: Resources) -> Accounts:
    """Pay for ``used[area][item]`` units: earmarked stock, then general stock, then purchases
    paid from the area's earmarked cash and then the general budget.

    General stock goes first to areas with no earmarked cash (each unit saves its full price of
    general money), then to earmarked areas whose spending exceeds their earmark, largest excess
    first, and what is still left to earmarked areas, so donated stock is used before any money;
    dearer items are placed first. ``payable`` is whether the general budget suffices.
    """
    items = sorted(res.items, key=lambda i: (-res.price[i], i))
    accounts: dict[str, AreaAccount] = {}
    remaining: dict[str, dict[str, int]] = {}
    for area in sorted(used):
        kept = res.earmarked_stock.get(area, {})
        acc = AreaAccount(dict(used[area]))
        acc.from_earmark = {i: min(used[area].get(i, 0), kept.get(i, 0)) for i in items}
        remaining[area] = {i: used[area].get(i, 0) - acc.from_earmark[i] for i in items}
        acc.from_stock = {i: 0 for i in items}
        accounts[area] = acc
    stock = dict(res.stock)

    def excess(area: str) -> int:
        spend = sum(res.price[i] * (remaining[area][i] - accounts[area].from_stock[i]) for i in items)
        return spend - res.earmarked_cash.get(area, 0)

    plain = [a for a in accounts if res.earmarked_cash.get(a, 0) == 0]
    earmarked = [a for a in accounts if res.earmarked_cash.get(a, 0) > 0]
    for item in items:
        for area in plain:
            take = min(remaining[area][item], stock[item])
            accounts[area].from_stock[item] += take
            stock[item] -= take
        for area in sorted(earmarked, key=lambda a: (-excess(a), a)):
            over = excess(area)
            if over <= 0 or stock[item] == 0:
                continue
            units = math.ceil(over / res.price[item]) if res.price[item] else remaining[area][item]
            take = min(remaining[area][item] - accounts[area].from_stock[item], stock[item], units)
            accounts[area].from_stock[item] += take
            stock[item] -= take
        for area in sorted(earmarked):  # donated stock before anyone's money, earmarked money too
            take = min(remaining[area][item] - accounts[area].from_stock[item], stock[item])
            accounts[area].from_stock[item] += take
            stock[item] -= take
    general = 0
    for area, acc in accounts.items():
        acc.bought = {i: remaining[area][i] - acc.from_stock[i] for i in items}
        acc.spend_vnd = sum(res.price[i] * acc.bought[i] for i in items)
        acc.earmark_cash_vnd = min(acc.spend_vnd, res.earmarked_cash.get(area, 0))
        acc.general_cash_vnd = acc.spend_vnd - acc.earmark_cash_vnd
        general += acc.general_cash_vnd
    stock_used = {i: res.stock[i] - stock[i] for i in items}
    return Accounts(accounts, general, stock_used, general <= res.cash)


@dataclass
class WholePlan:
    units: dict[tuple[int, str], int]  # (cell, device) -> whole devices (each with a package if offline)
    covered: list[int]  # per cell
    accounts: Accounts


class _Ledger:
    """Units per cell and their use of each area's items, updated one unit at a time."""

    def __init__(self, inputs: PlanInputs):
        self.inputs = inputs
        cells = inputs.cells
        self.area, self.offline = list(cells["area"]), list(cells["offline"])
        self.units: dict[tuple[int, str], int] = {}
        self.covered = [0] * len(cells)
        self.used = {a: {i: 0 for i in inputs.resources.items} for a in sorted(set(self.area))}

    def change(self, c: int, device: str, delta: int) -> None:
        self.units[c, device] = self.units.get((c, device), 0) + delta
        self.covered[c] += delta
        self.used[self.area[c]][device] += delta
        if self.offline[c]:
            self.used[self.area[c]][DATA_PACKAGE] += delta

    def accounts(self) -> Accounts:
        return account(self.used, self.inputs.resources)


def _priority(inputs: PlanInputs) -> list[int]:
    """Bands in the order they are served."""
    weights = inputs.scenario.policy.weights
    if inputs.scenario.policy.mode is Mode.weighted:
        return sorted(weights, key=lambda b: (-weights[b], b))
    return sorted(weights)


def _preferences(inputs: PlanInputs, lp: LpSolution, c: int) -> list[str]:
    """Devices for one more unit in cell c: those the LP gave most first, then the cheapest."""
    price = inputs.resources.price
    fits = [d for d in inputs.devices if inputs.suits[d][c]]
    return sorted(fits, key=lambda d: (-(lp.given.get((c, d), 0.0) % 1.0), price[d], d))


def round_to_whole(inputs: PlanInputs, lp: LpSolution, floors: Targets | None = None,
                   shares: Targets | None = None, kept: dict[tuple[int, str], int] | None = None) -> WholePlan:
    """Whole devices for the LP plan. For the fairness rules (sim/fairness.py): ``floors`` are groups
    of cells brought to at least so many covered learners before anything else is handed out;
    ``shares`` are groups (districts) brought back towards what the LP gave them band by band, before
    each band's hand-out. Both go one unit at a time to the group furthest below its target, to a
    cell whose LP share was rounded away (earliest band, lowest rate first).
    ``kept``: whole devices per (cell, device) the plan must keep (devices already delivered)."""
    kept = kept or {}
    ledger = _Ledger(inputs)
    cells = inputs.cells
    pupils, bands = list(cells["pupils"]), list(cells["band"])
    for (c, d), value in sorted(lp.given.items()):
        whole = max(math.floor(value + ROUNDING_NOISE), kept.get((c, d), 0))
        if whole > 0:
            ledger.change(c, d, whole)
    order = _priority(inputs)
    rank = {b: i for i, b in enumerate(order)}

    # Rounding noise can leave a plan a few VND over: give back units from the lowest priority.
    while not ledger.accounts().payable:
        found = max(((c, d) for (c, d), n in ledger.units.items() if n > kept.get((c, d), 0)),
                    key=lambda cd: (rank[bands[cd[0]]], inputs.resources.price[cd[1]], cd[0]), default=None)
        if found is None:  # only delivered devices are left, and they cost more than there is
            raise ScenarioError([Problem("deliveries", "the devices already delivered cost more than the money and stock on hand",
                                         expected="deliveries the scenario and the donations counted can pay for")])
        ledger.change(*found, -1)

    equal_rate = inputs.scenario.policy.within_band is WithinBand.equal_rate and inputs.scenario.policy.mode is Mode.strict
    price = inputs.resources.price
    package = price[DATA_PACKAGE]

    def key(c: int) -> tuple:
        left_in_lp = lp.covered[c] - ledger.covered[c]
        if equal_rate:  # lowest rate first; at equal rates the larger share the LP gave, then the fixed order
            return (ledger.covered[c] / pupils[c], -left_in_lp, c)
        left_in_lp = left_in_lp > ROUNDING_NOISE
        cheapest = min((price[d] for d in inputs.devices if inputs.suits[d][c]), default=0)
        return (not left_in_lp, cheapest + (package if ledger.offline[c] else 0), c)

    res = inputs.resources
    state = ledger.accounts()

    def plainly_unaffordable(c: int, device: str) -> bool:
        """True when no stock of the device (or package) is left and its price exceeds all money left
        to this cell's area: a quick necessary test that spares most full recounts. (With every
        unit of general stock in use, moving stock between areas only moves money between the
        budget and an earmark, so their sum is what one more unit can draw on.)"""
        area = ledger.area[c]
        acc = state.areas[area]

        def stocked(item: str) -> bool:
            kept = res.earmarked_stock.get(area, {}).get(item, 0) - acc.from_earmark.get(item, 0)
            return res.stock[item] > state.stock_used[item] or kept > 0

        need = (0 if stocked(device) else price[device]) + (
            0 if not ledger.offline[c] or stocked(DATA_PACKAGE) else package)
        money = res.cash - state.general_cash_vnd + res.earmarked_cash.get(area, 0) - acc.earmark_cash_vnd
        return need > money

    def try_add(c: int) -> bool:
        """Give cell c one more unit if the money and stock left allow it."""
        nonlocal state
        for device in _preferences(inputs, lp, c):
            if plainly_unaffordable(c, device):
                continue
            ledger.change(c, device, +1)
            trial = ledger.accounts()
            if trial.payable:
                state = trial
                return True
            ledger.change(c, device, -1)
        return False

    def unit_price(c: int) -> int:
        return min(price[d] for d in inputs.devices if inputs.suits[d][c]) + (package if ledger.offline[c] else 0)

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
