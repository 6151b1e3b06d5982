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
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from sim.ledger.audit import head
from sim.ledger.handovers import status_table
from sim.ledger.replan import item_of, table_of
from sim.ledger.store import Ledger
from sim.read.names import match_key
from sim.read.tables import AreaIndex, read_areas
from sim.results.write import write_atomic

ANONYMOUS = "Ẩn danh"
_ANON_WORDS = ("ẩn danh", "anonymous", "giấu tên")
KINDS = {"cash": "Tiền mặt", "device": "Thiết bị", "data_package": "Gói cước"}
DEVICE_NAMES = {"tablet": "Máy tính bảng", "laptop": "Máy tính xách tay", "desktop": "Máy tính để bàn"}
STATUS_NAMES = {"pledged": "cam kết", "received": "đã nhận", "delivered": "đã bàn giao", "cancelled": "đã huỷ"}
BANDS = {1: "Nghèo lớp 9-12, cận nghèo lớp 12", 2: "Nghèo, các lớp khác", 3: "Cận nghèo lớp 9-11",
         4: "Cận nghèo, các lớp khác", 5: "Mồ côi do Covid-19"}
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
    shown = [f"<{k}" if 0 < v < k else f"{v:,}" for v in values]
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
    nav = f'<p><a href="{back}">← Toàn tỉnh / province</a></p>' if back else ""
    return (f'<!DOCTYPE html>\n<html lang="vi"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_e(title)}</title>'
            f"<style>{STYLE}</style></head><body>{nav}<h1>{_e(title)}</h1>{body}"
            f"<footer><p>Số liệu dưới {{k}} người được ẩn (&lt;k) để bảo vệ trẻ em; không có tên, mã học sinh hay trường "
            f"của học sinh nào trong báo cáo này. Counts below k are hidden.</p>"
            f"<p>Chuỗi kiểm toán / audit chain: {chain[0]} mục, đầu chuỗi (head) <code>{chain[1]}</code> — "
            f"kiểm tra bằng <code>python -m sim audit verify</code>.</p></footer></body></html>\n")


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
            amount = f"{d.amount_vnd:,} VND" if d.kind == "cash" else f"{d.quantity:,} {DEVICE_NAMES.get(d.device, d.device or 'gói cước')}"
            rows.append([d.date, donor_name(d.donor), KINDS[d.kind], amount, STATUS_NAMES.get(d.status, d.status),
                         d.earmark_district or "—"])
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
        band_frame = pd.DataFrame({"band": sorted(BANDS)})
        band_frame["pupils"] = [int(mine["pupils"].get(b, 0)) for b in sorted(BANDS)]
        band_frame["covered"] = [int(mine["covered"].get(b, 0)) for b in sorted(BANDS)]
        band_shown = _columns(band_frame, ["pupils", "covered"], k)
        rate = [f"{c / p:.0%}" if p >= k and (c == 0 or c >= k) and (p - c == 0 or p - c >= k) else "—"
                for p, c in zip(band_frame["pupils"], band_frame["covered"])]
        return ([list(r) for r in shown.itertuples(index=False)],
                [[f"{b} – {BANDS[b]}", p, c, r] for b, p, c, r in zip(band_frame["band"], band_shown["pupils"],
                                                                     band_shown["covered"], rate)])

    plan_text = ("Chưa có kế hoạch / no plan yet" if version is None else
                 f"Kế hoạch đang áp dụng / plan in force: phiên bản {version.version} "
                 f"({'đã phê duyệt / approved' if approved else 'chưa phê duyệt / not approved'}), {version.created_at[:10]}")
    received = [d for d in donations if d.status in ("received", "delivered")]
    totals: dict[str, int] = {}
    for d in received:
        item = "VND" if d.kind == "cash" else DEVICE_NAMES.get(item_of(d), item_of(d))
        totals[item] = totals.get(item, 0) + (d.amount_vnd if d.kind == "cash" else d.quantity)
    names = list(area_table["name"])
    district_table, band_table = district_rows(names)
    body = [f"<p>{_e(plan_text)}</p>",
            "<h2>Tiền và hiện vật đã nhận / received</h2><ul>" +
            "".join(f"<li>{_e(item)}: {n:,}</li>" for item, n in totals.items()) + "</ul>",
            _table("Các khoản ủng hộ / donations", ["Ngày", "Nhà tài trợ", "Loại", "Giá trị", "Tình trạng", "Dành cho"],
                   donation_rows(donations), set(), {3}),
            _table("Thiết bị theo địa bàn / devices by district", ["Quận/Huyện", "Kế hoạch", "Đã bàn giao", "Chưa bàn giao",
                                                                  "Trả lại"], district_table, {1, 2, 3, 4}),
            _table("Độ bao phủ theo nhóm ưu tiên / coverage by priority band", ["Nhóm", "Học sinh", "Được nhận", "Tỉ lệ"],
                   band_table, {1, 2}),
            "<h2>Các địa bàn / districts</h2><ul>" +
            "".join(f'<li><a href="district/{_e(c)}.html">{_e(n)}</a></li>' for c, n in zip(area_table["code"], area_table["name"]))
            + "</ul>"]
    pages = {"index.html": _page("Minh bạch – Sóng và máy tính cho em", "".join(body), chain, None)}
    for code, name in zip(area_table["code"], area_table["name"]):
        mine_rows, mine_bands = district_rows([name])
        earmarked = [d for d in donations if d.earmark_district and index.find(d.earmark_district) == code]
        body = [f"<p>{_e(plan_text)}</p>",
                _table("Thiết bị / devices", ["Quận/Huyện", "Kế hoạch", "Đã bàn giao", "Chưa bàn giao", "Trả lại"],
                       mine_rows, {1, 2, 3, 4}),
                _table("Độ bao phủ theo nhóm ưu tiên / coverage by priority band", ["Nhóm", "Học sinh", "Được nhận", "Tỉ lệ"],
                       mine_bands, {1, 2}),
                _table("Ủng hộ dành riêng cho địa bàn / earmarked donations",
                       ["Ngày", "Nhà tài trợ", "Loại", "Giá trị", "Tình trạng", "Dành cho"], donation_rows(earmarked), set(), {3})
                if earmarked else "<p>Không có khoản ủng hộ dành riêng / no earmarked donation.</p>"]
        pages[f"district/{code}.html"] = _page(f"{name} – Sóng và máy tính cho em", "".join(body), chain, "../index.html")
    written = []
    for name, text in pages.items():
        path = out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, text.replace("{k}", str(k)).encode("utf-8"), mode=0o644)
        written.append(path)
    return written
