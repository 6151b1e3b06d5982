"""Sweeps on a real Dask cluster of two worker processes on 127.0.0.1: the same table as in this process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
import yaml

from sim.cli.main import main
from tests.conftest import BASELINE
from tests.test_sweep import MONTE_CARLO, sweep, two_districts, write_sweep


@pytest.fixture(scope="module")
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address="127.0.0.1:0") as running:
        yield running


@pytest.mark.parametrize("chunk_size", [3, None])  # 10 runs in 4 tasks; in 9 tasks shrinking to single runs
def test_two_workers_give_the_same_table_as_one_process(case, tmp_path, cluster, chunk_size):
    from distributed import Client

    scenario = two_districts(case)
    data = {"grid": {"budget_vnd": [4_000_000, 12_000_000]}, **MONTE_CARLO}
    sweep(scenario, data, tmp_path / "here", workers=0)
    with Client(cluster) as client:
        table = sweep(scenario, data, tmp_path / "dask", client=client, chunk_size=chunk_size)
    assert (tmp_path / "dask" / "sweep.csv").read_bytes() == (tmp_path / "here" / "sweep.csv").read_bytes()
    for run in range(1, 11):
        name = f"runs/run-{run:06d}.json"
        assert (tmp_path / "dask" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    assert list(table["run"]) == list(range(1, 11))


def test_the_command_runs_a_long_an_sweep_on_an_existing_cluster(tmp_path, cluster, capsys):
    grid = write_sweep(tmp_path, {"grid": {"budget_vnd": [1_000_000_000, 3_000_000_000],
                                           "devices.tablet.in_stock": [0, 2687]}})
    out = tmp_path / "out"
    assert main(["sweep", str(BASELINE), "--grid", str(grid), "--out", str(out),
                 "--scheduler", cluster.scheduler_address]) == 0
    captured = capsys.readouterr()
    assert "Sweep of 'baseline': 4 runs (4 run now, 0 already done)\n  4 optimal\n" in captured.out
    assert "4/4" in captured.err  # the progress bar reached the end
    lines = (out / "sweep.csv").read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("run,point,budget_vnd,devices.tablet.in_stock,pupils,")
    assert [line.split(",")[:4] for line in lines[1:]] == [
        ["1", "1", "1000000000", "0"], ["2", "2", "1000000000", "2687"],
        ["3", "3", "3000000000", "0"], ["4", "4", "3000000000", "2687"]]
    covered = [int(line.split(",")[lines[0].split(",").index("covered")]) for line in lines[1:]]
    assert covered[0] < covered[1] and covered[2] < covered[3] and covered[0] < covered[2]
    # the baseline itself (2 billion VND, the tablets) covers 2,958; these bracket it
    assert covered[1] < 2958 < covered[3]


def test_the_embedded_cluster_is_started_and_closed(case, tmp_path, capsys):
    scenario = two_districts(case)
    grid = write_sweep(tmp_path, {"grid": {"budget_vnd": [0, 4_000_000, 30_000_000]}})
    out = tmp_path / "out"
    assert main(["sweep", str(scenario.source_file), "--grid", str(grid), "--out", str(out), "--workers", "2",
                 "--quiet"]) == 0
    assert capsys.readouterr().out == ""
    rows = (out / "sweep.csv").read_text(encoding="utf-8-sig").splitlines()
    header = rows[0].split(",")
    assert [row.split(",")[header.index("covered")] for row in rows[1:]] == ["0", "4", "20"]
    assert yaml.safe_load((out / "sweep.json").read_text())["runs"] == 3


def test_a_scheduler_that_does_not_answer_is_said_plainly(case, tmp_path, capsys):
    import dask

    scenario = two_districts(case)
    grid = write_sweep(tmp_path, {"grid": {"budget_vnd": [0]}})
    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        code = main(["sweep", str(scenario.source_file), "--grid", str(grid), "--out", str(tmp_path / "out"),
                     "--scheduler", "tcp://127.0.0.1:9", "--quiet"])
    assert code == 1
    err = capsys.readouterr().err
    assert err.startswith("error: cannot reach the Dask scheduler at 'tcp://127.0.0.1:9'")
    assert "Without --scheduler the sweep starts a cluster on this machine." in err


def test_ctrl_c_in_a_terminal_stops_the_sweep_cleanly(tmp_path):
    # A terminal sends Ctrl+C (SIGINT) to every process of the command, Dask's workers included:
    # the sweep stops with exit code 130, keeps the finished runs, and nobody prints a traceback.
    # 200 Monte Carlo draws: far more than a fast machine finishes between the first saved run and
    # the signal, so the sweep is always interrupted part-way.
    out = tmp_path / "out"
    command = [sys.executable, "-m", "sim", "sweep", str(BASELINE), "--grid", str(BASELINE.parent / "sweep_monte_carlo.yaml"),
               "--out", str(out), "--workers", "2"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**os.environ, "SIM_LANG": "en"},
                               start_new_session=True, preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        while not (out / "runs").is_dir() or not any((out / "runs").glob("run-*.json")):
            assert process.poll() is None, process.communicate()
            time.sleep(0.2)
        os.killpg(process.pid, signal.SIGINT)
        stdout, stderr = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
    assert process.returncode == 130
    assert "Traceback" not in stderr and "WARNING" not in stderr
    assert "Interrupted: the finished runs are kept in" in stderr
    saved = list((out / "runs").glob("run-*.json"))
    assert 1 <= len(saved) < 200 and not (out / "sweep.csv").exists()
