"""How long one change in the scenario explorer takes at Long An scale (prints figures; not a test).

    .venv/bin/python benchmarks/explorer_speed.py

A change re-solves the plan (``sim.solve(..., compare=False)``, the core's share) and redraws the
tab on show (the view's share): the results chart (``ResultsFigure.png``, the figure reused and
only what changed drawn again) and the money table, then the headline. Also shown: a new figure
drawn from scratch (how the explorer drew before), the comparison chart (drawn only when its tab is
shown), going back to a scenario tried before (recalled and its chart recalled: nothing drawn), and
a change with a district floor (fairness rules: more LPs, and the same plan without the rules
for the price of fairness).
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

import sim
from sim.views import explorer_charts
from sim.analysis.explorer import Controls, Explorer, money_and_stock, totals
from sim.views.widgets import ExplorerView, html_table

ROOT = Path(__file__).resolve().parents[1]
RUNS = 5


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def main() -> None:
    explorer = Explorer(sim.load_scenario(ROOT / "data" / "scenarios" / "baseline.yaml"))
    base = explorer.baseline_result
    controls = Controls.of(explorer.baseline)
    reused = explorer_charts.ResultsFigure(base)
    reused.png(base)  # built and drawn once, as the explorer does when it opens
    comparison = explorer_charts.ComparisonFigure(base)
    comparison.png(base)
    times: dict[str, list[float]] = {}

    def timed(label: str, action) -> None:
        times.setdefault(label, []).append(seconds(action))

    for run in range(RUNS):
        controls.budget_vnd = 2_000_000_000 + (run + 1) * 250_000_000  # a new scenario each time
        scenario = explorer.scenario(controls)
        timed("solve", lambda: explorer.solve(scenario))
        result = explorer.solve(scenario).result
        timed("draw", lambda: reused.png(result))
        timed("tables", lambda: (html_table(money_and_stock(result)), totals(base, result)))
        timed("new figure", lambda: explorer_charts.png(explorer_charts.results_figure(result, base)))
        timed("comparison", lambda: comparison.png(result))
        timed("recall", lambda: explorer.solve(scenario))

    view = ExplorerView(explorer)  # the whole view: the widget change to the picture on screen
    for run in range(RUNS):
        timed("view change", lambda run=run: setattr(view.budget, "value", 2000 + 100 * (run + 1)))
        timed("view back", lambda: setattr(view.budget, "value", 2000))

    controls = Controls.of(explorer.baseline)
    controls.district_floor = 0.3
    floored = explorer.scenario(controls)
    fair = seconds(lambda: explorer.solve(floored))

    cells = len(base.inputs.cells)
    print(f"Long An baseline: {cells} cells, {base.summary['solver']['lp_solves']} LPs per plan; median of {RUNS} runs")
    rows = [
        ("solve", "core: re-solve a new scenario"),
        ("draw", "view: draw the results chart (reused figure)"),
        ("tables", "view: money table and headline figures"),
        ("new figure", "view, before: the results chart as a new figure"),
        ("comparison", "view: comparison chart (only when its tab is shown)"),
        ("recall", "core: recall a scenario solved before"),
        ("view change", "whole view: move the budget, re-solve, redraw"),
        ("view back", "whole view: back to the baseline (recalled, chart recalled)"),
    ]
    for key, label in rows:
        values = times[key]
        print(f"  {label:<62} {statistics.median(values):6.3f} s   (min {min(values):.3f}, max {max(values):.3f})")
    solve, draw = statistics.median(times["solve"]), statistics.median(times["draw"]) + statistics.median(times["tables"])
    print(f"  {'one change = solve + draw':<62} {solve + draw:6.3f} s   "
          f"(solve {solve / (solve + draw):.0%}, draw {draw / (solve + draw):.0%})")
    print(f"  {'with a district floor of 30% (fairness rules): solve':<62} {fair:6.3f} s   (one run)")


if __name__ == "__main__":
    main()
