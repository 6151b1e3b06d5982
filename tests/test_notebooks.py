"""Every notebook runs top to bottom, as an analyst would run it, with no error or warning.

The run is ``sim.views.report.execute_notebook``'s, as ``sim report`` runs it (the
``executed_notebook`` fixture): a stalled kernel is noticed within seconds, not waited on for
minutes (tests/test_notebook_stalls.py), and the report tests reuse the run."""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks():
    assert NOTEBOOKS, "notebooks/ holds no notebook"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_clean(path, executed_notebook):
    committed = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in committed.cells if cell.cell_type == "code"), \
        f"{path.name} is committed with outputs: clear them"
    notebook = executed_notebook(path)
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output.output_type != "error", output
            if output.output_type == "stream" and output.name == "stderr":
                raise AssertionError(f"{path.name} wrote to stderr: {output.text[:500]}")


CODE_NAME = re.compile(r"^[a-z]+(_[a-z0-9]+)+$|^band \d$|^all bands$")  # donation_id, devices_moved, "band 1"
ROLLING = NOTEBOOKS[[p.stem for p in NOTEBOOKS].index("04_rolling_replanning")]


def _table_cells(notebook, tag: str) -> list[str]:
    """The text of every ``<th>`` or ``<td>`` of the notebook's HTML outputs (the tables people read)."""
    cells = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            page = output.get("data", {}).get("text/html", "")
            cells += [html.unescape(re.sub(r"<[^>]+>", "", c)).strip()
                      for c in re.findall(rf"<{tag}\b[^>]*>(.*?)</{tag}>", page, flags=re.S)]
    return cells


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_table_headers_are_words_not_code_names(path, executed_notebook):
    headers = _table_cells(executed_notebook(path), "th")
    named = [h for h in headers if CODE_NAME.match(h)]
    assert not named, f"{path.name} shows column names from the code: {sorted(set(named))}"


def test_the_rolling_replanning_tables_speak_vietnamese_with_vietnamese_numbers(executed_notebook):
    notebook = executed_notebook(ROLLING)
    headers = set(_table_cells(notebook, "th"))
    for words in ("mã tài trợ", "nhà tài trợ", "số tiền (đồng)", "trạng thái", "phiên bản", "sự kiện", "nhóm 1",
                  "số máy dịch chuyển", "đã trao", "trong kế hoạch", "đã cam kết"):
        assert words in headers, (words, sorted(headers))
    values = _table_cells(notebook, "td")
    assert "600.000.000" in values and "600000000" not in values  # the first donation, as Vietnamese writes it
    assert "đã nhận" in values and "received" not in values and "máy tính bảng" in values
    assert "04/09/2023" in values and "2023-09-04" not in values
