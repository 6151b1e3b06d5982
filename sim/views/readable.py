"""Plain tables for people to read, in the current language: the ledger's (notebook 04), a plan's
allocation (notebook 01), the fairness frontier (notebook 03).

``sim.ledger``, ``Result`` and ``sim.analysis`` return plain tables whose columns are the file
formats' and the code's names (``donation_id``, ``amount_vnd``, ``band 1``, ``devices_moved``,
``min_district_rate`` …); these functions give the same rows with headers from the catalogue
(``col_…`` keys), kinds, statuses and devices in words, dates as the language writes them and
numbers through Babel. Plain data (files, the ledger) is unchanged.

>>> import pandas as pd
>>> from sim.views import i18n
>>> before = i18n.get_language()
>>> i18n.set_language("vi")
>>> frame = pd.DataFrame({"donation_id": ["LA23-001"], "kind": ["cash"], "amount_vnd": ["600000000"]})
>>> list(readable(frame).columns), readable(frame).iloc[0].tolist()
(['mã tài trợ', 'loại', 'số tiền (đồng)'], ['LA23-001', 'tiền', '600.000.000'])
>>> i18n.set_language(before)
"""

from __future__ import annotations

import re

import pandas as pd

from sim.views import i18n

# column -> catalogue key of its header
HEADERS = {
    "donation_id": "col_donation_id", "delivery_id": "col_delivery_id", "date": "col_date", "donor": "col_donor",
    "kind": "col_kind", "device": "col_device", "quantity": "col_quantity", "amount_vnd": "col_amount_vnd",
    "earmark_district": "col_earmark_district", "earmark_band": "col_earmark_band", "status": "col_record_status",
    "event": "col_event", "version": "col_version", "previous": "col_previous", "learners_covered": "col_learners_covered",
    "devices_moved": "col_devices_moved", "donations": "col_donations_changed", "district": "district",
    "delivered": "col_delivered", "in the plan": "col_in_the_plan", "created_utc": "col_created_utc",
    "scenario": "col_scenario", "last_record": "col_last_record", "counting": "col_counting",
    "donations_counted": "col_donations_counted", "covered": "covered", "pupils": "pupils", "spent_vnd": "col_spent_vnd",
    "devices_changed": "col_devices_changed", "all bands": "all_bands", "band": "band",
    "grade": "grade", "devices": "col_devices", "data_packages": "col_data_packages",
    "value": "col_value", "chosen": "col_chosen", "min_district_rate": "col_min_district_rate",
    "max_district_rate": "col_max_district_rate", "gini": "col_gini", "max_min_ratio": "col_max_min_ratio",
    "price_of_fairness": "col_price_of_fairness", "unmet": "col_rules_not_met", "rate": "rate",
    # rosters and delivery lists (notebook 05), handovers (08), the 2025 communes (07), sweeps (06)
    "outcome": "col_outcome", "reason": "col_reason", "rows": "col_rows", "rank": "col_rank", "pseudonym": "col_pseudonym",
    "school": "col_school", "without_internet": "col_without_internet", "listed": "col_listed",
    "eligible": "outcome_eligible", "not_eligible": "outcome_not_eligible", "held_for_review": "outcome_held_for_review",
    "invalid": "outcome_invalid", "served": "col_served", "waiting": "col_waiting", "planned": "col_planned",
    "handed_over": "col_handed_over", "not_collected": "col_not_collected", "moved": "col_moved",
    "no_news": "col_no_news", "outstanding": "col_outstanding", "returned": "col_returned", "row": "col_row",
    "column": "col_column", "given": "col_given", "old_unit": "col_old_unit", "new_code": "col_new_code",
    "new_commune": "col_new_commune", "candidates": "col_candidates", "note": "col_note", "run": "col_run",
    "budget_vnd": "col_budget_vnd", "cash_left_vnd": "col_cash_left_vnd",
    # marginal values (notebook 03, sim marginal): sim.analysis.marginal's tables
    "change": "marginal_change", "first band it helps": "marginal_band", "estimate from the LP (learners)": "marginal_estimate",
    "LP re-solved (learners)": "marginal_lp", "plan re-solved, whole devices (learners)": "marginal_plan",
    "of which in its district": "marginal_district", "rest of the province": "marginal_rest",
    "constraint": "col_constraint", "learners per unit": "col_learners_per_unit", "unit": "col_unit",
}
ITEMS = ("tablet", "laptop", "desktop", "data_package")
COVERED_BAND = re.compile(r"^(covered|pupils)_band_(\d)$")
DEVICE_SETTING = re.compile(r"^devices\.(\w+)\.(unit_cost_vnd|in_stock)$")
EARMARK_MONEY = re.compile(r"^earmarks\.(\d+)\.budget_vnd$")
BAND_COLUMN = re.compile(r"^band[ _](\d)$")
WORDS = {  # column -> value -> catalogue key
    "kind": {"cash": "kind_cash", "device": "kind_device", "data_package": "kind_data_package"},
    "status": {s: f"record_{s}" for s in ("pledged", "received", "cancelled", "delivered")},
    "counting": {"received": "counting_received", "pledged": "counting_pledged",
                 "pledged_at_rate": "counting_pledged_at_rate"},
    "outcome": {o: f"outcome_{o}" for o in ("eligible", "not_eligible", "held_for_review", "invalid")},
    "without_internet": {"yes": "yes", "no": "no"},
    "unit": {"million VND": "unit_million_vnd", "device or package": "unit_device_or_package", "learner": "unit_learner"},
}
RUN_STATUSES = {"optimal": "status_optimal"}
LEARNER_STATUSES = {"poor", "near_poor", "covid_orphan"}
def _conversions() -> dict[str, dict[str, str]]:
    """How ``sim.units.convert`` words a row's conversion status, in both languages."""
    from sim.units.convert import BLANK, CONVERTED, LISTED, TEXT as UNIT_TEXT, UNCHANGED

    return {status: UNIT_TEXT[status] for status in (CONVERTED, UNCHANGED, BLANK, *LISTED)}


ALWAYS_PHRASES = ("reason", "note")  # the code's reasons (roster) and notes (unit conversion) are English phrases
PHRASES = "phrases"  # frame.attrs[PHRASES]: columns of English phrases the code writes (sim.analysis.marginal)
SIGNED = "signed"  # frame.attrs[SIGNED]: columns of changes, written +12, −3, 0
ENGLISH_THOUSANDS = re.compile(r"\d{1,3}(?:,\d{3})+(?!\d)")
BAND_WORD = re.compile(r"\bband[- ](\d)\b")


def phrase(text: str) -> str:
    """An English phrase of the code (``10 more donated tablets``, ``the Đức Huệ earmark``, ``band 1``)
    in the current language: through the catalogue's error patterns, as ``translate_error`` reads
    an error, then numbers grouped as the language writes them and ``band 1`` as ``nhóm 1``."""
    text = i18n.translate_error(str(text)) or ""
    if i18n.get_language() == "en":
        return text
    text = ENGLISH_THOUSANDS.sub(lambda m: i18n.number(int(m.group(0).replace(",", ""))), text)
    return BAND_WORD.sub(lambda m: i18n.t("show_band", band=m.group(1)), text)


TEXT = {"donation_id", "delivery_id", "donor", "earmark_district", "district", "scenario", "donations", "event", "note",
        "reason", "pseudonym", "school", "column", "given", "old_unit", "new_code", "new_commune", "candidates"}
DATES = {"date", "last_record"}
DATETIMES = {"created_utc"}  # ISO moments the ledger stores: 30/11/2026 15:04


def header(column: str) -> str:
    """A column's header in the current language; a column the catalogue does not name stays as it is."""
    column = str(column)
    band = BAND_COLUMN.match(column)
    if band:
        return i18n.t("col_band_n", band=band.group(1))
    if column.startswith("realised."):
        return i18n.t("col_realised", what=header(column[len("realised."):]))
    if match := COVERED_BAND.match(column):
        return i18n.t(f"col_{match.group(1)}_band_n", band=match.group(2))
    if match := DEVICE_SETTING.match(column):
        return i18n.t(f"col_device_{match.group(2)}", item=i18n.item_label(match.group(1)))
    if match := EARMARK_MONEY.match(column):
        return i18n.t("col_earmark_money", n=int(match.group(1)) + 1)
    if column in ITEMS:
        return i18n.item_label(column)
    return i18n.t(HEADERS[column]) if column in HEADERS else column


def _value(column: str, value: object, percents=(), decimals: dict | None = None, phrases=(), signed=()) -> object:
    if value is None or (not isinstance(value, str) and pd.isna(value)) or value == "":
        return ""
    if column in phrases and isinstance(value, str):
        return phrase(value)
    if isinstance(value, (bool,)) or str(value) in ("True", "False"):
        return i18n.t("yes") if str(value) == "True" else ""
    if column == "status" and str(value) in LEARNER_STATUSES:
        return i18n.status_label(str(value))
    if column == "status" and str(value) in RUN_STATUSES:
        return i18n.t(RUN_STATUSES[str(value)])
    if column == "status" and str(value) in _conversions():
        return _conversions()[str(value)][i18n.get_language()]
    if column == "grade":
        return i18n.grade_label(value)
    if column in percents or (column == "rate" and isinstance(value, float)):
        return i18n.percent(float(value))
    if column in WORDS:
        key = WORDS[column].get(str(value))
        return i18n.t(key) if key else value
    if column == "device":
        return i18n.item_label(str(value))
    if column in DATETIMES:
        from sim.locale import datetime

        try:
            return datetime(str(value))
        except ValueError:
            return value
    if column in DATES:
        try:
            return i18n.date(str(value)[:10])
        except ValueError:
            return value
    if column in TEXT:
        return value
    try:
        number = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    except ValueError:
        return value
    places = (decimals or {}).get(column, 0 if number == int(number) else 2)
    return i18n.signed(number, places) if column in signed else i18n.number(number, places)


def readable(frame: pd.DataFrame, percents=(), decimals: dict | None = None) -> pd.DataFrame:
    """``frame`` with headers in words and every value as the current language writes it (text);
    ``percents`` names the columns holding rates (0.3 is 30%), ``decimals`` the places of others
    (default: none for a whole number, else 2). The frame's ``attrs`` may name ``phrases`` (columns
    of English phrases the code writes, see :func:`phrase`) and ``signed`` (columns of changes)."""
    shown = pd.DataFrame(index=frame.index)
    phrases, signed = {*frame.attrs.get(PHRASES, ()), *ALWAYS_PHRASES}, frame.attrs.get(SIGNED, ())
    for column in frame.columns:
        learners = column == "status" and set(map(str, frame[column])) <= LEARNER_STATUSES  # not a donation's status
        name = i18n.t("status") if learners else header(column)
        shown[name] = [_value(column, v, percents, decimals, phrases, signed) for v in frame[column]]
    if frame.index.name is not None:
        shown.index = [_value(frame.index.name, v) for v in frame.index]
        shown.index.name = header(frame.index.name)
    return shown


def table(frame: pd.DataFrame, percents=(), decimals: dict | None = None):
    """:func:`readable` as a notebook table: no row numbers (an index with a name is kept as the first column)."""
    shown = readable(frame, percents, decimals)
    if shown.index.name is not None:
        shown = shown.reset_index()
    return shown.style.hide(axis="index")
