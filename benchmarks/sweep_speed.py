"""How long a 1,000-run Long An sweep takes on this machine (prints figures; not a test).

    .venv/bin/python benchmarks/sweep_speed.py [--runs 1000] [--workers N]

The sweep is the Monte Carlo of data/scenarios/sweep_monte_carlo.yaml (pledges, prices and learner
counts drawn) over data/scenarios/baseline.yaml, with ``--runs`` draws, on a local Dask cluster of
``--workers`` processes (default: one per core), written to a temporary folder as ``sim sweep``
writes it. Target: 1,000 runs in at most 25 s on 2 workers. Printed: the time to start the
cluster, the time of the runs, runs per second, one run in this process for comparison, and the
CPU of a run split into ``plan_whole`` (the planning core) and the rest (the draw, the inputs, the
row; on the workers also Dask's share), in this process and on the workers.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

import sim
from sim.sweeps.runner import default_workers, run_sweep
from sim.sweeps.run import SweepContext, run_one
from sim.sweeps.spec import load_sweep
from sim.read.tables import read_areas, read_students

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "data" / "scenarios" / "baseline.yaml"
SWEEP = ROOT / "data" / "scenarios" / "sweep_monte_carlo.yaml"
TARGET_SECONDS, TARGET_RUNS = 25.0, 1000


def count_plan_whole() -> None:
    """Make ``plan_whole`` add its CPU seconds to ``plan_whole.cpu`` in this process (run.py calls
    it through the module, so the sweep's runs are counted); figures only, nothing else changes."""
    import sim.core.pipeline as pipeline

    if hasattr(pipeline.plan_whole, "cpu"):
        return
    real = pipeline.plan_whole

    def counted(*args, **kwargs):
        started = time.process_time()
        try:
            return real(*args, **kwargs)
        finally:
            counted.cpu += time.process_time() - started

    counted.cpu = 0.0
    pipeline.plan_whole = counted


def plan_whole_cpu() -> float:
    import sim.core.pipeline as pipeline

    return getattr(pipeline.plan_whole, "cpu", 0.0)


def measure(runs: int, workers: int) -> dict:
    """The sweep of ``runs`` draws on ``workers`` processes, timed; figures as ``main`` prints them."""
    scenario = sim.load_scenario(SCENARIO)
    areas = read_areas(scenario.areas)
    students = read_students(scenario.students, areas)
    spec = load_sweep(SWEEP, scenario, areas).with_runs(runs)

    context = SweepContext.of(scenario, areas, students, spec)
    count_plan_whole()
    run_one(context, context.runs()[0])  # warm up imports and the solver
    started, cpu, core = time.perf_counter(), time.process_time(), plan_whole_cpu()
    for run in context.runs()[:3]:
        run_one(context, run)
    one_run = (time.perf_counter() - started) / 3
    one_cpu, one_core = (time.process_time() - cpu) / 3, (plan_whole_cpu() - core) / 3

    from distributed import Client, LocalCluster

    started = time.perf_counter()
    from sim.core.solvers import THREADS_SETTING

    # the cluster `sim sweep` starts (sim/sweeps/runner.py): one thread a worker, HiGHS's too
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0", env={THREADS_SETTING: "1"}) as cluster, Client(cluster) as client:
        client.run(lambda: __import__("sim.sweeps.run"))  # workers import sim before the clock starts
        client.run(count_plan_whole)
        start_seconds = time.perf_counter() - started
        cpu_before = sum(client.run(time.process_time).values())
        core_before = sum(client.run(plan_whole_cpu).values())
        with tempfile.TemporaryDirectory() as out:
            started = time.perf_counter()
            table = run_sweep(scenario, spec, out, areas=areas, students=students, client=client)
            seconds = time.perf_counter() - started
        worker_cpu = sum(client.run(time.process_time).values()) - cpu_before
        worker_core = sum(client.run(plan_whole_cpu).values()) - core_before
    return {"runs": runs, "workers": workers, "seconds": seconds, "start_seconds": start_seconds,
            "statuses": {str(k): int(v) for k, v in table["status"].value_counts().items()},
            "one_run": one_run, "one_cpu": one_cpu, "one_core": one_core,
            "worker_cpu": worker_cpu / runs, "worker_core": worker_core / runs,
            "target": TARGET_SECONDS * runs / TARGET_RUNS}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=TARGET_RUNS, help="Monte Carlo draws (default 1000)")
    parser.add_argument("--workers", type=int, default=default_workers(), help="worker processes (default: cores)")
    parser.add_argument("--json", action="store_true", help="print the figures as one line of JSON (make bench reads it)")
    args = parser.parse_args()
    got = measure(args.runs, args.workers)
    if args.json:
        print(json.dumps(got))
        return
    runs, seconds, target = args.runs, got["seconds"], got["target"]
    print(f"\nLong An sweep: {runs:,} Monte Carlo runs of {SWEEP.name} on {args.workers} worker processes")
    print(f"  runs by status                {got['statuses']}")
    print(f"  one run in this process       {got['one_run']:8.3f} s   (x {runs:,} / {args.workers} workers = "
          f"{got['one_run'] * runs / args.workers:.1f} s if parallel work were free)")
    print(f"  CPU per run in this process   {got['one_cpu']:8.3f} s = plan_whole {got['one_core']:.3f} s + the rest "
          f"{(got['one_cpu'] - got['one_core']) * 1000:.1f} ms")
    print(f"  worker CPU per run            {got['worker_cpu']:8.3f} s = plan_whole {got['worker_core']:.3f} s "
          f"+ the rest and Dask's share {(got['worker_cpu'] - got['worker_core']) * 1000:.1f} ms")
    print(f"  cluster start (not counted)   {got['start_seconds']:8.2f} s")
    print(f"  sweep, total                  {seconds:8.2f} s")
    print(f"  runs per second               {runs / seconds:8.2f}")
    print(f"  load average (1, 5, 15 min)   {' '.join(f'{x:.2f}' for x in os.getloadavg())}   "
          f"(other programs on this machine slow the figures down)")
    verdict = "met" if seconds <= target else f"missed by {seconds - target:.1f} s ({seconds / target:.1f}x)"
    print(f"  target {target:.0f} s for {runs:,} runs   {verdict}")


if __name__ == "__main__":
    main()
