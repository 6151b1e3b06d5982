"""The allocation LP: variables and one ``add_<rule>`` function per rule of the plan.

Notation: c a cell (area x grade x status x internet), d a device, a an area, p_c the cell's
pupils, x[c,d] learners of c given device d, y[c] learners of c covered. Purchases and draws on
the pools are per *segment* sigma: the area, or (area, band) when some reserved pool is for a band,
so that reserved money and stock serve only the learners of their scope. A reserved pool whose
scope is one segment (an area's earmark without band pools; an area-and-band earmark with them)
is a constant of that segment's constraints; any other pool p (the general one, and with band
pools an area's or a band's earmark) has variables r[p,sigma,i], c[p,sigma] per segment it covers.
The objective is set by ``sim.solve``; this module only states what any plan must satisfy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from sim.core.inputs import DATA_PACKAGE, PlanInputs, Pool, segment_key, segments_of

# Money enters the LP in millions of VND: prices of millions next to counts of a few learners
# make a badly scaled matrix, on which CBC's presolve can call a feasible LP infeasible.
MONEY_UNIT = 1_000_000


def _expr(terms) -> pulp.LpAffineExpression:
    return pulp.LpAffineExpression(list(terms))


@dataclass
class AllocationModel:
    problem: pulp.LpProblem
    inputs: PlanInputs
    y: list[pulp.LpVariable]  # learners covered, per cell
    x: dict[tuple[int, str], pulp.LpVariable]  # (cell, device) -> learners given that device
    areas: list[str]  # areas with at least one learner
    segments: list = field(default_factory=list)  # areas, or (area, band) with band pools; see segment_key
    from_stock: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (segment, item): general stock
    bought: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (segment, item)
    general_cash: dict = field(default_factory=dict)  # segment -> general money (millions of VND)
    spend: dict = field(default_factory=dict)  # segment -> money spent (millions of VND)
    shared: list[Pool] = field(default_factory=list)  # reserved pools with variables, see the module notes
    local: dict = field(default_factory=dict)  # segment -> the reserved pool whose scope is that segment
    from_pool: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (p, segment, item): r[p,sigma,i]
    pool_cash: dict[tuple, pulp.LpVariable] = field(default_factory=dict)  # (p, segment): c[p,sigma]

    def add(self, name: str, terms, sense: int, rhs: float) -> pulp.LpConstraint:
        constraint = pulp.LpConstraint(_expr(terms), sense=sense, rhs=rhs, name=name)
        self.problem.addConstraint(constraint)
        return constraint

    def cells_of(self, area: str) -> list[int]:
        return self._by_area[area]

    def cells_in(self, segment) -> list[int]:
        return self._by_segment[segment]

    def covered_by(self, p: int) -> list:
        """Segments the shared pool p may serve."""
        return self._covered_by[p]

    def __post_init__(self) -> None:
        self._by_area: dict[str, list[int]] = {a: [] for a in self.areas}
        for c, area in enumerate(self.inputs.cells["area"]):
            self._by_area[area].append(c)
        self._by_segment: dict = {s: [] for s in self.segments}
        for c, segment in enumerate(segments_of(self.inputs)):
            self._by_segment[segment].append(c)
        self._covered_by = [[s for s in self.segments if pool.covers(*_area_band(s))] for pool in self.shared]


def _area_band(segment) -> tuple[str, int | None]:
    return segment if isinstance(segment, tuple) else (segment, None)


def _kept(m: AllocationModel, segment, item: str) -> int:
    pool = m.local.get(segment)
    return pool.stock.get(item, 0) if pool else 0


def _from_pools(m: AllocationModel, segment, item: str) -> list:
    return [(m.from_pool[p, segment, item], -1.0) for p in range(len(m.shared)) if (p, segment, item) in m.from_pool]


def _pool_limits(m: AllocationModel, item: str, name: str) -> None:
    """sum_sigma r[p,sigma,i] <= S[p,i] for every shared reserved pool p with stock of item i."""
    for p, pool in enumerate(m.shared):
        terms = [(m.from_pool[p, s, item], 1.0) for s in m.covered_by(p) if (p, s, item) in m.from_pool]
        if terms:
            m.add(f"pool_{p}_{name}", terms, pulp.LpConstraintLE, float(pool.stock[item]))


def add_coverage_within_need(m: AllocationModel) -> None:
    """Covered learners of a cell are those given a suitable device, never more than need:
    y[c] = sum_d x[c,d],  0 <= y[c] <= p_c, and x[c,d] exists only when d suits c's grade."""
    devices = m.inputs.devices
    for c, pupils in enumerate(m.inputs.cells["pupils"]):
        m.y[c].upBound = float(pupils)
        m.add(f"cover_{c}", [(m.x[c, d], 1.0) for d in devices if (c, d) in m.x] + [(m.y[c], -1.0)],
              pulp.LpConstraintEQ, 0.0)


def add_device_supply(m: AllocationModel) -> None:
    """Devices handed out in a segment come from the stock of the pools covering it or purchases:
    sum_{c in sigma} x[c,d] <= E[sigma,d] + s[sigma,d] + sum_p r[p,sigma,d] + b[sigma,d];
    sum_sigma s[sigma,d] <= S[d] (general stock);  sum_sigma r[p,sigma,d] <= S[p,d] (shared pools).
    E[sigma,d] is the stock of the reserved pool whose scope is sigma itself (0 if none)."""
    res = m.inputs.resources
    for k, d in enumerate(m.inputs.devices):
        for i, s in enumerate(m.segments):
            used = [(m.x[c, d], 1.0) for c in m.cells_in(s) if (c, d) in m.x]
            m.add(f"supply_{k}_{i}", used + [(m.from_stock[s, d], -1.0), (m.bought[s, d], -1.0)] + _from_pools(m, s, d),
                  pulp.LpConstraintLE, float(_kept(m, s, d)))
        m.add(f"stock_{k}", [(m.from_stock[s, d], 1.0) for s in m.segments], pulp.LpConstraintLE, float(res.stock[d]))
        _pool_limits(m, d, f"stock_{k}")


def add_data_packages(m: AllocationModel) -> None:
    """Every covered learner without internet needs a data package for the scenario's months,
    from the pools covering the learner's segment or bought:
    sum_{c in sigma, offline} y[c] <= E[sigma,pkg] + s[sigma,pkg] + sum_p r[p,sigma,pkg] + b[sigma,pkg];
    sum_sigma s[sigma,pkg] <= S[pkg];  sum_sigma r[p,sigma,pkg] <= S[p,pkg]."""
    res, offline = m.inputs.resources, list(m.inputs.cells["offline"])
    for i, s in enumerate(m.segments):
        need = [(m.y[c], 1.0) for c in m.cells_in(s) if offline[c]]
        m.add(f"packages_{i}", need + [(m.from_stock[s, DATA_PACKAGE], -1.0), (m.bought[s, DATA_PACKAGE], -1.0)]
              + _from_pools(m, s, DATA_PACKAGE), pulp.LpConstraintLE, float(_kept(m, s, DATA_PACKAGE)))
    m.add("stock_data_package", [(m.from_stock[s, DATA_PACKAGE], 1.0) for s in m.segments],
          pulp.LpConstraintLE, float(res.stock[DATA_PACKAGE]))
    _pool_limits(m, DATA_PACKAGE, "packages")


def add_budget(m: AllocationModel) -> None:
    """Purchases in a segment are paid from the cash of the pools covering it:
    sum_i price[i] b[sigma,i] <= C[sigma] + g[sigma] + sum_p c[p,sigma];  sum_sigma g[sigma] <= B;
    sum_sigma c[p,sigma] <= C[p] (shared pools). C[sigma]: cash of the reserved pool whose scope
    is sigma (0 if none). Money in millions of VND."""
    res = m.inputs.resources
    for i, s in enumerate(m.segments):
        terms = [(m.bought[s, item], res.price[item] / MONEY_UNIT) for item in res.items]
        m.spend[s] = _expr(terms)
        local = m.local.get(s)
        extra = [(m.pool_cash[p, s], -1.0) for p in range(len(m.shared)) if (p, s) in m.pool_cash]
        m.add(f"spend_{i}", terms + [(m.general_cash[s], -1.0)] + extra, pulp.LpConstraintLE,
              (local.cash if local else 0) / MONEY_UNIT)
    m.add("budget", [(m.general_cash[s], 1.0) for s in m.segments], pulp.LpConstraintLE, res.cash / MONEY_UNIT)
    for p, pool in enumerate(m.shared):
        terms = [(m.pool_cash[p, s], 1.0) for s in m.covered_by(p) if (p, s) in m.pool_cash]
        if terms:
            m.add(f"pool_{p}_cash", terms, pulp.LpConstraintLE, pool.cash / MONEY_UNIT)


def add_delivered_floor(m: AllocationModel, delivered: dict[tuple[str, str], int]) -> None:
    """Devices already handed out cannot be taken back: a district never gets fewer devices of a
    kind than it has received, sum_{c in a} x[c,d] >= D[a,d]. Not in RULES: ``sim.solve`` adds it
    only when deliveries are given."""
    for i, a in enumerate(m.areas):
        for k, d in enumerate(m.inputs.devices):
            if delivered.get((a, d), 0) > 0:
                m.add(f"delivered_{k}_{i}", [(m.x[c, d], 1.0) for c in m.cells_of(a) if (c, d) in m.x],
                      pulp.LpConstraintGE, float(delivered[a, d]))


RULES = (add_coverage_within_need, add_device_supply, add_data_packages, add_budget)


def build_model(inputs: PlanInputs, sense: int = pulp.LpMaximize) -> AllocationModel:
    """All variables and every rule; no objective yet."""
    problem = pulp.LpProblem("allocation", sense)
    cells = inputs.cells
    y = [problem.add_variable(f"y_{c}", lowBound=0) for c in range(len(cells))]
    # Names use positions, not the analyst's labels, which may hold characters LP files refuse.
    x = {(c, d): problem.add_variable(f"x_{c}_{k}", lowBound=0)
         for k, d in enumerate(inputs.devices) for c in range(len(cells)) if inputs.suits[d][c]}
    areas = sorted(set(cells["area"]))
    res = inputs.resources
    items = res.items
    segments = sorted(set(segments_of(inputs)))
    local, shared = {}, []
    for pool in res.reserved():
        area, band = pool.scope
        if (band is None) == (not res.banded) and area is not None:  # its scope is one segment
            local[segment_key(res, area, band)] = pool
        else:
            shared.append(pool)
    m = AllocationModel(problem, inputs, y, x, areas, segments, shared=shared, local=local)
    for i, s in enumerate(segments):
        for k, item in enumerate(items):
            m.from_stock[s, item] = problem.add_variable(f"s_{k}_{i}", lowBound=0)
            m.bought[s, item] = problem.add_variable(f"b_{k}_{i}", lowBound=0)
        m.general_cash[s] = problem.add_variable(f"g_{i}", lowBound=0)
    number = {s: i for i, s in enumerate(segments)}
    for p, pool in enumerate(shared):
        for s in m.covered_by(p):
            i = number[s]
            for k, item in enumerate(items):
                if pool.stock[item] > 0:
                    m.from_pool[p, s, item] = problem.add_variable(f"r_{p}_{k}_{i}", lowBound=0)
            if pool.cash > 0:
                m.pool_cash[p, s] = problem.add_variable(f"c_{p}_{i}", lowBound=0)
    for rule in RULES:
        rule(m)
    return m
