"""What `python -m sim run` does outside the planning core stays quick and gives the same results
(issue 15: start-up): the catalogues read without Babel, the collector and OpenBLAS settings of the
`python -m sim` process, the quick reading of tables."""

from __future__ import annotations

import gc
import gettext
import io
import os
import subprocess
import sys

import pytest

from sim import locale
from tests.conftest import BASELINE, ROOT


@pytest.mark.parametrize("language", locale.LANGUAGES)
def test_the_bundled_catalogues_are_read_quickly_and_as_babel_reads_them(language):
    from babel.messages.mofile import write_mo

    quick = locale.messages(language)
    assert quick is not None, "the .po file holds something only Babel reads: see sim.locale.read_messages"
    babel = locale.catalogue(language)
    assert {k: v for k, v in quick.items() if k[1]} == {(m.context, m.id): m.string for m in babel if m.id}
    compiled = io.BytesIO()
    write_mo(compiled, babel)
    compiled.seek(0)
    theirs, ours = gettext.GNUTranslations(compiled), locale.translations(language)
    assert {k: v for k, v in ours._catalog.items() if k} == {k: v for k, v in theirs._catalog.items() if k}
    assert ours._charset == theirs._charset and [ours.plural(n) for n in range(5)] == [theirs.plural(n) for n in range(5)]


def _po(tmp_path, text):
    path = tmp_path / "x.po"
    path.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\n' + text, encoding="utf-8")
    return path


def test_a_plain_po_file_is_read_with_contexts_continuations_escapes_and_babel_s_first_msgstr(tmp_path):
    path = _po(tmp_path, '# a comment\n#, python-brace-format\nmsgid "a"\nmsgstr "x {n}"\n\n'
                         'msgctxt "error"\nmsgid "Bad \\"{v}\\""\nmsgstr ""\n"Sai \\"{v}\\"\\n"\n"\\\\ \\t"\n\n'
                         'msgid "b"\nmsgstr "one"\n\nmsgstr "stray"\n\nmsgid "c"\nmsgstr ""\n')
    found = locale.read_messages(path)
    assert found[(None, "a")] == "x {n}" and found[(None, "b")] == "one" and found[(None, "c")] == ""
    assert found[("error", 'Bad "{v}"')] == 'Sai "{v}"\n\\ \t'
    from babel.messages.pofile import read_po

    with open(path, "rb") as handle:
        babel = read_po(handle)
    assert {k: v for k, v in found.items() if k[1]} == {(m.context, m.id): m.string for m in babel if m.id}


@pytest.mark.parametrize("odd", ['#, fuzzy\nmsgid "a"\nmsgstr "b"\n', '#~ msgid "a"\n#~ msgstr "b"\n',
                                 'msgid "a"\nmsgid_plural "as"\nmsgstr[0] "b"\n', 'msgid "a"\nmsgid "b"\nmsgstr "c"\n'])
def test_what_only_babel_reads_is_left_to_babel(tmp_path, odd):
    assert locale.read_messages(_po(tmp_path, odd)) is None


def _fresh(code: str) -> str:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_sim_run_reads_no_catalogue_with_babel(tmp_path):
    code = (f"import sys\nfrom sim.cli.main import main\n"
            f"assert main(['run', {str(BASELINE)!r}, '--out', {str(tmp_path / 'out')!r}]) == 0\n"
            f"print(sorted(m for m in sys.modules if m.startswith('babel.messages')), file=sys.stderr)\n"
            f"print('babel.messages' in sys.modules)")
    assert _fresh(code).splitlines()[-1] == "False"


def test_main_with_arguments_leaves_the_collector_alone(tmp_path):
    from sim.cli.main import main

    frozen = gc.get_freeze_count()
    assert main(["run", str(BASELINE), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_python_m_sim_freezes_start_up_and_collects_again_and_puts_openblas_back(tmp_path):
    probe = ("import gc, os, runpy, sys\n"
             "import sim.cli.main as cli\n"
             "def report(argv=None):\n"
             "    print(gc.isenabled(), gc.get_freeze_count() > 0, os.environ.get('OPENBLAS_NUM_THREADS'))\n"
             "    return 0\n"
             "cli.main = report\n"
             "sys.argv = ['sim']\n"
             "try:\n    runpy.run_module('sim', run_name='__main__')\nexcept SystemExit:\n    pass\n")
    # main (replaced here) finds the collector paused, nothing frozen yet, and the variable put back;
    # the real main freezes and turns the collector back on: a whole run still works
    assert _fresh(probe) == "False False None"
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(BASELINE), "--out", str(tmp_path / "out"), "--quiet"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "out" / "summary.json").is_file()
