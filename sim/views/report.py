"""Rendered reports: run each notebook top to bottom and save it as one HTML page that opens offline.

``python -m sim report notebooks/*.ipynb --out reports`` (``make report``) writes
``reports/<notebook>.html``, or ``<notebook>.en.html`` with ``--language en``. The pages are for
people who read results, not code: code cells are hidden unless ``--with-code`` is given (the
notebooks themselves show how every figure was made). Charts are PNG images inside the page,
tables are HTML, and the widgets are drawn from their saved state by the widget renderer shipped
in ``sim/report_template`` and inlined in the page, so nothing is fetched from the network.
The widgets show the state they had when the notebook ran; moving them needs a running kernel
(JupyterLab or ``make dashboard``).

The same notebooks and inputs give byte-identical pages (``stable_ids``): the ids that a run picks
at random (widget models, pandas Styler tables, matplotlib SVG clip paths, the page's output
elements) are numbered in the order the page uses them, and the kernel runs with
``SOURCE_DATE_EPOCH`` set: matplotlib then writes that date, not today's, into SVG and PDF files,
and ``sim.text.summary_text`` leaves out the run time. What a notebook itself shows of the clock
(a ledger version's creation time) it must leave out of its outputs.

Needs the ``notebook`` extra (nbconvert, nbclient); ``import sim`` never loads them.
"""

from __future__ import annotations

import argparse
import base64
import itertools
import json
import os
import re
import uuid
from pathlib import Path

from sim.results.write import write_atomic

TEMPLATE_DIR = Path(__file__).resolve().parent / "report_template"
WIDGET_RENDERER = TEMPLATE_DIR / "html-manager-embed.js"
TEMPLATE_NAME = "offline"
CELL_TIMEOUT = 300  # a cell still running (the kernel busy) after this long fails the notebook
STARTUP_SECONDS = 60  # a new kernel answering its first request
START_SECONDS = 20  # a cell sent, and no word of it from the kernel: a lost request (normally milliseconds)
REPLY_SECONDS = 10  # the kernel idle again, and no reply; or a reply and no "idle": a lost message
QUIET_SECONDS = 30  # a cell unfinished, no message and no CPU used by the kernel for this long: a stall
IDLE_CPU_SECONDS = 0.05  # less CPU than this in QUIET_SECONDS is a kernel doing nothing
POLL_SECONDS = 1  # how often the watch for a stall looks
ATTEMPTS = 2  # a stalled notebook runs once more, in a fresh kernel
SOURCE_DATE_EPOCH = "0"  # 1970-01-01: the date matplotlib writes into SVG files, unless the caller set one
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
MODEL_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")  # uuid4().hex, as ipywidgets' comms name models
STYLER_ID = re.compile(r'<table id="T_([0-9A-Za-z]+)"')  # pandas Styler: T_ + 5 random hex digits
SVG_ID = re.compile(r'\bid="([A-Za-z]+[0-9a-f]{10})"')  # matplotlib SVG: kind + 10 hex digits of a salted hash


class ReportFailed(Exception):
    """A notebook stopped with an error; the message names the notebook, the cell and the error."""


def _title(notebook) -> str | None:
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line[2:].strip()
    return None


def execute_notebook(path: Path, language: str | None = None, *, attempts: int = ATTEMPTS,
                     client_class=None, on_stall=None):
    """Run the notebook in its own folder, as JupyterLab would, keeping the widgets' state: the one
    place where ``sim report``, the notebook tests and the report tests run a notebook.

    A kernel that stalls (``KernelStalled``: a message between it and this process lost, so that
    both would wait for ever) is noticed within seconds; the notebook is then run again from the
    top in a fresh kernel, up to ``attempts`` runs in all, and ``on_stall(path, stall)`` is told
    (default: a line on stderr). Raises ``ReportFailed``, naming the notebook and the cell, when a
    cell raises, runs longer than ``CELL_TIMEOUT`` or stalls on every attempt."""
    import sys

    import nbformat
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

    path = Path(path)
    client_class = client_class or guarded_client_class()
    env = {"SOURCE_DATE_EPOCH": SOURCE_DATE_EPOCH, **os.environ, **({"SIM_LANG": language} if language else {})}
    for attempt in range(1, attempts + 1):
        notebook = nbformat.read(path, as_version=4)
        client = client_class(notebook, timeout=CELL_TIMEOUT, startup_timeout=STARTUP_SECONDS,
                              iopub_timeout=REPLY_SECONDS, kernel_name="python3", store_widget_state=True,
                              resources={"metadata": {"path": str(path.parent)}})
        try:
            client.execute(env=env)
            return notebook
        except KernelStalled as stall:
            where = f"{path.name}, cell {stall.cell}" if stall.cell else path.name
            if attempt == attempts:
                raise ReportFailed(f"{where}: {stall.reason} (on each of {attempts} runs, each in a fresh kernel)") from None
            (on_stall or (lambda p, s: print(f"{where}: {s.reason}; running {p.name} again in a fresh kernel",
                                               file=sys.stderr, flush=True)))(path, stall)
        except CellExecutionError as exc:
            cell = next((i for i, c in enumerate(notebook.cells, 1)
                         if any(o.get("output_type") == "error" for o in c.get("outputs", []))), None)
            raise ReportFailed(f"{path.name}, cell {cell}: {exc.ename}: {exc.evalue}") from None
        except CellTimeoutError:
            raise ReportFailed(f"{path.name}, cell {client.running_cell}: still running after {CELL_TIMEOUT} s, "
                               "with the kernel busy (not a stall); stopped") from None
        except DeadKernelError as exc:
            raise ReportFailed(f"{path.name}, cell {client.running_cell}: the kernel died ({exc})") from None
    raise AssertionError("unreachable")


def execute(path: Path, language: str | None = None):
    """``execute_notebook`` with its defaults."""
    return execute_notebook(path, language)


class KernelStalled(Exception):
    """The kernel and this process both wait for a message the other will not send: ``reason`` says
    which; ``cell`` is the cell's number in the notebook (1 for the first cell), None before the first."""

    def __init__(self, cell: int | None, reason: str):
        super().__init__(f"cell {cell}: {reason}" if cell else reason)
        self.cell, self.reason = cell, reason


def kernel_cpu_seconds(pid: int | None) -> float | None:
    """CPU seconds used so far by process ``pid`` and its children (Linux ``/proc``); None elsewhere."""
    if not pid:
        return None
    ticks = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    total, todo, seen = 0.0, [pid], set()
    while todo:
        pid = todo.pop()
        if pid in seen:
            continue
        seen.add(pid)
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])) / ticks
            for task in Path(f"/proc/{pid}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, ValueError, IndexError):
            if len(seen) == 1:
                return None
    return total


_GUARDED = []


def guarded_client_class():
    """nbclient's ``NotebookClient``, made to notice a stalled kernel within seconds (``KernelStalled``).

    nbclient waits for a cell's reply as long as the cell may run (``timeout``) and for the
    kernel's first reply as long as that too: a lost message costs that long. This client also
    watches for the signs of a lost message while it waits:

    - no message at all about the cell (not even "busy") within ``START_SECONDS`` of sending it:
      the request was lost, or the kernel never read it;
    - the kernel said it is idle again but no reply came within ``REPLY_SECONDS``, or the reply
      came but not the "idle" that closes the cell's outputs: a message was lost on the way back;
    - no message about the cell for ``QUIET_SECONDS`` while the kernel (and its child processes)
      used no CPU: both sides waiting;
    - no reply to the first ``kernel_info`` request within ``START_SECONDS``.
    """
    if _GUARDED:
        return _GUARDED[0]
    import asyncio
    from queue import Empty
    from time import monotonic

    from nbclient import NotebookClient
    from nbclient.util import ensure_async

    class GuardedClient(NotebookClient):
        running_cell: int | None = None  # the number of the cell being run (1 for the first cell)
        heard = 0.0  # when the last message about the running cell came (monotonic), 0: none yet

        def kernel_pid(self) -> int | None:
            process = getattr(getattr(self.km, "provisioner", None), "process", None)
            return getattr(process, "pid", None)

        def stalled(self, reason: str) -> KernelStalled:
            self.shutdown_kernel = "immediate"  # a stalled kernel may not answer a polite shutdown either
            return KernelStalled(self.running_cell, reason)

        async def async_start_new_kernel_client(self):
            try:
                return await super().async_start_new_kernel_client()
            except RuntimeError as exc:  # wait_for_ready: no kernel_info reply in startup_timeout
                raise self.stalled(f"the kernel did not answer within {self.startup_timeout} s of starting ({exc})") from None

        async def async_wait_for_reply(self, msg_id, cell=None):
            if cell is not None:
                return await super().async_wait_for_reply(msg_id, cell)
            try:  # the kernel_info request after the start: it takes milliseconds
                return await asyncio.wait_for(super().async_wait_for_reply(msg_id, cell), START_SECONDS)
            except asyncio.TimeoutError:
                raise self.stalled(f"no reply to kernel_info within {START_SECONDS} s of the kernel starting") from None

        async def async_execute_cell(self, cell, cell_index, execution_count=None, store_history=True):
            self.running_cell, self.heard = cell_index + 1, 0.0
            return await super().async_execute_cell(cell, cell_index, execution_count, store_history)

        def process_message(self, msg, cell, cell_index):
            self.heard = monotonic()  # only messages about the running cell come here
            return super().process_message(msg, cell, cell_index)

        async def _async_poll_for_reply(self, msg_id, cell, timeout, task_poll_output_msg, task_poll_kernel_alive):
            sent = monotonic()
            deadline = sent + timeout if timeout else None
            idle_since = None
            pid = self.kernel_pid()
            busy_mark = (sent, kernel_cpu_seconds(pid))  # when the kernel (or a message) last showed life
            while True:
                try:
                    msg = await ensure_async(self.kc.shell_channel.get_msg(timeout=POLL_SECONDS))
                except Empty:
                    msg = None
                if msg is not None and msg["parent_header"].get("msg_id") == msg_id:
                    try:  # the outputs end with the kernel's "idle"
                        await asyncio.wait_for(task_poll_output_msg, self.iopub_timeout)
                    except asyncio.TimeoutError:
                        task_poll_kernel_alive.cancel()
                        raise self.stalled(f"the kernel replied but its outputs did not end within "
                                           f"{self.iopub_timeout} s (an 'idle' message lost)") from None
                    task_poll_kernel_alive.cancel()
                    return msg
                if msg is not None:
                    continue  # a reply to something else (an earlier kernel_info): not ours
                now = monotonic()
                if task_poll_output_msg.done() and not task_poll_output_msg.cancelled() \
                        and task_poll_output_msg.exception() is not None:
                    task_poll_kernel_alive.cancel()
                    raise task_poll_output_msg.exception()  # as nbclient would, once the reply came
                if task_poll_output_msg.done():  # the kernel said "idle": the reply is due now
                    idle_since = idle_since or now
                    if now - idle_since > REPLY_SECONDS:
                        task_poll_kernel_alive.cancel()
                        raise self.stalled(f"the kernel finished the cell but its reply did not come within "
                                           f"{REPLY_SECONDS} s (the reply lost)")
                elif not self.heard:
                    if now - sent > START_SECONDS:
                        task_poll_kernel_alive.cancel()
                        raise self.stalled(f"the kernel did not start the cell within {START_SECONDS} s of its "
                                           "sending (the request lost, or left unread)")
                else:
                    cpu = kernel_cpu_seconds(pid)
                    if self.heard > busy_mark[0] or cpu is None or busy_mark[1] is None \
                            or cpu - busy_mark[1] > IDLE_CPU_SECONDS:
                        busy_mark = (now, cpu)
                    elif now - busy_mark[0] > QUIET_SECONDS:
                        task_poll_kernel_alive.cancel()
                        raise self.stalled(f"the cell had not finished, yet for {QUIET_SECONDS} s the kernel "
                                           "sent nothing and used no CPU (a message lost)")
                if deadline and now > deadline:
                    task_poll_kernel_alive.cancel()
                    await self._async_check_alive()
                    await self._async_handle_timeout(timeout, cell)  # raises CellTimeoutError

    _GUARDED.append(GuardedClient)
    return GuardedClient


# ---------------------------------------------------------------- the same page from the same notebook

def _strings(value, change) -> object:
    """``value`` with ``change(text)`` applied to every string inside it (dicts and lists changed in place)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, dict):
        for key in value:
            value[key] = _strings(value[key], change)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            value[i] = _strings(item, change)
    return value


def _found(value, pattern: re.Pattern, into: list[str]) -> list[str]:
    """Every match of ``pattern`` (its first group, or the whole match) in the strings of ``value``,
    in order of first appearance (dict keys in sorted order); appended to ``into``, no repeats."""
    if isinstance(value, str):
        for match in pattern.finditer(value):
            found = match.group(1) if pattern.groups else match.group(0)
            if found not in into:
                into.append(found)
    elif isinstance(value, dict):
        for key in sorted(value):
            _found(value[key], pattern, into)
    elif isinstance(value, list):
        for item in value:
            _found(item, pattern, into)
    return into


def _renamer(names: dict[str, str]):
    """A function replacing each whole-word occurrence of a key of ``names`` by its value, in one pass."""
    if not names:
        return lambda text: text
    pattern = re.compile(r"(?<![0-9A-Za-z])(" + "|".join(map(re.escape, names)) + r")(?![0-9A-Za-z])")
    return lambda text: pattern.sub(lambda m: names[m.group(1)], text)


def _widget_order(notebook, state: dict) -> list[str]:
    """Model ids in the order the page uses them: each view shown in a cell, then (depth first) the
    models it refers to; models no view reaches last, ordered by their state with ids blanked."""
    order: list[str] = []

    def visit(model_id: str) -> None:
        if model_id in state and model_id not in order:
            order.append(model_id)
            for ref in _found(state[model_id].get("state", {}), MODEL_ID, []):
                visit(ref)

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get(WIDGET_VIEW)
            if view:
                visit(view["model_id"])
    for model_id in sorted(set(state) - set(order),
                           key=lambda k: MODEL_ID.sub("", json.dumps(state[k], sort_keys=True))):
        visit(model_id)
    return order


def stable_ids(notebook) -> None:
    """Replace the ids an execution picks at random by ids numbered in order of use, so that the
    same notebook and inputs render to the same bytes: widget model ids (the saved widget state is
    reordered by the new ids), pandas Styler table ids and matplotlib SVG ids (clip paths, glyphs)."""
    widgets = notebook.metadata.get("widgets", {}).get(WIDGET_STATE)
    outputs = [cell.get("outputs", []) for cell in notebook.cells]
    if widgets:
        state = widgets["state"]
        models = {old: f"{n:032x}" for n, old in enumerate(_widget_order(notebook, state), 1)}
        rename = _renamer(models)
        widgets["state"] = {models[k]: _strings(state[k], rename) for k in sorted(state, key=models.get)}
        _strings(outputs, rename)
    everything = [outputs, widgets or {}]
    tables = {old: f"s{n}" for n, old in enumerate(_found(everything, STYLER_ID, []), 1)}
    _strings(everything, _renamer({f"T_{old}": f"T_{new}" for old, new in tables.items()}))
    svgs = [output["data"] for cell_outputs in outputs for output in cell_outputs
            if "image/svg+xml" in output.get("data", {})]
    ids = {old: f"{old[:-10]}{n:010x}" for n, old in enumerate(_found(svgs, SVG_ID, []), 1)}
    rename = _renamer(ids)
    for data in svgs:
        data["image/svg+xml"] = _strings(data["image/svg+xml"], rename)


class _NumberedIds:
    """Stands in for ``uuid.uuid4`` in nbconvert's templates (the ids of output elements): 1, 2, 3 ..."""

    def __init__(self):
        self.count = itertools.count(1)

    def __call__(self) -> uuid.UUID:
        return uuid.UUID(int=next(self.count))


def _exporter(**settings):
    from nbconvert import HTMLExporter

    class StableHTMLExporter(HTMLExporter):
        def _create_environment(self):
            environment = super()._create_environment()
            environment.globals["uuid4"] = _NumberedIds()
            return environment

    return StableHTMLExporter(**settings)


def to_html(notebook, name: str, language: str = "vi", with_code: bool = False) -> str:
    """One standalone HTML page: images inline, widget renderer inline, no network needed; the
    notebook's random ids numbered (``stable_ids``) so that the page is the same on every run."""
    stable_ids(notebook)
    exporter = _exporter(template_name=TEMPLATE_NAME, extra_template_basedirs=[str(TEMPLATE_DIR)])
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


def render(notebooks: list[Path], out_dir: Path, language: str = "vi", with_code: bool = False,
           run=execute_notebook) -> list[Path]:
    """Execute (``run(path, language)``) and render every notebook; a page is replaced only when its
    notebook ran clean."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in notebooks:
        notebook = run(Path(path), language)
        suffix = "" if language == "vi" else f".{language}"
        target = out_dir / f"{Path(path).stem}{suffix}.html"
        write_atomic(target, to_html(notebook, Path(path).stem, language, with_code))
        written.append(target)
    return written


def register(commands: argparse._SubParsersAction) -> None:
    from sim.locale import gettext as t

    report = commands.add_parser("report", help=t("help_report"))
    report.add_argument("notebooks", type=Path, nargs="+", help=t("help_report_notebooks"))
    report.add_argument("--out", type=Path, default=Path("reports"), help=t("help_report_out"))
    report.add_argument("--language", choices=["vi", "en"], default=os.environ.get("SIM_LANG") or "vi",
                        help=t("help_report_language"))
    report.add_argument("--with-code", action="store_true", help=t("help_report_with_code"))
    report.set_defaults(handler=_report)


def _report(args: argparse.Namespace) -> int:
    import sys

    from sim.locale import gettext as t

    missing = [str(p) for p in args.notebooks if not Path(p).is_file()]
    if missing:
        print(t("cli_notebook_not_found").format(files=", ".join(missing)), file=sys.stderr)
        return 2  # the CLI's exit code for bad input
    try:
        pages = render(args.notebooks, args.out, args.language, args.with_code)
    except ReportFailed as exc:
        print(t("cli_notebook_failed").format(message=exc), file=sys.stderr)
        return 1
    for page in pages:
        print(t("cli_wrote").format(files=page))
    return 0
