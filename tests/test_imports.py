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


def sim_modules_after(code: str) -> set[str]:
    """Every module (dotted names too) loaded by running ``code`` in a fresh interpreter."""
    probe = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT), "SIM_LANG": "en"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.splitlines()[-1]))


def modules_after(code: str) -> set[str]:
    """Top-level packages loaded by running ``code`` in a fresh interpreter."""
    return {m.split(".")[0] for m in sim_modules_after(code)}


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


# the modules of the commands other than `run` (sim.cli.main lists those commands by name and help only)
OTHER_COMMANDS = ("sim.cli.ledger", "sim.cli.roster", "sim.cli.fairness", "sim.cli.sweep", "sim.cli.units",
                  "sim.cli.audit", "sim.views.report", "sim.ledger", "sim.roster", "sim.sweeps", "sim.analysis",
                  "sim.publish", "sim.privacy", "sqlite3")


def _loaded(modules: set[str], names) -> list[str]:
    return sorted(m for m in modules for n in names if m == n or m.startswith(n + "."))


def test_sim_run_imports_no_other_commands_module(tmp_path):
    loaded = sim_modules_after(f"from sim.cli.main import main\n"
                               f"assert main(['run', {str(BASELINE)!r}, '--out', {str(tmp_path / 'out')!r}]) == 0")
    assert "sim.core.pipeline" in loaded  # the probe works
    assert _loaded(loaded, OTHER_COMMANDS) == []


def test_sim_help_lists_every_command_without_importing_their_modules():
    loaded = sim_modules_after("import contextlib, io\nfrom sim.cli.main import main\n"
                               "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                               "    main(['--help'])")
    assert "sim.cli.main" in loaded
    assert _loaded(loaded, OTHER_COMMANDS) == []


def test_a_command_loads_its_own_module_only():
    loaded = sim_modules_after("import contextlib, io\nfrom sim.cli.main import main\n"
                               "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
                               "    main(['sweep', '--help'])")
    assert "sim.cli.sweep" in loaded
    assert _loaded(loaded, [m for m in OTHER_COMMANDS if m not in ("sim.cli.sweep", "sim.sweeps")]) == []


def test_the_short_listing_is_the_full_parser_s():
    """Every command listed alone (name and help) reads as when all are registered, in both languages,
    and each command registered alone parses and helps as in the full parser."""
    import argparse

    from sim.cli import main as cli
    from sim.locale import get_language, set_language

    def subcommands(parser):
        return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))

    before = get_language()
    try:
        for language in ("vi", "en"):
            set_language(language)
            full = cli._parser()
            listed = [(a.dest, a.help) for a in subcommands(full)._choices_actions]
            assert [name for name, _ in listed] == [name for name, _ in cli.COMMANDS]  # COMMANDS is complete
            for command in [None, "no-such-command", *(name for name, _ in cli.COMMANDS)]:
                lazy = cli._parser(command)
                assert lazy.format_help() == full.format_help()
                assert lazy.format_usage() == full.format_usage()
                assert [(a.dest, a.help) for a in subcommands(lazy)._choices_actions] == listed
                if command in subcommands(full).choices:
                    assert (subcommands(lazy).choices[command].format_help()
                            == subcommands(full).choices[command].format_help())
    finally:
        set_language(before)


def test_the_command_is_the_first_word_not_an_option():
    from sim.cli.main import _command

    assert _command(["run", "a.yaml", "--out", "x"]) == "run"
    assert _command(["--help"]) is None and _command([]) is None
    assert _command(["-h", "plans", "list"]) == "plans"


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
