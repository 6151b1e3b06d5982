"""The same inputs give byte-identical outputs (only summary.json's run time differs)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import BASELINE, ROOT


def run(out, cwd):
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(BASELINE), "--out", str(out), "--quiet"],
                          capture_output=True, text=True, cwd=cwd)
    assert done.returncode == 0, done.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir())}


def test_two_runs_from_different_folders_give_identical_files(tmp_path):
    first = run(tmp_path / "a", cwd=ROOT)
    second = run(tmp_path / "b", cwd=tmp_path)
    assert sorted(first) == ["allocation.csv", "coverage.csv", "summary.json"]
    assert first["allocation.csv"] == second["allocation.csv"]
    assert first["coverage.csv"] == second["coverage.csv"]
    one, two = (json.loads(x["summary.json"]) for x in (first, second))
    assert one.pop("seconds") >= 0 and two.pop("seconds") >= 0
    assert one == two
    assert str(ROOT) not in first["summary.json"].decode() and str(tmp_path) not in first["summary.json"].decode()


def test_summary_has_the_documented_keys(tmp_path):
    summary = json.loads(run(tmp_path / "a", cwd=ROOT)["summary.json"])
    for key in ("status", "pupils_by_band", "covered_by_band", "spent_vnd", "cash_left_vnd", "stock_left",
                "solver", "seconds", "inputs_sha256", "version"):
        assert key in summary
    assert sorted(summary["pupils_by_band"]) == ["1", "2", "3", "4", "5"]
    assert sorted(summary["inputs_sha256"]) == ["areas", "scenario", "students"]


def test_cbc_and_highs_give_the_same_baseline_plan(tmp_path):
    import sim

    highs = sim.solve(sim.load_scenario(BASELINE), compare=False)
    cbc = sim.solve(sim.load_scenario(BASELINE).with_changes(solver="cbc"), compare=False)
    assert cbc.summary["solver"]["name"] == "cbc"
    assert cbc.coverage.equals(highs.coverage)
    assert cbc.allocation.equals(highs.allocation)


def test_readme_shows_what_make_demo_prints():
    import re

    import sim
    from sim.views.text import summary_text

    from sim.views import i18n

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    summary = sim.solve(sim.load_scenario(BASELINE)).summary
    for language, heading in (("vi", r"`make demo` prints \(abridged; Vietnamese by default\):"),
                              ("en", r"`SIM_LANG=en make demo` prints \(abridged\):")):
        shown = re.search(heading + r"\n\n```\n(.*?)```", readme, re.S).group(1)
        i18n.set_language(language)  # the conftest fixture puts the language back
        printed = summary_text(summary)
        for line in shown.strip().splitlines():
            assert line in printed.splitlines(), line
