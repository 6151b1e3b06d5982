"""Run a sweep: every run of a grid and/or Monte Carlo, in parallel on Dask, with a progress bar.

``run_sweep(scenario, spec, out)`` reads the two tables once, skips the runs already saved in
``out`` (see ``sim.sweeps.store``), runs the others and writes the table. Where the runs go:

- ``workers=N`` (default: one per core): an embedded Dask ``LocalCluster`` on 127.0.0.1 with N
  worker processes of one thread each (HiGHS too), closed at the end;
- ``scheduler="tcp://host:8786"``: an existing Dask cluster (every worker needs ``sim`` installed);
- ``client=``: a ``distributed.Client`` you already hold (it is left open);
- ``workers=0``: one run after another in this process, without Dask.

Runs go to the workers in chunks (several runs per task, fewer towards the end so the workers
finish together) so scheduling costs little, and the shared inputs are sent to every worker once. Each finished run is saved by this process as soon as
its chunk comes back, so Ctrl+C loses only the chunks under way.
"""

from __future__ import annotations

import logging
import math
import os
import signal
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pandas as pd

from sim.core.solvers import THREADS_SETTING
from sim.read.scenario import Scenario
from sim.sweeps.run import RunSpec, SweepContext, run_chunk, run_one
from sim.sweeps.spec import SweepSpec
from sim.sweeps.store import FORMAT, SweepFolder, sweep_sha256, table_of
from sim.read.tables import read_areas, read_students

MAX_CHUNK = 20  # runs per Dask task: small enough for a smooth bar and little lost work on Ctrl+C


class SchedulerUnreachable(RuntimeError):
    """``--scheduler`` names no Dask scheduler that answers (``address``; ``reason``: what Dask said)."""

    def __init__(self, address: str, reason: str):
        super().__init__(f"cannot reach the Dask scheduler at {address!r} ({reason}). Is it running? "
                         "Without --scheduler the sweep starts a cluster on this machine.")
        self.address, self.reason = address, reason


def default_workers() -> int:
    return os.cpu_count() or 1


def chunks(runs: list[RunSpec], workers: int, size: int | None = None) -> list[list[RunSpec]]:
    """Runs split into tasks, in run order: each task a quarter of a worker's share of the runs
    still to hand out, at most ``MAX_CHUNK`` runs, so the tasks shrink towards the end and the
    workers finish together (the last tasks are single runs); ``size``: tasks of that many runs.

    >>> [len(c) for c in chunks([RunSpec(i, 1, i) for i in range(1, 101)], workers=2)]
    [13, 11, 10, 9, 8, 7, 6, 5, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1]
    """
    if size:
        return [runs[i:i + size] for i in range(0, len(runs), size)]
    out, start, share = [], 0, 4 * max(workers, 1)
    while start < len(runs):
        step = max(1, min(MAX_CHUNK, math.ceil((len(runs) - start) / share)))
        out.append(runs[start:start + step])
        start += step
    return out


def run_sweep(scenario: Scenario, spec: SweepSpec, out: str | Path | None = None, *,
              areas: pd.DataFrame | None = None, students: pd.DataFrame | None = None,
              workers: int | None = None, scheduler: str | None = None, client=None,
              progress: bool = True, chunk_size: int | None = None,
              progress_text: tuple[str, str] | None = None) -> pd.DataFrame:
    """Run every run of ``spec`` not yet saved in ``out`` and return the whole table (also written
    to ``out/sweep.csv``). Without ``out`` nothing is saved and nothing can be resumed.

    ``progress_text``: the progress bar's label and unit (default: the current language's
    ``sweep_progress`` with the scenario's name, and ``sweep_progress_unit``)."""
    if areas is None:
        areas = read_areas(scenario.areas)
    if students is None:
        students = read_students(scenario.students, areas)
    context = SweepContext.of(scenario, areas, students, spec)
    columns = context.columns()
    runs = context.runs()
    folder = SweepFolder(out) if out is not None else None
    done: dict[int, dict] = {}
    if folder is not None:
        folder.open({"format": FORMAT, "scenario": scenario.name,
                     "scenario_file": scenario.source_file.name if scenario.source_file else None,
                     "sweep_file": Path(spec.file).name if spec.file else None, "runs": spec.runs,
                     "sweep_sha256": sweep_sha256(scenario, areas, students, spec), "columns": columns})
        done = folder.done(spec.runs, columns)
    pending = [run for run in runs if run.run not in done]
    rows = dict(done)
    if progress_text is None:
        from sim.locale import gettext as t

        progress_text = t("sweep_progress").format(name=scenario.name), t("sweep_progress_unit")
    results = _execute(context, pending, workers, scheduler, client, chunk_size)
    with progress_bar(total=len(runs), initial=len(done), desc=progress_text[0], unit=progress_text[1],
                      disable=not progress) as bar, closing(results):
        for finished in results:
            for row in finished:
                if folder is not None:
                    folder.save(row)
                rows[row["run"]] = row
            bar.update(len(finished))
    table = table_of(list(rows.values()), columns)
    table.attrs.update(already_done=len(done), ran=len(pending))
    if folder is not None:
        folder.write_table(table)
    return table


BAR_FORMAT = "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}, {speed}]"


def speed(values: dict) -> str:
    """How fast a progress bar goes, as the language writes numbers: ``1,85 s/lần chạy`` or
    ``3,64 lần chạy/s`` in Vietnamese, ``1.85 s/run`` in English (tqdm's own always writes 1.85).
    ``values`` is a tqdm bar's ``format_dict``.

    >>> from sim.locale import get_language, set_language
    >>> before = get_language(); set_language("vi")
    >>> speed({"n": 3, "initial": 0, "elapsed": 5.55, "rate": None, "unit": "lần chạy"}), speed({"rate": 3.641, "unit": "lần chạy"})
    ('1,85 s/lần chạy', '3,64 lần chạy/s')
    >>> set_language("en"); speed({"rate": 0.5405, "unit": "run"}), speed({"n": 0, "elapsed": 0, "rate": None, "unit": "run"})
    ('1.85 s/run', '? run/s')
    >>> set_language(before)
    """
    from sim.locale import number

    rate, unit, elapsed = values.get("rate"), values.get("unit", ""), values.get("elapsed") or 0
    if rate is None and elapsed:
        rate = (values.get("n", 0) - (values.get("initial") or 0)) / elapsed
    if not rate:
        return f"? {unit}/s"
    return f"{number(1 / rate, 2)} s/{unit}" if rate < 1 else f"{number(rate, 2)} {unit}/s"


def progress_bar(**options):
    """A tqdm bar (text, or a widget in a notebook) whose speed is written by ``speed``."""
    from tqdm.auto import tqdm

    # Babel loads its locale data on its first number, a burst of allocations: here, before the
    # cluster starts, not at the first update, where a Ctrl+C could land in Dask's garbage-collection
    # callback and be lost (the sweep would then run to its end instead of stopping).
    speed({"rate": 1.5, "unit": ""})

    class Bar(tqdm):
        @property
        def format_dict(self) -> dict:
            values = super().format_dict
            return {**values, "speed": speed(values)}

    return Bar(bar_format=BAR_FORMAT, **options)


def _execute(context: SweepContext, pending: list[RunSpec], workers: int | None, scheduler: str | None,
             client, chunk_size: int | None) -> Iterator[list[dict]]:
    """Rows of the pending runs, a chunk at a time, in the order they finish."""
    if not pending:
        return
    if client is not None:
        yield from _on_dask(client, context, pending, chunk_size)
        return
    if workers == 0 and scheduler is None:
        for run in pending:
            yield [run_one(context, run)]
        return
    from distributed import Client, LocalCluster

    if scheduler is not None:
        try:
            connected = Client(scheduler)
        except (OSError, ValueError, TypeError) as exc:  # refused, timed out, or not an address
            raise SchedulerUnreachable(scheduler, str(exc)) from None
        with connected:
            yield from _on_dask(connected, context, pending, chunk_size)
        return
    n = workers or default_workers()
    # 127.0.0.1: the cluster is reachable from this machine only; the dashboard on a free port, so
    # a second cluster (or a Jupyter server) on 8787 is no clash; Dask's warnings about the tasks
    # a Ctrl+C cancels are no news to the analyst, nor a worker's heartbeat that finds the
    # scheduler closed while the cluster shuts down (logged as an error, with a traceback): a run
    # that fails reaches the sweep through its future, whatever the logs say.
    with _children_ignore_ctrl_c():
        # HiGHS in one thread too (SIM_HIGHS_THREADS): its MILPs take 2 threads by default, which
        # N workers on N cores only fight over (sim/core/solvers.set_threads)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL,
                               env={THREADS_SETTING: "1"})
    with cluster, Client(cluster) as local:
        yield from _on_dask(local, context, pending, chunk_size)


@contextmanager
def _children_ignore_ctrl_c():
    """Processes started inside ignore Ctrl+C (SIGINT), which a terminal sends to every process of
    the command: this process alone stops the sweep and closes the cluster, and the workers print
    no tracebacks. (An ignored signal stays ignored in a child; Python then adds no handler.)"""
    try:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread: signals cannot be changed, nor are they received here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _on_dask(client, context: SweepContext, pending: list[RunSpec], chunk_size: int | None) -> Iterator[list[dict]]:
    from distributed import as_completed

    workers = max(1, len(client.scheduler_info().get("workers", {})))
    shared = client.scatter(context, broadcast=True, hash=False)
    futures = [client.submit(run_chunk, shared, chunk, pure=False) for chunk in chunks(pending, workers, chunk_size)]
    try:
        for future in as_completed(futures):
            yield future.result()
    finally:  # interrupted (Ctrl+C) or failed: stop what is still queued
        client.cancel(futures)
        client.cancel([shared])
