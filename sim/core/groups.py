"""Cells the rules cannot tell apart, solved as one LP column.

Two cells of one area with the same status, band and internet, suited by the same devices, differ
only in their grade, and no rule of the LP looks at the grade for anything else. Grouping them
changes no optimum: ``max_count``, ``weighted`` and the money-saving LP only see their sum, and
leximin (``equal_rate``) gives them equal rates anyway (the leximin rate vector is unique, and
swapping two interchangeable cells maps the feasible set onto itself). Each group's plan is then
split over its cells in proportion to their learners: y[c] = y[G] p_c / p_G, x[c,d] likewise.
Long An's 841 cells make 294 groups; grades 1-8, which tablets suit and no exam marks, are one.

Every rule of the pipeline looks at areas, bands, internet, suitable devices or (the computer
share) upper-secondary grades, all of them in the key, so every plan is solved grouped.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.core.inputs import PlanInputs
from sim.core.priority import LpSolution

KEY = ["area", "status", "band", "offline"]
UPPER_SECONDARY = range(10, 13)  # the fairness rules' computer share singles these grades out


@dataclass
class Grouping:
    inputs: PlanInputs  # one cell per group; its grade is the group's lowest
    members: list[list[int]]  # group -> cells of the original inputs


def group_cells(inputs: PlanInputs) -> Grouping:
    """Groups in the order their first cell comes, so the grouped LP is as deterministic as the cells."""
    cells = inputs.cells
    devices = inputs.devices
    signature = ["".join("1" if inputs.suits[d][c] else "0" for d in devices) for c in range(len(cells))]
    group_of: dict[tuple, int] = {}
    members: list[list[int]] = []
    upper = [g in UPPER_SECONDARY for g in cells["grade"]]
    for c, key in enumerate(zip(*(cells[k] for k in KEY), signature, upper)):
        g = group_of.setdefault(key, len(members))
        if g == len(members):
            members.append([])
        members[g].append(c)
    first = [m[0] for m in members]
    grouped = cells.iloc[first].reset_index(drop=True)
    pupils = list(cells["pupils"])
    grouped["pupils"] = [sum(pupils[c] for c in m) for m in members]
    suits = {d: [inputs.suits[d][c] for c in first] for d in devices}
    staged = PlanInputs(inputs.scenario, inputs.areas, inputs.students, grouped, suits, inputs.resources,
                        inputs.inputs_sha256)
    return Grouping(staged, members)


def split(lp: LpSolution, grouping: Grouping, pupils: list[int]) -> LpSolution:
    """The grouped LP plan as a plan per original cell, in proportion to each cell's learners."""
    covered = [0.0] * len(pupils)
    share: dict[int, list[tuple[int, float]]] = {}
    for g, cells in enumerate(grouping.members):
        total = sum(pupils[c] for c in cells)
        share[g] = [(c, pupils[c] / total) for c in cells]
        for c, part in share[g]:
            covered[c] = lp.covered[g] * part
    given = {(c, d): value * part for (g, d), value in lp.given.items() for c, part in share[g]}
    return LpSolution(covered, dict(sorted(given.items())), lp.solves)
