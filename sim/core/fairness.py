"""Equity across districts: floors, a gap cap, max-min / leximin / alpha-fair sharing, a computer share.

The plan's band order stays the law; these rules act across districts inside it. Notation as in
``model.py``; Y_g = sum_{c in g} y[c] is the covered learners of a group g of cells (a district, or
a district's learners in one band) and P_g its eligible learners, so Y_g / P_g is its rate.

Constraints held through the whole sequence of LPs (``add_<rule>``):

- ``add_computer_share``: sum_{c in grades 10-12} sum_{d computer} x[c,d] >= s sum_{c in grades 10-12} y[c].
- ``add_district_floors``: Y_g >= f P_g for every district (``floor_scope: overall``) or every
  district and band (``band``). When the money cannot reach f everywhere, the floors are lowered to
  what can be reached: leximin capped at f (raise the lowest rate first, up to f; hold the groups
  that cannot go higher; repeat), so a district that can reach f still gets f. ``unmet`` says so.
- ``add_gap_cap``: L <= Y_d / P_d <= L + g for every district d (overall rates). A cap can be met by
  covering nobody; it is never allowed to leave money unused: after the plan meets the cap,
  whatever could still cover learners is handed out in band order without the cap (the worst
  districts could not be raised any further), and ``unmet`` reports the gap that results.

How a band is shared across districts (``rule``), in ``strict`` mode on the districts' rates in
that band, in ``weighted`` mode on their overall rates; the district rates reached are held and
``policy.within_band`` (or the band weights) then decides among the groups inside each district:

- ``maxmin``: maximise t subject to Y_g >= t P_g for every district that has learners some device suits.
- ``leximin``: maxmin, then hold the districts that cannot go higher and raise the others, repeatedly.
- ``alpha``: maximise sum_g P_g U_a(Y_g / P_g) with U_a(r) = r^(1-a) / (1-a) (log r when a = 1),
  made piecewise linear on rates 0, 0.05, ..., 1 (``alpha_slopes``). a = 0 covers the most learners,
  a = 1 is proportional fairness, larger a comes closer to max-min (a is at most 5; use ``maxmin``
  or ``leximin`` for the limit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pulp

from sim.core.model import AllocationModel
from sim.core.priority import BINDING, SLACK, Needs, Runner, leximin
from sim.read.scenario import Fairness, FairnessRule, FloorScope

UPPER_SECONDARY = (10, 11, 12)
ALPHA_STEP = 0.05  # width of a piece of the piecewise-linear alpha-fair utility, as a coverage rate
LEARNER = 1e-6  # learners: below this a difference is solver noise


@dataclass(frozen=True)
class Group:
    """Cells of one district (``band`` None) or of one district's learners in one band."""

    area: str
    band: int | None
    cells: tuple[int, ...]
    pupils: int


@dataclass
class FairReport:
    """What the fairness rules did in the LP, for the summary and the whole-device rounding."""

    floors: dict[Group, float] = field(default_factory=dict)  # group -> floor held (a rate)
    floor_share: dict[Group, float] = field(default_factory=dict)  # group -> share of its floor held (leximin level)
    gap: float | None = None  # gap cap held in the LP
    gap_widened: bool = False  # the floors spread the rates wider than the cap
    gap_released: bool = False  # money left after meeting the cap was handed out without it
    district_lp: dict[Group, float] = field(default_factory=dict)  # district -> learners covered in the LP

    def floor_targets(self) -> dict[Group, int]:
        """Whole learners each floored group must reach: the floor's rate times its learners, rounded up."""
        return {g: math.ceil(level * g.pupils - LEARNER) for g, level in self.floors.items() if level > 0}

    @property
    def targets(self) -> tuple[list[tuple[tuple[int, ...], int]], list[tuple[tuple[int, ...], int]]]:
        """For the whole-device rounding (``whole.round_to_whole``): the floors, and each district's share
        (the whole part of what the LP gave it), so that rounding keeps the districts' rates where
        the rules put them, to within a few learners."""
        floors = sorted((g.cells, target) for g, target in self.floor_targets().items())
        shares = sorted((g.cells, math.floor(value + LEARNER)) for g, value in self.district_lp.items())
        return floors, shares

    def expanded(self, members: list[list[int]]) -> "FairReport":
        """The report with each group's LP columns (``core.groups``) replaced by the cells they stand for."""
        def cells(g: Group) -> Group:
            return Group(g.area, g.band, tuple(sorted(c for col in g.cells for c in members[col])), g.pupils)

        return FairReport({cells(g): v for g, v in self.floors.items()}, {cells(g): v for g, v in self.floor_share.items()},
                          self.gap, self.gap_widened, self.gap_released,
                          {cells(g): v for g, v in self.district_lp.items()})


# ---------------------------------------------------------------- groups and their coverage

def groups_of(m: AllocationModel, by_band: bool) -> list[Group]:
    """Districts (or district x band) with eligible learners, in a fixed order."""
    cells = m.inputs.cells
    found: dict[tuple, list[int]] = {}
    for c, (area, band) in enumerate(zip(cells["area"], cells["band"])):
        found.setdefault((area, band if by_band else None), []).append(c)
    pupils = cells["pupils"]
    order = sorted(found, key=lambda k: (k[0], k[1] or 0))
    return [Group(a, b, tuple(found[a, b]), int(sum(pupils[c] for c in found[a, b]))) for a, b in order]


def _covered(m: AllocationModel, g: Group) -> list[tuple]:
    return [(m.y[c], 1.0) for c in g.cells]


def _servable(m: AllocationModel, g: Group) -> bool:
    return any((c, d) in m.x for c in g.cells for d in m.inputs.devices)


def _value(m: AllocationModel, g: Group) -> float:
    return sum(m.y[c].value() or 0.0 for c in g.cells)


def hold_group(m: AllocationModel, g: Group, level: float, name: str) -> None:
    """Keep the group at or above ``level`` (a rate) in every later LP: Y_g >= level P_g."""
    m.add(f"hold_{name}", _covered(m, g), pulp.LpConstraintGE, level * g.pupils - SLACK)


# ---------------------------------------------------------------- constraints held throughout

def add_computer_share(m: AllocationModel, fairness: Fairness) -> None:
    """At least a share s of covered grade 10-12 learners get a laptop or desktop:
    sum_{c in 10-12, d computer} x[c,d] - s sum_{c in 10-12} y[c] >= 0."""
    share = fairness.upper_secondary_computer_share
    if share <= 0:
        return
    computers = set(fairness.computers(m.inputs.scenario.devices))
    upper = [c for c, g in enumerate(m.inputs.cells["grade"]) if g in UPPER_SECONDARY]
    terms = [(m.x[c, d], 1.0) for c in upper for d in m.inputs.devices if d in computers and (c, d) in m.x]
    m.add("computer_share", terms + [(m.y[c], -share) for c in upper], pulp.LpConstraintGE, 0.0)


def rate_needs(m: AllocationModel, groups: list[Group]) -> dict[Group, Needs]:
    """Level = coverage rate: Y_g >= t P_g; groups no device can serve have nothing to raise."""
    return {g: [(g.cells, float(g.pupils) if _servable(m, g) else 0.0)] for g in groups}


def floor_needs(m: AllocationModel, fairness: Fairness) -> dict[Group, Needs]:
    """What each group owes the floor f at level 1: Y_g >= min(f P_g, S_g), S_g its learners some
    device suits. Groups are districts (``floor_scope: overall``) or district x band (``band``).
    (Whole-device rounding then brings each group to f P_g rounded up, cheapest learners first.)

    An overall floor counts any of the district's learners: the LP meets it with whichever cost
    least and serves the bands in order with what is left, so a high floor can take money from
    band 1 (``covered_by_band`` shows it). The ``band`` scope keeps each band's share.
    """
    f = fairness.district_floor
    servable = {c for (c, _d) in m.x}
    pupils = m.inputs.cells["pupils"]
    return {g: [(g.cells, float(min(f * g.pupils, sum(pupils[c] for c in g.cells if c in servable))))]
            for g in groups_of(m, by_band=fairness.floor_scope is FloorScope.band)}


def add_district_floors(run: Runner, fairness: Fairness, report: FairReport) -> None:
    """Hold every district's floor (see ``floor_needs``). When the money and stock cannot meet them
    all, leximin on the share of its floor each district gets (first an LP maximising the share the
    worst-off district gets): a district that can still meet its whole floor does, the others get
    the highest rate they can reach together."""
    if fairness.district_floor <= 0:
        return
    needs = floor_needs(run.m, fairness)
    levels = leximin(run, needs, "floor")
    report.floor_share = levels
    report.floors = {g: levels[g] * max((a for _, a in needs[g]), default=0.0) / g.pupils for g in needs}


def add_gap_cap(run: Runner, gap: float, report: FairReport) -> pulp.LpVariable:
    """L <= Y_d / P_d <= L + g + widen for every district, with ``widen`` fixed at 0 until the cap is
    released. If the floors already spread the rates wider than g, the cap is widened to the
    narrowest spread the floors allow (an LP) and reported."""
    m = run.m
    districts = groups_of(m, by_band=False)
    if report.floors:
        low = m.problem.add_variable("spread_low", lowBound=0, upBound=1)
        high = m.problem.add_variable("spread_high", lowBound=0, upBound=1)
        for i, g in enumerate(districts):  # harmless afterwards: low = 0, high = 1 always fit
            m.add(f"spread_lo_{i}", _covered(m, g) + [(low, -float(g.pupils))], pulp.LpConstraintGE, 0.0)
            m.add(f"spread_hi_{i}", _covered(m, g) + [(high, -float(g.pupils))], pulp.LpConstraintLE, 0.0)
        narrowest = -run.maximise([(low, 1.0), (high, -1.0)])
        if narrowest > gap + BINDING:
            report.gap_widened = True
            gap = narrowest + BINDING
    report.gap = gap
    return hold_gap(m, gap)


def hold_gap(m: AllocationModel, gap: float) -> pulp.LpVariable:
    """The cap's constraints ``gap_lo_i``, ``gap_hi_i`` (district i); returns ``widen`` (fixed at 0)."""
    worst = m.problem.add_variable("gap_worst", lowBound=0, upBound=1)
    widen = m.problem.add_variable("gap_widen", lowBound=0, upBound=0)
    for i, g in enumerate(groups_of(m, by_band=False)):
        m.add(f"gap_lo_{i}", _covered(m, g) + [(worst, -float(g.pupils))], pulp.LpConstraintGE, -SLACK)
        m.add(f"gap_hi_{i}", _covered(m, g) + [(worst, -float(g.pupils)), (widen, -float(g.pupils))],
              pulp.LpConstraintLE, gap * g.pupils + SLACK)
    return widen


# ---------------------------------------------------------------- sharing across districts

def alpha_slopes(alpha: float, step: float = ALPHA_STEP) -> list[float]:
    """Slopes of the piecewise-linear alpha-fair utility on rates [0, step], [step, 2 step], ..., [1 - step, 1].

    Chords of U_a, except on the first piece when U_a(0) is -inf (a >= 1): there the tangent at its
    middle. Non-increasing, so the LP fills the pieces in order and the piecewise function is
    concave. Scaled so the first and last slopes are reciprocal (only ratios matter): for alpha up
    to 5 (the scenario's limit) they stay within 1e-4 to 1e4, which the solvers handle well.

    >>> alpha_slopes(0)[:3], alpha_slopes(0)[-1]
    ([1.0, 1.0, 1.0], 1.0)
    >>> s = alpha_slopes(1)
    >>> all(a >= b for a, b in zip(s, s[1:])), round(s[1] / s[2], 4)   # log: chord ratio ln2 / ln(3/2)
    (True, 1.7095)
    """
    def utility(r: float) -> float:
        return math.log(r) if alpha == 1 else r ** (1 - alpha) / (1 - alpha)

    pieces = round(1 / step)
    slopes = []
    for k in range(pieces):
        lo, hi = k * step, (k + 1) * step
        if alpha == 0:
            slopes.append(1.0)
        elif lo == 0 and alpha >= 1:
            slopes.append((hi / 2) ** -alpha)
        else:
            slopes.append((utility(hi) - utility(lo)) / step)
    middle = math.sqrt(slopes[0] * slopes[-1])  # scaled about 1 both ways: at most 39^2.5 < 1e4 for alpha <= 5
    return [s / middle for s in slopes]


def share_maxmin(run: Runner, groups: list[Group], tag: str) -> None:
    """Raise the worst rate among districts some device can serve; hold every district at it."""
    m = run.m
    groups = [g for g in groups if _servable(m, g)]
    if not groups:
        return
    t = m.problem.add_variable(f"t_{tag}", lowBound=0, upBound=1)
    for i, g in enumerate(groups):
        m.add(f"maxmin_{tag}_{i}", _covered(m, g) + [(t, -float(g.pupils))], pulp.LpConstraintGE, 0.0)
    level = run.maximise([(t, 1.0)])
    for i, g in enumerate(groups):
        hold_group(m, g, level, f"{tag}_{i}")


def share_alpha(run: Runner, groups: list[Group], alpha: float, tag: str) -> None:
    """Maximise sum_g P_g U_a(rate_g), piecewise linear: Y_g = sum_k s[g,k], 0 <= s[g,k] <= step P_g,
    objective sum_g sum_k slope_k s[g,k]; then hold every district at the rate reached."""
    m = run.m
    slopes = alpha_slopes(alpha)
    objective = []
    for i, g in enumerate(groups):
        pieces = [m.problem.add_variable(f"s_{tag}_{i}_{k}", lowBound=0, upBound=ALPHA_STEP * g.pupils)
                  for k in range(len(slopes))]
        m.add(f"pieces_{tag}_{i}", _covered(m, g) + [(s, -1.0) for s in pieces], pulp.LpConstraintEQ, 0.0)
        objective += zip(pieces, slopes)
    run.maximise(objective)
    for i, g in enumerate(groups):
        hold_group(m, g, _value(m, g) / g.pupils, f"{tag}_{i}")


def share_across_districts(run: Runner, rule: FairnessRule, groups: list[Group], alpha: float, tag: str) -> None:
    if rule is FairnessRule.maxmin:
        share_maxmin(run, groups, tag)
    elif rule is FairnessRule.leximin:
        leximin(run, rate_needs(run.m, groups), tag)
    elif rule is FairnessRule.alpha:
        share_alpha(run, groups, alpha, tag)


def share_inside_districts(run: Runner, groups: list[Group], tag: str) -> None:
    """Inside each district, the band's groups of cells at rates as equal as the district's rate allows:
    maximise tau <= 1 subject to y[c] >= tau r_g p_c for every cell c some device suits (r_g its
    district's rate in the band, just held); then hold those cells there. One LP for all districts."""
    m = run.m
    tau = m.problem.add_variable(f"tau_{tag}", lowBound=0, upBound=1)
    servable = {c for (c, _d) in m.x}
    pupils = m.inputs.cells["pupils"]
    rates = {c: _value(m, g) / g.pupils for g in groups for c in g.cells if c in servable}
    for c, rate in rates.items():
        m.add(f"inside_{tag}_{c}", [(m.y[c], 1.0), (tau, -rate * float(pupils[c]))], pulp.LpConstraintGE, 0.0)
    level = run.maximise([(tau, 1.0)])
    for c, rate in rates.items():
        run.hold_cell(c, level * rate * float(pupils[c]))


def release_gap(run: Runner, widen: pulp.LpVariable, report: FairReport) -> bool:
    """Once the cap is met, hold every cell and lift the cap: True when something could still cover
    learners (the pipeline then serves the bands again, without the cap, in the plan's order)."""
    m = run.m
    now = [y.value() or 0.0 for y in m.y]
    for c, value in enumerate(now):
        run.hold_cell(c, value)
    widen.upBound = 1.0
    if run.maximise((y, 1.0) for y in m.y) <= sum(now) + LEARNER * len(now) + 1e-4:
        return False
    report.gap_released = True
    return True
