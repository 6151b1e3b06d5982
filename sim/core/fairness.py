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

from sim.core.inputs import PlanInputs
from sim.analysis.metrics import coverage_metrics, district_rates, price_of_fairness
from sim.core.groups import optimise_grouped
from sim.core.model import AllocationModel, build_model
from sim.core.priority import BINDING, RISE, SLACK, LpSolution, _band_cells, _Runner, optimise, serve_equal_rate, \
    serve_max_count, spend_least
from sim.core.rules import BANDS
from sim.read.scenario import Fairness, FairnessRule, FloorScope, Mode, Policy, WithinBand
from sim.core.solvers import make_solver
from sim.core.whole import WholePlan, round_to_whole

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
class Unmet:
    """A fairness rule the plan does not meet, with by how much and where."""

    rule: str
    wanted: float
    reached: float
    districts: dict[str, float]
    reason: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "wanted": round(self.wanted, 6), "reached": round(self.reached, 6),
                "short_by": round(abs(self.wanted - self.reached), 6),
                "districts": {k: round(v, 6) for k, v in self.districts.items()}, "reason": self.reason}


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


@dataclass
class FairPlan:
    plan: WholePlan
    lp: LpSolution
    report: FairReport
    solves: int


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


Needs = list[tuple[tuple[int, ...], float]]  # (cells, learners): sum_{c in cells} y[c] >= t * learners


def leximin(run: _Runner, needs: dict[Group, Needs], tag: str) -> dict[Group, float]:
    """Leximin over the groups' levels t_g in [0, 1], where group g at level t covers at least
    t * learners in each of its needs; every group is held at the level it reaches.

    Round k: maximise t subject to each free group's needs at t; groups that cannot rise above t
    without another falling below it are held at t. A group with a need whose constraint has a
    non-zero dual is such a group (complementary slackness: the need is tight in every optimum);
    those are held and the rest go to the next round. Only when every dual is 0 (a degenerate
    optimum) does a second LP test which groups can rise (as ``priority.serve_equal_rate``: each
    free group may rise by w_g <= RISE; those left at w_g = 0 are stuck). Groups with nothing to
    cover (no learner some device suits) are held at 0 at once.
    """
    m = run.m
    levels = {g: 0.0 for g, need in needs.items() if not any(amount > 0 for _, amount in need)}
    free = [g for g in needs if g not in levels]
    round_no = 0
    while free:
        name = f"lex{tag}_{round_no}"
        t = m.problem.add_variable(f"t_{name}", lowBound=0, upBound=1)
        duals = {g: [m.add(f"level_{name}_{i}_{j}", [(m.y[c], 1.0) for c in cells] + [(t, -amount)],
                           pulp.LpConstraintGE, 0.0)
                     for j, (cells, amount) in enumerate(needs[g]) if amount > 0] for i, g in enumerate(free)}
        level = run.maximise([(t, 1.0)])
        stuck = [g for g in free if any(abs(c.pi or 0.0) > BINDING for c in duals[g])]
        if level >= 1 - BINDING:
            held = free
        elif stuck:  # sure to be stuck; the others are tested again next round
            held = stuck
        else:  # a degenerate optimum, every dual 0: test which groups can rise
            rise = [m.problem.add_variable(f"w_{name}_{i}", lowBound=0, upBound=RISE) for i in range(len(free))]
            for i, g in enumerate(free):
                for j, (cells, amount) in enumerate(needs[g]):
                    if amount > 0:
                        m.add(f"rise_{name}_{i}_{j}", [(m.y[c], 1.0) for c in cells] + [(rise[i], -amount)],
                              pulp.LpConstraintGE, level * amount - SLACK)
            run.maximise((w, 1.0) for w in rise)
            held = [g for g, w in zip(free, rise) if (w.value() or 0.0) < RISE / 2] or free
        for i, g in enumerate(held):
            levels[g] = min(level, 1.0)
            for j, (cells, amount) in enumerate(needs[g]):
                m.add(f"hold_{name}_{i}_{j}", [(m.y[c], 1.0) for c in cells], pulp.LpConstraintGE,
                      levels[g] * amount - SLACK)
        held_set = set(held)
        free = [g for g in free if g not in held_set]
        round_no += 1
    return levels


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


def add_district_floors(run: _Runner, fairness: Fairness, report: FairReport) -> None:
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


def add_gap_cap(run: _Runner, gap: float, report: FairReport) -> pulp.LpVariable:
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


def share_maxmin(run: _Runner, groups: list[Group], tag: str) -> None:
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


def share_alpha(run: _Runner, groups: list[Group], alpha: float, tag: str) -> None:
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


def share_across_districts(run: _Runner, rule: FairnessRule, groups: list[Group], alpha: float, tag: str) -> None:
    if rule is FairnessRule.maxmin:
        share_maxmin(run, groups, tag)
    elif rule is FairnessRule.leximin:
        leximin(run, rate_needs(run.m, groups), tag)
    elif rule is FairnessRule.alpha:
        share_alpha(run, groups, alpha, tag)


def share_inside_districts(run: _Runner, groups: list[Group], tag: str) -> None:
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


def _serve_bands(run: _Runner, policy: Policy, fairness: Fairness | None, tag: str) -> None:
    """Strict mode, band by band. With a district rule: the rule across districts, then (``equal_rate``)
    equal rates inside each district, then as many more of the band's learners as what is left allows.
    Without one: the policy's within-band rule, as ``priority.optimise``."""
    m = run.m
    by_band: dict[int, list[Group]] = {}
    for g in groups_of(m, by_band=True):
        by_band.setdefault(g.band, []).append(g)
    rule = fairness.rule if fairness is not None else FairnessRule.none
    for band in BANDS:
        cells = _band_cells(m, band)
        if not cells:
            continue
        name = f"{tag}b{band}"
        if rule is not FairnessRule.none:
            share_across_districts(run, rule, by_band[band], fairness.alpha, "d" + name)
            if policy.within_band is WithinBand.equal_rate:
                share_inside_districts(run, by_band[band], name)
            serve_max_count(run, cells, name)
        elif policy.within_band is WithinBand.equal_rate:
            serve_equal_rate(run, cells, name)
        else:
            serve_max_count(run, cells, name)


def _serve_weighted(run: _Runner, policy: Policy, fairness: Fairness | None, tag: str) -> None:
    m = run.m
    if fairness is not None:
        share_across_districts(run, fairness.rule, groups_of(m, by_band=False), fairness.alpha, f"{tag}w")
    bands = m.inputs.cells["band"]
    run.maximise((m.y[c], policy.weights[bands[c]]) for c in range(len(m.y)))


def _release_gap(run: _Runner, widen: pulp.LpVariable, policy: Policy, report: FairReport) -> None:
    """Hand out, in band order and without the cap, what could still cover learners once the cap is met."""
    m = run.m
    now = [y.value() or 0.0 for y in m.y]
    for c, value in enumerate(now):
        run.hold_cell(c, value)
    widen.upBound = 1.0
    if run.maximise((y, 1.0) for y in m.y) <= sum(now) + LEARNER * len(now) + 1e-4:
        return
    report.gap_released = True
    if policy.mode is Mode.weighted:
        _serve_weighted(run, policy, None, "r")
    else:
        _serve_bands(run, policy, None, "r")


def optimise_fair(m: AllocationModel, policy: Policy, fairness: Fairness, solver: pulp.LpSolver) -> tuple[LpSolution, FairReport]:
    """The policy's sequence of LPs with the fairness rules; the fractional plan and what the rules did."""
    report = FairReport()
    run = _Runner(m, solver)
    if not m.y:
        return LpSolution([], {}, 0), report
    add_computer_share(m, fairness)
    add_district_floors(run, fairness, report)
    widen = add_gap_cap(run, fairness.max_gap, report) if fairness.max_gap is not None else None
    if policy.mode is Mode.weighted:
        _serve_weighted(run, policy, fairness, "")
    else:
        _serve_bands(run, policy, fairness, "")
    if widen is not None:
        _release_gap(run, widen, policy, report)
    spend_least(run)
    covered = [y.value() or 0.0 for y in m.y]
    given = {key: var.value() or 0.0 for key, var in m.x.items()}
    report.district_lp = {g: sum(covered[c] for c in g.cells) for g in groups_of(m, by_band=False)}
    return LpSolution(covered, given, run.solves), report


def staged_inputs(inputs: PlanInputs, policy: Policy | None = None, **changes) -> PlanInputs:
    """The same tables under a changed policy or scenario settings (e.g. ``fairness=None``)."""
    scenario = inputs.scenario
    if policy is not None and policy is not scenario.policy:
        changes["policy"] = policy
    if changes:
        scenario = scenario.with_changes(**changes)
    return PlanInputs(scenario, inputs.areas, inputs.students, inputs.cells, inputs.suits, inputs.resources,
                      inputs.inputs_sha256)


def plan_fair(inputs: PlanInputs, policy: Policy | None = None) -> FairPlan:
    """Solve the LPs with the scenario's fairness rules and round to whole devices."""
    staged = staged_inputs(inputs, policy)
    scenario = staged.scenario
    solver = make_solver(scenario.solver)
    if scenario.fairness is None or not scenario.fairness.active:
        lp, report = optimise_grouped(staged, scenario.policy, solver), FairReport()
    else:
        lp, report = optimise_fair(build_model(staged), scenario.policy, scenario.fairness, solver)
    return FairPlan(round_to_whole(staged, lp, *report.targets), lp, report, lp.solves)


# ---------------------------------------------------------------- reporting

def _named(m_or_inputs, levels: dict[Group, float]) -> dict[str, float]:
    inputs = m_or_inputs.inputs if isinstance(m_or_inputs, AllocationModel) else m_or_inputs
    names = dict(zip(inputs.areas["code"], inputs.areas["name"]))
    return {names[g.area] + (f" (band {g.band})" if g.band else ""): level for g, level in levels.items()}


def unmet_rules(inputs: PlanInputs, fair: FairPlan) -> list[Unmet]:
    """The fairness rules the whole-device plan does not meet: by how much, where and why."""
    fairness, report, covered = inputs.scenario.fairness, fair.report, fair.plan.covered
    unmet = []
    f = fairness.district_floor
    rate = {g: sum(covered[c] for c in g.cells) / g.pupils for g in report.floors}
    below = {g: r for g, r in rate.items() if r < f - 1e-9}
    if below:
        reasons = []
        money = [g for g in below if report.floor_share[g] < 1 - 1e-9]
        if money:
            reasons.append(f"the money and stock cannot bring every district to the floor: the most all of them can "
                           f"reach together is {min(report.floors[g] for g in money):.1%} (a district that can "
                           f"reach more gets more, up to the floor)")
        if any(report.floor_share[g] >= 1 - 1e-9 and report.floors[g] < f - 1e-9 for g in below):
            reasons.append("some districts have too many learners in grades no device suits")
        targets = report.floor_targets()
        if any(sum(covered[c] for c in g.cells) < targets.get(g, 0) for g in below):
            reasons.append("rounding to whole devices leaves some districts a few learners below the floor, "
                           "where what was left could not pay for one more device")
        unmet.append(Unmet("district_floor", f, min(below.values()), _named(inputs, below), "; ".join(reasons)))
    if fairness.max_gap is not None:
        rates = district_rates(inputs, covered)
        best, worst = max(rates, key=rates.get), min(rates, key=rates.get)
        if rates[best] - rates[worst] > fairness.max_gap + 1e-9:
            reasons = []
            if report.gap_widened:
                reasons.append("the district floors spread the rates wider than the cap")
            if report.gap_released:
                reasons.append("the worst-off districts could not be raised further, so what could still cover "
                               "learners elsewhere was handed out in band order rather than left unused")
            reason = "; ".join(reasons) or "met in the LP; rounding to whole devices widens it by a few learners"
            unmet.append(Unmet("max_gap", fairness.max_gap, rates[best] - rates[worst],
                               {best: rates[best], worst: rates[worst]}, reason))
    share = fairness.upper_secondary_computer_share
    if share > 0:
        computers = set(fairness.computers(inputs.scenario.devices))
        upper = {c for c, g in enumerate(inputs.cells["grade"]) if g in UPPER_SECONDARY}
        served = sum(covered[c] for c in upper)
        given = sum(n for (c, d), n in fair.plan.units.items() if c in upper and d in computers)
        if served and given / served < share - 1e-9:
            unmet.append(Unmet("upper_secondary_computer_share", share, given / served, {},
                               "met in the LP; whole devices gave a few more tablets than the share allows"))
    return unmet


def fairness_summary(inputs: PlanInputs, fair: FairPlan, covered_without: int | None) -> dict:
    """The summary's ``fairness`` object: settings, district metrics, price of fairness, unmet rules."""
    metrics = coverage_metrics(inputs, fair.plan.covered)
    covered = metrics["covered"]
    if covered_without is None:  # no rule changes the plan
        covered_without = covered
    pof = price_of_fairness(covered_without, covered)
    return {
        "settings": inputs.scenario.fairness.model_dump(mode="json"),
        "min_district_rate": metrics["min_district_rate"],
        "max_district_rate": metrics["max_district_rate"],
        "worst_district": metrics["worst_district"],
        "best_district": metrics["best_district"],
        "gini": metrics["gini"],
        "max_min_ratio": metrics["max_min_ratio"],
        "covered": covered,
        "covered_without_fairness": int(covered_without),
        "price_of_fairness": None if pof is None else round(pof, 6),
        "unmet": [u.as_dict() for u in unmet_rules(inputs, fair)],
        "rates": metrics["rates"],
    }
