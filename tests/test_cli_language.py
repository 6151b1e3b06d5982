"""The command line speaks Vietnamese unless told otherwise: help, argparse's own words, what the
commands print. Runs in-process (``sim.cli.main.main``) to stay fast; the language is set explicitly
(tests/conftest.py sets English for every test)."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path

import pytest

from sim.cli import main as cli
from sim.locale import get_language, set_language

# English words that a Vietnamese text never needs (file names, options and codes aside)
ENGLISH = re.compile(r"\b(the|of|and|or|to|for|with|from|into|is|are|file|files|folder|write|wrote|written|usage|options|"
                     r"arguments?|show|help|default|error|required|invalid|choice|expected|rows?|learners?|devices?|"
                     r"plans?|version|donations?|deliveries|delivered|eligible|review|served|waiting|list|key|none|"
                     r"approved|pages?|now|no|not|yet|total)\b")
ARGPARSE_WORDS = ("usage:", "positional arguments", "options:", "show this help message and exit")


def english_words(text: str, names: set[str] = frozenset()) -> list[str]:
    """The English marker words of ``text``, leaving out what is not prose: {choices}, options
    (--out), file names and paths (allocation.csv, ~/.config/sim), $VARIABLES, 'quoted' values and
    the commands' ``names``."""
    prose = re.sub(r"\{[^}]*\}|'[^']*'|`[^`]*`", " ", text)
    prose = re.sub(r"(?<!\w)--?[\w-]+|\S*[/.$_]\S*", " ", prose)
    prose = " ".join(w for w in re.split(r"(\s+)", prose) if w not in names)
    return ENGLISH.findall(prose)


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                found += _commands(sub, (*path, name))
    return found


def _all_commands() -> list[tuple[str, ...]]:
    before = get_language()
    set_language("en")
    try:
        return _commands(cli._parser())
    finally:
        set_language(before)


COMMANDS = _all_commands()
NAMES = {name for command in COMMANDS for name in command}
NOT_YET: set = set()  # commands whose help is not translated yet (none)


def _without(text: str, commands: set) -> str:
    """``text`` without the lines of the top-level help that describe ``commands``."""
    for (name, *_) in commands:
        text = re.sub(rf"^ {{4}}{name} .*\n(^ {{20,}}.*\n)*", "", text, flags=re.M)
    return text


def _help(argv: list[str], language: str, capsys) -> str:
    set_language(language)
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def test_every_command_is_found():
    assert len(COMMANDS) > 30 and ("roster", "check") in COMMANDS and ("plans", "approve") in COMMANDS


@pytest.mark.parametrize("command", [pytest.param(c, marks=pytest.mark.xfail(strict=True, reason="translated elsewhere"))
                                     if c in NOT_YET else c for c in COMMANDS], ids=lambda c: " ".join(c) or "sim")
def test_help_is_vietnamese_by_default_and_english_on_request(command, capsys):
    vi = _help(list(command), "vi", capsys)
    assert vi.startswith("cách dùng: python -m sim") and "hiện hướng dẫn này rồi thoát" in vi
    assert not [w for w in ARGPARSE_WORDS if w in vi]
    found = english_words(_without(vi, NOT_YET) if not command else vi, NAMES)
    assert not found, f"English in `python -m sim {' '.join(command)} --help`: {found}\n{vi}"
    en = _help(list(command), "en", capsys)
    assert en.startswith("usage: python -m sim") and "show this help message and exit" in en
    assert "cách dùng" not in en and "tùy chọn" not in en


def _parser_of(command: tuple[str, ...]) -> argparse.ArgumentParser:
    parser = cli._parser()
    for name in command:
        parser = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices[name]
    return parser


@pytest.mark.parametrize("language", ["vi", "en"])
def test_every_option_and_argument_says_what_it_is(language):
    """No bare ``--kind {students,…}`` or ``tệp`` in a help: each one is explained, in the language."""
    set_language(language)
    bare = [(" ".join(command), action.option_strings[-1] if action.option_strings else action.dest)
            for command in COMMANDS for action in _parser_of(command)._actions
            if not isinstance(action, (argparse._HelpAction, argparse._SubParsersAction)) and not action.help]
    assert not bare, bare


@pytest.mark.parametrize(("argv", "vi", "en"), [
    ([], "lỗi: thiếu các đối số bắt buộc: lệnh", "error: the following arguments are required: command"),
    (["roster", "nope"], "lỗi: đối số lệnh: lựa chọn không hợp lệ: 'nope'", "error: argument roster_command: invalid choice: 'nope'"),
    (["run", "x.yaml", "--solver", "nope"], "lỗi: đối số --solver: lựa chọn không hợp lệ: 'nope' (chọn một trong",
     "error: argument --solver: invalid choice: 'nope' (choose from"),
    (["plans", "show", "abc"], "lỗi: đối số phiên_bản: giá trị int không hợp lệ: 'abc'", "error: argument version: invalid int value: 'abc'"),
    (["run", "x.yaml", "--bogus"], "lỗi: thiếu các đối số bắt buộc: --out", "error: the following arguments are required: --out"),
])
def test_argparse_errors_in_both_languages(argv, vi, en, capsys):
    for language, expected in (("vi", vi), ("en", en)):
        set_language(language)
        with pytest.raises(SystemExit) as stop:
            cli.main(argv)
        assert stop.value.code == 2
        assert expected in capsys.readouterr().err


def test_argparse_is_left_as_it_was():
    """The translation is lent to argparse only while the command line is parsed."""
    import gettext

    set_language("vi")
    with pytest.raises(SystemExit):
        cli.main(["nope"])
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    assert argparse.ArgumentParser(prog="p").format_usage() == "usage: p [-h]\n"


# ---- what the commands print, run as a user would on small files ---------------------------------------

import contextlib  # noqa: E402
import io  # noqa: E402
import shutil  # noqa: E402
from pathlib import Path  # noqa: E402

import yaml  # noqa: E402

from tests.conftest import AREAS, ROOT, student, write_csv  # noqa: E402

SCENARIO = {"name": "nho", "areas": "areas.csv", "students": "students.csv", "budget_vnd": 0,
            "devices": {"desktop": {"unit_cost_vnd": 1_000_000}}, "donations": {"count": "pledged"}}
DONATIONS = [
    {"donation_id": "D1", "date": "04/09/2023", "donor": "Quỹ Khuyến học", "kind": "cash", "device": "", "quantity": "",
     "amount_vnd": "3000000", "earmark_district": "", "earmark_band": "", "status": "received"},
    {"donation_id": "D2", "date": "11/09/2023", "donor": "Công ty A", "kind": "device", "device": "desktop", "quantity": "2",
     "amount_vnd": "", "earmark_district": "Bình Hòa", "earmark_band": "", "status": "pledged"},
]
DELIVERIES = [{"delivery_id": "G1", "date": "25/10/2023", "district": "Bình Hòa", "device": "desktop", "quantity": "1",
               "note": "Trường A"}]
BAD_SCENARIO = "name: sai\nareas: areas.csv\nstudents: students.csv\nbudget_vnd: abc\npolicy: {mode: x}\nbogus: 1\n"


def _session(folder: Path, language: str) -> dict[str, tuple[int, str, str]]:
    """Every command of a small round, in ``language``: command -> (exit code, stdout, stderr)."""
    write_csv(folder / "areas.csv", AREAS)
    write_csv(folder / "students.csv", [student("An Bình", 10, "poor", 4), student("Bình Hòa", 9, "near_poor", 3)],
              header=["district", "grade", "status", "pupils", "without_internet"])
    (folder / "s.yaml").write_text(yaml.safe_dump(SCENARIO, allow_unicode=True), encoding="utf-8")
    (folder / "bad.yaml").write_text(BAD_SCENARIO, encoding="utf-8")
    write_csv(folder / "donations.csv", DONATIONS)
    write_csv(folder / "deliveries.csv", DELIVERIES)
    shutil.copy(ROOT / "data" / "roster" / "sample_roster.csv", folder / "roster.csv")
    longan = str(ROOT / "data" / "longan" / "areas.csv")
    db = ["--db", str(folder / "ledger.sqlite")]
    commands = {
        "run": ["run", "s.yaml", "--out", "out"],
        "run bad": ["run", "bad.yaml", "--out", "out"],
        "roster check": ["roster", "check", "roster.csv", "--areas", longan],
        "roster aggregate": ["roster", "aggregate", "roster.csv", "--areas", longan, "--out", "st.csv", "--skip-invalid"],
        "roster template": ["roster", "template", "mau.xlsx"],
        "roster new-key": ["roster", "new-key", "khoa.key"],
        "donations import": ["donations", "import", "donations.csv", *db],
        "donations import again": ["donations", "import", "donations.csv", *db],
        "deliveries import": ["deliveries", "import", "deliveries.csv", *db],
        "donations list": ["donations", "list", *db],
        "deliveries list": ["deliveries", "list", *db],
        "donations export": ["donations", "export", "xuat.csv", *db],
        "replan": ["replan", "s.yaml", "--out", "r1", "--no-compare", *db],
        "donations status": ["donations", "status", "D2", "received", *db],
        "donations status bad": ["donations", "status", "D2", "recieved", *db],
        "donations add": ["donations", "add", "--donation-id", "D3", "--date", "20/02/2024", "--kind", "cash",
                          "--amount-vnd", "2000000", "--status", "received", *db],
        "replan again": ["replan", "s.yaml", "--out", "r2", "--no-compare", "--fresh", *db],
        "plans list": ["plans", "list", *db],
        "plans show": ["plans", "show", "1", *db],
        "plans diff": ["plans", "diff", "1", "2", *db],
        "plans approve": ["plans", "approve", "2", "--by", "Nguyễn Văn A", *db],
        "handovers status": ["handovers", "status", *db],
        "audit verify": ["audit", "verify", *db],
        "audit trace": ["audit", "trace", "D2", *db],
        "publish": ["publish", "--out", "site", "--areas", "areas.csv", *db],
        "privacy record": ["privacy", "record", "--out", "ho_so.md"],
        "roster purge": ["roster", "purge", "--before", "01/01/2020", "--dry-run", *db],
        "frontier bad": ["frontier", "s.yaml", "--param", "district_floor", "--values", "0,x"],
        "frontier": ["frontier", "s.yaml", "--param", "district_floor", "--values", "0,0.5"],
        "marginal": ["marginal", "s.yaml"],
    }
    before = get_language()
    set_language(language)
    done = {}
    try:
        with contextlib.chdir(folder):
            for name, argv in commands.items():
                out, err = io.StringIO(), io.StringIO()
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    code = cli.main(argv)
                done[name] = (code, out.getvalue(), err.getvalue())
    finally:
        set_language(before)
    return done


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    return {language: _session(tmp_path_factory.mktemp(f"round_{language}"), language) for language in ("vi", "en")}


EXIT_CODES = {"run bad": 2, "roster check": 2, "donations status bad": 2, "frontier bad": 2}


def test_the_commands_ran(sessions):
    for language, done in sessions.items():
        for name, (code, out, err) in done.items():
            assert code == EXIT_CODES.get(name, 0), f"{language} {name}: exit {code}\n{out}\n{err}"
            assert "Traceback" not in err and (out or err)


def test_what_the_commands_print_is_vietnamese_by_default(sessions):
    keys = re.compile(r"một trong các khóa [^;]*")  # the scenario's keys, as the YAML file writes them
    found = {name: english_words(keys.sub("", out + err)) for name, (_, out, err) in sessions["vi"].items()}
    assert not {name: words for name, words in found.items() if words}, found


def test_with_sim_lang_en_the_commands_print_english(sessions):
    done = sessions["en"]
    expected = {"run": "Learners covered", "run bad": "error: bad input", "roster check": "held for review",
                "roster aggregate": "eligible learners", "roster new-key": "pseudonym key", "donations import": "donations in",
                "donations list": "received", "deliveries list": "Delivered: 1 desktop", "donations export": "Wrote 2 donations",
                "donations status": "is now received", "donations status bad": "unknown status", "replan": "Stored as plan version 1",
                "plans show": "Plan version 1", "plans diff": "From plan version 1", "plans approve": "approved by",
                "audit verify": "audit trail intact", "audit trace": "plan version 1", "publish": "Wrote",
                "roster purge": "Nothing to purge", "frontier bad": "not a number", "frontier": "Frontier of 'nho'",
                "marginal": "VND more in the budget", "donations add": "1 added"}
    for name, words in expected.items():
        code, out, err = done[name]
        assert words in out + err, f"{name}: {out}{err}"
        assert not VIETNAMESE.search(_without_data(out + err)), f"{name}: Vietnamese in English output\n{out}{err}"


def test_vietnamese_numbers_dates_and_words_in_the_lists(sessions):
    _, listed, _ = sessions["vi"]["donations list"]
    assert "3.000.000" in listed and "04/09/2023" in listed and "đã nhận" in listed and "máy tính để bàn" in listed
    _, listed, _ = sessions["en"]["donations list"]
    assert "3,000,000" in listed and "4 Sep 2023" in listed


def test_what_changed_between_versions_in_words(sessions):
    _, shown, _ = sessions["vi"]["plans diff"]
    assert "D2  Công ty A: 2 máy tính để bàn dành cho Bình Hòa; đã cam kết -> đã nhận" in shown
    assert "D3  -: 2.000.000 đồng; mới, đã nhận" in shown and "vì: D3" in shown, shown
    _, shown, _ = sessions["en"]["plans diff"]
    assert "D3  -: 2,000,000 VND; new, received" in shown and "because: D3" in shown, shown


def test_scenario_validation_errors_are_vietnamese_by_code(sessions):
    _, _, err = sessions["vi"]["run bad"]
    assert "bad.yaml, dòng 4, khóa 'budget_vnd': phải là một số nguyên" in err
    assert "khóa 'policy.mode': phải là 'strict' hoặc 'weighted'" in err and "Input should" not in err
    _, _, err = sessions["en"]["run bad"]
    assert "bad.yaml, line 4, key 'budget_vnd': Input should be a valid integer" in err


VIETNAMESE = re.compile("[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]", re.I)


def _without_data(text: str) -> str:
    """``text`` without the names that come from the data (districts, schools, donors, people)."""
    for name in ("An Bình", "Bình Hòa", "Quỹ Khuyến học", "Công ty A", "Nguyễn Văn A", "Trường A", "Đức Huệ", "Đức Hòa",
                 "Trường", "Công ty", "cận nghèo", "nghèo", "có/không", "không", "Mã học sinh", "Tình trạng"):
        text = text.replace(name, "")
    return re.sub(r"'[^']*'|\S*[/.]\S*", "", text)


# ---- every fixed error text has a Vietnamese translation ---------------------------------------------

import ast  # noqa: E402

from sim.locale import translate_error  # noqa: E402

OWN = ["sim/cli", "sim/ledger", "sim/roster", "sim/publish", "sim/privacy", "sim/units", "sim/read"]
MAKERS = {"Problem", "input_error", "scenario_error", "add", "_damaged", "RowIssue"}
NOT_TEXT = re.compile(r"^[\w.-]*$|^Mã học sinh$|^Quận/Huyện$|^Ký nhận$|^command line$")  # column names, headers, option names


def _error_texts() -> list[tuple[str, str]]:
    """(file, text) of every literal text given to a Problem (and the functions that make one)."""
    found = []
    for folder in OWN:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.name == "sweep.py":  # the speed helper's
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                name = getattr(getattr(node, "func", None), "id", None) or getattr(getattr(node, "func", None), "attr", None)
                if not isinstance(node, ast.Call) or name not in MAKERS:
                    continue
                values = [*node.args, *(k.value for k in node.keywords if k.arg in ("message", "expected", "hint"))]
                found += [(str(path.relative_to(ROOT)), v.value) for v in values
                          if isinstance(v, ast.Constant) and isinstance(v.value, str) and not NOT_TEXT.match(v.value)
                          and not v.value.endswith((".csv", ".yaml", ".xlsx"))]
    return found


def test_every_fixed_error_text_has_a_vietnamese_translation():
    texts = _error_texts()
    assert len(texts) > 150  # the search finds them
    set_language("vi")
    missing = sorted({f"{where}: {text}" for where, text in texts if translate_error(text) == text})
    assert not missing, "no Vietnamese in sim/locale/vi/LC_MESSAGES/sim.po (msgctxt \"error\") for:\n" + "\n".join(missing)


def test_a_reader_that_stops_early_gets_no_error(tmp_path):
    """``sim run ... | head -1``: the pipe closes before the summary is printed; sim says nothing
    on stderr and ends as a program stopped by SIGPIPE does (141)."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    process = subprocess.Popen([sys.executable, "-m", "sim", "run", str(root / "data" / "scenarios" / "baseline.yaml"),
                                "--out", str(tmp_path / "out")], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               cwd=root, env={**os.environ, "PYTHONPATH": str(root)})
    process.stdout.close()
    with process.stderr:
        error = process.stderr.read().decode()
    assert process.wait(timeout=300) == 141
    assert error == ""
