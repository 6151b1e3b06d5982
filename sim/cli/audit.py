"""Commands for accountability: approving plans, naming learners for an approved version,
confirmed handovers, the audit trail, the public report and the processing record.

    python -m sim plans approve N --by NAME [--note TEXT]
    python -m sim assign SCENARIO --version N --roster FILES --out DIR [--db DB]
    python -m sim handovers import FILE --version N [--date DATE] [--key-file KEY]
    python -m sim handovers status [--version N] [--by district|school]
    python -m sim audit verify | trace DONATION_ID
    python -m sim publish --out site/ [--scenario SCENARIO]
    python -m sim roster purge --before DATE
    python -m sim privacy record --out FILE

Exit codes as ``sim.cli``; ``audit verify`` exits 1 when the trail does not match. Nothing
printed names a learner.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.ledger.store import DEFAULT_DB, Ledger
from sim.read.errors import COMMAND_LINE, InputError, Problem
from sim.locale import gettext as t
from sim.locale import number
from sim.results.cells import csv_text


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=t("help_db").format(db=DEFAULT_DB))


def _key(args: argparse.Namespace):
    from sim.cli.roster import load_key_told

    return load_key_told(args.key_file)


def _date(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    from sim.ledger.donations import parse_date

    day = parse_date(text)
    if day is None:
        raise InputError([Problem(COMMAND_LINE, "not a date", column=option, value=text,
                                  expected="dd/mm/yyyy (day first) or yyyy-mm-dd")])
    return day


# ---------------------------------------------------------------- plans approve (hooked into `plans`)


def register_approve(plans: argparse._SubParsersAction) -> None:
    approve = plans.add_parser("approve", help=t("help_approve"))
    approve.add_argument("version", type=int, help=t("help_plans_version"))
    approve.add_argument("--by", required=True, help=t("help_approve_by"))
    approve.add_argument("--note", default="", help=t("help_approve_note"))
    _db(approve)
    approve.set_defaults(handler=_approve)


def _approve(args: argparse.Namespace) -> int:
    from sim.ledger.approvals import approve

    with Ledger(args.db) as ledger:
        done = approve(ledger, args.version, args.by, args.note)
    print(t("cli_approved").format(approval=done))
    return 0


# ---------------------------------------------------------------- assign --version (hooked into `assign`)


def assign_version_command(args: argparse.Namespace) -> int:
    from sim.ledger.approvals import approved_version
    from sim.ledger.handovers import record_list
    from sim.read.scenario import load_scenario
    from sim.read.tables import read_areas
    from sim.results.write import write_atomic
    from sim.roster.approved import assign_version
    from sim.roster.export import SHAREABLE_MODE
    from sim.roster.read import read_roster

    scenario = load_scenario(args.scenario)
    roster = read_roster(args.roster, read_areas(scenario.areas), require_consent=args.require_consent)
    key = _key(args)
    with Ledger(args.db) as ledger:
        with ledger.read():
            version = approved_version(ledger, args.version)
        done = assign_version(scenario, version, roster, key, skip_invalid=args.skip_invalid)
        files = done.assignment.write(args.out)
        changes = Path(args.out) / "roster_changes.csv"
        write_atomic(changes, csv_text(done.changes).encode("utf-8-sig"), mode=SHAREABLE_MODE)
        list_id, new = record_list(ledger, args.version, done.list_rows(), str(files[-1].resolve()))
    if not args.quiet:
        totals = done.totals()
        served = int(done.assignment.learners["served"].sum())
        print(t("cli_version_assigned").format(version=args.version, planned=number(totals["devices_planned"]),
                                               named=number(totals["devices_named"]),
                                               without=number(totals["devices_without_learner"])))
        print(t("cli_version_rosters").format(gone=number(totals["learners_gone"]), new=number(totals["new_learners"]),
                                              file=changes))
        print(t("cli_assign_served").format(served=number(served), waiting=number(len(done.assignment.learners) - served)))
        print(t("cli_list_recorded" if new else "cli_list_unchanged").format(list=list_id, db=args.db))
        print("\n" + t("cli_delivery_lists").format(folder=files[-1]))
        print(t("cli_shareable").format(files=", ".join(f.name for f in [*files[:-1], changes]), folder=Path(args.out)))
    return 0


# ---------------------------------------------------------------- handovers


def _handovers_import(args: argparse.Namespace) -> int:
    from sim.ledger.handovers import import_handovers

    key = _key(args)
    with Ledger(args.db) as ledger:
        report = import_handovers(ledger, args.file, args.version, key, _date(args.date, "--date"))
    print(f"{args.file.name}: {report}")
    return 0


def _handovers_status(args: argparse.Namespace) -> int:
    from sim.ledger.handovers import status_table

    with Ledger(args.db) as ledger, ledger.read():
        table = status_table(ledger, args.version, by=args.by)
    if not len(table):
        print(t("cli_no_delivery_list").format(db=args.db))
        return 0
    from sim.cli.outputs import table_text

    print(table_text(table))
    totals = table[["planned", "handed_over", "outstanding", "returned"]].sum()
    print("\n" + t("cli_handovers_total").format(planned=number(totals["planned"]), handed=number(totals["handed_over"]),
                                                outstanding=number(totals["outstanding"]), returned=number(totals["returned"])))
    if args.csv:
        from sim.results.write import write_atomic

        write_atomic(args.csv, csv_text(table), encoding="utf-8-sig")
        print(t("cli_wrote").format(files=args.csv))
    return 0


# ---------------------------------------------------------------- audit


def _audit_verify(args: argparse.Namespace) -> int:
    from sim.ledger.audit import verify

    with Ledger(args.db) as ledger, ledger.read():
        result = verify(ledger.db)
    print(result, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def _audit_trace(args: argparse.Namespace) -> int:
    from sim.ledger.trace import trace

    with Ledger(args.db) as ledger:
        print(trace(ledger, args.donation_id))
    return 0


# ---------------------------------------------------------------- publish, purge, privacy record


def _publish(args: argparse.Namespace) -> int:
    from sim.publish.site import publish

    with Ledger(args.db) as ledger:
        pages = publish(ledger, args.out, areas=args.areas, k=args.k)
    print(t("cli_published").format(count=number(len(pages)), folder=args.out, index=Path(args.out) / "index.html"))
    return 0


def _purge(args: argparse.Namespace) -> int:
    from sim.roster.purge import purge

    before = _date(args.before, "--before")
    with Ledger(args.db) as ledger:
        done = purge(ledger, before, extra=args.also, dry_run=args.dry_run)
    print(done)
    return 0


def _privacy_record(args: argparse.Namespace) -> int:
    from sim.privacy.record import write_record

    path = write_record(args.out)
    print(t("cli_wrote").format(files=path))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    handovers = commands.add_parser("handovers", help=t("help_handovers"))
    sub = handovers.add_subparsers(dest="action", required=True)
    load = sub.add_parser("import", help=t("help_handovers_import"))
    load.add_argument("file", type=Path, help=t("help_handovers_import_file"))
    load.add_argument("--version", type=int, required=True, help=t("help_handovers_import_version"))
    load.add_argument("--date", help=t("help_handovers_import_date"))
    load.add_argument("--key-file", type=Path, help=t("help_handovers_import_key_file"))
    _db(load)
    load.set_defaults(handler=_handovers_import)
    status = sub.add_parser("status", help=t("help_handovers_status"))
    status.add_argument("--version", type=int, help=t("help_handovers_status_version"))
    status.add_argument("--by", choices=["district", "school"], default="school", help=t("help_handovers_status_by"))
    status.add_argument("--csv", type=Path, help=t("help_handovers_status_csv"))
    _db(status)
    status.set_defaults(handler=_handovers_status)

    audit = commands.add_parser("audit", help=t("help_audit"))
    sub = audit.add_subparsers(dest="action", required=True)
    check = sub.add_parser("verify", help=t("help_audit_verify"))
    _db(check)
    check.set_defaults(handler=_audit_verify)
    follow = sub.add_parser("trace", help=t("help_audit_trace"))
    follow.add_argument("donation_id", help=t("help_donation_id"))
    _db(follow)
    follow.set_defaults(handler=_audit_trace)

    site = commands.add_parser("publish", help=t("help_publish"))
    site.add_argument("--out", type=Path, required=True, help=t("help_publish_out"))
    site.add_argument("--areas", type=Path, default=Path("data/longan/areas.csv"), help=t("help_publish_areas"))
    site.add_argument("--k", type=int, default=5, help=t("help_publish_k"))
    _db(site)
    site.set_defaults(handler=_publish)

    privacy = commands.add_parser("privacy", help=t("help_privacy"))
    sub = privacy.add_subparsers(dest="action", required=True)
    record = sub.add_parser("record", help=t("help_privacy_record"))
    record.add_argument("--out", type=Path, required=True, help=t("help_privacy_record_out"))
    record.set_defaults(handler=_privacy_record)


def register_purge(roster_commands: argparse._SubParsersAction) -> None:
    purge = roster_commands.add_parser("purge", help=t("help_purge"))
    purge.add_argument("--before", required=True, help=t("help_purge_before"))
    purge.add_argument("--also", nargs="*", type=Path, default=[], help=t("help_purge_also"))
    purge.add_argument("--dry-run", action="store_true", help=t("help_purge_dry_run"))
    _db(purge)
    purge.set_defaults(handler=_purge)
