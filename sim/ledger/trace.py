"""``python -m sim audit trace DONATION_ID``: a donation's way through plan versions and handovers."""

from __future__ import annotations

import json

# ---------------------------------------------------------------- trace


def trace(ledger, donation_id: str) -> str:
    """Which plan versions counted a donation, how much of it, and (earmarked) which district's
    confirmed handovers it paid for."""
    from sim.ledger.handovers import confirmed
    from sim.ledger.replan import value_of
    from sim.read.errors import InputError, Problem
    from sim.read.names import did_you_mean, match_key

    with ledger.read():
        donations = {d.donation_id: d for d in ledger.donations()}
        if donation_id not in donations:
            raise InputError([Problem(str(ledger.path), "no donation with this id", column="donation_id", value=donation_id,
                                      expected="an id from `python -m sim donations list`",
                                      hint=did_you_mean(donation_id, list(donations)))])
        donation = donations[donation_id]
        versions = ledger.versions()
        approved = {v for (v,) in ledger.db.execute("SELECT version FROM approvals")}
        entries = ledger.db.execute("SELECT seq, at, content FROM audit WHERE kind = 'donation' AND ref = ? ORDER BY seq",
                                    (donation_id,)).fetchall()
        handed = confirmed(ledger.db)
    unit = "VND" if donation.kind == "cash" else (donation.device or "data packages")
    lines = [f"{donation.donation_id}: {donation.describe()} ({donation.status})"]
    lines += [f"  audit entry {seq} ({at[:10]}): {json.loads(c)['action']}" for seq, at, c in entries]
    counted = False
    for v in versions:
        share = v.ledger_state.get("shares", {}).get(donation_id)
        if share is None:
            continue
        mark = " (approved)" if v.version in approved else ""
        if share > 0:
            counted = True
            lines.append(f"  plan version {v.version}{mark}: counted {share:g} of it = {share * value_of(donation):,.0f} {unit}")
        else:
            lines.append(f"  plan version {v.version}{mark}: not counted (status then: "
                         f"{next((d['status'] for d in v.ledger_state['donations'] if d['donation_id'] == donation_id), '?')})")
    if not counted:
        lines.append("  no plan version counted it yet")
    if donation.earmark_district:
        key = match_key(donation.earmark_district)
        mine = {(d, dev): n for (d, dev), n in handed.items() if match_key(d) == key}
        if donation.kind == "device":
            paid = sum(n for (_, dev), n in mine.items() if match_key(dev) == match_key(donation.device))
            lines.append(f"  earmarked for {donation.earmark_district}: {min(paid, donation.quantity):,} of its "
                         f"{donation.quantity:,} {donation.device} confirmed handed over there "
                         f"({paid:,} {donation.device} confirmed in the district in all)")
        else:
            total = sum(mine.values())
            lines.append(f"  earmarked for {donation.earmark_district}: it paid towards the {total:,} devices "
                         f"confirmed handed over there" + (f" ({', '.join(f'{dev} {n}' for (_, dev), n in sorted(mine.items()))})"
                                                         if mine else ""))
    return "\n".join(lines)
