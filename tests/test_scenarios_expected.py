"""Every plan scenario in data/scenarios/ gives exactly its committed outputs in tests/expected/.

A new scenario file is picked up by the glob; without expected files it fails and says how to make
them. When a result changes on purpose, run `.venv/bin/python tests/expected/regenerate.py` and
commit the files it lists: the change in results is then a diff a reviewer reads.
"""

from __future__ import annotations

import difflib

import pytest

from tests.expected.regenerate import EXPECTED, FILES, ROOT, outputs, plan_scenarios

REGENERATE = "run `.venv/bin/python tests/expected/regenerate.py`, review the diff and commit tests/expected/"


def readable_diff(expected: bytes, actual: bytes, name: str, limit: int = 60) -> str:
    lines = list(difflib.unified_diff(expected.decode("utf-8-sig").splitlines(), actual.decode("utf-8-sig").splitlines(),
                                      f"expected/{name}", f"now/{name}", lineterm="", n=1))
    if not lines:  # same text, other bytes: a byte-order mark or line endings
        return f"{name}: same lines but different bytes (byte-order mark or line endings?)"
    more = f"\n... and {len(lines) - limit} more diff lines" if len(lines) > limit else ""
    return "\n".join(lines[:limit]) + more


def test_the_scenarios_are_found():
    stems = [p.stem for p in plan_scenarios()]
    assert {"baseline", "fairness", "rolling"} <= set(stems)
    assert not any(stem.startswith("sweep") for stem in stems), stems


@pytest.mark.parametrize("scenario_file", plan_scenarios(), ids=lambda p: p.stem)
def test_scenario_gives_its_committed_outputs(scenario_file):
    folder = EXPECTED / scenario_file.stem
    missing = [name for name in FILES if not (folder / name).is_file()]
    if missing:
        pytest.fail(f"{scenario_file.relative_to(ROOT)} has no expected {', '.join(missing)} in "
                    f"{folder.relative_to(ROOT)}/: {REGENERATE}", pytrace=False)
    actual = outputs(scenario_file)
    differences = [readable_diff((folder / name).read_bytes(), data, name)
                   for name, data in actual.items() if (folder / name).read_bytes() != data]
    if differences:
        pytest.fail(f"{scenario_file.name} no longer gives its expected outputs. If the change is intended, "
                    f"{REGENERATE}.\n\n" + "\n\n".join(differences), pytrace=False)
