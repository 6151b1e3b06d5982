"""``python -m sim audit trace DONATION_ID``: a donation's way through plan versions and handovers."""

from __future__ import annotations

import json

# ---------------------------------------------------------------- trace


def trace(ledger, donation_id: str) -> str:
    """Which plan versions counted a donation, how much of it, and (earmarked) which district's
    confirmed handovers it paid for."""
    from sim.ledger.handovers import confirmed
    from sim.ledger.replan import value_of
    from sim.ledger.sources import shown
    from sim.ledger.store import unknown_donation
    from sim.read.names import match_key

    with ledger.read():
        donations = {d.donation_id: d for d in ledger.donations()}
        if donation_id not in donations:
            raise unknown_donation(ledger.path, donation_id, donations)
        donation = donations[donation_id]
        versions = ledger.versions()
        approved = {v for (v,) in ledger.db.execute("SELECT version FROM approvals")}
        entries = ledger.db.execute("SELECT seq, at, content FROM audit WHERE kind = 'donation' AND ref = ? ORDER BY seq",
                                    (donation_id,)).fetchall()
        # where each recording came from: the events table, written with the same moment and action
        origins = {(at, action): source for at, action, source in ledger.db.execute(
            "SELECT at, action, source FROM events WHERE record = 'donation' AND record_id = ?", (donation_id,))}
        handed = confirmed(ledger.db)
    from sim.locale import date, gettext as t, item_count, number

    def status(code: str) -> str:
        return t("donation_status_" + code) if code in ("pledged", "received", "cancelled", "delivered") else code

    def action(code: str) -> str:
        return t("audit_action_" + code) if code in ("recorded", "changed") else code

    def amount(value: float) -> str:
        if donation.kind == "cash":
            return t("describe_cash").format(amount=number(value))
        return item_count(value, donation.device if donation.kind == "device" else "data_package")

    lines = [f"{donation.donation_id}: {donation.describe()} ({status(donation.status)})"]
    for seq, at, content in entries:
        done = json.loads(content)["action"]
        line = t("trace_entry").format(seq=seq, date=date(at), action=action(done))
        if (at, done) in origins:
            line = t("trace_entry_from").format(entry=line, source=shown(origins[at, done]))
        lines.append("  " + line)
    counted = False
    for v in versions:
        share = v.ledger_state.get("shares", {}).get(donation_id)
        if share is None:
            continue
        mark = t("trace_approved") if v.version in approved else ""
        if share > 0:
            counted = True
            lines.append("  " + t("trace_counted").format(version=v.version, mark=mark, share=f"{share:g}",
                                                          amount=amount(share * value_of(donation))))
        else:
            then = next((d["status"] for d in v.ledger_state["donations"] if d["donation_id"] == donation_id), "?")
            lines.append("  " + t("trace_not_counted").format(version=v.version, mark=mark, status=status(then)))
    if not counted:
        lines.append("  " + t("trace_never_counted"))
    if donation.earmark_district:
        key = match_key(donation.earmark_district)
        mine = {(d, dev): n for (d, dev), n in handed.items() if match_key(d) == key}
        if donation.kind == "device":
            paid = sum(n for (_, dev), n in mine.items() if match_key(dev) == match_key(donation.device))
            lines.append("  " + t("trace_earmarked_devices").format(
                district=donation.earmark_district, paid=number(min(paid, donation.quantity)),
                devices=item_count(donation.quantity, donation.device), all=item_count(paid, donation.device)))
        else:
            total = sum(mine.values())
            lines.append("  " + t("trace_earmarked_money").format(district=donation.earmark_district, total=number(total))
                         + (f" ({', '.join(item_count(n, dev) for (_, dev), n in sorted(mine.items()))})"
                            if mine else ""))
    return "\n".join(lines)
