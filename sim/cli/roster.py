"""Commands ``roster check|aggregate|template|new-key`` and ``assign`` (registered in ``sim.cli``).

Exit codes as ``sim.cli``: 0 done, 2 bad input (``roster check``: some rows have bad values),
3 the scenario cannot be satisfied, 1 anything else. Nothing printed names a learner.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sim.cli.outputs import check_folder, check_output
from sim.read.errors import input_error
from sim.locale import gettext as t
from sim.locale import number, translate_error

DEFAULT_AREAS = Path("data/longan/areas.csv")


def _areas(path: Path):
    from sim.read.tables import read_areas

    if not path.is_file():
        raise input_error(path, "areas file not found", expected="the areas file the rosters' districts come from",
                          hint="Give it with --areas PATH")
    return read_areas(path)


def _write(path: Path, data: bytes) -> None:
    from sim.roster.export import SHAREABLE_MODE
    from sim.results.write import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data, mode=SHAREABLE_MODE)


def _check(args: argparse.Namespace) -> int:
    from sim.results.cells import csv_text
    from sim.roster.read import read_roster
    from sim.roster.report import check_text

    roster = read_roster(args.rosters, _areas(args.areas), require_consent=args.require_consent)
    if args.out:
        report = roster.report()
        check_output(args.out, list(report.columns), inputs=[*args.rosters, args.areas], force=args.force)
    print(check_text(roster))
    if args.out:
        _write(args.out, csv_text(report).encode("utf-8-sig"))
        print("\n" + t("cli_wrote").format(files=args.out))
    return 2 if roster.errors() else 0


def _aggregate(args: argparse.Namespace) -> int:
    from sim.roster.aggregate import students_csv
    from sim.roster.read import read_roster

    roster = read_roster(args.rosters, _areas(args.areas), require_consent=args.require_consent)
    if not args.skip_invalid:
        roster.raise_if_invalid()
    text = students_csv(roster)
    check_output(args.out, text.split("\n", 1)[0].split(","), inputs=[*args.rosters, args.areas], force=args.force)
    _write(args.out, text.encode("utf-8-sig"))
    counts = roster.counts()
    print(t("cli_aggregate_wrote").format(file=args.out, eligible=number(counts["eligible"]),
                                          not_eligible=number(counts["not_eligible"]),
                                          held=number(counts["held_for_review"]), invalid=number(counts["invalid"])))
    return 0


def _template(args: argparse.Namespace) -> int:
    from sim.roster.template import template_bytes

    data = template_bytes()
    check_output(args.out, data, force=args.force, what="template file")
    _write(args.out, data)
    print(t("cli_wrote").format(files=args.out))
    return 0


def _new_key(args: argparse.Namespace) -> int:
    from sim.roster.pseudonym import new_key_file

    if args.path.exists():
        raise input_error(args.path, "the file already exists", expected="a new file name: a key is never overwritten")
    print(t("cli_new_key").format(file=new_key_file(args.path)))
    return 0


def load_key_told(path: Path | None):
    """The pseudonym key (``sim.roster.pseudonym.load_key``), saying on stderr when it was just
    created and what is unsafe about where it is kept."""
    from sim.roster.pseudonym import key_warnings, load_key

    key = load_key(path)
    if key.created:
        print(t("cli_key_created").format(file=key.source), file=sys.stderr)
    for warning in key_warnings(key):
        print(t("cli_warning").format(message=translate_error(warning)), file=sys.stderr)
    return key


def _assign(args: argparse.Namespace) -> int:
    if args.version is not None:  # name learners for an approved version, without planning again
        from sim.cli.audit import assign_version_command

        return assign_version_command(args)
    from sim.read.scenario import SolverName, load_scenario
    from sim.read.tables import read_areas
    from sim.views.text import summary_text
    from sim.roster.assign import assign
    from sim.roster.read import read_roster

    scenario = load_scenario(args.scenario)
    if args.solver:
        scenario.solver = SolverName(args.solver)
    check_folder(args.out, inputs=[args.scenario, *args.roster, scenario.areas, args.key_file])
    roster = read_roster(args.roster, read_areas(scenario.areas), require_consent=args.require_consent)
    key = load_key_told(args.key_file)
    run = assign(scenario, roster, key, skip_invalid=args.skip_invalid)
    files = run.write(args.out)
    if not args.quiet:
        counts = roster.counts()
        served = int(run.learners["served"].sum())
        print(summary_text(run.result.summary))
        print("\n" + t("cli_assign_rosters").format(rows=number(len(roster.learners)), eligible=number(counts["eligible"]),
                                                  not_eligible=number(counts["not_eligible"]),
                                                  held=number(counts["held_for_review"]), invalid=number(counts["invalid"])))
        print(t("cli_assign_served").format(served=number(served), waiting=number(len(run.learners) - served)))
        print("\n" + t("cli_delivery_lists").format(folder=files[-1]))
        print(t("cli_shareable").format(files=", ".join(f.name for f in files[:-1]), folder=Path(args.out)))
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    from sim.read.scenario import SolverName

    roster = commands.add_parser("roster", help=t("help_roster"))
    sub = roster.add_subparsers(dest="roster_command", required=True)
    areas_help = t("help_roster_areas").format(areas=DEFAULT_AREAS)

    check = sub.add_parser("check", help=t("help_roster_check"))
    check.add_argument("rosters", nargs="+", type=Path, help=t("help_rosters"))
    check.add_argument("--areas", type=Path, default=DEFAULT_AREAS, help=areas_help)
    check.add_argument("--out", type=Path, help=t("help_roster_check_out"))
    check.add_argument("--force", action="store_true", help=t("help_roster_check_force"))
    check.add_argument("--require-consent", action="store_true", help=t("help_require_consent"))
    check.set_defaults(handler=_check)

    aggregate = sub.add_parser("aggregate", help=t("help_roster_aggregate"))
    aggregate.add_argument("rosters", nargs="+", type=Path, help=t("help_rosters"))
    aggregate.add_argument("--out", type=Path, required=True, help=t("help_roster_aggregate_out"))
    aggregate.add_argument("--areas", type=Path, default=DEFAULT_AREAS, help=areas_help)
    aggregate.add_argument("--force", action="store_true", help=t("help_force_out_input"))
    aggregate.add_argument("--skip-invalid", action="store_true", help=t("help_roster_aggregate_skip_invalid"))
    aggregate.add_argument("--require-consent", action="store_true", help=t("help_require_consent"))
    aggregate.set_defaults(handler=_aggregate)

    template = sub.add_parser("template", help=t("help_roster_template"))
    template.add_argument("out", type=Path, help=t("help_roster_template_out"))
    template.add_argument("--force", action="store_true", help=t("help_roster_template_force"))
    template.set_defaults(handler=_template)

    new_key = sub.add_parser("new-key", help=t("help_roster_new_key"))
    new_key.add_argument("path", type=Path, help=t("help_roster_new_key_path"))
    new_key.set_defaults(handler=_new_key)

    run = commands.add_parser("assign", help=t("help_assign"))
    run.add_argument("scenario", type=Path, help=t("help_assign_scenario"))
    run.add_argument("--roster", nargs="+", type=Path, required=True, help=t("help_rosters"))
    run.add_argument("--out", type=Path, required=True, help=t("help_assign_out"))
    run.add_argument("--key-file", type=Path, help=t("help_assign_key_file"))
    run.add_argument("--skip-invalid", action="store_true", help=t("help_assign_skip_invalid"))
    run.add_argument("--solver", choices=[s.value for s in SolverName], help=t("help_solver"))
    run.add_argument("--quiet", action="store_true", help=t("help_quiet"))
    run.add_argument("--version", type=int, help=t("help_assign_version"))
    run.add_argument("--db", type=Path, default=Path("data/ledger.sqlite"), help=t("help_assign_db"))
    run.add_argument("--require-consent", action="store_true", help=t("help_require_consent"))
    run.set_defaults(handler=_assign)
    from sim.cli.audit import register_purge

    register_purge(sub)
