"""Importing sim, and `sim run`, load what planning needs and nothing else (issue 15: imports).

Dask and distributed (sweeps), matplotlib (charts), openpyxl (XLSX files), the 2025 unit lists
(vietnam-provinces, vietnamadminunits), tqdm (progress bars) and jsonschema (schema checks) cost
tenths of a second each to import: the functions that use them import them. Each check runs in
a fresh interpreter, since this test process has imported everything already.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from sim.read.tables import read_areas
from tests.conftest import BASELINE, ROOT

NOT_FOR_PLANNING = ("dask", "distributed", "matplotlib", "openpyxl", "vietnam_provinces", "vietnamadminunits", "tqdm",
                    "jsonschema", "IPython", "ipywidgets")


def modules_after(code: str) -> set[str]:
    """Top-level packages loaded by running ``code`` in a fresh interpreter."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "SIM_LANG": "en"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


@pytest.mark.parametrize("module", ["sim", "sim.core.pipeline"])
def test_importing_the_planner_loads_no_heavy_library_it_does_not_use(module):
    loaded = modules_after(f"import {module}")
    assert "pandas" in loaded  # the probe works: planning needs pandas
    assert loaded.isdisjoint(NOT_FOR_PLANNING), sorted(loaded & set(NOT_FOR_PLANNING))


def test_sim_run_on_the_baseline_loads_no_heavy_library_it_does_not_use(tmp_path):
    loaded = modules_after(f"from sim.cli.main import main\n"
                           f"assert main(['run', {str(BASELINE)!r}, '--out', {str(tmp_path / 'out')!r}, '--quiet']) == 0")
    assert (tmp_path / "out" / "summary.json").is_file()
    assert loaded.isdisjoint(NOT_FOR_PLANNING), sorted(loaded & set(NOT_FOR_PLANNING))


def test_the_version_is_read_when_asked_for():
    import sim
    from sim.core.pipeline import package_version

    assert sim.__version__ == package_version()
    with pytest.raises(AttributeError):
        sim.no_such_thing  # noqa: B018


def test_only_tables_named_as_communes_are_looked_up_in_the_2025_unit_lists():
    from sim.units.catalogue import named_as_communes

    assert named_as_communes(read_areas(ROOT / "data" / "tayninh2025" / "areas.csv"))
    assert not named_as_communes(read_areas(ROOT / "data" / "longan" / "areas.csv"))


def test_every_2025_commune_is_named_with_its_type_as_the_quick_check_assumes():
    from vietnam_provinces import Province, Ward

    from sim.units.catalogue import UNIT_WORDS, _join_key

    names = [ward.name for province in Province.iter_all() for ward in Ward.iter_by_province(province.code)]
    assert len(names) > 3000
    assert [n for n in names if not _join_key(n).startswith(UNIT_WORDS)] == []
