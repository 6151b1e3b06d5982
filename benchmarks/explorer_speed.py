"""How long one change in the scenario explorer takes at Long An scale (prints figures; not a test).

    .venv/bin/python benchmarks/explorer_speed.py

A change re-solves the plan (``sim.solve(..., compare=False)``) and redraws the results figure;
a scenario solved before is recalled from the explorer's memory and only redrawn.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import sim
from sim import explorer_charts
from sim.explorer import Controls, Explorer

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    explorer = Explorer(sim.load_scenario(ROOT / "data" / "scenarios" / "baseline.yaml"))
    controls = Controls.of(explorer.baseline)
    solve, draw, compare, recall = [], [], [], []
    for run in range(RUNS):
        controls.budget_vnd = 2_000_000_000 + (run + 1) * 250_000_000  # a new scenario each time
        scenario = explorer.scenario(controls)
        solve.append(seconds(lambda: explorer.solve(scenario)))
        result = explorer.solve(scenario).result
        draw.append(seconds(lambda: explorer_charts.png(explorer_charts.results_figure(result, explorer.baseline_result))))
        compare.append(seconds(lambda: explorer_charts.png(explorer_charts.comparison_figure(explorer.baseline_result, result))))
        recall.append(seconds(lambda: explorer.solve(scenario)))
    cells = len(explorer.baseline_result.inputs.cells)
    print(f"Long An baseline: {cells} cells, {explorer.baseline_result.summary['solver']['lp_solves']} LPs per plan; "
          f"median of {RUNS} runs")
    for label, times in [("re-solve (new scenario)", solve), ("draw results figure", draw),
                         ("draw comparison figure (only when its tab is shown)", compare),
                         ("recall a scenario solved before", recall)]:
        print(f"  {label:<55} {statistics.median(times):6.3f} s   (min {min(times):.3f}, max {max(times):.3f})")
    print(f"  {'one change: re-solve + draw':<55} {statistics.median(solve) + statistics.median(draw):6.3f} s")
    print(f"  {'back to a value tried before: recall + draw':<55} {statistics.median(recall) + statistics.median(draw):6.3f} s")


if __name__ == "__main__":
    main()
