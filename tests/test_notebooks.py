"""Every notebook runs top to bottom, as an analyst would run it, with no error or warning, and
the rendered reports (``make report``): every notebook becomes one HTML page that opens offline,
holds its charts and tables, and no traceback.

The run is ``sim.views.report.execute_notebook``'s, as ``sim report`` runs it (the
``executed_notebook`` fixture): a stalled kernel is noticed within seconds, not waited on for
minutes (tests/test_notebook_stalls.py), and the report tests reuse the run. Both live in this one
file so that ``make test`` (pytest-xdist, ``--dist loadfile``) runs each notebook once, on one worker."""

from __future__ import annotations

import base64
import html
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from _browser import offline_page
from sim.views import report

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


# The rendered reports (`make report`)

ROOT = Path(__file__).resolve().parents[1]
EXPLORER = "02_donation_scenarios"
# Charts each page must show; 05 shows tables only (delivery lists: no chart of children's data).
CHARTS = {"01_quickstart": 2, "02_donation_scenarios": 2, "03_fairness_tradeoffs": 2,
          "04_rolling_replanning": 1, "05_delivery_lists": 0, "06_sweeps": 3,
          "08_accountability": 0}
PNG = re.compile(r'<img[^>]+src="data:image/png;base64,([A-Za-z0-9+/=]+)"')
FETCHED = re.compile(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="(?:https?:)?//', re.I)


@pytest.fixture(scope="module")
def pages(tmp_path_factory, executed_notebook):
    """The pages ``sim report`` writes, from the notebooks' runs the notebook tests made (each
    notebook runs once a session); the command itself: test_the_command_writes_a_page_per_notebook."""
    out = tmp_path_factory.mktemp("reports")
    written = report.render(NOTEBOOKS, out, "vi", run=executed_notebook)
    assert sorted(written) == sorted(out.glob("*.html"))
    return {path.stem: path.read_text(encoding="utf-8") for path in out.glob("*.html")}


def test_the_command_writes_a_page_per_notebook(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Một trang"),
                                               nbformat.v4.new_code_cell("print('xin chào')")])
    nbformat.write(notebook, tmp_path / "one.ipynb")
    done = subprocess.run([sys.executable, "-m", "sim", "report", str(tmp_path / "one.ipynb"), "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, cwd=ROOT, timeout=180)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"Đã ghi {tmp_path / 'out' / 'one.html'}"  # Vietnamese by default
    page = (tmp_path / "out" / "one.html").read_text(encoding="utf-8")
    assert "xin chào" in page and "<title>Một trang</title>" in page


def test_every_notebook_has_a_page(pages):
    assert set(pages) == {p.stem for p in NOTEBOOKS}


@pytest.mark.parametrize("name", [p.stem for p in NOTEBOOKS])
def test_a_page_holds_its_charts_and_no_traceback(pages, name):
    page = pages[name]
    assert "Traceback" not in page and 'data-mime-type="application/vnd.jupyter.stderr"' not in page
    assert "jp-OutputArea-output" in page
    images = [base64.b64decode(data) for data in PNG.findall(page)]
    assert len(images) >= CHARTS.get(name, 1) and all(image.startswith(b"\x89PNG") and len(image) > 10_000 for image in images)
    assert "<table" in page
    assert FETCHED.findall(page) == []  # nothing to fetch from the network
    assert '<html lang="vi">' in page


def test_the_explorer_page_keeps_the_widgets_and_reads_in_vietnamese(pages):
    page = pages[EXPLORER]
    assert 'application/vnd.jupyter.widget-state+json' in page
    assert "data:text/javascript;base64," in page  # the widget renderer, inline
    for words in ("Khám phá kịch bản", "Nếu có thêm 1 tỷ đồng?", "nhóm ưu tiên", "được hỗ trợ (đang xem)", "chênh lệch"):
        assert words in page
    assert "import sim" not in page  # code is for the notebook, not for the reader


def test_the_explorer_page_opens_offline_in_a_browser(pages, tmp_path):
    path = tmp_path / "explorer.html"
    path.write_text(pages[EXPLORER], encoding="utf-8")
    with offline_page() as page:
        page.goto(path.as_uri())
        page.locator(".sim-covered").first.wait_for(timeout=30_000)  # drawn from the saved widget state
        assert page.locator(".sim-budget .widget-readout").first.inner_text().strip() == "2000"
        page.wait_for_function("Array.from(document.images).filter(i => i.complete && i.naturalWidth > 0).length >= 4",
                               timeout=30_000)
        assert page.refused == [] and page.js_errors == []


# English a Vietnamese table or printed line never needs (ids, names, numbers and code aside); the
# notebooks' italic English summaries are markdown, not outputs, and are not read here.
ENGLISH_WORDS = re.compile(r"(?<!\w)(the|and|of|per|new|none|total|changed|cancelled|pledged|received|delivered|"
                           r"donations?|learners?|devices?|band|district|tablets?|laptops?|desktops?|packages?|stock|"
                           r"budget|earmark|more|given|counted|change|note|constraint|unit|million|VND)(?!\w)")


def _printed(notebook) -> list[str]:
    """What a reader sees of the outputs: table cells and printed lines."""
    lines = [*_table_cells(notebook, "th"), *_table_cells(notebook, "td")]
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if output.output_type == "stream":
                lines += output.text.splitlines()
    return lines


@pytest.mark.parametrize("stem", ["03_fairness_tradeoffs", "04_rolling_replanning"])
def test_the_ledger_and_marginal_notebooks_show_no_english(stem, executed_notebook):
    notebook = executed_notebook(NOTEBOOKS[[p.stem for p in NOTEBOOKS].index(stem)])
    english = {line: ENGLISH_WORDS.findall(line) for line in _printed(notebook) if ENGLISH_WORDS.search(line)}
    assert not english, f"{stem} shows English: {english}"
