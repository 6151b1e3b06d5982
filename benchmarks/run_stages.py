"""Where a whole ``python -m sim run`` spends its time (issue 15: start-up), stage by stage.

    python benchmarks/run_stages.py [SCENARIO] [--runs 5] [--tree DIR]

SCENARIO defaults to the national case that ``make bench`` generates (``.bench-data/national``;
run ``python benchmarks/bench.py --cases national --skip-plain`` once to make it). Each run is a
fresh process that does what ``python -m sim run SCENARIO --out TMP --quiet`` does (the
collector paused while modules load, then frozen; OpenBLAS on one thread), with the stages timed:
imports, yaml (the scenario file), read (tables read and checked: ``prepare``), plan (the planning
core: ``plan_whole``, all its LPs and MILPs), tables (allocation and coverage), summary, write
(the three files), print (the summary text), and the rest. Seconds are CPU seconds of the process
(steadier than wall time on a busy machine) and, for the whole run, wall seconds too; the median
of ``--runs`` runs. Then the whole command itself is timed, as a user runs it, ``--runs`` times.
``--tree`` times another checkout of sim (e.g. an older commit unpacked with ``git archive``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NATIONAL = ROOT / ".bench-data" / "national" / "scenario.yaml"

WORKER = r'''
import gc, json, os, sys, time
clock = time.process_time
wall0, cpu0 = time.perf_counter(), clock()
start_up = open(os.path.join(sys.argv[3], "sim", "__main__.py")).read()  # as this tree's python -m sim starts
if "gc.disable()" in start_up:
    gc.disable()  # its main() freezes and turns the collector back on
blas = "OPENBLAS_NUM_THREADS" in start_up and "OPENBLAS_NUM_THREADS" not in os.environ
if blas:
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
import sim.cli.main as cli
if blas:
    del os.environ["OPENBLAS_NUM_THREADS"]
seconds = {"imports": clock() - cpu0}

def timed(owner, name, stage):
    inner = getattr(owner, name)
    def wrapper(*args, **kwargs):
        began = clock()
        try:
            return inner(*args, **kwargs)
        finally:
            seconds[stage] = seconds.get(stage, 0.0) + clock() - began
    setattr(owner, name, wrapper)

import sim.core.pipeline as pipeline, sim.read.scenario as scenario, sim.results.result as result, sim.views.text as text
timed(scenario, "load_scenario", "yaml")
timed(pipeline, "prepare", "read")
timed(pipeline, "plan_whole", "plan")
timed(pipeline, "allocation_table", "tables")
timed(pipeline, "coverage_table", "tables")
timed(pipeline, "build_summary", "summary")
timed(result.Result, "write", "write")
timed(text, "summary_text", "print")
sys.argv = ["sim", "run", sys.argv[1], "--out", sys.argv[2], "--force"]
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    assert cli.main() == 0
total = clock() - cpu0
seconds["rest"] = total - sum(seconds.values())
seconds["total CPU"] = total
seconds["outside plan"] = total - seconds["plan"]
seconds["total wall"] = time.perf_counter() - wall0
print(json.dumps(seconds))
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", nargs="?", type=Path, default=NATIONAL)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--tree", type=Path, default=ROOT, help="the checkout of sim to time (default: this one)")
    args = parser.parse_args(argv)
    if not args.scenario.is_file():
        parser.error(f"{args.scenario} not found: python benchmarks/bench.py --cases national --skip-plain makes it")
    env = {**os.environ, "PYTHONPATH": str(args.tree.resolve())}
    runs, whole = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(args.runs):
            done = subprocess.run([sys.executable, "-c", WORKER, str(args.scenario), out, str(args.tree.resolve())],
                                  capture_output=True, text=True, env=env, cwd=args.tree)
            if done.returncode != 0:
                print(done.stderr, file=sys.stderr)
                return 1
            runs.append(json.loads(done.stdout.splitlines()[-1]))
        for _ in range(args.runs):
            began = time.perf_counter()
            subprocess.run([sys.executable, "-m", "sim", "run", str(args.scenario), "--out", out, "--quiet", "--force"],
                           check=True, env=env, cwd=args.tree)
            whole.append(time.perf_counter() - began)
    print(f"{args.tree}: median of {args.runs} runs, load average {os.getloadavg()[0]:.1f}")
    for stage in runs[0]:
        print(f"  {stage:13s} {statistics.median(r.get(stage, 0.0) for r in runs):7.3f} s")
    print(f"  python -m sim run, wall: median {statistics.median(whole):.3f} s "
          f"(runs {', '.join(f'{w:.2f}' for w in whole)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
