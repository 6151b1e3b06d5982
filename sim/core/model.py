"""The allocation LP: variables and one ``add_<rule>`` function per rule of the plan.

Notation: c a cell (area x grade x status x internet), d a device, a an area, p_c the cell's
pupils, x[c,d] learners of c given device d, y[c] learners of c covered. Purchases and draws on
the general stock are per area, so that earmarked money and stock stay in their area.
The objective is set by ``sim.solve``; this module only states what any plan must satisfy.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulp

from sim.core.inputs import DATA_PACKAGE, PlanInputs

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
    from_stock: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)  # (area, item)
    bought: dict[tuple[str, str], pulp.LpVariable] = field(default_factory=dict)  # (area, item)
    general_cash: dict[str, pulp.LpVariable] = field(default_factory=dict)  # area -> VND
    spend: dict[str, pulp.LpAffineExpression] = field(default_factory=dict)  # area -> VND

    def add(self, name: str, terms, sense: int, rhs: float) -> pulp.LpConstraint:
        constraint = pulp.LpConstraint(_expr(terms), sense=sense, rhs=rhs, name=name)
        self.problem.addConstraint(constraint)
        return constraint

    def cells_of(self, area: str) -> list[int]:
        return self._by_area[area]

    def __post_init__(self) -> None:
        self._by_area: dict[str, list[int]] = {a: [] for a in self.areas}
        for c, area in enumerate(self.inputs.cells["area"]):
            self._by_area[area].append(c)


def add_coverage_within_need(m: AllocationModel) -> None:
    """Covered learners of a cell are those given a suitable device, never more than need:
    y[c] = sum_d x[c,d],  0 <= y[c] <= p_c, and x[c,d] exists only when d suits c's grade."""
    devices = m.inputs.devices
    for c, pupils in enumerate(m.inputs.cells["pupils"]):
        m.y[c].upBound = float(pupils)
        m.add(f"cover_{c}", [(m.x[c, d], 1.0) for d in devices if (c, d) in m.x] + [(m.y[c], -1.0)],
              pulp.LpConstraintEQ, 0.0)


def add_device_supply(m: AllocationModel) -> None:
    """Devices handed out in an area come from its earmarked stock, the general stock or purchases:
    sum_{c in a} x[c,d] <= E[a,d] + s[a,d] + b[a,d];  sum_a s[a,d] <= S[d]."""
    res = m.inputs.resources
    for k, d in enumerate(m.inputs.devices):
        for i, a in enumerate(m.areas):
            used = [(m.x[c, d], 1.0) for c in m.cells_of(a) if (c, d) in m.x]
            kept = res.earmarked_stock.get(a, {}).get(d, 0)
            m.add(f"supply_{k}_{i}", used + [(m.from_stock[a, d], -1.0), (m.bought[a, d], -1.0)],
                  pulp.LpConstraintLE, float(kept))
        m.add(f"stock_{k}", [(m.from_stock[a, d], 1.0) for a in m.areas], pulp.LpConstraintLE, float(res.stock[d]))


def add_data_packages(m: AllocationModel) -> None:
    """Every covered learner without internet needs a data package for the scenario's months:
    sum_{c in a, offline} y[c] <= E[a,pkg] + s[a,pkg] + b[a,pkg];  sum_a s[a,pkg] <= S[pkg]."""
    res, offline = m.inputs.resources, list(m.inputs.cells["offline"])
    for i, a in enumerate(m.areas):
        need = [(m.y[c], 1.0) for c in m.cells_of(a) if offline[c]]
        kept = res.earmarked_stock.get(a, {}).get(DATA_PACKAGE, 0)
        m.add(f"packages_{i}", need + [(m.from_stock[a, DATA_PACKAGE], -1.0), (m.bought[a, DATA_PACKAGE], -1.0)],
              pulp.LpConstraintLE, float(kept))
    m.add("stock_data_package", [(m.from_stock[a, DATA_PACKAGE], 1.0) for a in m.areas],
          pulp.LpConstraintLE, float(res.stock[DATA_PACKAGE]))


def add_budget(m: AllocationModel) -> None:
    """Purchases in an area are paid from its earmarked cash first, then the general budget:
    sum_i price[i] b[a,i] <= C[a] + g[a];  sum_a g[a] <= B  (money in millions of VND)."""
    res = m.inputs.resources
    for i, a in enumerate(m.areas):
        terms = [(m.bought[a, item], res.price[item] / MONEY_UNIT) for item in res.items]
        m.spend[a] = _expr(terms)
        m.add(f"spend_{i}", terms + [(m.general_cash[a], -1.0)], pulp.LpConstraintLE,
              res.earmarked_cash.get(a, 0) / MONEY_UNIT)
    m.add("budget", [(m.general_cash[a], 1.0) for a in m.areas], pulp.LpConstraintLE, res.cash / MONEY_UNIT)


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
    items = inputs.resources.items
    m = AllocationModel(problem, inputs, y, x, areas)
    for i, a in enumerate(areas):
        for k, item in enumerate(items):
            m.from_stock[a, item] = problem.add_variable(f"s_{k}_{i}", lowBound=0)
            m.bought[a, item] = problem.add_variable(f"b_{k}_{i}", lowBound=0)
        m.general_cash[a] = problem.add_variable(f"g_{i}", lowBound=0)
    for rule in RULES:
        rule(m)
    return m
