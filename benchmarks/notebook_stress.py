"""Run every notebook N times as ``sim report`` runs it and print each run's time, stall and recovery.

    python benchmarks/notebook_stress.py --rounds 20            # all notebooks in notebooks/
    python benchmarks/notebook_stress.py --rounds 5 notebooks/03_fairness_tradeoffs.ipynb
    python benchmarks/notebook_stress.py --rounds 20 --render --minutes 30   # as many rounds as fit

Each run goes through ``sim.views.report.execute_notebook`` (a fresh kernel each time, a stalled
kernel noticed within seconds and the notebook run once more in a fresh kernel) and, with
``--render``, ``to_html`` as well. A line per run: round, notebook, seconds, and any stall. The end
prints per notebook the runs, median and slowest time, stalls and failures, and exits 1 when a run
failed or took longer than ``--limit`` seconds (default 60).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.views import report  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: notebooks/*.ipynb)")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--language", default="vi")
    parser.add_argument("--render", action="store_true", help="also render each run to HTML, as sim report does")
    parser.add_argument("--limit", type=float, default=60.0, help="seconds a run may take (default: 60)")
    parser.add_argument("--minutes", type=float, default=None, help="start no new round after this many minutes")
    args = parser.parse_args(argv)
    notebooks = args.notebooks or sorted((ROOT / "notebooks").glob("*.ipynb"))
    # 05 pseudonymises a roster: a throwaway key, as the tests use, never the user's own
    os.environ.setdefault("SIM_PSEUDONYM_KEY", "sim-stress-only-pseudonym-key-0123456789abcdef")
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp(prefix="sim-stress-config-")

    times: dict[str, list[float]] = {p.name: [] for p in notebooks}
    stalls: dict[str, list[str]] = {p.name: [] for p in notebooks}
    failures: dict[str, list[str]] = {p.name: [] for p in notebooks}
    begun = time.monotonic()
    rounds = 0
    try:
        rounds = run_rounds(args, notebooks, times, stalls, failures)
    except KeyboardInterrupt:  # Ctrl+C (or kill -INT): the figures so far
        rounds = min(len(t) for t in times.values())
        print("interrupted", flush=True)

    print(f"\n{rounds} full rounds in {time.monotonic() - begun:.0f} s")
    print(f"{'notebook':<32} {'runs':>4} {'median s':>9} {'max s':>7} {'stalls':>6} {'failed':>6}")
    bad = False
    for name, seconds in times.items():
        if not seconds:
            continue
        slowest = max(seconds)
        bad |= bool(failures[name]) or slowest > args.limit
        print(f"{name:<32} {len(seconds):>4} {statistics.median(seconds):>9.1f} {slowest:>7.1f} "
              f"{len(stalls[name]):>6} {len(failures[name]):>6}")
    for name in times:
        for stall in stalls[name]:
            print(f"stall (recovered): {name}: {stall}")
        for failure in failures[name]:
            print(f"failure: {failure}")
    return 1 if bad else 0


def run_rounds(args, notebooks, times, stalls, failures) -> int:
    begun = time.monotonic()
    for round_ in range(1, args.rounds + 1):
        if args.minutes is not None and time.monotonic() - begun > 60 * args.minutes:
            print(f"--minutes {args.minutes:g} passed: no more rounds", flush=True)
            return round_ - 1
        for path in notebooks:
            seen: list[str] = []
            start = time.monotonic()
            try:
                notebook = report.execute_notebook(path, args.language,
                                                   on_stall=lambda p, stall: seen.append(str(stall)))
                if args.render:
                    report.to_html(notebook, path.stem, args.language)
                outcome = "ok"
            except report.ReportFailed as failed:
                failures[path.name].append(str(failed))
                outcome = f"FAILED: {failed}"
            seconds = time.monotonic() - start
            times[path.name].append(seconds)
            stalls[path.name] += seen
            recovered = "".join(f"; stall, run again: {s}" for s in seen)
            print(f"round {round_:>2}  {path.name:<32} {seconds:6.1f} s  {outcome}{recovered}", flush=True)

    return args.rounds


if __name__ == "__main__":
    sys.exit(main())
