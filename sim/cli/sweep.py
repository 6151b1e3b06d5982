"""Command line for sweeps:

    python -m sim sweep SCENARIO.yaml --grid GRID.yaml --out DIR [--scheduler ADDRESS] [--workers N]

Runs every run of the sweep file not yet in DIR, shows a progress bar, writes DIR/sweep.csv and
prints a short summary. Ctrl+C stops it; the runs finished so far stay in DIR/runs and the same
command finishes the rest.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

EXIT_INTERRUPTED = 130  # as a shell reports a program stopped by Ctrl+C


def register(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("sweep", help="run a scenario over a grid of settings or a Monte Carlo, in parallel")
    parser.add_argument("scenario", type=Path, help="scenario YAML file")
    parser.add_argument("--grid", type=Path, required=True, help="sweep YAML file: grid: and/or monte_carlo: (see the README)")
    parser.add_argument("--out", type=Path, required=True,
                        help="folder for runs/ and sweep.csv; the same command again resumes an interrupted sweep")
    parser.add_argument("--scheduler", help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 "
                                            "(default: a local cluster on this machine)")
    parser.add_argument("--workers", type=_workers, help="worker processes of the local cluster (default: one per core; "
                                                         "0: no Dask, one run after another)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar and no summary")
    parser.add_argument("--force", action="store_true", help="write into a folder whose sweep.csv is not from a sweep sim "
                                                              "started there (it is replaced)")
    parser.set_defaults(handler=_sweep)


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 0, found {text!r}")
    return value


def _sweep(args: argparse.Namespace) -> int:
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
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nInterrupted: the finished runs are kept in {args.out / 'runs'}; "
              "run the same command again to do the rest.", file=sys.stderr)
        return EXIT_INTERRUPTED
    if not args.quiet:
        print(sweep_text(table, scenario.name))
        print(f"\nWrote {args.out / 'sweep.csv'}")
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
    """Runs by status, then the spread of learners covered (in all and per band) over the planned runs."""
    lines = [f"Sweep of '{name}': {len(table):,} runs ({table.attrs.get('ran', len(table)):,} run now, "
             f"{table.attrs.get('already_done', 0):,} already done)"]
    lines.append("  " + ", ".join(f"{n:,} {status}" for status, n in table["status"].value_counts(sort=False).items()))
    planned = table[table["status"] == "optimal"]
    if len(planned):
        lines.append(f"{'Learners covered over the runs:':<36}{'min':>7} {'median':>10} {'max':>10}")
        for column, label in [("covered", "all bands"), *((f"covered_band_{b}", f"band {b}") for b in range(1, 6))]:
            values = planned[column].astype(float)
            lines.append(f"  {label:<34}{values.min():>7,.0f} {values.median():>10,.1f} {values.max():>10,.0f}")
    failed = table[table["status"] != "optimal"]
    for _, row in failed.head(3).iterrows():
        lines.append(f"Run {row['run']} ({row['status']}): {row['error']}")
    if len(failed) > 3:
        lines.append(f"... and {len(failed) - 3} more runs not planned: see the status and error columns")
    return "\n".join(lines)
