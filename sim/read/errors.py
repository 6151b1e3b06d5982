"""Errors the analyst sees: each names where the problem is and what is expected.

``InputError`` (CLI exit 2) is a file that cannot be read as the contract says.
``ScenarioError`` (CLI exit 3) is a scenario that reads fine but cannot be satisfied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sim.locale import get_language, gettext, ngettext, number, translate_error, translations
from sim.read.names import match_key
COMMAND_LINE = "command line"  # the file of a Problem about an option's value
LINE_WIDTH = 300  # no line of a message is longer: values are cut with … (a message fits one screen)
VALUE_WIDTH = 80


def one_line(text: object, width: int = VALUE_WIDTH) -> str:
    """``text`` on one line (line breaks and control characters shown escaped), cut to ``width``
    characters with … at the end.

    >>> one_line("a\\nb"), one_line("x" * 100, 10)
    ('a\\\\nb', 'xxxxxxxxx…')
    """
    text = "".join(c if c.isprintable() or c == " " else repr(c)[1:-1] for c in str(text)[:width * 4])
    return text if len(text) <= width else text[:width - 1] + "…"


def _shown(value: object) -> str:
    """A value as a message quotes it: its repr, on one line and at most VALUE_WIDTH characters."""
    if isinstance(value, str) and len(value) > VALUE_WIDTH * 4:
        value = value[:VALUE_WIDTH * 4]  # repr of a huge text costs as much as the text
    elif isinstance(value, (list, tuple, dict, set)) and len(value) > 20:
        return gettext("error_items").format(count=number(len(value)))
    try:
        text = repr(value)
    except (RecursionError, ValueError):  # a self-referencing list, an int of too many digits
        text = f"<{type(value).__name__}>"
    return one_line(text)


YAML_SUFFIXES = (".yaml", ".yml")  # files whose places are a line and a key (scenarios, sweeps)


@dataclass
class Problem:
    """One thing wrong in one place of one file."""

    file: str
    message: str
    row: int | None = None  # line number as a spreadsheet shows it (header is row 1)
    column: str | None = None
    value: object = None
    expected: str | None = None
    hint: str | None = None
    name: str | None = None  # the column's Vietnamese name, shown after its identifier: cột 'district' (huyện)
    position: int | None = None  # character in the row, 1-based, as an editor shows it (YAML files)

    def __str__(self) -> str:
        """The problem in the current language (``sim.locale``): the fixed words always, the message,
        the expected value and the hint when the catalogue has their English text (else English).
        Every part on one line, and no line longer than LINE_WIDTH: values are cut with …"""
        if self.file == COMMAND_LINE:  # a value given on the command line, not in a file
            where = [gettext("error_command_line")]
        else:
            where = [one_line(Path(self.file).name) if self.file else gettext("error_input")]
        keyed = Path(self.file or "").suffix.lower() in YAML_SUFFIXES  # lines and keys, not rows and columns
        if self.row is not None:
            where.append(gettext("error_line" if keyed else "error_row").format(row=self.row))
        if self.position is not None:
            where.append(gettext("error_position").format(position=self.position))
        if self.column is not None:
            where.append(gettext("error_key").format(key=one_line(self.column)) if keyed
                         else column_words(self.column, self.name))
        text = ", ".join(where) + ": " + one_line(translate_error(self.message), LINE_WIDTH)
        if self.value is not None:
            text += gettext("error_found").format(value=_shown(self.value))
        if self.expected:
            text += gettext("error_expected").format(expected=one_line(translate_error(self.expected), LINE_WIDTH))
        if self.hint:
            text += f". {one_line(translate_error(self.hint), LINE_WIDTH)}"
        return one_line(text, LINE_WIDTH)


MANUAL_PAGES = {"inputs": "manual_inputs", "sweeps": "manual_sweeps", "rosters": "manual_rosters"}


def manual_page(page: str) -> str:
    """The manual's page (docs/*.md, ``make docs``) that a message points to, in the current language:
    ``trang “Dữ liệu đầu vào” của hướng dẫn (docs/inputs.md)``."""
    return gettext(MANUAL_PAGES[page])


def column_words(column: str, name: str | None = None) -> str:
    """A column as messages name it: its identifier (the file's header, what the analyst searches
    for), and in Vietnamese its meaning too, when known (``schema.VIETNAMESE`` and the roster's
    headers give it).

    >>> from sim.locale import set_language
    >>> before = get_language(); set_language("vi")
    >>> column_words("district", "huyện"), column_words("budget_vnd")
    ("cột 'district' (huyện)", "cột 'budget_vnd'")
    >>> set_language("en"); column_words("district", "huyện")
    "column 'district'"
    >>> set_language(before)
    """
    column = one_line(column)
    if name and get_language() == "vi" and match_key(name) != match_key(column):
        return gettext("error_column_named").format(column=column, name=one_line(name))
    return gettext("error_column").format(column=column)


@dataclass
class _PlannerError(Exception):
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:20]]
        if len(self.problems) > 20:
            shown.append(ngettext("error_more", len(self.problems) - 20).format(count=len(self.problems) - 20))
        return "\n".join(shown)


class InputError(_PlannerError):
    """A file does not follow the documented format (exit code 2)."""


class ScenarioError(_PlannerError):
    """The scenario is readable but cannot be satisfied as written (exit code 3)."""


class Problems:
    """Gathers problems so that all of them are reported at once, in the order they were found.

    ``add`` takes a ``Problem``'s fields after ``file`` (``file`` defaults to the collector's);
    ``raise_if_any`` raises one error (InputError unless told) listing them all. ``names`` gives
    the Vietnamese name of each column (``schema.vietnamese_names``), which messages show after
    its identifier.

    Problems are told in the current language; the fixed words, and the texts the catalogue has,
    are Vietnamese by default:

    >>> from sim.locale import get_language, set_language
    >>> before = get_language(); set_language("en")
    >>> found = Problems("areas.csv")
    >>> found.add("code is empty", 3, "code", "", "a unique code for every area")
    >>> len(found), bool(found), str(found[0])
    (1, True, "areas.csv, row 3, column 'code': code is empty (found ''); expected a unique code for every area")
    >>> found.raise_if_any(ScenarioError)
    Traceback (most recent call last):
    ...
    sim.read.errors.ScenarioError: areas.csv, row 3, column 'code': code is empty (found ''); expected a unique code for every area
    >>> set_language("vi"); str(found[0])
    "areas.csv, dòng 3, cột 'code': mã để trống (giá trị: ''); cần: mỗi địa bàn một mã riêng"
    >>> set_language(before)
    """

    def __init__(self, file: str | Path = "", names: dict[str, str] | None = None) -> None:
        self.file = str(file)
        self.names = names or {}
        self.items: list[Problem] = []

    def add(self, message: str, row: int | None = None, column: str | None = None, value: object = None,
            expected: str | None = None, hint: str | None = None, *, file: str | Path | None = None) -> None:
        self.items.append(Problem(self.file if file is None else str(file), message, row, column, value, expected, hint,
                                  self.names.get(column) if column is not None else None))

    def append(self, problem: Problem) -> None:
        self.items.append(problem)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self):
        return iter(self.items)

    def __getitem__(self, index: int) -> Problem:
        return self.items[index]

    def raise_if_any(self, error: type[_PlannerError] = InputError) -> None:
        if self.items:
            raise error(list(self.items))


VALIDATION_CONTEXT = "validation"  # msgctxt of the texts of pydantic's error codes (Vietnamese catalogue)


def validation_message(error: dict) -> str:
    """One pydantic error (an item of ``ValidationError.errors()``) in the current language.

    In Vietnamese, the text comes from the catalogue by pydantic's error ``type`` (``msgctxt
    "validation"``, ``msgid "int_parsing"``), with the values of its ``ctx`` filled in; an error
    of our own validators (``value_error``) is its message, through ``translate_error``. In
    English, or for a code the catalogue lacks, pydantic's own text. The caller adds the file, key
    and line.

    >>> from sim.locale import set_language
    >>> before = get_language(); set_language("vi")
    >>> validation_message({"type": "int_parsing", "msg": "Input should be a valid integer, unable to parse string as an integer"})
    'phải là một số nguyên (không đọc được giá trị này thành số nguyên)'
    >>> validation_message({"type": "greater_than_equal", "msg": "Input should be greater than or equal to 0", "ctx": {"ge": 0.0}})
    'phải lớn hơn hoặc bằng 0'
    >>> set_language("en"); validation_message({"type": "int_type", "msg": "Input should be a valid integer"})
    'Input should be a valid integer'
    >>> set_language(before)
    """
    code, context = error.get("type", ""), error.get("ctx") or {}
    if get_language() == "en":
        return error["msg"]
    if code == "value_error" and context.get("error") is not None:
        return translate_error(str(context["error"]))
    template = translations(get_language()).pgettext(VALIDATION_CONTEXT, code)
    if not code or template == code:
        return translate_error(error["msg"])
    values = {name: (number(v, 0 if float(v).is_integer() else 2) if isinstance(v, (int, float)) and not isinstance(v, bool)
                     else str(v).replace("' or '", "' hoặc '")) for name, v in context.items()}
    return template.format(**values)


def input_error(file: str | Path, message: str, **where: object) -> InputError:
    return InputError([Problem(str(file), message, **where)])  # type: ignore[arg-type]


def scenario_error(file: str | Path, message: str, **where: object) -> ScenarioError:
    return ScenarioError([Problem(str(file), message, **where)])  # type: ignore[arg-type]
