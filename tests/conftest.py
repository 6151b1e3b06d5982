"""Helpers that write small, hand-checkable cases as real files, as an analyst would."""

from __future__ import annotations

import copy
import csv
from pathlib import Path

import pytest
import yaml

import sim

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "data" / "scenarios" / "baseline.yaml"

AREAS = [
    {"code": "A1", "name": "An Bình", "type": "Huyện", "population": "1000", "lat": "10.5", "lon": "106.4"},
    {"code": "B2", "name": "Bình Hòa", "type": "Huyện", "population": "2000", "lat": "10.6", "lon": "106.5"},
]


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None, encoding: str = "utf-8") -> Path:
    header = header or list(rows[0])
    with open(path, "w", newline="", encoding=encoding) as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def student(district: str, grade, status: str, pupils: int, without_internet: int = 0) -> dict:
    return {"district": district, "grade": grade, "status": status, "pupils": pupils, "without_internet": without_internet}


@pytest.fixture
def case(tmp_path):
    """case(students=[...], **scenario keys) -> a loaded Scenario whose files live in tmp_path."""

    def make(students: list[dict], areas: list[dict] = AREAS, **settings) -> sim.Scenario:
        write_csv(tmp_path / "areas.csv", areas)
        write_csv(tmp_path / "students.csv", students,
                  header=["district", "grade", "status", "pupils", "without_internet"])
        settings.setdefault("devices", {"desktop": {"unit_cost_vnd": 1_000_000}})
        data = {"name": "case", "areas": "areas.csv", "students": "students.csv", **settings}
        (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
        return sim.load_scenario(tmp_path / "scenario.yaml")

    return make


def covered(result: sim.Result, **where) -> int:
    """Covered learners in the rows of result.coverage matching every column=value given."""
    table = result.coverage
    for column, value in where.items():
        table = table[table[column] == value]
    return int(table["covered"].sum())


def given(result: sim.Result, **where) -> int:
    table = result.allocation
    for column, value in where.items():
        table = table[table[column] == value]
    return int(table["devices"].sum())


TEST_PSEUDONYM_KEY = "sim-tests-only-pseudonym-key-0123456789abcdef"


@pytest.fixture(autouse=True, scope="session")
def throwaway_pseudonym_key(tmp_path_factory):
    """Tests (and the notebooks they run) use a throwaway key and never touch the user's own key."""
    patch = pytest.MonkeyPatch()
    patch.setenv("SIM_PSEUDONYM_KEY", TEST_PSEUDONYM_KEY)
    patch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))
    yield
    patch.undo()


@pytest.fixture(autouse=True)
def english_messages():
    """Tests assert the English texts of messages and errors (Vietnamese is the default for users);
    a test of the Vietnamese texts sets the language itself, and subprocesses get ``SIM_LANG=en``."""
    from sim.locale import get_language, set_language

    before = get_language()
    set_language("en")
    yield
    set_language(before)


@pytest.fixture(scope="session")
def executed_notebook():
    """executed_notebook(path, language="vi") -> a copy of the notebook as ``sim report`` runs it
    (sim.views.report.execute_notebook). Each notebook runs once a session: the notebook tests and
    the report tests share the run (a failed run fails them all with the same message)."""
    from sim.views import report

    runs: dict = {}

    def run(path: Path, language: str = "vi"):
        key = (Path(path).resolve(), language)
        if key not in runs:
            try:
                runs[key] = report.execute_notebook(Path(path), language)
            except report.ReportFailed as failed:
                runs[key] = failed
        if isinstance(runs[key], Exception):
            raise runs[key]
        return copy.deepcopy(runs[key])

    return run


# The notebook tests (each notebook's run shared by its tests and the report's pages) go first.
NOTEBOOK_TESTS = "test_notebooks.py"


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (``make test`` runs ``-n auto --dist loadfile``: each test file on one
    worker, so module fixtures and the notebooks' runs are made once), the notebook tests start
    first: they are the longest file, and a long file started last leaves the other core idle."""
    if config.pluginmanager.hasplugin("xdist"):
        items.sort(key=lambda item: item.path.name != NOTEBOOK_TESTS)  # stable: the rest keep their order
