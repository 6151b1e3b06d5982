"""Write the expected outputs of every plan scenario in data/scenarios/ to tests/expected/<stem>/.

    .venv/bin/python tests/expected/regenerate.py            # rewrite them, print which files changed
    .venv/bin/python tests/expected/regenerate.py --check    # only say which files would change (exit 1 if any)

Each scenario is solved as `python -m sim run SCENARIO.yaml` solves it and its allocation.csv,
coverage.csv and summary.json are stored, the summary without what depends on the run or the
machine (RUN_DEPENDENT). tests/test_scenarios_expected.py compares every scenario with these files
byte for byte: when the engine changes a result on purpose, run this script and commit the files,
so that the change is a diff a reviewer reads. Sweep files (a `grid` or `monte_carlo` section)
are not scenarios and are skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
SCENARIOS = ROOT / "data" / "scenarios"
EXPECTED = Path(__file__).resolve().parent
FILES = ("allocation.csv", "coverage.csv", "summary.json")
SWEEP_KEYS = ("grid", "monte_carlo")  # the sections only a sweep file has (sim/sweeps/spec.py)

# Summary keys that differ between runs or machines: run time, the package version, the solver's version.
RUN_DEPENDENT = (("seconds",), ("version",), ("solver", "version"))


def is_sweep(path: Path) -> bool:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return isinstance(data, dict) and any(key in data for key in SWEEP_KEYS)


def plan_scenarios() -> list[Path]:
    """Every plan scenario in data/scenarios/, sweep files left out."""
    return [path for path in sorted(SCENARIOS.glob("*.yaml")) if not is_sweep(path)]


def stable_summary(text: str) -> str:
    """summary.json as written by Result.write, without the run-dependent keys."""
    summary = json.loads(text)
    for path in RUN_DEPENDENT:
        parent = summary
        for key in path[:-1]:
            parent = parent.get(key, {})
        parent.pop(path[-1], None)
    return json.dumps(summary, ensure_ascii=False, indent=2) + "\n"


def outputs(scenario_file: Path) -> dict[str, bytes]:
    """The three files `sim run` writes for the scenario, the summary made stable."""
    import sim  # here, so that `--help` works without the package

    result = sim.solve(sim.load_scenario(scenario_file))
    with tempfile.TemporaryDirectory() as tmp:
        result.write(tmp)
        files = {name: (Path(tmp) / name).read_bytes() for name in FILES}
    files["summary.json"] = stable_summary(files["summary.json"].decode("utf-8")).encode("utf-8")
    return files


def regenerate(check: bool = False) -> list[Path]:
    """Write (or with ``check`` only compare) every expected file; return those that changed."""
    changed = []
    for scenario_file in plan_scenarios():
        folder = EXPECTED / scenario_file.stem
        for name, data in outputs(scenario_file).items():
            path = folder / name
            if path.exists() and path.read_bytes() == data:
                continue
            changed.append(path)
            if not check:
                folder.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
    return changed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="write nothing; list the files that would change")
    args = parser.parse_args(argv)
    changed = regenerate(check=args.check)
    verb = "would change" if args.check else "changed"
    for path in changed:
        print(f"{verb}: {path.relative_to(ROOT)}")
    if not changed:
        print("no expected file changed")
    return 1 if (args.check and changed) else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    sys.exit(main())
