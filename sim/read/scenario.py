"""Scenario files: what money and devices are on hand, their prices, earmarks and the policy.

A scenario is YAML; paths in it are relative to the YAML file. Unknown keys are errors that
suggest the nearest known key, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import difflib
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_serializer, model_validator

from sim.locale import number
from sim.read.errors import InputError, Problem, ScenarioError, manual_page, one_line, validation_message
from sim.read.names import did_you_mean, match_key
from sim.core.rules import BANDS, HIGHER, HIGHER_LEVEL

GradeBound = int | Literal["higher"]

# Upper bounds on amounts: far above any real programme, far below what overflows a 64-bit integer
# or loses whole units in a float (2**53), so a typo (an extra zero run, a hex number) is caught.
MAX_VND = 10**15  # a million billion VND
MAX_UNITS = 10**9  # devices, data packages, months
Vnd = Annotated[int, Field(le=MAX_VND)]
Units = Annotated[int, Field(le=MAX_UNITS)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Device(_Strict):
    """A kind of computer: unit price if bought, the grades it suits, stock donated in kind."""

    unit_cost_vnd: Vnd
    grades: tuple[GradeBound, GradeBound] = (1, HIGHER)
    in_stock: Units = 0

    def grade_range(self) -> tuple[int, int]:
        lo, hi = (HIGHER_LEVEL if g == HIGHER else int(g) for g in self.grades)
        return lo, hi

    def suits(self, level: int) -> bool:
        lo, hi = self.grade_range()
        return lo <= level <= hi


class DataPackage(_Strict):
    """Mobile data for one learner without internet, for ``months`` months."""

    monthly_cost_vnd: Vnd = 70_000
    months: Annotated[int, Field(le=1200)] = 12
    in_stock: Units = 0  # packages donated in kind, each covering one learner for ``months``

    @property
    def unit_cost_vnd(self) -> int:
        return self.monthly_cost_vnd * self.months


class Earmark(_Strict):
    """Money, devices or data packages a donor reserved for one district, one priority band
    (1-5), or the learners of that band in that district: at least one of the two is named."""

    district: str | None = None
    band: int | None = None
    budget_vnd: Vnd = 0
    devices: dict[str, Units] = Field(default_factory=dict)
    data_packages: Units = 0
    note: str = ""

    @model_serializer(mode="wrap")
    def _without_absent_scope(self, handler):
        # An earmark without a band dumps (and hashes) exactly as before bands could be named.
        data = handler(self)
        for key in ("district", "band"):
            if data.get(key) is None:
                data.pop(key, None)
        return data


class Mode(StrEnum):
    strict = "strict"
    weighted = "weighted"


class WithinBand(StrEnum):
    equal_rate = "equal_rate"
    max_count = "max_count"


class SolverName(StrEnum):
    highs = "highs"
    cbc = "cbc"


DEFAULT_WEIGHTS = {1: 100.0, 2: 50.0, 3: 25.0, 4: 12.5, 5: 6.25}


class Policy(_Strict):
    """How the bands are served: ``strict`` one band after another, or ``weighted`` in one LP."""

    mode: Mode = Mode.strict
    within_band: WithinBand = WithinBand.equal_rate
    weights: dict[int, Annotated[float, Field(allow_inf_nan=False, le=1e9)]] = Field(default_factory=lambda: dict(DEFAULT_WEIGHTS))

    @field_validator("weights")
    @classmethod
    def _every_band(cls, weights: dict[int, float]) -> dict[int, float]:
        unknown = sorted(set(weights) - set(BANDS))
        if unknown:
            raise ValueError(f"bands are 1 to 5, not {unknown}")
        return {b: float(weights.get(b, DEFAULT_WEIGHTS[b])) for b in BANDS}


class Counting(StrEnum):
    received = "received"
    pledged = "pledged"
    pledged_at_rate = "pledged_at_rate"


class DonationCounting(_Strict):
    """Which of the ledger's donations a replan counts (``python -m sim replan``): ``received``
    (and delivered) ones only, the default; ``pledged`` ones too, in full; or ``pledged_at_rate``:
    pledges times ``realisation_rate`` (0 to 1), the share of what is pledged expected to arrive."""

    count: Counting = Counting.received
    realisation_rate: Annotated[float, Field(allow_inf_nan=False)] | None = None

    @model_validator(mode="after")
    def _rate_only_at_rate(self) -> "DonationCounting":
        if self.count is Counting.pledged_at_rate:
            if self.realisation_rate is None or not 0 <= self.realisation_rate <= 1:
                raise ValueError("count: pledged_at_rate needs a realisation_rate from 0 to 1")
        elif self.realisation_rate is not None:
            raise ValueError("realisation_rate is read only with count: pledged_at_rate")
        return self
# Device names that count as "a laptop or desktop" unless fairness.computer_devices lists them.
DEFAULT_COMPUTERS = frozenset(match_key(n) for n in ("laptop", "desktop", "máy tính xách tay", "máy tính bàn"))


class FairnessRule(StrEnum):
    none = "none"
    maxmin = "maxmin"
    leximin = "leximin"
    alpha = "alpha"


class FloorScope(StrEnum):
    overall = "overall"
    band = "band"


class Fairness(_Strict):
    """Equity rules across districts (see sim/fairness.py); every rule is off by default.

    ``district_floor``: each district covers at least this share of its eligible learners
    (``floor_scope: overall``) or of its learners in each band (``band``). ``rule``: how a band is
    shared across districts (``none`` leaves it to ``policy.within_band``). ``max_gap``: best minus
    worst district coverage rate. ``upper_secondary_computer_share``: share of covered grade 10-12
    learners given one of ``computer_devices`` (default: devices named laptop or desktop).
    """

    district_floor: float = Field(default=0.0, ge=0.0, le=1.0)
    floor_scope: FloorScope = FloorScope.overall
    rule: FairnessRule = FairnessRule.none
    alpha: float = Field(default=1.0, ge=0.0, le=5.0)  # beyond 5 use rule: maxmin or leximin
    max_gap: float | None = Field(default=None, ge=0.0, le=1.0)
    upper_secondary_computer_share: float = Field(default=0.0, ge=0.0, le=1.0)
    computer_devices: list[str] | None = None

    def computers(self, devices: dict) -> list[str]:
        """The scenario's devices that count as a laptop or desktop, in scenario order."""
        if self.computer_devices is not None:
            return [d for d in devices if d in self.computer_devices]
        return [d for d in devices if match_key(d) in DEFAULT_COMPUTERS]

    @property
    def active(self) -> bool:
        """True when some rule changes the plan (the metrics are reported either way)."""
        return bool(self.district_floor or self.rule is not FairnessRule.none or self.max_gap is not None
                    or self.upper_secondary_computer_share)


class Scenario(_Strict):
    """Everything one run needs besides the two tables it points to."""

    name: str = "scenario"
    description: str = ""
    sources: list[str] = Field(default_factory=list)
    areas: Path
    students: Path
    budget_vnd: Vnd = 0
    devices: dict[str, Device] = Field(default_factory=dict)
    data_package: DataPackage = Field(default_factory=DataPackage)
    earmarks: list[Earmark] = Field(default_factory=list)
    policy: Policy = Field(default_factory=Policy)
    solver: SolverName = SolverName.highs
    donations: DonationCounting = Field(default_factory=DonationCounting)
    fairness: Fairness | None = None  # None: no fairness rules and no fairness report
    source_file: Path | None = Field(default=None, exclude=True)

    @model_serializer(mode="wrap")
    def _without_absent_fairness(self, handler):
        # A scenario without a fairness section dumps (and hashes) exactly as before the section existed.
        data = handler(self)
        if self.fairness is None:
            data.pop("fairness", None)
        return data

    def with_changes(self, **changes: Any) -> "Scenario":
        """A validated copy with some settings changed: ``scenario.with_changes(budget_vnd=3e9)``."""
        data = self.model_dump(exclude={"source_file"})
        data.update(changes)
        changed = Scenario.model_validate(data)
        changed.source_file = self.source_file
        return changed

    def to_yaml(self) -> str:
        """The scenario as YAML that ``load_scenario`` reads back unchanged."""
        data = self.model_dump(mode="json", exclude={"source_file"})
        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


# ---------------------------------------------------------------- loading and checking

MAX_DEPTH = 40  # mappings and lists inside each other
MAX_NODES = 100_000  # values in a file, counting each use of an alias (&a ... *a) in full


class Refused(yaml.YAMLError):
    """YAML that reads but is refused: a key twice, too deep, aliases expanding too far, a tag
    whose value it cannot read. ``problem_mark`` is where (as PyYAML's own errors); ``{page}`` in
    ``expected`` stands for the manual's page that shows the file."""

    def __init__(self, problem: str, mark, expected: str, value: object = None, hint: str | None = None):
        super().__init__(problem)
        self.problem, self.problem_mark, self.expected, self.value, self.hint = problem, mark, expected, value, hint


class SafeLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses what a planning file never needs and what would make
    reading it hang or crash: a key given twice (YAML keeps the last one silently), nesting deeper
    than MAX_DEPTH, aliases expanding to more than MAX_NODES values ("billion laughs") or into
    themselves, and tagged values the tag cannot read (``!!float abc``)."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._size: dict[int, int] = {}  # id(node) -> values in it, aliases expanded

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            node = self.anchors.get(event.anchor)
            if node is not None and id(node) not in self._size:
                raise Refused(f"the alias *{one_line(event.anchor, 40)} is used inside its own anchor", event.start_mark,
                              "an alias used after the value it names is complete")
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise Refused(f"values nested more than {number(MAX_DEPTH)} deep", self.peek_event().start_mark,
                          "the layout of the examples in {page}")
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._size.get(id(k), 1) + self._size.get(id(v), 1) for k, v in node.value)
            self._no_duplicate_keys(node)
        elif isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._size.get(id(v), 1) for v in node.value)
        else:
            size = 1
        if size > MAX_NODES:
            raise Refused(f"more than {number(MAX_NODES)} values (aliases counted in full)", node.start_mark,
                          "a planning file: aliases (*name) used a few times, not nested in each other")
        self._size[id(node)] = size
        return node

    def _no_duplicate_keys(self, node: yaml.MappingNode) -> None:
        seen: dict[object, yaml.Node] = {}
        for key, _ in node.value:
            if not isinstance(key, yaml.ScalarNode) or key.tag == "tag:yaml.org,2002:merge":
                continue
            first = seen.setdefault((key.tag, key.value), key)
            if first is not key:
                raise Refused(f"the key '{one_line(key.value, 60)}' is given twice, in rows {number(first.start_mark.line + 1)} "
                              f"and {number(key.start_mark.line + 1)}", key.start_mark,
                              "each key once: delete one of the two (YAML would silently keep the last)")

    def construct_object(self, node, deep=False):
        try:
            return super().construct_object(node, deep)
        except (ValueError, TypeError, AttributeError, KeyError, IndexError, OverflowError) as exc:
            raise Refused(f"a value its tag {node.tag.replace('tag:yaml.org,2002:', '!!')} cannot read ({type(exc).__name__})",
                          node.start_mark, "a plain value without a tag, as in {page}",
                          node.value if isinstance(node, yaml.ScalarNode) else None) from None


def _compose(text: str):
    loader = SafeLoader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()

def key_lines(text: str) -> dict[tuple, int]:
    """Line number (1-based) of every mapping key and list item, by its path."""
    lines: dict[tuple, int] = {}

    def walk(node: yaml.Node, path: tuple) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                lines[path + (key.value,)] = key.start_mark.line + 1
                walk(value, path + (key.value,))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                lines[path + (i,)] = item.start_mark.line + 1
                walk(item, path + (i,))

    try:
        root = _compose(text)
    except (yaml.YAMLError, RecursionError):
        return lines
    if root is not None:
        walk(root, ())
    return lines


def _known_keys(model: type[BaseModel], path: tuple) -> list[str]:
    """Field names valid at ``path`` (which ends with the unknown key)."""
    current: Any = model
    keyed = False  # the previous part was a dict of models: this part is a free key (a device name)
    for part in path[:-1]:
        if isinstance(part, int) or keyed:
            keyed = False
            continue
        field = getattr(current, "model_fields", {}).get(part)
        if field is None:
            return []
        annotation = field.annotation
        args = getattr(annotation, "__args__", ())
        keyed = getattr(annotation, "__origin__", None) is dict
        current = next((c for c in [annotation, *args] if isinstance(c, type) and issubclass(c, BaseModel)), None)
    return [n for n, f in current.model_fields.items() if not f.exclude] if current else []


def _number(value: float) -> str:
    """A limit as messages write it, in the current language: ``1``, ``0,5``, ``1.000.000.000``."""
    return number(value, 0 if float(value).is_integer() else 2)


def _problems_from(error: ValidationError, file: Path, text: str) -> list[Problem]:
    lines = key_lines(text)
    problems = []
    for item in error.errors():
        path = tuple(p for p in item["loc"] if p not in ("function-after",))
        key = ".".join(str(p) for p in path)
        row = lines.get(path) or lines.get(path[:-1])
        if item["type"] == "extra_forbidden":
            guess = difflib.get_close_matches(str(path[-1]), _known_keys(Scenario, path), n=1)
            problems.append(Problem(str(file), f"unknown key '{path[-1]}'", row, key, None,
                                    "one of " + ", ".join(_known_keys(Scenario, path)),
                                    f"Did you mean '{guess[0]}'?" if guess else None))
        elif item["type"] in ("less_than_equal", "finite_number"):
            limit = (item.get("ctx") or {}).get("le")
            unit = "VND" if str(path[-1]).endswith("_vnd") else ""
            problems.append(Problem(str(file), "too large" if limit is not None else "not a finite number", row, key,
                                    item.get("input"), (f"at most {_number(limit)} {unit}".rstrip() if limit is not None else "a number"),
                                    "A typo? Check for extra zeros; write amounts as plain digits, not hex or 1e30"
                                    if limit is None or limit >= 1000 else None))  # a share (at most 1) has no zeros to check
        elif item["type"] == "missing":
            problems.append(Problem(str(file), f"key '{key}' is missing", row, key, None, "it to be given"))
        else:
            problems.append(Problem(str(file), validation_message(item), row, key, item.get("input"), None))
    return problems


# PyYAML's texts (the ``problem`` of a MarkedYAMLError) in plain words, and what to do; the
# catalogue has them in Vietnamese. The first pattern that matches is taken; a text none matches
# gives the last, generic one: the message still says where (line and column), never PyYAML's English.
YAML_PROBLEMS = [
    (r"found character '\\t' that cannot start any token", "a tab character",
     "Indent with spaces only: replace the tab with spaces"),
    (r"found character (?P<char>.+) that cannot start any token", "the character {char} cannot start a value",
     "Put the value in quotes"),
    (r"mapping values are not allowed here", "a colon (:) where none can be",
     "Put a value that holds ': ' in quotes, and start each key on its own line"),
    (r"could not find expected ':'", "a key without its colon (:)",
     "Write key: value, with a space after the colon; put a text of several lines in quotes"),
    (r"expected <block end>, but found .*", "the indentation does not match the lines above",
     "Indent the keys of one section by the same number of spaces, and each list item (- ) as the others"),
    (r"expected the node content, but found .*", "a value starts with a sign YAML reads as syntax",
     "Put the value in quotes"),
    (r"expected ',' or '\]', but got .*", "a list [ ] that is not closed, or whose items are not separated by commas",
     "Close the list with ] and separate its items with commas"),
    (r"expected ',' or '\}', but got .*", "a section in braces that is not closed, or whose entries are not separated by commas",
     "Close it with a closing brace and separate its entries with commas"),
    (r"expected '<document start>', but found .*", "something is left over after the content ends",
     "Remove the extra closing bracket or brace, or indent the line as the others"),
    (r"found undefined alias '(?P<name>.*)'", "the alias *{name} names no anchor",
     "Write the anchor (&name) on the value first, or write the value in full"),
    (r"second occurrence", "an anchor name (&) is given twice", "Give each anchor its own name"),
    (r"found unexpected end of stream", "a quote is opened and never closed", "Close the quote (\" or ')"),
    (r"found unknown escape character .*", "an unknown escape (\\) in a text in double quotes",
     "Write the text in single quotes, or a backslash as \\\\"),
    (r"(mapping keys|sequence entries|block sequence entries) are not allowed here", "a key or list item where none can be",
     "Indent the line as the others of its section"),
    (r"expected alphabetic or numeric character, but found .*", "an & or * without a name after it",
     "Put a value that starts with & or * in quotes"),
    (r"expected a comment or a line break, but found .*", "something follows a value where the line should end",
     "Put the value in quotes"),
    (r"could not determine a constructor for the tag .*|found undefined tag handle .*", "a tag (!) that cannot be read",
     "Remove the tag and write the value plainly"),
    (r"found unhashable key", "a key that is a list or a section", "Keys are plain words, such as budget_vnd"),
    (r"but found another document", "a second document (---) in the file",
     "Keep one document: remove the line --- and what follows it"),
    (r".*", "the file cannot be read at this place", "Compare the line with the examples"),
]
_YAML_PROBLEMS = [(re.compile(pattern, re.S), text, hint) for pattern, text, hint in YAML_PROBLEMS]
_WHERE_IT_STARTED = ("while scanning a simple key", "while parsing a flow", "while scanning a quoted",
                     "while scanning a double-quoted", "while scanning a single-quoted")


def _yaml_problem(path: Path, text: str, exc: yaml.YAMLError, page: str) -> Problem:
    """PyYAML's error as a Problem: the line and column (1-based, as an editor shows them), the
    problem in plain words (translated) and what to do."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    if str(getattr(exc, "context", "")).startswith(_WHERE_IT_STARTED) and exc.context_mark is not None:
        mark = exc.context_mark  # a key, list or quote never ended: where it starts, not where the file does
    line = column = None
    if mark is not None:
        line, column = mark.line + 1, mark.column + 1
    elif isinstance(exc, yaml.reader.ReaderError) and isinstance(exc.position, int):
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
    if isinstance(exc, yaml.reader.ReaderError):
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        return Problem(str(path), f"not valid YAML: a control character (U+{code:04X}) that a text file does not hold",
                       line, expected="text saved as UTF-8",
                       hint="Delete the character, or save the file again from a text editor", position=column)
    problem = str(getattr(exc, "problem", None) or "")
    for pattern, plain, hint in _YAML_PROBLEMS:
        found = pattern.fullmatch(problem)
        if found:
            fields = {k: one_line(v, 20) for k, v in found.groupdict().items()}
            return Problem(str(path), "not valid YAML: " + plain.format(**fields), line,
                           expected=f"the layout of the examples in {manual_page(page)}", hint=hint, position=column)
    raise AssertionError("the last pattern matches every text")  # pragma: no cover


def read_yaml(path: Path, what: str, page: str | None = None) -> tuple[Any, str]:
    """The parsed YAML file and its text (BOM removed); a missing file or bad YAML is an InputError.

    ``page``: the manual's page that shows the file (``errors.MANUAL_PAGES``), which messages point to;
    by default the sweeps page for a sweep file, else the inputs page."""
    page = page or ("sweeps" if "sweep" in what else "inputs")
    if not path.is_file():
        raise InputError([Problem(str(path), "file not found", expected=f"an existing {what}")])
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = exc.object[:exc.start].count(b"\n") + 1
        raise InputError([Problem(str(path), "not UTF-8 text", row=line, value=exc.object[exc.start:exc.start + 4],
                                  expected="a YAML file saved as UTF-8")]) from None
    try:
        return yaml.load(text, Loader=SafeLoader), text
    except Refused as exc:
        mark = exc.problem_mark
        raise InputError([Problem(str(path), exc.problem, row=mark.line + 1 if mark else None, value=exc.value,
                                  expected=exc.expected.replace("{page}", manual_page(page)), hint=exc.hint,
                                  position=mark.column + 1 if mark else None)]) from None
    except yaml.YAMLError as exc:
        raise InputError([_yaml_problem(path, text, exc, page)]) from None
    except RecursionError:
        raise InputError([Problem(str(path), "values nested too deep to read",
                                  expected=f"the layout of the examples in {manual_page(page)}")]) from None


def load_scenario(path: str | Path) -> Scenario:
    """Read a scenario YAML file; table paths become absolute, relative to the file."""
    path = Path(path)
    data, text = read_yaml(path, "scenario YAML file")
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), "not a YAML mapping", expected="keys such as name, areas, students, budget_vnd")])
    data.setdefault("name", path.stem)
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(_problems_from(exc, path, text)) from None
    scenario.source_file = path.resolve()
    for key in ("areas", "students"):
        value = getattr(scenario, key)
        if not value.is_absolute():
            setattr(scenario, key, (path.parent / value).resolve())
    return scenario


def check_satisfiable(scenario: Scenario, area_index) -> None:
    """Amounts that cannot be negative, grade ranges that are not empty, earmarks that exist.

    Raises ScenarioError (exit code 3) listing every such problem.
    """
    file = str(scenario.source_file or scenario.name)
    lines = key_lines(scenario.source_file.read_text(encoding="utf-8-sig")) if scenario.source_file else {}
    problems: list[Problem] = []

    def need(ok: bool, path: tuple, message: str, value: object, expected: str, hint: str | None = None) -> None:
        if not ok:
            problems.append(Problem(file, message, lines.get(path), ".".join(map(str, path)), value, expected, hint))

    need(scenario.budget_vnd >= 0, ("budget_vnd",), "the budget is negative", scenario.budget_vnd, "an amount ≥ 0 VND")
    for name, device in scenario.devices.items():
        need(device.unit_cost_vnd >= 0, ("devices", name, "unit_cost_vnd"), "a negative price", device.unit_cost_vnd, "a price ≥ 0 VND")
        need(device.in_stock >= 0, ("devices", name, "in_stock"), "a negative stock", device.in_stock, "a count ≥ 0")
        lo, hi = device.grade_range()
        need(1 <= lo <= hi, ("devices", name, "grades"), "an empty grade range", list(device.grades),
             "[lowest, highest] with 1 ≤ lowest ≤ highest (higher education counts as above 12)")
    package = scenario.data_package
    need(package.monthly_cost_vnd >= 0, ("data_package", "monthly_cost_vnd"), "a negative price", package.monthly_cost_vnd, "a price ≥ 0 VND")
    need(package.months >= 1, ("data_package", "months"), "no months of data", package.months, "at least 1 month")
    need(package.in_stock >= 0, ("data_package", "in_stock"), "a negative stock", package.in_stock, "a count ≥ 0")
    need(bool(scenario.devices), ("devices",), "no devices", None, "at least one device with a price, e.g. tablet")
    need("data_package" not in scenario.devices, ("devices", "data_package"), "a device may not be called data_package",
         "data_package", "another name; data is priced under the data_package key")
    for i, mark in enumerate(scenario.earmarks):
        need(mark.district is not None or mark.band is not None, ("earmarks", i), "an earmark that names neither a district nor a band",
             None, "district: (a name or code from " + Path(scenario.areas).name + "), band: (1 to 5), or both")
        if mark.district is not None:
            known = area_index.find(mark.district) is not None  # the suggestion (slow: every name) only when unknown
            need(known, ("earmarks", i, "district"),
                 "the earmark names a district that is not in the areas file", mark.district,
                 "a name or code from " + Path(scenario.areas).name, None if known else area_index.suggestion(mark.district))
        if mark.band is not None:
            need(mark.band in BANDS, ("earmarks", i, "band"), "not a priority band", mark.band, "a band from 1 to 5")
        need(mark.budget_vnd >= 0, ("earmarks", i, "budget_vnd"), "a negative earmark", mark.budget_vnd, "an amount ≥ 0 VND")
        need(mark.data_packages >= 0, ("earmarks", i, "data_packages"), "a negative stock", mark.data_packages, "a count ≥ 0")
        for device, count in mark.devices.items():
            need(device in scenario.devices, ("earmarks", i, "devices", device), "an earmark for a device the scenario does not price",
                 device, "one of " + ", ".join(scenario.devices), None)
            need(count >= 0, ("earmarks", i, "devices", device), "a negative stock", count, "a count ≥ 0")
    weights = scenario.policy.weights
    need(all(w > 0 for w in weights.values()), ("policy", "weights"), "a band weight that is not positive", weights, "weights > 0")
    if scenario.fairness is not None:
        _check_fairness(scenario, need)
    if problems:
        raise ScenarioError(problems)


def _check_fairness(scenario: Scenario, need) -> None:
    """Computer devices that exist, and one that suits grades 10-12 when a computer share is asked."""
    fair = scenario.fairness
    for i, name in enumerate(fair.computer_devices or []):
        need(name in scenario.devices, ("fairness", "computer_devices", i), "a computer device the scenario does not price",
             name, "one of " + ", ".join(scenario.devices), did_you_mean(name, list(scenario.devices)))
    if fair.upper_secondary_computer_share > 0:
        suits = [d for d in fair.computers(scenario.devices) if any(scenario.devices[d].suits(g) for g in (10, 11, 12))]
        need(bool(suits), ("fairness", "upper_secondary_computer_share"),
             "a computer share for grades 10-12, but no laptop or desktop that suits those grades", fair.upper_secondary_computer_share,
             "a device named laptop or desktop (or listed in fairness.computer_devices) whose grades include 10-12")
