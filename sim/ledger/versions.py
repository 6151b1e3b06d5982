"""Plan versions side by side: the list, what changed between two, and which donations caused it.

A version stores the ledger state it used (every donation and delivery, and the share of each
donation it counted). Between two versions, a donation *caused* a change when what it brings
differs (new, cancelled, received, corrected, or counted differently); it can reach a district
when it is unearmarked (its money or stock could go anywhere) or earmarked for that district.
``because`` lists, per district and device, the donations that changed and can reach it, plus
"deliveries" when the devices recorded as delivered there changed, and "scenario" when the
scenario's settings or tables changed. A district can also change because of a gift earmarked for
another one (it frees or takes general money and stock): that is listed as "indirectly ...".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import pandas as pd

from sim.ledger.store import Ledger, PlanVersion
from sim.read.names import match_key
from sim.core.rules import BAND_LABELS, BAND_LABELS_VI, BANDS
from sim.locale import get_language, signed
from sim.locale import gettext as t
from sim.views.text import thousands as _n


def _covered(version: PlanVersion) -> dict:
    return version.summary["covered_by_band"]


def last_record_date(version: PlanVersion) -> str:
    """The latest date among the donations and deliveries the version used (a status change
    carries no date of its own)."""
    state = version.ledger_state
    dates = [d["date"] for d in state["donations"]] + [d["date"] for d in state["deliveries"]]
    return max(dates, default="")


def versions_table(ledger: Ledger) -> pd.DataFrame:
    """One row per plan version: when, from what, and what it covers."""
    rows = []
    for v in ledger.versions():
        summary = v.summary
        counting = summary["ledger"]["counting"]
        rows.append({
            "version": v.version, "created_utc": v.created_at.replace("+00:00", ""), "previous": v.previous_version,
            "scenario": v.scenario_name, "last_record": last_record_date(v),
            "counting": counting["count"] + (f" {counting['realisation_rate']:g}" if counting.get("realisation_rate") is not None else ""),
            "donations_counted": summary["ledger"]["donations_counted"],
            "covered": summary["covered"], "pupils": summary["pupils"],
            **{f"band_{b}": summary["covered_by_band"][str(b)] for b in BANDS},
            "spent_vnd": summary["spent_vnd"],
            "devices_changed": summary.get("previous_plan", {}).get("devices_changed"),
        })
    columns = ["version", "created_utc", "previous", "scenario", "last_record", "counting", "donations_counted", "covered",
               "pupils", *[f"band_{b}" for b in BANDS], "spent_vnd", "devices_changed"]
    return pd.DataFrame(rows, columns=columns).astype({"previous": "Int64", "devices_changed": "Int64"})


def _devices(version: PlanVersion) -> pd.Series:
    from sim.ledger.replan import table_of

    table = table_of(version.allocation_csv)
    return table.groupby(["district", "device"], sort=False)["devices"].sum()


def _counted(record: dict | None, share: float) -> tuple[str, str, float] | None:
    """(district key, item, amount counted) of a donation, None when it counts nothing."""
    if record is None or share == 0:
        return None
    item = {"cash": "VND", "data_package": "data packages"}.get(record["kind"], record["device"])
    value = record["amount_vnd"] if record["kind"] == "cash" else record["quantity"]
    return match_key(record["earmark_district"]), item, share * value


def _amount(counted: tuple[str, str, float] | None) -> str:
    """What a donation counted, in words of the current language: ``800 máy tính bảng``,
    ``2.000.000 đồng``, ``480 gói dữ liệu di động`` (``800 tablets``, ``1 laptop``, ``2,000,000 VND``
    in English)."""
    from sim.locale import item_count, number

    if counted is None:
        return number(0)
    _, item, value = counted
    decimals = 0 if float(value).is_integer() else 1
    if item == "VND":
        return t("describe_cash").format(amount=number(value, decimals))
    return item_count(value, "data_package" if item == "data packages" else item, decimals)


@dataclass
class Diff:
    """What changed from version ``a`` to version ``b``."""

    a: PlanVersion
    b: PlanVersion
    devices: pd.DataFrame  # district, device, before, after, change, because (changed rows only)
    bands: pd.DataFrame  # band, who, before, after, change
    donations: pd.DataFrame  # donation_id, donor, what, status, counted_before, counted_after, effect
    scenario_changed: bool
    pools: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=POOL_COLUMNS))  # changed rows only

    def __str__(self) -> str:
        a, b = self.a.version, self.b.version
        lines = [t("diff_title").format(a=a, b=b) + (t("diff_scenario_changed") if self.scenario_changed else "") + ":",
                 "", t("diff_bands")]
        for row in self.bands.itertuples():
            who = BAND_LABELS_VI[row.band] if get_language() == "vi" else row.who
            lines.append(f"  {row.band}  {who:<38} {_n(row.before):>7} -> {_n(row.after):>7}  {_signed(row.change):>7}")
        lines += ["", t("diff_devices")]
        if self.devices.empty:
            lines.append("  " + t("diff_none"))
        else:
            from sim.views.i18n import item_label

            width = max(len(d) for d in self.devices["district"])
            kinds = max(8, *(len(item_label(d)) for d in self.devices["device"]))
            for row in self.devices.itertuples():
                lines.append(f"  {row.district:<{width}}  {item_label(row.device):<{kinds}} {_n(row.before):>6} -> "
                             f"{_n(row.after):>6}  {_signed(row.change):>7}   " + t("diff_because").format(why=_causes(row.because)))
        lines += ["", t("diff_donations")]
        if self.donations.empty:
            lines.append("  " + t("diff_none"))
        for row in self.donations.itertuples():
            effect = "" if row.effect else "  " + t("diff_no_effect")
            lines.append(f"  {row.donation_id}  {row.donor or '-'}: {row.what}; {_status(row.status)}; "
                         + t("diff_counted").format(before=row.counted_before, after=row.counted_after) + effect)
        if not self.pools.empty:
            from sim.views.i18n import item_label

            lines += ["", t("diff_pools")]
            names = {pool: pool_label(pool) for pool in self.pools["pool"]}
            items = {i: t("diff_vnd") if i == "VND" else item_label(i) for i in self.pools["item"]}
            width, kinds = max(len(n) for n in names.values()), max(12, *(len(i) for i in items.values()))
            for row in self.pools.itertuples():
                lines.append(f"  {names[row.pool]:<{width}}  {items[row.item]:<{kinds}} " + t("diff_given_left").format(
                    given_before=_n(row.given_before), given_after=_n(row.given_after),
                    left_before=_n(row.left_before), left_after=_n(row.left_after)))
        return "\n".join(lines)


_POOL_BAND = re.compile(r"^(?:(?P<district>.+), )?nhóm (?P<band>\d)$")


def pool_label(name: str) -> str:
    """A pool as a summary names it (``sim.results.pools.pool_name``: ``chung``, ``Đức Huệ``,
    ``nhóm 1``, ``Đức Huệ, nhóm 2``: data, the same in every language) in the reader's words:
    ``nguồn chung`` / ``general``, ``nhóm 1`` / ``band 1``; a district stays its name.

    >>> from sim.locale import get_language, set_language
    >>> before = get_language(); set_language("en")
    >>> pool_label("chung"), pool_label("Đức Huệ, nhóm 2"), pool_label("Đức Huệ")
    ('general', 'Đức Huệ, band 2', 'Đức Huệ')
    >>> set_language(before)
    """
    if name == "chung":
        return t("pool_general")
    band = _POOL_BAND.match(str(name))
    if band:
        label = t("show_band").format(band=band.group("band"))
        return f"{band.group('district')}, {label}" if band.group("district") else label
    return str(name)


def _signed(change: int) -> str:
    """``+3``, ``−1`` (a real minus sign), ``0``, ``+1.234``: ``sim.locale.signed``, as every change
    the tool shows a reader is written (the CSV of ``plans diff --csv`` keeps plain ``-1``)."""
    return signed(int(change))


def _donation_status(code: str) -> str:
    return t("donation_status_" + code) if code in ("pledged", "received", "cancelled", "delivered") else code


def _status(text: str) -> str:
    """What happened to a donation between two versions ("new, received", "pledged -> received") in words."""
    if text.startswith("new, "):
        return t("diff_status_new").format(status=_donation_status(text[5:]))
    if text in ("no longer in the ledger", "corrected"):
        return t("diff_status_gone" if text.startswith("no") else "diff_status_corrected")
    return " -> ".join(_donation_status(part) for part in text.split(" -> "))


_CAUSES = {"deliveries": "diff_cause_deliveries", "deliveries elsewhere": "diff_cause_deliveries_elsewhere",
           "scenario": "diff_cause_scenario", "rounding to whole devices": "diff_cause_rounding"}


def _causes(text: str) -> str:
    """The ``because`` of a district and device ("indirectly D1, D2, deliveries") in words."""
    import re

    def one(part: str) -> str:
        if part.startswith("indirectly "):
            return t("diff_cause_indirectly").format(ids=part[len("indirectly "):])
        more = re.fullmatch(r"and (\d+) more", part)
        if more:
            return t("diff_cause_more").format(count=more.group(1))
        return t(_CAUSES[part]) if part in _CAUSES else part

    return ", ".join(one(part) for part in str(text).split(", "))


POOL_COLUMNS = ["pool", "item", "given_before", "given_after", "left_before", "left_after"]


def _pool_rows(summary: dict) -> dict[tuple[str, str], tuple[int, int]]:
    """(pool, item) -> (given, left) from a summary's ``pools``; money as item 'VND' (spent, left)."""
    rows = {}
    for pool in summary.get("pools", []):
        rows[pool["pool"], "VND"] = (pool["cash_spent_vnd"], pool["cash_left_vnd"])
        for item, n in pool["given"].items():
            rows[pool["pool"], item] = (n, pool["stock_left"].get(item, 0))
    return rows


def pool_changes(a: dict, b: dict) -> pd.DataFrame:
    """Per pool and item (or VND), what it gave and has left in summaries ``a`` and ``b``; rows
    that changed only. Empty when either summary has no ``pools`` (made before pools existed)."""
    if "pools" not in a or "pools" not in b:
        return pd.DataFrame(columns=POOL_COLUMNS)
    before, after = _pool_rows(a), _pool_rows(b)
    rows = []
    for key in [*before, *(k for k in after if k not in before)]:
        (g0, l0), (g1, l1) = before.get(key, (0, 0)), after.get(key, (0, 0))
        if (g0, l0) != (g1, l1):
            rows.append(dict(zip(POOL_COLUMNS, (*key, g0, g1, l0, l1))))
    return pd.DataFrame(rows, columns=POOL_COLUMNS)


def diff(a: PlanVersion, b: PlanVersion) -> Diff:
    """Per district and device, what changed from ``a`` to ``b`` and which donations caused it."""
    devices = pd.concat([_devices(a).rename("before"), _devices(b).rename("after")], axis=1).fillna(0).astype(int)
    devices = devices.assign(change=devices["after"] - devices["before"]).reset_index()
    bands = pd.DataFrame([{"band": band, "who": BAND_LABELS[band], "before": _covered(a)[str(band)],
                           "after": _covered(b)[str(band)]} for band in BANDS])
    bands["change"] = bands["after"] - bands["before"]

    old = {d["donation_id"]: d for d in a.ledger_state["donations"]}
    new = {d["donation_id"]: d for d in b.ledger_state["donations"]}
    rows, reaching = [], []  # reaching: (district key or "", donation id) of donations whose counted part changed
    for key in sorted(set(old) | set(new)):
        before = _counted(old.get(key), a.ledger_state["shares"].get(key, 0.0))
        after = _counted(new.get(key), b.ledger_state["shares"].get(key, 0.0))
        if old.get(key) == new.get(key) and before == after:
            continue
        record = new.get(key) or old[key]
        status = (f"new, {record['status']}" if key not in old else "no longer in the ledger" if key not in new
                  else f"{old[key]['status']} -> {new[key]['status']}" if old[key]["status"] != new[key]["status"]
                  else "corrected" if old[key] != new[key] else record["status"])
        rows.append({"donation_id": key, "donor": record["donor"], "what": _describe(record), "status": status,
                     "counted_before": _amount(before), "counted_after": _amount(after), "effect": before != after})
        if before != after:
            for counted in (before, after):
                if counted is not None:
                    reaching.append((counted[0], key))
    donations = pd.DataFrame(rows, columns=["donation_id", "donor", "what", "status", "counted_before", "counted_after", "effect"])

    delivered_a, delivered_b = a.summary.get("delivered", {}), b.summary.get("delivered", {})
    scenario_changed = (_settings(a) != _settings(b)
                        or {k: v for k, v in a.inputs_sha256.items() if k in ("areas", "students")}
                        != {k: v for k, v in b.inputs_sha256.items() if k in ("areas", "students")})

    def listed(ids: set[str]) -> list[str]:
        ordered = sorted(ids)
        return ordered[:8] + ([f"and {len(ordered) - 8} more"] if len(ordered) > 8 else [])

    deliveries_changed = delivered_a != delivered_b

    def because(district: str, device: str) -> str:
        direct = {i for where, i in reaching if where in ("", match_key(district))}
        causes = listed(direct)
        if not direct and reaching:  # an earmark elsewhere frees or takes general money and stock
            causes.append("indirectly " + ", ".join(listed({i for _, i in reaching})))
        if delivered_a.get(district, {}).get(device, 0) != delivered_b.get(district, {}).get(device, 0):
            causes.append("deliveries")
        elif deliveries_changed and not causes:
            causes.append("deliveries elsewhere")
        if scenario_changed:
            causes.append("scenario")
        return ", ".join(causes) or "rounding to whole devices"

    devices = devices[devices["change"] != 0].reset_index(drop=True)
    devices["because"] = [because(d, k) for d, k in zip(devices["district"], devices["device"])]
    return Diff(a, b, devices, bands, donations, scenario_changed, pool_changes(a.summary, b.summary))


def _settings(version: PlanVersion) -> dict:
    """The scenario's settings without the tables' paths (the tables are compared by hash)."""
    import yaml

    settings = yaml.safe_load(version.scenario_yaml)
    return {k: v for k, v in settings.items() if k not in ("areas", "students")}


def _describe(record: dict) -> str:
    from sim.ledger.donations import Donation

    return Donation(**record).describe()


def coverage_history(ledger: Ledger) -> pd.DataFrame:
    """Learners covered per band, one row per version, with the ledger date each version used."""
    rows = []
    for v in ledger.versions():
        rows.append({"version": v.version, "last_record": last_record_date(v), **{f"band {b}": _covered(v)[str(b)] for b in BANDS},
                     "all bands": v.summary["covered"]})
    return pd.DataFrame(rows)


def what_each_bought(ledger: Ledger) -> pd.DataFrame:
    """For each version after the first: the donations that changed since the version before it
    and the learners covered that this added (or, for a cancellation, took away). The
    ``donations`` column is for people: the donations and what happened to them in words of the
    current language ("LA23-009 800 máy tính bảng (đã cam kết -> đã hủy)")."""
    versions = ledger.versions()
    by_number = {v.version: v for v in versions}
    rows = []
    for v in versions:
        if v.previous_version is None:
            continue
        change = diff(by_number[v.previous_version], v)
        effective = change.donations[change.donations["effect"]]
        rows.append({"version": v.version,
                     "donations": "; ".join(f"{r.donation_id} {r.what} ({_status(r.status)})" for r in effective.itertuples())
                     or t("diff_no_donation_changed"),
                     "learners_covered": int(change.bands["change"].sum()),
                     **{f"band {r.band}": int(r.change) for r in change.bands.itertuples()},
                     "devices_moved": int(change.devices["change"].abs().sum())})
    return pd.DataFrame(rows)


def _pool(name: str, amount: float) -> str:
    """What a version counted in a pool (``anywhere: cash``, ``band 1: desktop``, ``Đức Huệ: laptop``
    with its amount) in words: ``anywhere: 2,000,000 VND``, ``band 1: 1 desktop``, ``Đức Huệ: 40 laptops``."""
    import re

    from sim.locale import item_count, number

    where, _, item = str(name).rpartition(": ")
    where = t("show_anywhere") if where == "anywhere" else re.sub(r"\bband (\d)", lambda m: t("show_band").format(band=m.group(1)), where)
    what = t("describe_cash").format(amount=number(amount)) if item == "cash" else item_count(amount, item)
    return f"{where}: {what}" if where else what


def _counting(mode: str) -> str:
    return t("counting_" + mode) if mode in ("received", "pledged", "pledged_at_rate") else mode


def show(version: PlanVersion) -> str:
    """A version's record: when, from what, and the plan's summary."""
    from sim.views.text import summary_text

    summary = version.summary
    ledger = summary["ledger"]
    from sim.locale import date, datetime, ngettext

    last = last_record_date(version)
    lines = [t("show_version").format(version=version.version, made=datetime(version.created_at), scenario=version.scenario_name)
             + (t("show_after").format(previous=version.previous_version) if version.previous_version else ""),
             ngettext("show_ledger", ledger["donations"]).format(last=date(last) if last else "-", donations=_n(ledger["donations"]),
                                     counted=_n(ledger["donations_counted"]), count=_counting(ledger["counting"]["count"])),
             t("show_counted").format(items=", ".join(_pool(k, v) for k, v in ledger["counted"].items()) or t("show_nothing")),
             t("show_inputs") + json.dumps(version.inputs_sha256, sort_keys=True), "", ""]
    if ledger.get("held_aside"):  # versions made before band pools existed
        lines.insert(3, t("show_held_aside") + ", ".join(ledger["held_aside"]))
    return "\n".join(lines) + summary_text(summary)
