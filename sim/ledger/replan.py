"""Re-plan from the ledger: add what the donations bring to the scenario, keep what was delivered,
stay close to the plan in force, and store the result as a new plan version.

What a donation brings: cash to the budget, devices and data packages to the stock; reserved
for a district (``earmark_district``), a priority band (``earmark_band``) or both, to the
reserved pool of that scope (one earmark per scope, added after the scenario's own), which only
that district's or band's learners may draw on. Which donations count follows the scenario's
``donations.count``: received (and delivered) only, pledged ones too, or pledges times
``realisation_rate``. Cancelled donations never count.

Devices already delivered, per district and device, are the deliveries table plus delivered
gifts in kind that name their district; ``sim.solve`` keeps every district at or above them. A
delivered gift is both: its devices are stock of its pool and the plan keeps them handed out,
so they are paid for once, by the gift itself.
"""

from __future__ import annotations

import hashlib
import io
import json
import math
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd

from sim.ledger.donations import Delivery, Donation
from sim.read.errors import Problem, ScenarioError
from sim.core.inputs import DATA_PACKAGE
from sim.ledger.store import Ledger, PlanVersion, checksum, now
from sim.read.names import did_you_mean, match_key
from sim.core.pipeline import solve
from sim.results.cells import csv_text  # noqa: F401 (tables as Result.write writes them)
from sim.results.result import Result
from sim.results.summary import LedgerInfo
from sim.read.scenario import Counting, Scenario
from sim.read.tables import AreaIndex, read_areas
from sim.units.convert import OldUnits

GENERAL = ""  # area key of what may be used in any district
ANY_BAND = 0  # band key of what may be used in any band


def share_counted(donation: Donation, scenario: Scenario) -> float:
    """The share of a donation a plan counts: 1 received or delivered, 0 cancelled; a pledge 0, 1
    or the realisation rate, as the scenario says."""
    if donation.status == "cancelled":
        return 0.0
    if donation.status in ("received", "delivered"):
        return 1.0
    counting = scenario.donations
    return {Counting.received: 0.0, Counting.pledged: 1.0}.get(counting.count, counting.realisation_rate or 0.0)


def item_of(donation: Donation) -> str:
    """'cash', a device name or 'data_package'."""
    return {"cash": "cash", "data_package": DATA_PACKAGE}.get(donation.kind, donation.device)


def value_of(donation: Donation) -> int:
    return donation.amount_vnd if donation.kind == "cash" else donation.quantity


@dataclass
class Funds:
    """What the counted donations bring, per pool: (area code or GENERAL, band or ANY_BAND, item) -> amount."""

    pools: dict[tuple[str, int, str], int]
    shares: dict[str, float]  # donation id -> share counted

    def counted(self, names: dict[str, str]) -> dict[str, int]:
        """{'<where>: <item>': amount}: where is 'anywhere', a district, 'band b' or 'district, band b'."""
        out = {}
        for (area, band, item), n in self.pools.items():
            where = ", ".join(([names[area]] if area else []) + ([f"band {band}"] if band else [])) or "anywhere"
            out[f"{where}: {item}"] = n
        return out


def _where(ledger_path: Path, record_id: str, column: str, message: str, value: object, expected: str,
           hint: str | None = None) -> Problem:
    return Problem(str(ledger_path), f"{record_id}: {message}", column=column, value=value, expected=expected, hint=hint)


def count_donations(donations: list[Donation], scenario: Scenario, index: AreaIndex, ledger_path: Path) -> Funds:
    """Add up what the counted donations bring. A counted donation naming a device the scenario
    does not price, or a district the areas file does not have, is a ScenarioError (exit 3)."""
    devices = {match_key(d): d for d in scenario.devices}
    exact: dict[tuple[str, int, str], float] = {}
    shares, problems = {}, []
    for donation in donations:
        share = share_counted(donation, scenario)
        shares[donation.donation_id] = share
        if share == 0:
            continue
        item = item_of(donation)
        if donation.kind == "device":
            item = devices.get(match_key(donation.device))
            if item is None:
                problems.append(_where(ledger_path, donation.donation_id, "device", "the scenario has no such device",
                                       donation.device, "one of " + ", ".join(scenario.devices),
                                       did_you_mean(donation.device, list(scenario.devices))))
                continue
        area = GENERAL
        if donation.earmark_district:
            area = index.find(donation.earmark_district)
            if area is None:
                problems.append(_where(ledger_path, donation.donation_id, "earmark_district", "unknown district",
                                       donation.earmark_district, "a name or code from the areas file",
                                       index.suggestion(donation.earmark_district)))
                continue
        key = (area, donation.earmark_band or ANY_BAND, item)
        exact[key] = exact.get(key, 0.0) + share * value_of(donation)
    if problems:
        raise ScenarioError(problems)
    # Pledges at a rate are added up per pool before rounding down: ten pledges of one tablet at
    # 50% are five tablets, not none.
    pools = {key: math.floor(value + 1e-9) for key, value in sorted(exact.items())}
    return Funds(pools, shares)


def fund(scenario: Scenario, funds: Funds, names: dict[str, str]) -> Scenario:
    """The scenario with the counted donations added: general cash and stock to the budget and the
    stock, reserved ones as one more earmark per scope (district, band or both; after the
    scenario's own, in the order of ``Funds.pools``)."""
    data = scenario.model_dump(exclude={"source_file"})
    everywhere = (GENERAL, ANY_BAND)
    data["budget_vnd"] += funds.pools.get((*everywhere, "cash"), 0)
    data["data_package"]["in_stock"] += funds.pools.get((*everywhere, DATA_PACKAGE), 0)
    for device in data["devices"]:
        data["devices"][device]["in_stock"] += funds.pools.get((*everywhere, device), 0)
    scopes = list(dict.fromkeys((a, b) for a, b, _ in funds.pools if (a, b) != everywhere))
    for area, band in scopes:
        mine = {item: n for (a, b, item), n in funds.pools.items() if (a, b) == (area, band)}
        mark = {"budget_vnd": mine.pop("cash", 0), "data_packages": mine.pop(DATA_PACKAGE, 0), "devices": mine,
                "note": "donations in the ledger"}
        if area != GENERAL:
            mark["district"] = names[area]
        if band != ANY_BAND:
            mark["band"] = band
        data["earmarks"].append(mark)
    funded = Scenario.model_validate(data)
    funded.source_file = scenario.source_file
    return funded


def delivered_counts(deliveries: list[Delivery], donations: list[Donation], scenario: Scenario, index: AreaIndex,
                     ledger_path: Path, units: "OldUnits | None" = None) -> dict[tuple[str, str], int]:
    """Devices handed over per (district name, device): the deliveries, plus delivered gifts of
    devices that name their district. ``units``: against areas that are 2025 communes, a former
    district is placed on its one new commune, or listed with its candidates (sim.units.convert)."""
    devices = {match_key(d): d for d in scenario.devices}
    names = index.name_of
    counts: dict[tuple[str, str], int] = {}
    problems = []
    handed = [(d.delivery_id, d.district, d.device, d.quantity, "district") for d in deliveries]
    handed += [(d.donation_id, d.earmark_district, d.device, d.quantity, "earmark_district")
               for d in donations if d.status == "delivered" and d.kind == "device"]
    for record_id, district, device, quantity, column in handed:
        area, name = index.find(district), devices.get(match_key(device))
        if area is not None and units is not None and (clash := units.clash(district)):
            problems.append(_where(ledger_path, record_id, column, *clash))  # "Đức Hòa": Xã Đức Hòa or Huyện Đức Hòa?
        elif area is None and units is not None and district:  # an old district against a plan by 2025 commune
            area, problem = units.place(record_id, column, district, quantity)
            if problem:
                problems.append(_where(ledger_path, record_id, column, *problem))
        elif area is None:
            problems.append(_where(ledger_path, record_id, column, "unknown district", district,
                                   "a name or code from the areas file", index.suggestion(district)))
        if name is None:
            problems.append(_where(ledger_path, record_id, "device", "the scenario has no such device", device,
                                   "one of " + ", ".join(scenario.devices), did_you_mean(device, list(scenario.devices))))
        if area is not None and name is not None:
            counts[names[area], name] = counts.get((names[area], name), 0) + quantity
    if problems:
        raise ScenarioError(problems)
    return dict(sorted(counts.items()))


def ledger_state(donations: list[Donation], deliveries: list[Delivery]) -> dict:
    return {"donations": [asdict(d) for d in donations], "deliveries": [asdict(d) for d in deliveries]}


def table_of(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"grade": str})


@dataclass
class Replanned:
    result: Result
    version: int
    previous: PlanVersion | None
    units_report: pd.DataFrame | None = None  # deliveries in old units placed on 2025 communes


def replan(scenario: Scenario, ledger: Ledger, *, compare: bool = True, keep_previous: bool = True) -> Replanned:
    """Plan from the ledger's current state and store the plan as a new version, in one write
    transaction: another replan or import waits, and a kill leaves the ledger as it was.

    ``keep_previous``: stay as close as the best coverage allows to the latest stored version.
    """
    areas = read_areas(scenario.areas)
    index = AreaIndex(areas)
    units = OldUnits.for_areas(areas, index)
    with ledger.write():
        donations, deliveries = ledger.donations(), ledger.deliveries()
        previous = ledger.latest_version()
        funds = count_donations(donations, scenario, index, ledger.path)
        funded = fund(scenario, funds, index.name_of)
        delivered = delivered_counts(deliveries, donations, scenario, index, ledger.path, units)
        from sim.ledger.handovers import confirmed, with_handovers

        handed = confirmed(ledger.db)  # districts with confirmed handovers count those (sim.ledger.handovers)
        delivered = with_handovers(delivered, handed)
        before = table_of(previous.allocation_csv) if previous is not None and keep_previous else None
        result = solve(funded, compare=compare, delivered=delivered, previous=before)
        state = ledger_state(donations, deliveries)
        if handed:
            state["handovers"] = [[d, dev, n] for (d, dev), n in handed.items()]
        typed = result.typed_summary
        typed.ledger = LedgerInfo(
            counting=scenario.donations.model_dump(mode="json"),
            donations=len(donations),
            donations_counted=sum(1 for s in funds.shares.values() if s > 0),
            counted=funds.counted(index.name_of),
        )
        typed.provenance.inputs_sha256.ledger = checksum(state)
        if before is not None:
            typed.provenance.inputs_sha256.previous_plan = hashlib.sha256(previous.allocation_csv.encode()).hexdigest()
        summary = result.summary
        state["shares"] = funds.shares
        state["counting"] = summary["ledger"]["counting"]
        number = ledger.add_version({
            "created_at": now(), "previous_version": previous.version if previous else None,
            "scenario_name": scenario.name, "scenario_yaml": scenario.to_yaml(),
            "inputs_sha256": summary["inputs_sha256"], "ledger_sha256": summary["inputs_sha256"]["ledger"],
            "ledger_state": state, "solver": summary["solver"],
            "allocation_csv": csv_text(result.allocation), "coverage_csv": csv_text(result.coverage),
            "summary_json": json.dumps(summary, ensure_ascii=False, indent=2) + "\n",
        })
    return Replanned(result, number, previous, units.report() if units is not None and units.rows else None)
