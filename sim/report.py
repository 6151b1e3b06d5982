"""Rendered reports: run each notebook top to bottom and save it as one HTML page that opens offline.

``python -m sim report notebooks/*.ipynb --out reports`` (``make report``) writes
``reports/<notebook>.html``, or ``<notebook>.en.html`` with ``--language en``. The pages are for
people who read results, not code: code cells are hidden unless ``--with-code`` is given (the
notebooks themselves show how every figure was made). Charts are PNG images inside the page,
tables are HTML, and the widgets are drawn from their saved state by the widget renderer shipped
in ``sim/report_template`` and inlined in the page, so nothing is fetched from the network.
The widgets show the state they had when the notebook ran; moving them needs a running kernel
(JupyterLab or ``make dashboard``).

Needs the ``notebook`` extra (nbconvert, nbclient); ``import sim`` never loads them.
"""

from __future__ import annotations

import argparse
import base64
import os
import tempfile
from pathlib import Path

TEMPLATE_DIR = Path(__file__).resolve().parent / "report_template"
WIDGET_RENDERER = TEMPLATE_DIR / "html-manager-embed.js"
TEMPLATE_NAME = "offline"
TIMEOUT_SECONDS = 600


class ReportFailed(Exception):
    """A notebook stopped with an error; the message names the notebook, the cell and the error."""


def _title(notebook) -> str | None:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def execute(path: Path, language: str | None = None):
    """Run the notebook in its own folder, as JupyterLab would, keeping the widgets' state."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    notebook = nbformat.read(path, as_version=4)
    env = {**os.environ, **({"SIM_LANG": language} if language else {})}
    client = NotebookClient(notebook, timeout=TIMEOUT_SECONDS, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute(env=env)
    except CellExecutionError as exc:
        cell = next((i for i, c in enumerate(notebook.cells, 1)
                     if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        raise ReportFailed(f"{path.name}, cell {cell}: {exc.ename}: {exc.evalue}") from None
    return notebook


def to_html(notebook, name: str, language: str = "vi", with_code: bool = False) -> str:
    """One standalone HTML page: images inline, widget renderer inline, no network needed."""
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATE_DIR)])
    exporter.embed_images = True
    exporter.exclude_input = exporter.exclude_input_prompt = exporter.exclude_output_prompt = not with_code
    exporter.language_code = language
    renderer = base64.b64encode(WIDGET_RENDERER.read_bytes()).decode("ascii")
    exporter.widget_renderer_url = "data:text/javascript;base64," + renderer
    title = _title(notebook)
    if title:
        notebook.metadata["title"] = title
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name}})
    return body


def _write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # readable like any other file, not private like a temporary one
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def render(notebooks: list[Path], out_dir: Path, language: str = "vi", with_code: bool = False) -> list[Path]:
    """Execute and render every notebook; a page is replaced only when its notebook ran clean."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        notebook = execute(Path(path), language)
        suffix = "" if language == "vi" else f".{language}"
        target = out_dir / f"{Path(path).stem}{suffix}.html"
        _write(target, to_html(notebook, Path(path).stem, language, with_code))
        written.append(target)
    return written


def register(commands: argparse._SubParsersAction) -> None:
    report = commands.add_parser("report", help="run notebooks and save each as a standalone HTML page")
    report.add_argument("notebooks", type=Path, nargs="+", help="notebooks (.ipynb) to run and render")
    report.add_argument("--out", type=Path, default=Path("reports"), help="folder for the pages (default: reports)")
    report.add_argument("--language", choices=["vi", "en"], default=os.environ.get("SIM_LANG") or "vi",
                        help="language of labels, charts and tables (default: vi, or $SIM_LANG)")
    report.add_argument("--with-code", action="store_true", help="show the code cells too")
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    import sys

    missing = [str(p) for p in args.notebooks if not Path(p).is_file()]
    if missing:
        print("error: notebook not found: " + ", ".join(missing), file=sys.stderr)
        return 2  # the CLI's exit code for bad input
    try:
        pages = render(args.notebooks, args.out, args.language, args.with_code)
    except ReportFailed as exc:
        print(f"error: a notebook failed, no page written for it: {exc}", file=sys.stderr)
        return 1
    for page in pages:
        print(f"Wrote {page}")
    return 0
