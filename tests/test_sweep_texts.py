"""What a sweep prints (issue 12): Vietnamese by default, English with SIM_LANG=en, numbers by Babel.

The table sweep.csv is data and the same in both languages; only the progress line, the summary
and the messages change.
"""

from __future__ import annotations

import argparse

import pandas as pd
import pytest

from sim.cli.main import main
from sim.cli.sweep import _workers, sweep_text
from sim.locale import set_language
from sim.sweeps.runner import SchedulerUnreachable
from tests.test_sweep import GRID, two_districts, write_sweep


def table() -> pd.DataFrame:
    """Four runs: three planned (covered 1,000 / 2,958 / 3,001 in all, band 1 the same), one refused."""
    rows = []
    for run, covered in enumerate([1000, 2958, 3001], start=1):
        rows.append({"run": run, "covered": covered, **{f"covered_band_{b}": covered if b == 1 else 0 for b in range(1, 6)},
                     "status": "optimal", "error": ""})
    rows.append({"run": 4, "covered": None, **{f"covered_band_{b}": None for b in range(1, 6)},
                 "status": "bad_input", "error": "Did you mean 'Đức Hòa'?"})
    frame = pd.DataFrame(rows)
    frame.attrs.update(ran=3, already_done=1)
    return frame


def test_the_summary_is_vietnamese_with_vietnamese_numbers():
    set_language("vi")  # the conftest fixture puts English back
    text = sweep_text(table(), "baseline")
    assert text.splitlines()[0] == "Loạt chạy 'baseline': 4 lần chạy (3 lần chạy lần này, 1 lần đã xong từ trước)"
    assert "  3 đã lập kế hoạch, 1 dữ liệu không hợp lệ" in text
    assert "Người học được hỗ trợ qua các lần chạy:  thấp nhất   trung vị   cao nhất\n" in text
    assert "  mọi nhóm                                   1.000    2.958,0      3.001\n" in text
    assert "  nhóm 2                                         0        0,0          0\n" in text
    assert "Lần chạy 4 (dữ liệu không hợp lệ): Có phải ý bạn là 'Đức Hòa'?" in text  # as stored by an English run


def test_the_summary_is_english_on_request():
    set_language("en")
    text = sweep_text(table(), "baseline")
    assert text.splitlines()[0] == "Sweep of 'baseline': 4 runs (3 run now, 1 already done)"
    assert "  3 optimal, 1 bad_input" in text
    assert "Learners covered over the runs:         min     median        max" in text
    assert "  all bands                           1,000    2,958.0      3,001\n" in text
    assert "Run 4 (bad_input): Did you mean 'Đức Hòa'?" in text


def test_the_command_and_its_progress_line_speak_vietnamese_by_default(case, tmp_path, capsys):
    set_language("vi")
    scenario = two_districts(case)
    out = tmp_path / "out"
    assert main(["sweep", str(scenario.source_file), "--grid", str(write_sweep(tmp_path, GRID)), "--out", str(out),
                 "--workers", "0"]) == 0
    captured = capsys.readouterr()
    assert "Loạt chạy 'case': 6 lần chạy (6 lần chạy lần này, 0 lần đã xong từ trước)" in captured.out
    assert f"Đã ghi {out / 'sweep.csv'}" in captured.out
    assert "chạy loạt case" in captured.err and "6/6" in captured.err  # the progress bar
    assert "sweep case" not in captured.err


def test_the_messages_follow_the_language():
    set_language("vi")
    with pytest.raises(argparse.ArgumentTypeError, match="cần một số nguyên ≥ 0, nhận được '-1'"):
        _workers("-1")
    unreachable = SchedulerUnreachable("tcp://127.0.0.1:9", "timed out")
    assert (unreachable.address, unreachable.reason) == ("tcp://127.0.0.1:9", "timed out")
    set_language("en")
    with pytest.raises(argparse.ArgumentTypeError, match="expected a whole number ≥ 0, found 'x'"):
        _workers("x")
    assert str(unreachable).startswith("cannot reach the Dask scheduler at 'tcp://127.0.0.1:9' (timed out).")
