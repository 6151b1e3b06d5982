"""Cells the rules cannot tell apart, solved as one LP column.

**Grades.** Two cells of one area with the same status, band and internet, suited by the same
devices, differ only in their grade, and no rule of the LP looks at the grade for anything else.
Grouping them changes no optimum: ``max_count``, ``weighted`` and the money-saving LP only see
their sum, and leximin (``equal_rate``) gives them equal rates anyway (the leximin rate vector is
unique, and averaging two cells' rates in proportion to their learners is feasible and raises the
lower one). Each group's plan is then split over its cells in proportion to their learners:
y[c] = y[G] p_c / p_G, x[c,d] likewise. Long An's 841 cells make 294 groups; grades 1-8, which
tablets suit and no exam marks, are one.

**Free areas** (``merge_areas``). An area is *free* when no reserved pool is its own: no earmark
for the area, none for a band in the area (pools for a band everywhere, scope (None, band), and
the general pool serve every area alike). A free area's rows of the LP (``model``: supply,
packages, spend per segment sigma) then only pass its demand on to the shared pools, through
variables s, r, b, g, c of its own that appear nowhere else but in the pools' sums
sum_sigma s[sigma,i] <= S[i], sum_sigma g[sigma] <= B, ... So the free areas' segments can be
added up into one: (a) any plan of the unmerged LP, summed over the free areas, satisfies the
merged rows (sums of the areas' rows); (b) any plan of the merged LP splits back: learners and
devices in proportion to the cells' learners, each item's draws and purchases in proportion to
the units used, each area's money equal to what its purchases cost, shared among the pools
covering it (all cover every free area of the band). The same holds in whole units: integer
units of a merged column split into integer units per cell (a transportation problem with
integer supplies has an integral vertex; ``exact.split_units`` gives the leximin-best split),
and integer stock draws follow the units. So every figure that depends on sums over free areas
only (band totals, the weighted total, money spent, the general pool's use) has the same optimum
merged and unmerged, and leximin over cells gives every member of a merged column the same rate
(averaging argument above), so ``equal_rate``'s LP rates agree cell by cell.
``tests/test_merge.py`` checks all of this against the unmerged model on random instances.

Rules that look at single areas break (b): district floors, the gap cap and the rules across
districts (fairness, any active rule is taken as one), devices already delivered (a floor per
district) and the previous plan (least change per district). ``may_merge_areas`` says no when one
is present, for the whole plan. (The computer share looks at grades 10-12 over all areas: it is
in the key, ``upper``, but it comes only with a fairness section, which switches the merge off.)

Whole devices under ``equal_rate`` are another matter: the leximin over merged columns is not the
leximin over the districts' own groups, so the plan keeps the areas apart wherever every band then
has few enough groups for the exact leximin (``exact.leximin_apart``), and merges only beyond.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from sim.core.inputs import PlanInputs
from sim.core.priority import LpSolution

KEY = ["area", "status", "band", "offline"]
UPPER_SECONDARY = range(10, 13)  # the fairness rules' computer share singles these grades out
FREE_AREAS = "*"  # the one area code of every merged free area's cells in the grouped inputs


@dataclass
class Grouping:
    inputs: PlanInputs  # one cell per group; its grade is the group's lowest
    members: list[list[int]]  # group -> cells of the original inputs
    merged_areas: bool = False  # whether free areas were merged (see the module's notes)


def free_areas(inputs: PlanInputs) -> set[str]:
    """Areas with learners and no reserved pool of their own (no earmark for the area, nor for a band in it)."""
    res = inputs.resources
    own = {*res.earmarked_cash, *res.earmarked_stock, *(a for a, _b in res.band_cash), *(a for a, _b in res.band_stock)}
    return {a for a in inputs.cells["area"].unique().tolist() if a not in own}


def may_merge_areas(inputs: PlanInputs, delivered=None, previous=None) -> bool:
    """Whether no rule of the plan looks at single areas: no active fairness rule, no deliveries,
    no previous plan (see the module's notes)."""
    fairness = inputs.scenario.fairness
    return not (fairness is not None and fairness.active) and not delivered and previous is None


def group_cells(inputs: PlanInputs, merge_areas: bool = False) -> Grouping:
    """Groups in the order their first cell comes, so the grouped LP is as deterministic as the cells.
    With ``merge_areas`` the cells of free areas are keyed without their area (area ``FREE_AREAS``)."""
    cells = inputs.cells
    devices = inputs.devices
    signature = list(zip(*(inputs.suits[d] for d in devices))) if devices else [()] * len(cells)
    free = free_areas(inputs) if merge_areas else set()
    area = [FREE_AREAS if a in free else a for a in cells["area"].tolist()]
    group_of: dict[tuple, int] = {}
    members: list[list[int]] = []
    upper = [g in UPPER_SECONDARY for g in cells["grade"].tolist()]
    for c, key in enumerate(zip(area, *(cells[k].tolist() for k in KEY[1:]), signature, upper)):
        g = group_of.setdefault(key, len(members))
        if g == len(members):
            members.append([])
        members[g].append(c)
    first = [m[0] for m in members]
    grouped = cells.iloc[first].reset_index(drop=True)
    grouped["area"] = [area[c] for c in first]
    pupils = cells["pupils"].tolist()
    grouped["pupils"] = [sum(pupils[c] for c in m) for m in members]
    suits = {d: [inputs.suits[d][c] for c in first] for d in devices}
    staged = PlanInputs(inputs.scenario, inputs.areas, inputs.students, grouped, suits, inputs.resources,
                        inputs.inputs_sha256)
    return Grouping(staged, members, merge_areas)


def split(lp: LpSolution, grouping: Grouping, pupils: list[int]) -> LpSolution:
    """The grouped LP plan as a plan per original cell, in proportion to each cell's learners."""
    covered = [0.0] * len(pupils)
    part = [0.0] * len(pupils)
    group_of = [0] * len(pupils)
    for g, cells in enumerate(grouping.members):
        total = sum(pupils[c] for c in cells)
        for c in cells:
            part[c] = pupils[c] / total
            covered[c] = lp.covered[g] * part[c]
            group_of[c] = g
    return LpSolution(covered, _SplitGiven(lp.given, part, group_of), lp.solves)


class _SplitGiven(Mapping):
    """The grouped LP's learners per (group, device) as learners per (cell, device), in proportion
    to each cell's learners, keys in (cell, device) order; made when first read (most plans never
    read them: a national plan has some 10^5)."""

    def __init__(self, grouped: dict[tuple[int, str], float], part: list[float], group_of: list[int]):
        self._source, self._made = (grouped, part, group_of), None

    def _given(self) -> dict[tuple[int, str], float]:
        if self._made is None:
            grouped, part, group_of = self._source
            of_group: dict[int, list[tuple[str, float]]] = {}
            for (g, d), value in grouped.items():
                of_group.setdefault(g, []).append((d, value))
            for values in of_group.values():
                values.sort()
            self._made = {(c, d): value * part[c] for c in range(len(part)) for d, value in of_group.get(group_of[c], ())}
        return self._made

    def __getitem__(self, key):
        return self._given()[key]

    def __iter__(self):
        return iter(self._given())

    def __len__(self) -> int:
        return len(self._given())
