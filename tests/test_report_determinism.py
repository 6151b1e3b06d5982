"""The same notebook and inputs render to the same page, byte for byte (``sim.views.report.stable_ids``).

A small notebook holds every kind of output whose ids a run picks at random: the explorer's
widgets (model ids), a table styled by ``sim.views.widgets.table`` and one by pandas itself (Styler
ids), a PNG chart and an SVG chart (clip-path ids, date)."""

from __future__ import annotations

import base64
import copy
import re

import nbformat
import yaml

import sim
from sim.views import report
from sim.views.text import summary_text

from conftest import AREAS, student, write_csv

CELLS = [
    "import matplotlib.pyplot as plt\n\nimport sim\nfrom sim.views import charts\nfrom sim.analysis.explorer import Explorer\n"
    "from sim.views.widgets import ExplorerView, table",
    "ex = Explorer(sim.load_scenario('scenario.yaml'))\nExplorerView(ex, save_dir='.')",
    "table(ex.baseline_result.coverage_by('band'))",
    "ex.baseline_result.coverage_by('district').style.format({'rate': '{:.1%}'})",
    "charts.coverage_by_band(ex.baseline_result)\nplt.show()",
    "%config InlineBackend.figure_formats = ['svg']\ncharts.coverage_by_district(ex.baseline_result)\nplt.show()",
]


def _notebook(folder):
    write_csv(folder / "areas.csv", AREAS)
    write_csv(folder / "students.csv", [student("An Bình", 9, "poor", 4), student("Bình Hòa", 5, "near_poor", 6)])
    (folder / "scenario.yaml").write_text(yaml.safe_dump(
        {"name": "case", "areas": "areas.csv", "students": "students.csv", "budget_vnd": 5_000_000,
         "devices": {"desktop": {"unit_cost_vnd": 1_000_000}}}), encoding="utf-8")
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Twice")]
                                        + [nbformat.v4.new_code_cell(c) for c in CELLS])
    path = folder / "twice.ipynb"
    nbformat.write(notebook, path)
    return path


def _model_ids(notebook) -> list[str]:
    return list(notebook.metadata["widgets"][report.WIDGET_STATE]["state"])


def test_a_notebook_renders_to_the_same_bytes_twice(tmp_path):
    path = _notebook(tmp_path)
    runs = [report.execute(path) for _ in range(2)]
    raw = [copy.deepcopy(run) for run in runs]
    # Each run names its widgets and styled tables at random: there is something to make stable.
    assert set(_model_ids(raw[0])).isdisjoint(_model_ids(raw[1]))
    pages = [report.to_html(run, "twice") for run in runs]
    assert pages[0] == pages[1]

    page = pages[0]
    state = _model_ids(runs[0])
    assert state == [f"{n:032x}" for n in range(1, len(state) + 1)]  # numbered, in order
    first_view = re.search(r'"model_id": "([0-9a-f]{32})"', page).group(1)
    assert first_view == f"{1:032x}"  # the explorer, the first view on the page
    assert '<table id="T_s1"' in page and '<table id="T_s2"' in page
    svg = base64.b64decode(re.search(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', page).group(1)).decode()
    assert re.search(r'clip-path="url\(#p0{7}[0-9a-f]{3}\)"', svg) and "<dc:date>1970-01-01" in svg
    # Nothing random is left: the run's own ids appear nowhere on the page.
    for old in _model_ids(raw[0]) + _model_ids(raw[1]):
        assert old not in page


def test_the_printed_summary_leaves_out_the_run_time_when_output_must_be_reproducible(case, monkeypatch):
    summary = sim.solve(case([student("An Bình", 9, "poor", 4)], budget_vnd=2_000_000)).summary
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = summary_text(summary).splitlines()[0]
    assert first == f"Plan 'case': optimal, highs, {summary['solver']['lp_solves']} LPs, {summary['seconds']:.1f} s"
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # as sim report runs the notebooks
    assert summary_text(summary).splitlines()[0] == first.rsplit(", ", 1)[0]
    assert summary_text(summary, timing=True).splitlines()[0] == first
