"""The summary of a plan as typed parts; ``Summary.to_json_dict()`` is summary.json.

Rules that turn the dataclasses below into JSON, and into its JSON Schema (draft 2020-12):

- a field's name is its JSON key, and keys come in the order the fields are declared;
- a part declared with ``flat()`` puts its own fields at the top level (the JSON stays flat:
  ``pupils``, ``budget_vnd``, ``given`` ... sit beside ``status``);
- an optional part declared with ``omitted()`` is left out when it is None, and is not required
  by the schema; any other field is always written and required, None as ``null``;
- every object the dataclasses describe allows no other key (``additionalProperties: false``),
  so a stray key fails validation; ``dict[str, X]`` is an object with any keys and X values;
  ``dict[str, Any]`` (the scenario's own settings, as its model writes them) is any object.

Nothing adds keys to a summary: the pipeline and the ledger set typed fields.
``sim.results.schema`` turns these rules into the JSON Schema committed as summary.schema.json.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any


def flat():
    """A part whose fields sit at the summary's top level."""
    return field(metadata={"flat": True})


def omitted():
    """An optional part: None leaves the key out of the JSON."""
    return field(default=None, metadata={"omit": True})


# ---------------------------------------------------------------- the parts


class Part:
    """JSON both ways for every part of the summary."""

    def to_json_dict(self) -> dict:
        """The part as plain JSON values (a new dict each call)."""
        return _to_json(self)

    @classmethod
    def from_json_dict(cls, data: dict):
        """The part from its JSON (e.g. a stored plan version's summary); unknown keys are errors."""
        return _from_json(cls, data)


@dataclass
class Reach(Part):
    """Learners and how many of them the plan covers."""

    pupils: int
    covered: int


@dataclass
class Coverage(Part):
    """Who is eligible and who is covered; bands are the keys "1"-"5"."""

    pupils: int
    covered: int
    pupils_by_band: dict[str, int]
    covered_by_band: dict[str, int]
    band_labels: dict[str, str]
    without_internet: Reach


@dataclass
class Money(Part):
    """VND: the budget, the earmarks, what was spent from each and what is left."""

    budget_vnd: int
    earmarked_vnd: int
    spent_vnd: int
    spent_general_vnd: int
    spent_earmarked_vnd: int
    cash_left_vnd: int
    earmark_left_vnd: dict[str, int]  # district name -> earmarked money left


@dataclass
class Items(Part):
    """Units per item (devices in scenario order, then ``data_package``)."""

    given: dict[str, int]
    bought: dict[str, int]
    from_stock: dict[str, int]
    stock_left: dict[str, int]
    spent_by_item_vnd: dict[str, int]


@dataclass
class DistrictAccount(Part):
    """One district's devices and packages and how they were paid for (items with zero left out)."""

    district: str
    code: str
    given: dict[str, int]
    bought: dict[str, int]
    from_general_stock: dict[str, int]
    from_earmarked_stock: dict[str, int]
    spent_vnd: int
    earmarked_cash_vnd: int
    general_cash_vnd: int


@dataclass
class PoolSummary(Part):
    """One pool of money and stock: what it held, what the plan took, what is left.
    ``district`` and ``band`` are None when the pool may be used anywhere / for any band."""

    pool: str
    district: str | None
    band: int | None
    cash_vnd: int
    cash_spent_vnd: int
    cash_left_vnd: int
    stock: dict[str, int]
    given: dict[str, int]
    stock_left: dict[str, int]


@dataclass
class UnmetRule(Part):
    """A fairness rule the plan does not meet, with by how much and where."""

    rule: str
    wanted: float
    reached: float
    short_by: float
    districts: dict[str, float]
    reason: str


@dataclass
class BandDistricts(Part):
    """The districts' rates among their learners of one band: what a rule across districts acts on
    in ``strict`` mode."""

    min_district_rate: float
    worst_district: str
    max_district_rate: float
    best_district: str
    rates: dict[str, float]


@dataclass
class Fairness(Part):
    """District equity under the scenario's fairness rules (``sim.core.fairness.fairness_summary``)."""

    settings: dict[str, Any]
    min_district_rate: float | None
    max_district_rate: float | None
    worst_district: str | None
    best_district: str | None
    gini: float | None
    max_min_ratio: float | None
    covered: int
    covered_without_fairness: int
    price_of_fairness: float | None
    unmet: list[UnmetRule]
    rates: dict[str, dict[str, float | None]]  # by district, band, grade, status, internet
    acts_on: str | None = omitted()  # "per_band" (strict mode with a rule across districts) or "overall"
    per_band: dict[str, BandDistricts] | None = omitted()  # band -> district rates in that band


@dataclass
class PreviousPlan(Part):
    """The plan in force: its devices per district and how many devices the new plan changes."""

    devices: dict[str, dict[str, int]]
    devices_changed: int
    kept_unchanged: bool | None = omitted()  # the plan in force stood: it still fits and is as good


@dataclass
class MaxCountComparison(Part):
    """An ``equal_rate`` plan's band totals had each band been served to the most learners."""

    covered: int
    more_than_equal_rate: int
    covered_by_band: dict[str, int]


@dataclass
class LedgerInfo(Part):
    """What a replan counted from the donations ledger."""

    counting: dict[str, Any]
    donations: int
    donations_counted: int
    counted: dict[str, int]  # "district: item", "band 1: item" or "anywhere: item" -> amount
    held_aside: list[str] | None = omitted()  # plans made before band-reserved gifts became pools


@dataclass
class WholeDevices(Part):
    """How the plan in whole devices was reached (``sim.core.exact``): ``rounding`` of the LP plan,
    or ``exact`` MILPs from the first band rounding did not prove optimal. ``not_proved_bands``: the
    bands whose whole plan is not proved optimal in whole units (a rounded plan under fairness
    rules, an ``equal_rate`` band of more groups than the exact leximin takes, an ``equal_rate`` band
    whose columns merge districts: leximin-best over the columns, not proved over the districts'
    groups); empty when the plan is the integer optimum in band order."""

    method: str
    milps: int
    not_proved_bands: list[int]


@dataclass
class SolverInfo(Part):
    name: str
    version: str
    lp_solves: int
    whole_devices: WholeDevices | None = omitted()


@dataclass
class InputHashes(Part):
    """SHA-256 of the scenario settings and both tables; a replan adds the ledger and the plan in force."""

    scenario: str
    areas: str
    students: str
    ledger: str | None = omitted()
    previous_plan: str | None = omitted()


@dataclass
class UnitsInfo(Part):
    """The 2025 unit lists an areas file of communes matches (sim.units): which province, which releases."""

    province: str
    province_code: int
    lists: dict[str, str]  # package -> version


@dataclass
class Provenance(Part):
    inputs_sha256: InputHashes
    version: str
    units: UnitsInfo | None = omitted()  # only when the areas are the communes of one 2025 province


@dataclass(kw_only=True)
class Summary(Part):
    """Everything an analyst or the People's Committee asks first about one plan."""

    scenario: str
    status: str
    policy: dict[str, Any]
    coverage: Coverage = flat()
    money: Money = flat()
    items: Items = flat()
    by_district: list[DistrictAccount]
    pools: list[PoolSummary]
    delivered: dict[str, dict[str, int]] | None = omitted()  # district -> device -> devices handed out
    fairness: Fairness | None = omitted()
    previous_plan: PreviousPlan | None = omitted()
    max_count_comparison: MaxCountComparison | None = omitted()
    solver: SolverInfo
    provenance: Provenance = flat()
    seconds: float = 0.0
    ledger: LedgerInfo | None = omitted()


# ---------------------------------------------------------------- JSON values


def hints(cls) -> dict[str, Any]:
    """A dataclass's field types, resolved (this module writes them as strings)."""
    return typing.get_type_hints(cls)


_PLAIN = frozenset({int, float, str, bool, type(None)})


@functools.cache
def _layout(cls) -> tuple[tuple[str, bool, bool], ...]:
    """(name, omitted when None, flat) of each field of a dataclass, looked up once per class."""
    return tuple((f.name, bool(f.metadata.get("omit")), bool(f.metadata.get("flat"))) for f in dataclasses.fields(cls))


def _to_json(value):
    if type(value) in _PLAIN:  # most values of a summary (by_district's counts): returned as they are
        return value
    if dataclasses.is_dataclass(value):
        out: dict = {}
        for name, omit, flat in _layout(type(value)):
            part = getattr(value, name)
            if omit and part is None:
                continue
            if flat:
                out.update(_to_json(part))
            else:
                out[name] = _to_json(part)
        return out
    if isinstance(value, dict):
        return {k: _to_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    return value


def _keys(cls) -> set[str]:
    keys = set()
    for f in dataclasses.fields(cls):
        keys |= _keys(hints(cls)[f.name]) if f.metadata.get("flat") else {f.name}
    return keys


def _from_json(hint, data):
    if dataclasses.is_dataclass(hint):
        if not isinstance(data, dict):
            raise ValueError(f"{hint.__name__}: expected an object, got {data!r}")
        stray = set(data) - _keys(hint)
        if stray:
            raise ValueError(f"{hint.__name__}: unknown keys {sorted(stray)}")
        kwargs = {}
        for f in dataclasses.fields(hint):
            sub = hints(hint)[f.name]
            if f.metadata.get("flat"):
                kwargs[f.name] = _from_json(sub, {k: data[k] for k in _keys(sub) if k in data})
            elif f.name in data:
                kwargs[f.name] = _from_json(sub, data[f.name])
        return hint(**kwargs)
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        if data is None:
            return None
        return _from_json(next(a for a in args if a is not type(None)), data)
    if origin is dict:
        return {k: _from_json(args[1], v) for k, v in data.items()}
    if origin is list:
        return [_from_json(args[0], v) for v in data]
    return data
