"""Command line for the ledger: ``donations``, ``deliveries``, ``replan`` and ``plans``.

    python -m sim donations import FILE [--update] [--db DB]
    python -m sim donations add --donation-id D1 --date 24/11/2026 --kind cash --amount-vnd 5000000 --status received
    python -m sim donations list | export FILE | status ID STATUS
    python -m sim deliveries import FILE | add ... | list | export FILE
    python -m sim replan SCENARIO.yaml --out DIR [--db DB]
    python -m sim plans list | show N | diff A B

``--db`` defaults to data/ledger.sqlite under the current folder. Errors are turned into exit
codes by ``sim.cli.main`` (2: bad input or a damaged ledger; 3: the ledger and the scenario do not
fit together).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.ledger.donations import DELIVERY_KIND, DONATION_KIND, STATUSES, RecordKind, from_columns, read_records
from sim.ledger import sources
from sim.read.errors import COMMAND_LINE, InputError
from sim.ledger.store import DEFAULT_DB, Ledger
from sim.locale import gettext as t, ngettext
from sim.cli.outputs import check_output, check_results_folder, table_text


def _db(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, default=DEFAULT_DB, help=t("help_db").format(db=DEFAULT_DB))


def column_help(kind: RecordKind, column) -> str:
    """The help of ``donations add --COLUMN``: the column's description in the current language."""
    return t(f"help_col_{kind.name}_{column.name}")


def register(commands: argparse._SubParsersAction) -> None:
    for kind in (DONATION_KIND, DELIVERY_KIND):
        _register_records(commands, kind)
    replan = commands.add_parser("replan", help=t("help_replan"))
    replan.add_argument("scenario", type=Path, help=t("help_replan_scenario"))
    replan.add_argument("--out", type=Path, required=True, help=t("help_replan_out"))
    replan.add_argument("--fresh", action="store_true", help=t("help_replan_fresh"))
    replan.add_argument("--no-compare", action="store_true", help=t("help_replan_no_compare"))
    replan.add_argument("--quiet", action="store_true", help=t("help_quiet"))
    replan.add_argument("--force", action="store_true", help=t("help_replan_force"))
    _db(replan)
    replan.set_defaults(handler=_replan)

    plans = commands.add_parser("plans", help=t("help_plans")).add_subparsers(dest="action", required=True)
    listing = plans.add_parser("list", help=t("help_plans_list"))
    _db(listing)
    listing.set_defaults(handler=_plans_list)
    show = plans.add_parser("show", help=t("help_plans_show"))
    show.add_argument("version", type=int, help=t("help_plans_version"))
    _db(show)
    show.set_defaults(handler=_plans_show)
    compare = plans.add_parser("diff", help=t("help_plans_diff"))
    compare.add_argument("a", type=int, help=t("help_plans_diff_a"))
    compare.add_argument("b", type=int, help=t("help_plans_diff_b"))
    compare.add_argument("--csv", type=Path, help=t("help_plans_diff_csv"))
    compare.add_argument("--force", action="store_true", help=t("help_force_csv"))
    _db(compare)
    compare.set_defaults(handler=_plans_diff)
    from sim.cli.audit import register_approve

    register_approve(plans)


def _register_records(commands: argparse._SubParsersAction, kind: RecordKind) -> None:
    group = commands.add_parser(kind.name, help=t("help_" + kind.name)).add_subparsers(dest="action", required=True)
    load = group.add_parser("import", help=t("help_records_import"))
    load.add_argument("file", type=Path, help=t("help_records_import_file").format(records=t("records_" + kind.name)))
    load.add_argument("--update", action="store_true", help=t("help_records_import_update"))
    _db(load)
    load.set_defaults(handler=_import, records=kind)
    add = group.add_parser("add", help=t("help_records_add"))
    for column in kind.columns:
        add.add_argument("--" + column.name.replace("_", "-"), dest=column.name, default="", required=column.required,
                         help=column_help(kind, column))
    add.add_argument("--update", action="store_true", help=t("help_records_add_update"))
    _db(add)
    add.set_defaults(handler=_add, records=kind)
    listing = group.add_parser("list", help=t("help_records_list"))
    _db(listing)
    listing.set_defaults(handler=_list, records=kind)
    export = group.add_parser("export", help=t("help_records_export"))
    export.add_argument("file", type=Path, help=t("help_records_export_file"))
    export.add_argument("--force", action="store_true", help=t("help_records_export_force"))
    _db(export)
    export.set_defaults(handler=_export, records=kind)
    if kind is DONATION_KIND:
        status = group.add_parser("status", help=t("help_donations_status"))
        status.add_argument("donation_id", help=t("help_donation_id"))
        status.add_argument("status", help=t("help_col_donations_status"))
        _db(status)
        status.set_defaults(handler=_status)


def _records(ledger: Ledger, kind: RecordKind) -> list:
    return ledger.donations() if kind is DONATION_KIND else ledger.deliveries()


def _import(args: argparse.Namespace) -> int:
    items = read_records(args.file, args.records)
    with Ledger(args.db, create=True) as ledger:
        report = ledger.record(items, update=args.update)
    print(t("cli_import_records").format(file=args.file.name, report=report, records=t("records_" + args.records.name), db=args.db))
    return 0


def _add(args: argparse.Namespace) -> int:
    try:
        item = from_columns(args.records, sources.COMMAND_LINE, **{c.name: getattr(args, c.name) for c in args.records.columns})
    except InputError as exc:
        for problem in exc.problems:  # name the option, not the file column
            problem.column = "--" + problem.column.replace("_", "-")
        raise InputError(exc.problems) from None
    with Ledger(args.db, create=True) as ledger:
        report = ledger.record([item], update=args.update)
    print(t("cli_add_record").format(report=report, records=t("records_" + args.records.name), db=args.db))
    return 0


def _list(args: argparse.Namespace) -> int:
    from sim.ledger.donations import records_frame

    with Ledger(args.db) as ledger, ledger.read():
        records = _records(ledger, args.records)
    if not records:
        print(t("cli_no_records").format(records=t("records_" + args.records.name), db=args.db))
        return 0
    from sim.views.i18n import item_label

    print(table_text(records_frame(records, args.records), numbers=("quantity", "amount_vnd", "earmark_band"), dates=("date",),
                     values={"status": lambda s: t("donation_status_" + s) if s in STATUSES else s,
                             "kind": lambda k: t("kind_" + k) if k in ("cash", "device", "data_package") else k,
                             "device": item_label}))
    print("\n" + _totals(records, args.records))
    return 0


def _totals(records: list, kind: RecordKind) -> str:
    """Totals per status (donations) or per device (deliveries), in the current language."""
    from sim.views.i18n import item_count, item_label, number, sort_key

    if kind is DELIVERY_KIND:
        per: dict[str, int] = {}
        for d in records:
            per[d.device] = per.get(d.device, 0) + d.quantity
        items = sorted(per.items(), key=lambda pair: sort_key(item_label(pair[0])))
        return t("cli_delivered_total").format(items=", ".join(item_count(n, device) for device, n in items))
    lines = []
    for status in STATUSES:
        mine = [d for d in records if d.status == status]
        if not mine:
            continue
        parts: dict[str, int] = {}
        for d in mine:
            item = "cash" if d.kind == "cash" else d.device or "data_package"
            parts[item] = parts.get(item, 0) + (d.amount_vnd if d.kind == "cash" else d.quantity)
        shown = [t("describe_cash").format(amount=number(n)) if item == "cash" else item_count(n, item)
                 for item, n in parts.items()]
        lines.append(ngettext("cli_donations_by_status", len(mine)).format(status=t("donation_status_" + status), count=number(len(mine)),
                                                         items=", ".join(shown)))
    return "\n".join(lines)


def _export(args: argparse.Namespace) -> int:
    from sim.ledger.donations import write_records

    check_output(args.file, [c.name for c in args.records.columns], inputs=[args.db], force=args.force)
    with Ledger(args.db) as ledger, ledger.read():
        records = _records(ledger, args.records)
    write_records(args.file, records, args.records)
    print(t("cli_wrote_records").format(count=len(records), records=t("records_" + args.records.name), file=args.file))
    return 0


def _status(args: argparse.Namespace) -> int:
    from sim.ledger.donations import STATUS_ALIASES
    from sim.read.errors import Problem
    from sim.read.names import did_you_mean, match_key

    status = STATUS_ALIASES.get(match_key(args.status))
    if status is None:
        raise InputError([Problem(COMMAND_LINE, "unknown status", column="status", value=args.status,
                                  expected=" or ".join(STATUSES), hint=did_you_mean(args.status, list(STATUSES)))])
    with Ledger(args.db) as ledger:
        changed = ledger.set_status(args.donation_id, status)
    print(t("cli_status_changed").format(id=changed.donation_id, description=changed.describe(),
                                         status=t("donation_status_" + changed.status)))
    return 0


def _replan(args: argparse.Namespace) -> int:
    from sim.ledger.replan import replan
    from sim.read.scenario import load_scenario
    from sim.views.text import summary_text
    from sim.ledger.versions import diff

    scenario = load_scenario(args.scenario)
    check_results_folder(args.out, [args.scenario, scenario.areas, scenario.students, args.db], args.force)
    with Ledger(args.db, create=True) as ledger:
        done = replan(scenario, ledger, compare=not args.no_compare, keep_previous=not args.fresh)
        latest = ledger.version(done.version)
    files = done.result.write(args.out)
    if done.units_report is not None:  # deliveries named former districts: how they were placed on communes
        from sim.results.write import write_atomic
        from sim.units.convert import report_csv

        files.append(write_atomic(Path(args.out) / "units_conversion.csv", report_csv(done.units_report)))
    if args.quiet:
        return 0
    print(summary_text(done.result.summary))
    print("\n" + t("replan_stored").format(version=done.version, db=args.db))
    if done.previous is not None:
        print("\n" + str(diff(done.previous, latest)))
    print("\n" + t("cli_wrote").format(files=", ".join(str(f) for f in files)))
    return 0


def counting_label(text: str) -> str:
    """``pledged_at_rate 0.5`` (which donations a plan counted) in words."""
    mode, _, rate = str(text).partition(" ")
    key = "counting_" + mode
    from sim.views.i18n import MESSAGES

    return (t(key) if key in MESSAGES else mode) + (" " + rate if rate else "")


def _plans_list(args: argparse.Namespace) -> int:
    from sim.ledger.versions import versions_table

    with Ledger(args.db) as ledger, ledger.read():
        table = versions_table(ledger)
    from sim.locale import datetime

    shown = table_text(table, dates=("last_record",), values={"counting": counting_label, "created_utc": datetime})
    print(shown if len(table) else t("cli_no_versions").format(db=args.db))
    return 0


def _plans_show(args: argparse.Namespace) -> int:
    from sim.ledger.versions import show

    with Ledger(args.db) as ledger, ledger.read():
        print(show(ledger.version(args.version)))
    return 0


def _plans_diff(args: argparse.Namespace) -> int:
    from sim.ledger.versions import diff

    with Ledger(args.db) as ledger, ledger.read():
        change = diff(ledger.version(args.a), ledger.version(args.b))
    print(change)
    if args.csv:
        from sim.results.cells import csv_text
        from sim.results.write import write_atomic

        check_output(args.csv, list(change.devices.columns), inputs=[args.db], force=args.force)
        write_atomic(args.csv, csv_text(change.devices), encoding="utf-8-sig")
        print("\n" + t("cli_wrote").format(files=args.csv))
    return 0
