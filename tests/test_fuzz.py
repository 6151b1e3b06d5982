"""Seeded fuzzing of every reader through the command line (benchmarks/fuzz.py), in process.

A few hundred mutated inputs (scenario and sweep YAML, areas, students, donations, deliveries,
rosters): none may end in a traceback or a hang, each failure is exit 2 or 3 with a message of
one screen, and a failing run writes nothing. `python benchmarks/fuzz.py --runs 5000` goes further.
"""

from __future__ import annotations

import importlib.util
import random
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNS, SEED, TIMEOUT = 280, 20260414, 8.0


def _fuzz_module():
    spec = importlib.util.spec_from_file_location("benchmarks_fuzz", ROOT / "benchmarks" / "fuzz.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


fuzz = _fuzz_module()


def test_the_same_seed_gives_the_same_inputs():
    first = [fuzz.mutate(random.Random(3), t) for t in fuzz.TARGETS]
    again = [fuzz.mutate(random.Random(3), t) for t in fuzz.TARGETS]
    assert first == again and any(a != t.text.encode() for a, t in zip(first, fuzz.TARGETS))


def test_the_unmutated_inputs_run(tmp_path):
    for target in fuzz.TARGETS:
        folder = tmp_path / target.name
        folder.mkdir()
        outcome = fuzz.run_one(target, target.text.encode("utf-8"), folder, timeout=60)
        assert outcome.verdict == "ok", (target.name, outcome.detail)


def test_the_fuzzer_sees_a_traceback_and_a_hang(tmp_path, monkeypatch):
    """The checks can fail: a reader that raises, or one that never returns, is caught."""
    import sim.read.scenario as scenario

    monkeypatch.setattr(scenario, "load_scenario", lambda path: 1 / 0)
    assert fuzz.run_one(fuzz.TARGETS[0], fuzz.SCENARIO.encode(), tmp_path, timeout=5).verdict == "traceback"

    def forever(path):
        while True:
            pass

    monkeypatch.setattr(scenario, "load_scenario", forever)
    assert fuzz.run_one(fuzz.TARGETS[0], fuzz.SCENARIO.encode(), tmp_path, timeout=0.5).verdict == "hang"

    monkeypatch.setattr(scenario, "load_scenario", lambda path: (_ for _ in ()).throw(
        scenario.InputError([scenario.Problem("x.yaml", "bad")] * 30)))
    assert fuzz.run_one(fuzz.TARGETS[0], fuzz.SCENARIO.encode(), tmp_path, timeout=5).verdict == "clean"  # 20 shown + 1


def test_mutated_inputs_end_in_clean_messages():
    outcomes = list(fuzz.fuzz(RUNS, SEED, TIMEOUT))
    bad = [o for o in outcomes if o.verdict not in ("ok", "clean")]
    assert not bad, "\n".join(f"{o.target} {o.verdict}: {o.detail}" for o in bad[:10])
    verdicts = {o.verdict for o in outcomes}
    assert "clean" in verdicts  # the mutations do break inputs
    assert {o.target for o in outcomes} == {t.name for t in fuzz.TARGETS}
