"""Every notebook runs top to bottom, as an analyst would run it, with no error or warning.

The run is ``sim.views.report.execute_notebook``'s, as ``sim report`` runs it (the
``executed_notebook`` fixture): a stalled kernel is noticed within seconds, not waited on for
minutes (tests/test_notebook_stalls.py), and the report tests reuse the run."""

from __future__ import annotations

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
