"""Command line for sweeps:

    python -m sim sweep SCENARIO.yaml --grid GRID.yaml --out DIR [--scheduler ADDRESS] [--workers N]

Runs every run of the sweep file not yet in DIR, shows a progress bar, writes DIR/sweep.csv and
prints a short summary. Ctrl+C stops it; the runs finished so far stay in DIR/runs and the same
command finishes the rest. What it prints (the progress line, the summary, the messages) is
Vietnamese by default and English with ``SIM_LANG=en``: catalogue keys ``sweep_*`` and Babel's
number formats (``sim.locale``); sweep.csv itself is data and never changes with the language.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_INTERRUPTED = 130  # as a shell reports a program stopped by Ctrl+C


def register(commands: argparse._SubParsersAction) -> None:
    from sim.locale import gettext as t

    parser = commands.add_parser("sweep", help=t("help_sweep"))
    parser.add_argument("scenario", type=Path, help=t("help_scenario"))
    parser.add_argument("--grid", type=Path, required=True, help=t("help_sweep_grid"))
    parser.add_argument("--out", type=Path, required=True, help=t("help_sweep_out"))
    parser.add_argument("--scheduler", help=t("help_sweep_scheduler"))
    parser.add_argument("--workers", type=_workers, help=t("help_sweep_workers"))
    parser.add_argument("--quiet", action="store_true", help=t("help_sweep_quiet"))
    parser.add_argument("--force", action="store_true", help=t("help_sweep_force"))
    parser.set_defaults(handler=_sweep)


def _workers(text: str) -> int:
    from sim.locale import gettext as t

    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(t("sweep_workers_expected").format(text=text))
    return value


def _sweep(args: argparse.Namespace) -> int:
    from sim.locale import gettext as t
    from sim.read.scenario import load_scenario
    from sim.sweeps.runner import SchedulerUnreachable, run_sweep
    from sim.sweeps.spec import load_sweep
    from sim.read.tables import read_areas, read_students

    scenario = load_scenario(args.scenario)
    areas = read_areas(scenario.areas)
    students = read_students(scenario.students, areas)
    spec = load_sweep(args.grid, scenario, areas)
    _check_out(args, [args.scenario, args.grid, scenario.areas, scenario.students])
    try:
        table = run_sweep(scenario, spec, args.out, areas=areas, students=students, workers=args.workers,
                          scheduler=args.scheduler, progress=not args.quiet)
    except SchedulerUnreachable as exc:
        message = t("sweep_no_scheduler").format(address=exc.address, reason=exc.reason)
        print(t("cli_error").format(message=message), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\n" + t("sweep_interrupted").format(folder=args.out / "runs"), file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print(sweep_text(table, scenario.name))
        print("\n" + t("cli_wrote").format(files=args.out / "sweep.csv"))
    return 0


def _check_out(args: argparse.Namespace, inputs: list) -> None:
    """--out is a folder; a sweep.csv in it belongs to the sweep begun there (its sweep.json), or --force."""
    from sim.cli.outputs import check_folder, check_output
    from sim.sweeps.store import MANIFEST, TABLE

    check_folder(args.out, inputs=inputs)
    for name in (TABLE, MANIFEST):
        check_output(args.out / name, ["run"] if name == TABLE else None, inputs=inputs, force=True)
    if (args.out / TABLE).exists() and not (args.out / MANIFEST).exists():
        check_output(args.out / TABLE, None, inputs=inputs, force=args.force)


def sweep_text(table, name: str) -> str:
    """Runs by status, then the spread of learners covered (in all and per band) over the planned
    runs, in the current language (numbers as Babel writes them: 1.234 or 1,234)."""
    from sim.locale import gettext as t, ngettext, number, translate_error

    ran, done = table.attrs.get("ran", len(table)), table.attrs.get("already_done", 0)
    lines = [t("sweep_heading").format(name=name, runs=number(len(table)), ran=number(ran), done=number(done))]
    lines.append("  " + ", ".join(f"{number(n)} {_status(status)}"
                                  for status, n in table["status"].value_counts(sort=False).items()))
    planned = table[table["status"] == "optimal"]
    if len(planned):
        heading, heads = t("sweep_covered_heading"), [t("sweep_min"), t("sweep_median_column"), t("sweep_max")]
        first = max(36, len(heading) + 1)  # columns as wide as their words need, at least as in English
        widths = [max(7, len(heads[0]) + 1), max(10, len(heads[1]) + 1), max(10, len(heads[2]) + 1)]
        lines.append(f"{heading:<{first}}{heads[0]:>{widths[0]}} {heads[1]:>{widths[1]}} {heads[2]:>{widths[2]}}")
        rows = [("covered", t("sweep_all_bands")), *((f"covered_band_{b}", t("sweep_band").format(band=b)) for b in range(1, 6))]
        for column, label in rows:
            values = planned[column].astype(float)
            lines.append(f"  {label:<{first - 2}}{number(values.min()):>{widths[0]}} {number(values.median(), 1):>{widths[1]}} "
                         f"{number(values.max()):>{widths[2]}}")
    failed = table[table["status"] != "optimal"]
    for _, row in failed.head(3).iterrows():
        error = " | ".join(translate_error(part) for part in str(row["error"]).split(" | "))
        lines.append(t("sweep_failed_run").format(run=row["run"], status=_status(row["status"]), error=error))
    if len(failed) > 3:
        lines.append(ngettext("sweep_more_failed", len(failed) - 3).format(count=number(len(failed) - 3)))
    return "\n".join(lines)


def _status(status: str) -> str:
    """A run's status as the reader's language says it (the table keeps the code)."""
    from sim.locale import gettext as t

    try:
        return t(f"sweep_status_{status}")
    except KeyError:
        return str(status)
