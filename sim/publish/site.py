"""A static HTML transparency report from the ledger: no server, no script, no file from the web.

Pages: ``index.html`` (the province) and ``district/<code>.html`` (one per district or commune in
the areas file). They show donations received by kind and donor (a donor whose name says "ẩn
danh" / "anonymous" is shown as "Ẩn danh"), devices planned in the plan in force (the latest
approved version, else the latest version), handed over, outstanding and returned (confirmed
handovers), coverage by priority band, and the audit chain's head hash, so anyone can check a
copy of the ledger against the published report with ``sim audit verify``.

Privacy: no learner is named or identified; schools are not named. Every count of learners (or
of devices, which are one per learner) between 1 and k - 1 is shown as "< k"; when a table has
exactly one such cell in a column, the next smallest is hidden too so the total does not give it
away. Numbers of learners carry ``class="n"`` so a test can check every one of them.

Language: Vietnamese by default, English with ``SIM_LANG=en`` (words from the catalogue,
numbers, percentages and dates by Babel, ``sim.locale``).
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from sim.ledger.audit import head
from sim.ledger.handovers import status_table
from sim.ledger.replan import item_of, table_of
from sim.ledger.store import Ledger
from sim.locale import date, get_language, item_count, number, percent
from sim.locale import gettext as t
from sim.read.names import match_key
from sim.read.tables import AreaIndex, read_areas
from sim.results.write import write_atomic
from sim.views.i18n import band_label, item_label

ANONYMOUS = "Ẩn danh"
_ANON_WORDS = ("ẩn danh", "anonymous", "giấu tên")
PROGRAMME = "Sóng và máy tính cho em"
BANDS = (1, 2, 3, 4, 5)
STYLE = """body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
table{border-collapse:collapse;margin:1rem 0;width:100%}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left}
td.n,td.v{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:bold;margin:.5rem 0}
code{word-break:break-all}footer{margin-top:2rem;font-size:.9rem;color:#555}"""


def donor_name(donor: str) -> str:
    """The donor as published: "Ẩn danh" when the donor asked not to be named.

    >>> donor_name("Bạn đọc báo G (ẩn danh)"), donor_name("Công ty C"), donor_name("")
    ('Ẩn danh', 'Công ty C', 'Ẩn danh')
    """
    key = match_key(donor)
    if not key or any(match_key(w) in key for w in _ANON_WORDS):
        return ANONYMOUS
    return donor


def suppressed(values: list[int], k: int) -> list[str]:
    """Counts as shown: 1..k-1 as "<k"; one hidden cell in a column hides the next smallest too."""
    shown = [f"<{k}" if 0 < v < k else number(v) for v in values]
    hidden = [i for i, v in enumerate(values) if 0 < v < k]
    if len(hidden) == 1:
        others = sorted((v, i) for i, v in enumerate(values) if v >= k)
        if others:
            shown[others[0][1]] = "…"
    return shown


def _e(text: object) -> str:
    return html.escape(str(text))


def _table(caption: str, header: list[str], rows: list[list[str]], numeric: set[int], value: set[int] = frozenset()) -> str:
    head_ = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = []
    for row in rows:
        cells = []
        for j, cell in enumerate(row):
            cls = ' class="n"' if j in numeric else (' class="v"' if j in value else "")
            cells.append(f"<td{cls}>{_e(cell)}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table><caption>{_e(caption)}</caption><thead><tr>{head_}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def _columns(frame: pd.DataFrame, columns: list[str], k: int) -> pd.DataFrame:
    out = frame.copy()
    for c in columns:
        out[c] = suppressed([int(v) for v in frame[c]], k)
    return out


def _page(title: str, body: str, chain: tuple[int, str], back: str | None) -> str:
    nav = f'<p><a href="{back}">{_e(t("site_back"))}</a></p>' if back else ""
    check = _e(t("site_chain")).format(entries=number(chain[0]), head=f"<code>{chain[1]}</code>",
                                      command="<code>python -m sim audit verify</code>")
    return (f'<!DOCTYPE html>\n<html lang="{get_language()}"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{nav}<h1>{_e(title)}</h1>{body}"
            f"<footer><p>{_e(t('site_hidden'))}</p><p>{check}</p></footer></body></html>\n")


def _plan_in_force(ledger: Ledger):
    approved = [v for (v,) in ledger.db.execute("SELECT version FROM approvals ORDER BY version")]
    if approved:
        return ledger.version(approved[-1]), True
    latest = ledger.latest_version()
    return latest, False


def publish(ledger: Ledger, out: str | Path, *, areas: str | Path = "data/longan/areas.csv", k: int = 5) -> list[Path]:
    out = Path(out)
    area_table = read_areas(areas)
    index = AreaIndex(area_table)
    with ledger.read():
        donations = ledger.donations()
        version, approved = _plan_in_force(ledger)
        status = status_table(ledger, by="district")
        chain = head(ledger.db)
    allocation = version.allocation if version is not None else pd.DataFrame(columns=["district", "device", "devices", "band"])
    coverage = table_of(version.coverage_csv) if version is not None else pd.DataFrame(columns=["district", "band", "pupils", "covered"])
    status = status.groupby("district")[["planned", "handed_over", "outstanding", "returned"]].sum() if len(status) else None

    def donation_rows(items) -> list[list[str]]:
        rows = []
        for d in items:
            amount = (t("describe_cash").format(amount=number(d.amount_vnd)) if d.kind == "cash" else
                      item_count(d.quantity, d.device or "data_package"))
            donor = donor_name(d.donor)
            rows.append([date(d.date), t("site_anonymous") if donor == ANONYMOUS else donor, t("site_kind_" + d.kind), amount,
                         t("donation_status_" + d.status), d.earmark_district or "—"])
        return rows

    def district_rows(names: list[str]) -> tuple[list[list[str]], list[list[str]]]:
        devices = (allocation.groupby("district")["devices"].sum() if len(allocation) else pd.Series(dtype="int64"))
        frame = pd.DataFrame({"district": names})
        frame["planned"] = [int(devices.get(n, 0)) for n in names]
        for c in ("handed_over", "outstanding", "returned"):
            frame[c] = [int(status.loc[n, c]) if status is not None and n in status.index else 0 for n in names]
        shown = _columns(frame, ["planned", "handed_over", "outstanding", "returned"], k)
        bands = coverage.groupby("band")[["pupils", "covered"]].sum() if len(coverage) else pd.DataFrame(columns=["pupils", "covered"])
        mine = coverage[coverage["district"].isin(names)].groupby("band")[["pupils", "covered"]].sum() if len(coverage) else bands
        band_frame = pd.DataFrame({"band": list(BANDS)})
        band_frame["pupils"] = [int(mine["pupils"].get(b, 0)) for b in BANDS]
        band_frame["covered"] = [int(mine["covered"].get(b, 0)) for b in BANDS]
        band_shown = _columns(band_frame, ["pupils", "covered"], k)
        rate = [percent(c / p, 0) if p >= k and (c == 0 or c >= k) and (p - c == 0 or p - c >= k) else "—"
                for p, c in zip(band_frame["pupils"], band_frame["covered"])]
        return ([list(r) for r in shown.itertuples(index=False)],
                [[f"{b} – {band_label(b)}", p, c, r] for b, p, c, r in zip(band_frame["band"], band_shown["pupils"],
                                                                          band_shown["covered"], rate)])

    plan_text = (t("site_no_plan") if version is None else
                 t("site_plan").format(version=version.version, state=t("site_approved" if approved else "site_not_approved"),
                                       date=date(version.created_at)))
    received = [d for d in donations if d.status in ("received", "delivered")]
    totals: dict[str, int] = {}
    for d in received:
        item = t("site_money") if d.kind == "cash" else item_label(item_of(d))
        totals[item] = totals.get(item, 0) + (d.amount_vnd if d.kind == "cash" else d.quantity)
    donation_header = [t(f"site_h_{h}") for h in ("date", "donor", "kind", "value", "status", "for")]
    device_header = [t(f"site_h_{h}") for h in ("district", "planned", "handed", "outstanding", "returned")]
    band_header = [t(f"site_h_{h}") for h in ("band", "pupils", "covered", "rate")]
    names = list(area_table["name"])
    district_table, band_table = district_rows(names)
    body = [f"<p>{_e(plan_text)}</p>",
            f"<h2>{_e(t('site_received'))}</h2><ul>" +
            "".join(f"<li>{_e(item)}: {number(n)}</li>" for item, n in totals.items()) + "</ul>",
            _table(t("site_donations"), donation_header, donation_rows(donations), set(), {3}),
            _table(t("site_devices_by_district"), device_header, district_table, {1, 2, 3, 4}),
            _table(t("site_coverage"), band_header, band_table, {1, 2}),
            f"<h2>{_e(t('site_districts'))}</h2><ul>" +
            "".join(f'<li><a href="district/{_e(c)}.html">{_e(n)}</a></li>' for c, n in zip(area_table["code"], area_table["name"]))
            + "</ul>"]
    pages = {"index.html": _page(f"{t('site_title')} – {PROGRAMME}", "".join(body), chain, None)}
    for code, name in zip(area_table["code"], area_table["name"]):
        mine_rows, mine_bands = district_rows([name])
        earmarked = [d for d in donations if d.earmark_district and index.find(d.earmark_district) == code]
        body = [f"<p>{_e(plan_text)}</p>",
                _table(t("site_devices"), device_header, mine_rows, {1, 2, 3, 4}),
                _table(t("site_coverage"), band_header, mine_bands, {1, 2}),
                _table(t("site_earmarked"), donation_header, donation_rows(earmarked), set(), {3})
                if earmarked else f"<p>{_e(t('site_no_earmarked'))}</p>"]
        pages[f"district/{code}.html"] = _page(f"{name} – {PROGRAMME}", "".join(body), chain, "../index.html")
    written = []
    for name, text in pages.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.replace("{k}", str(k)).encode("utf-8"), mode=0o644)  # {k}: the footer's threshold
        written.append(path)
    return written
