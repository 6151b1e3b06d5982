"""``make bench``: how fast the planner is on three cases, next to a textbook PuLP model.

    .venv/bin/python benchmarks/bench.py [--cases district,school,national] [--skip-plain] [--repeat N]
                                         [--sweep-runs N]

Cases: Long An by district (``data/scenarios/baseline.yaml``), Long An by school (about 430
schools, ``benchmarks/longan_schools.py``) and a national synthetic case (705 districts,
2.2 million learners, ``benchmarks/national.py``); the generated tables are cached in
``.bench-data/`` and remade when their generator changes.

Each run is a fresh Python process, so its peak memory is its own (``ru_maxrss``; for the plain
model, plus CBC's, which runs as a child process). Ours is timed from read and checked inputs
(``sim.core.inputs.prepare``): build (the LP), solve (the policy's LPs), extract (whole devices and
the result tables); their sum is the re-solve time a widget waits for. The median of ``--repeat``
runs in one process is reported. Policies: strict + max_count for the comparison (both
formulations), and ours with the scenario's own policy. Both formulations must reach the same
learners per band at LP level: ours is checked with ``sim.core.steps.optimise`` on the built model,
the plain model (``benchmarks/plain_pulp.py``) with each band's optimum. Not a test: it prints
figures and writes them to ``reports/bench.md``.

The sweep target (1,000 Long An Monte Carlo runs on 2 workers in 25 s) is measured first, on its own
(both cores), by ``benchmarks/sweep_speed.py`` in a fresh process: ``--sweep-runs`` draws (default
200), the seconds scaled to 1,000 runs at the same pace.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CACHE = ROOT / ".bench-data"
REPORT = ROOT / "reports" / "bench.md"
BASELINE = ROOT / "data" / "scenarios" / "baseline.yaml"
BUNDLED = [ROOT / "data" / "longan" / "areas.csv", ROOT / "data" / "longan" / "students.csv", BASELINE]
sys.path.insert(0, str(HERE))

SAME = 1e-6  # both formulations agree when every band differs by at most this share of the case's learners
RATIO_TARGET = 100.0  # ours at least this many times faster than the plain model, on the national case
SWEEP_TARGET = 25.0  # seconds for a 1,000-run sweep on 2 workers (benchmarks/sweep_speed.py measures it)
SWEEP_RUNS = 200  # runs of the sweep `make bench` measures (a thousand take minutes today), scaled to 1,000


@dataclass(frozen=True)
class Case:
    key: str
    label: str
    seconds: float  # target re-solve time
    memory_mb: float | None = None  # target peak memory
    ratio: float | None = None  # target speed-up over the plain model
    generator: str | None = None  # module in benchmarks/ writing the case's tables, or None for bundled data
    repeat: int = 3  # runs of ours unless --repeat says otherwise
    by_policy: dict | None = None  # target re-solve time per policy label, where it differs from ``seconds``
    floor_seconds: float | None = None  # target re-solve time with a 30% district floor
    run_seconds: float | None = None  # target for a whole `sim run` (fresh process: imports, read, plan, tables)


CASES = {
    "district": Case("district", "Long An by district", 0.03, floor_seconds=0.1),
    "school": Case("school", "Long An by school", 0.1, generator="longan_schools"),
    "national": Case("national", "National synthetic", 0.5, memory_mb=300, ratio=RATIO_TARGET, generator="national",
                     repeat=1, by_policy={"strict max_count": 0.3, "strict equal_rate": 0.5}, run_seconds=2.0),
}


def scenario_path(case: Case) -> Path:
    """The case's scenario; generated tables are remade when their generator or the bundled data
    it reads (Long An's tables and baseline) change."""
    if case.generator is None:
        return BASELINE
    stamp = hashlib.sha256()
    for path in [HERE / f"{case.generator}.py", *BUNDLED]:
        stamp.update(path.read_bytes())
    stamp = stamp.hexdigest()
    folder = CACHE / case.key
    if (folder / "stamp").is_file() and (folder / "stamp").read_text() == stamp:
        return folder / "scenario.yaml"
    module = __import__(case.generator)
    started = time.perf_counter()
    path = module.write(folder)
    (folder / "stamp").write_text(stamp)
    print(f"  generated {case.label} in {time.perf_counter() - started:.1f} s -> {folder.relative_to(ROOT)}/", flush=True)
    return path


# ------------------------------------------------------------------ workers (one process per run)

def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


class ChildMemory:
    """Largest resident memory of this process's children (CBC), sampled from /proc while it runs.
    (RUSAGE_CHILDREN would count the parent's pages a child holds between fork and exec.)"""

    def __init__(self, every: float = 0.05):
        self.every, self.peak_mb, self._stop = every, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "ChildMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        me = str(os.getpid())
        while not self._stop.wait(self.every):
            for stat in Path("/proc").glob("[0-9]*/stat"):
                try:
                    fields = stat.read_text().rsplit(")", 1)[1].split()
                    if fields[1] == me:  # the parent's pid; then rss in pages is field 22 of stat
                        self.peak_mb = max(self.peak_mb, int(fields[21]) * os.sysconf("SC_PAGE_SIZE") / 2**20)
                except (OSError, IndexError, ValueError):
                    continue


def _median_run(runs: list[dict[str, float]]) -> dict[str, float]:
    """Median of each stage, and the median of the totals (not the sum of the medians)."""
    out = {stage: statistics.median(r[stage] for r in runs) for stage in runs[0]}
    out["total"] = statistics.median(sum(r.values()) for r in runs)
    return out


def _by_band(cells, values) -> dict[str, float]:
    sums = cells.assign(_v=list(values)).groupby("band")["_v"].sum()
    return {str(b): float(sums.get(b, 0.0)) for b in range(1, 6)}


def _milps(result: dict) -> str:
    """' + n MILPs' after the LPs when whole devices needed exact MILPs (``sim/core/exact.py``)."""
    return f" + {result['milps']} MILPs" if result.get("milps") else ""


def _model_size(model) -> tuple[int | None, int | None]:
    problem = getattr(model, "problem", model)
    try:
        return len(problem.variables()), len(problem.constraints())
    except (AttributeError, TypeError):  # the core may change how a model is kept
        return None, None


def work_ours(scenario_file: str, policy_name: str, repeat: int, lp_check: bool) -> dict:
    import sim
    from sim.core.inputs import prepare
    from sim.core.groups import group_cells, may_merge_areas
    from sim.core.model import build_model
    from sim.core.pipeline import plan_whole, with_changes
    from sim.results.result import allocation_table, coverage_table
    from sim.read.scenario import Policy, WithinBand

    started = time.perf_counter()
    scenario = sim.load_scenario(scenario_file)
    inputs = prepare(scenario)
    read = time.perf_counter() - started
    policy = scenario.policy if policy_name in ("own", "floor") else Policy(
        mode="strict", within_band=WithinBand.max_count, weights=scenario.policy.weights)
    if policy_name == "floor":  # the scenario's policy with a 30% district floor
        inputs = with_changes(inputs, fairness={"district_floor": 0.3})
        scenario = inputs.scenario
    runs = []
    for _ in range(repeat):
        timings: dict[str, float] = {}
        planned = plan_whole(with_changes(inputs, policy=policy), timings=timings)
        plan, solves = planned.plan, planned.solves
        began = time.perf_counter()
        allocation_table(inputs, plan)
        coverage_table(inputs, plan)
        tables = time.perf_counter() - began
        runs.append({"build": timings.get("build", 0.0), "solve": timings.get("solve", 0.0),
                     "extract": timings.get("round", 0.0) + tables})
    out = {"read": read, "seconds": _median_run(runs), "runs": runs, "peak_mb": _peak_mb(), "solves": solves,
           "learners": int(inputs.cells["pupils"].sum()), "areas": len(inputs.areas), "cells": len(inputs.cells),
           "policy": f"{policy.mode.value} {policy.within_band.value}" + (", 30% district floor" if policy_name == "floor" else ""),
           "whole_by_band": _by_band(inputs.cells, plan.covered)}
    staged = dataclasses.replace(inputs, scenario=scenario.with_changes(policy=policy))
    # the LP the planner solves: cells grouped, free areas merged where the plan allows (sim/core/groups.py)
    grouping = group_cells(staged, merge_areas=may_merge_areas(staged))
    out["variables"], out["constraints"] = _model_size(build_model(grouping.inputs))
    out["milps"] = planned.milps
    if lp_check:  # the planner's own LP plan, per cell
        out["lp_by_band"] = _by_band(inputs.cells, planned.lp.covered)
    return out


def work_plain(scenario_file: str, repeat: int) -> dict:
    import plain_pulp
    import sim
    from sim.core.inputs import prepare

    started = time.perf_counter()
    inputs = prepare(sim.load_scenario(scenario_file))
    read = time.perf_counter() - started
    with ChildMemory() as cbc:
        results = [plain_pulp.plan(inputs) for _ in range(repeat)]
    last = results[-1]
    return {"read": read, "seconds": _median_run([r.seconds for r in results]), "runs": [r.seconds for r in results],
            "peak_mb": _peak_mb() + cbc.peak_mb, "solves": last.solves, "variables": last.variables,
            "constraints": last.constraints, "policy": "strict max_count",
            "lp_by_band": {str(b): v for b, v in last.covered_by_band.items()}}


def work_run(scenario_file: str) -> dict:
    """A whole ``sim run`` (read, plan, result tables and summary, files written) in a fresh
    process, timed from before ``import sim``: what an analyst waits for."""
    started = time.perf_counter()
    import sim

    with tempfile.TemporaryDirectory() as folder:
        sim.solve(sim.load_scenario(scenario_file)).write(folder)
    return {"seconds": time.perf_counter() - started, "peak_mb": _peak_mb()}


def run_worker(args: list[str], timeout: float) -> dict:
    """Run this file as a worker in a fresh process; its answer is the last line it prints."""
    started = time.perf_counter()
    try:
        done = subprocess.run([sys.executable, __file__, "--worker", *args], capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s (--timeout)", "wall": time.perf_counter() - started}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1], "wall": time.perf_counter() - started}
    return json.loads(done.stdout.strip().splitlines()[-1])


# ------------------------------------------------------------------ the report

def _s(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}" if x < 10 else f"{x:.1f}"


def _n(x: float | None) -> str:
    return "–" if x is None else f"{x:,.0f}"


def _bands(by_band: dict[str, float] | None) -> str:
    if not by_band:
        return "–"
    return " / ".join(f"{by_band[str(b)]:,.1f}" for b in range(1, 6))


def _verdict(measured: float, target: float, kind: str) -> str:
    """'met' or 'missed by ...' for a ceiling (time, memory) or a floor (speed-up)."""
    if kind == "floor":
        return "met" if measured >= target else f"missed: {measured:.1f}×, {target:g}× needed"
    if measured <= target:
        return "met"
    unit = " MB" if kind == "memory" else " s"
    return f"missed by {measured - target:,.2f}{unit} ({measured / target:.1f}× the target)"


def _where(seconds: dict[str, float]) -> str:
    """The stage that takes most of a re-solve, e.g. 'solve 97%'."""
    stages = {k: v for k, v in seconds.items() if k != "total"}
    stage = max(stages, key=stages.get)
    return f"{stage} {stages[stage] / max(sum(stages.values()), 1e-12):.0%}"


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        names = [line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                 if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                               cwd=ROOT).stdout.strip()
    except OSError:
        return "unknown"
    return f"{head}{' + uncommitted changes' if dirty else ''}" if head else "unknown"


def versions() -> str:
    from importlib.metadata import PackageNotFoundError, version

    found = []
    for package in ("pulp", "highspy", "cbcbox"):
        try:
            found.append(f"{package} {version(package)}")
        except PackageNotFoundError:
            pass
    return ", ".join(found)


def atomic_write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def run_sweep_speed(runs: int, timeout: float) -> dict:
    """``benchmarks/sweep_speed.py`` in a fresh process: ``runs`` draws of the Long An Monte Carlo
    on 2 workers, as `sim sweep` runs them; its figures."""
    try:
        done = subprocess.run([sys.executable, str(HERE / "sweep_speed.py"), "--runs", str(runs), "--workers", "2",
                               "--json"], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    except subprocess.TimeoutExpired:
        return {"error": f"stopped after {timeout:.0f} s (--timeout)"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


def sweep_target(sweep: dict | None) -> str:
    """The sweep's line of the targets: measured on ``--sweep-runs`` draws, and per 1,000 at that pace
    (the runs are alike: the pace of a few hundred is the pace of a thousand, the cluster's start
    left out in both)."""
    label = f"| Long An sweep of 1,000 runs on 2 workers ≤ {SWEEP_TARGET:g} s |"
    if sweep is None:
        return f"{label} – | not measured (--sweep-runs 0); `benchmarks/sweep_speed.py --workers 2` measures it |"
    if "error" in sweep:
        return f"{label} – | not measured: {sweep['error']} |"
    per_thousand = sweep["seconds"] * 1000 / sweep["runs"]
    measured = (f"{per_thousand:.1f} s" if sweep["runs"] == 1000 else
                f"{per_thousand:.0f} s ({sweep['runs']:,} runs in {sweep['seconds']:.1f} s)")
    return (f"{label} {measured} | {_verdict(per_thousand, SWEEP_TARGET, 'time')}; "
            f"{sweep['worker_cpu'] * 1000:.0f} ms of worker CPU a run, {sweep['worker_core'] * 1000:.0f} ms of it planning |")


def benchmark(cases: list[Case], repeat: int | None, skip_plain: bool, plain_repeat: int, timeout: float,
              sweep_runs: int = 0) -> str:
    rows, checks, targets, repeats = [], [], [], []
    sweep = None
    if sweep_runs:
        print(f"Long An sweep, {sweep_runs:,} runs on 2 workers ...", flush=True)
        sweep = run_sweep_speed(sweep_runs, timeout)
    for case in cases:
        print(f"{case.label}:", flush=True)
        runs = repeat or case.repeat
        repeats.append(f"{case.label} {runs}")
        path = str(scenario_path(case))
        print("  ours, strict max_count ...", flush=True)
        ours = run_worker(["ours", path, "max_count", str(runs), "check"], timeout)
        print("  ours, the scenario's own policy ...", flush=True)
        own = run_worker(["ours", path, "own", str(runs), "-"], timeout)
        floor = None
        if case.floor_seconds is not None:
            print("  ours, the scenario's own policy with a 30% district floor ...", flush=True)
            floor = run_worker(["ours", path, "floor", str(runs), "-"], timeout)
        whole_run = None
        if case.run_seconds is not None:
            print("  a whole `sim run` in a fresh process ...", flush=True)
            whole_run = run_worker(["run", path, "own", "1", "-"], timeout)
        plain = None
        if not skip_plain:
            print("  plain PuLP + CBC, strict max_count (the national case takes minutes) ...", flush=True)
            plain = run_worker(["plain", path, "max_count", str(plain_repeat), "-"], timeout)
        size = next((r for r in (ours, own) if "learners" in r), {})
        label = f"{case.label} ({_n(size.get('areas'))} areas, {_n(size.get('learners'))} learners)"
        for name, result in (("ours", ours), ("ours", own), ("plain PuLP + CBC", plain)):
            if result is None:
                continue
            if "error" in result:
                rows.append(f"| {label} | {name} | | {result['error']} | | | | | | | | | |")
                continue
            t = result["seconds"]
            rows.append(f"| {label} | {name} | {result['policy']} | {_s(t['build'])} | {_s(t['solve'])} | "
                        f"{_s(t['extract'])} | **{_s(t['total'])}** | {_s(result['read'])} | {_n(result['peak_mb'])} | "
                        f"{_n(result['variables'])} | {_n(result['constraints'])} | {result['solves']}{_milps(result)} | "
                        f"{_bands(result.get('lp_by_band') or result.get('whole_by_band'))} |")
        for result in (ours, own, floor):
            if result is None:
                continue
            if "error" in result:
                targets.append(f"| {case.label}: re-solve ≤ {case.seconds:g} s | – | not measured: {result['error']} |")
                continue
            total = result["seconds"]["total"]
            wanted = (case.floor_seconds if result is floor else (case.by_policy or {}).get(result["policy"], case.seconds))
            verdict = _verdict(total, wanted, "time")
            if verdict != "met":
                verdict += f"; most of it in {_where(result['seconds'])}"
            targets.append(f"| {case.label}, {result['policy']}: re-solve ≤ {wanted:g} s | {_s(total)} s | {verdict} |")
            if case.memory_mb:
                targets.append(f"| {case.label}, {result['policy']}: peak memory ≤ {case.memory_mb:,.0f} MB | "
                               f"{_n(result['peak_mb'])} MB | {_verdict(result['peak_mb'], case.memory_mb, 'memory')} |")
        if whole_run is not None:
            if "error" in whole_run:
                targets.append(f"| {case.label}: whole `sim run` ≤ {case.run_seconds:g} s | – | not measured: {whole_run['error']} |")
            else:
                targets.append(f"| {case.label}: whole `sim run` ≤ {case.run_seconds:g} s (fresh process) | "
                               f"{_s(whole_run['seconds'])} s | {_verdict(whole_run['seconds'], case.run_seconds, 'time')} |")
        if plain is None:
            checks.append(f"| {case.label} | not run (--skip-plain) | – | – |")
        elif "error" in plain or "error" in ours or "lp_by_band" not in ours:
            checks.append(f"| {case.label} | not compared: {plain.get('error') or ours.get('error')} | – | – |")
        else:
            worst = max(abs(ours["lp_by_band"][b] - plain["lp_by_band"][b]) for b in ours["lp_by_band"])
            allowed = SAME * max(1, ours["learners"])
            ratio = plain["seconds"]["total"] / ours["seconds"]["total"]
            checks.append(f"| {case.label} | **{'PASS' if worst <= allowed else 'FAIL'}** | {worst:.2g} (allowed {allowed:.2g}) "
                          f"| {ratio:.1f}× |")
            if case.ratio:
                verdict = _verdict(ratio, case.ratio, "floor")
                if verdict != "met":
                    verdict += f" (ours re-solving in {_s(plain['seconds']['total'] / case.ratio)} s or less)"
                targets.append(f"| {case.label}: ≥ {case.ratio:g}× faster than plain PuLP (strict max_count) | {ratio:.1f}× | "
                               f"{verdict} |")
        if case.ratio and plain is None:
            targets.append(f"| {case.label}: ≥ {case.ratio:g}× faster than plain PuLP | – | not measured (--skip-plain) |")
    return "\n".join([
        f"Measured on commit {commit()}, {time.strftime('%Y-%m-%d')}; {machine()}; {versions()}. "
        f"Seconds of ours are the median of several runs in one process ({', '.join(repeats)}); "
        f"the plain model ran {plain_repeat} time{'s' if plain_repeat > 1 else ''}.",
        "",
        "| case | formulation | policy | build s | solve s | extract s | re-solve s | read s | peak MB | variables | "
        "constraints | LPs (+ MILPs) | learners covered by band 1 / 2 / 3 / 4 / 5 |",
        "|---|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
        *rows,
        "",
        "re-solve = build + solve + extract (whole devices and result tables), from read and checked inputs; "
        "read = reading and checking the files, once. Coverage: the LP optimum under strict max_count (both "
        "formulations), the whole-device plan under the scenario's own policy. The plain model's extract only reads "
        "the LP's values (no whole devices), which favours it; its peak memory includes CBC's process. "
        "Variables and constraints of ours: the LP it solves, over groups of cells with the free areas merged "
        "(sim/core/groups.py).",
        "",
        "| case | same coverage per band (LP) | largest difference, learners | plain ÷ ours (re-solve) |",
        "|---|---|--:|--:|",
        *checks,
        "",
        "| target | measured | verdict |",
        "|---|--:|---|",
        *targets,
        sweep_target(sweep),
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--worker"]:
        kind, path, policy, repeat, check = argv[1:6]
        if kind == "run":
            answer = work_run(path)
        else:
            answer = work_ours(path, policy, int(repeat), check == "check") if kind == "ours" else work_plain(path, int(repeat))
        print(json.dumps(answer))
        return 0
    parser = argparse.ArgumentParser(description="Benchmark the planner against a textbook PuLP model (make bench).")
    parser.add_argument("--cases", default=",".join(CASES), help=f"comma-separated, from {', '.join(CASES)} (default: all)")
    parser.add_argument("--skip-plain", action="store_true", help="do not run the plain PuLP model (minutes on the national case)")
    parser.add_argument("--repeat", type=int, default=None,
                        help="runs per measurement of ours, the median is shown (default 3, national 1)")
    parser.add_argument("--plain-repeat", type=int, default=1, help="runs of the plain model (default 1)")
    parser.add_argument("--timeout", type=float, default=1200, help="seconds before one run is stopped (default 1200)")
    parser.add_argument("--sweep-runs", type=int, default=SWEEP_RUNS,
                        help=f"Monte Carlo runs of the Long An sweep on 2 workers (default {SWEEP_RUNS}; 0: none)")
    parser.add_argument("--out", type=Path, default=REPORT, help="where to write the table (default reports/bench.md)")
    args = parser.parse_args(argv)
    unknown = [c for c in args.cases.split(",") if c not in CASES]
    if unknown or (args.repeat or 1) < 1 or args.plain_repeat < 1:
        parser.error(f"unknown case {unknown[0]!r}; choose from {', '.join(CASES)}" if unknown else "repeats must be ≥ 1")
    table = benchmark([CASES[c] for c in args.cases.split(",")], args.repeat, args.skip_plain, args.plain_repeat, args.timeout,
                      args.sweep_runs)
    print()
    print(table)
    atomic_write(args.out, "# Benchmark (`make bench`)\n\n" + table)
    print(f"Wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
