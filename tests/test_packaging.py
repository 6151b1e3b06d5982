"""The project's own files agree with each other, and the core stays free of its views."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# PyPI requirement -> conda-forge packages that provide it
CONDA_NAMES = {"pulp[cbc]": ["pulp", "coin-or-cbc"], "dask[distributed]": ["dask-core", "distributed"],
               "mkdocstrings[python]": ["mkdocstrings", "mkdocstrings-python"]}
# conda-forge packages that carry the PyPI requirement's version pin (dask and distributed share versions)
SAME_PIN = {"dask-core", "distributed"}
# PyPI requirements conda-forge does not package: environment.yml installs them in its `- pip:` section
PIP_ONLY = {"vietnam-provinces", "vietnamadminunits"}


def _split(requirement: str) -> tuple[str, str]:
    name, spec = re.match(r"^([A-Za-z0-9_.\-\[\]]+)\s*(.*)$", requirement.strip()).groups()
    return name.lower(), spec.replace(" ", "")


def test_environment_yml_names_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    wanted = [*project["dependencies"], *extras["notebook"], *extras["test"], *extras["docs"]]
    expected = {}
    for requirement in wanted:
        name, spec = _split(requirement)
        if name in PIP_ONLY:
            continue
        for conda_name in CONDA_NAMES.get(name, [name]):
            expected[conda_name] = spec if conda_name == name.split("[")[0] or conda_name in SAME_PIN else ""
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    found = dict(_split(d) for d in conda if isinstance(d, str) and not d.startswith(("python", "pip")))
    assert found == expected


def test_the_pip_section_of_environment_yml_has_the_pypi_only_requirements():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = dict(_split(r) for r in project["dependencies"] if _split(r)[0] in PIP_ONLY)
    assert set(wanted) == PIP_ONLY
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    sections = [d["pip"] for d in conda if isinstance(d, dict) and "pip" in d]
    assert len(sections) == 1 and "pip" in conda
    assert dict(_split(r) for r in sections[0]) == wanted


def test_python_version_agrees():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    conda = yaml.safe_load((ROOT / "environment.yml").read_text())["dependencies"]
    assert f"python{project['requires-python']}" in conda


def test_only_the_pulp_api_that_pulp_4_keeps():
    banned = re.compile(r"LpVariable\s*\(|LpVariable\.dicts|PULP_CBC_CMD|\.constraints\s*\[")
    offenders = [f"{p.name}:{n}" for p in (ROOT / "sim").rglob("*.py")
                 for n, line in enumerate(p.read_text().splitlines(), 1) if banned.search(line)]
    assert offenders == []


def test_the_core_does_not_import_the_views():
    code = ("import sys, sim, sim.core.pipeline, sim.cli.main, sim.analysis.explorer, sim.views.i18n, sim.views.report; "
            "print(sorted(m for m in ('matplotlib', 'ipywidgets', 'nbconvert') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
