"""Read school rosters (CSV or XLSX), check every row, and decide each learner's outcome.

Every row ends in exactly one outcome, and every row that is not ``eligible`` says why:

- ``invalid``: a value breaks the format (unknown district, status typo, bad date, ...);
- ``held_for_review``: the learner seems to be listed twice (same pupil id, or same name, date
  of birth and school); double listing was a known way devices reached the wrong hands, so no
  copy is planned until the roster is fixed;
- ``not_eligible``: has a computer, or is neither poor / near-poor nor a Covid-19 orphan;
- ``eligible``: planned under its status and band.

Messages name the file, row and column, and show the value only for columns that do not
identify a child (``schema.PERSONAL`` values are never echoed) and only when the value has the
form its column expects (``sim.roster.shown``: a shifted row may put a name or a certificate
number in the grade column): the row number is enough to find the line in the school's file.
Every cell is cleaned first (``values.clean_text``: NFC, no invisible format characters, one
space for any run of white space), so a zero-width space cannot make one child two learners.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from sim.locale import gettext, number, translate_error
from sim.read.errors import InputError, Problem, Problems, manual_page
from sim.read.names import match_key, nearest
from sim.core.rules import GRADE_LABELS
from sim.read.tables import AreaIndex, read_raw
from sim.roster.eligibility import eligibility
from sim.roster.pseudonym import PseudonymKey
from sim.roster.schema import BY_NAME, HEADER_ALIASES, PERSONAL, ROSTER, header_key
from sim.roster.shown import HIDDEN, looks_like_a_name, shown
from sim.read.values import FLAG, HOUSEHOLD
from sim.roster.values import (EARLIEST_BIRTH, cached_key, clean_text, id_key, parse_date, parse_flag,
                               parse_grade, parse_household, phone_digits)

ELIGIBLE, NOT_ELIGIBLE, INVALID, REVIEW = "eligible", "not_eligible", "invalid", "held_for_review"
OUTCOMES = (ELIGIBLE, NOT_ELIGIBLE, REVIEW, INVALID)
ERROR, WARNING = "error", "warning"  # issue kinds besides the outcomes NOT_ELIGIBLE and REVIEW
KIND_LABELS = {ERROR: "error", REVIEW: "held for review", NOT_ELIGIBLE: "not eligible", WARNING: "check"}
_ROW = re.compile(r"(\S\.\w+ )row (\d+)")  # a file's row named in a message ("as roster.csv row 105")

LEARNER_COLUMNS = [
    "file", "row", "pupil_id", "id_key", "full_name", "name_key", "date_of_birth", "school", "school_key",
    "district", "area", "grade", "class_name", "household", "certificate_no", "covid_orphan", "has_computer", "has_internet",
    "phone", "notes", "guardian_consent", "child_consent", "status", "band", "outcome", "reason",
]


@dataclass(frozen=True)
class RowIssue:
    """One thing to fix or check in one roster row. ``value`` is None for personal columns."""

    file: str
    row: int
    kind: str  # error | held_for_review | not_eligible | warning
    column: str | None
    message: str
    value: object = None
    expected: str | None = None
    hint: str | None = None

    def said(self) -> str:
        """The message in the current language (``sim.locale``), the rows it names too."""
        text, hidden = self.message, ""
        if text.endswith(" " + HIDDEN):  # the message, then "(value hidden …)": each translated on its own
            text, hidden = text[:-len(HIDDEN) - 1], " " + translate_error(HIDDEN)
        message = translate_error(text)
        if message != text:  # "… as roster.csv row 105": the row too
            message = _ROW.sub(lambda m: m.group(1) + gettext("error_row").format(row=m.group(2)), message)
        return message + hidden

    def problem(self) -> Problem:
        """The issue as a Problem, its kind and message in the current language (``sim.locale``); the
        column with its Vietnamese header (``cột 'district' (Quận/Huyện)``)."""
        return Problem(self.file, f"{translate_error(KIND_LABELS[self.kind])}: {self.said()}", self.row, self.column,
                       self.value, self.expected, self.hint, _HEADERS.get(self.column))

    def __str__(self) -> str:
        return str(self.problem())


class _Row:
    """Collects the issues of one row; personal values are dropped from messages here, once."""

    def __init__(self, file: Path, row: int, issues: list[RowIssue], personal: list[str] = (), areas: list[str] = ()):
        self.file, self.row, self.issues = file, row, issues
        self.personal, self.areas = personal, areas

    def add(self, kind: str, column: str | None, message: str, value: object = None,
            expected: str | None = None, hint: str | None = None) -> None:
        if value is not None and not shown(column, value, self.personal, self.areas):
            if column not in PERSONAL:
                message = f"{message} {HIDDEN}"
            value = None
        self.issues.append(RowIssue(self.file.name, self.row, kind, column, message, value, expected, hint))


_HEADERS = {c.name: c.header for c in ROSTER}  # each column's Vietnamese header, which messages show after its name


def _header_shown(header: str) -> str:
    """A header as messages show it: a header row that is really a learner's row is not echoed."""
    personal = looks_like_a_name(header) or len(re.findall(r"\d", header)) >= 5 or re.search(r"\d{1,4}[/.-]\d{1,2}[/.-]\d", header)
    return HIDDEN if personal else header


def _columns(table, path: Path, issues: list[RowIssue]) -> dict[str, str]:
    """Roster column -> the header the file uses for it. Missing required columns are an InputError."""
    found: dict[str, str] = {}
    unknown = []
    for header in table.header:
        name = HEADER_ALIASES.get(header_key(header))
        if name is None:
            if header and _header_shown(header) != HIDDEN:
                unknown.append(header)
            elif header:
                unknown.append(None)  # counted, never shown
            continue
        if name in found:
            raise InputError([Problem(str(path), "two columns mean the same thing", 1, header, None,
                                      "each roster column once", f"'{found[name]}' is also read as {name}", _HEADERS.get(header))])
        found[name] = header
    missing = [c for c in ROSTER if c.required and c.name not in found]
    if missing:
        problems = Problems(path, _HEADERS)
        for column in missing:
            shown_headers = [h for h in unknown if h]
            guess = nearest(column.header, shown_headers) if shown_headers else None
            problems.add("this column is missing from the header", 1, column.name, None,
                         f"a column '{column.header}' (or '{column.name}')",
                         f"Is '{guess}' meant to be '{column.header}'?" if guess else None)
        problems.raise_if_any()
    for header in unknown:
        issues.append(RowIssue(path.name, 1, WARNING, header or HIDDEN,
                               "this column is not part of the roster format and is ignored",
                               None, f"the columns of the template (see {manual_page('rosters')})"))
    return found


def _flag(check: _Row, cells: dict[str, str], name: str, blank: bool | None) -> bool | None:
    text = cells.get(name, "")
    if not text and blank is not None:
        return blank
    value = parse_flag(text)
    if value is None:
        check.add(ERROR, name, FLAG.problem if text else "no answer", text, BY_NAME[name].accepted)
    return value


def _read_rows(path: Path, index: AreaIndex, today: dt.date, issues: list[RowIssue],
               require_consent: bool = False) -> list[dict]:
    from sim.roster.consent import consent_reason
    from sim.roster.pupil_id import pupil_id_problems

    table = read_raw(path, overfull_rows=True)
    columns = _columns(table, path, issues)
    find_area = functools.lru_cache(maxsize=1024)(index.find)
    records = []
    for row, raw in table.rows:
        cells = {name: clean_text(raw.get(header, "")) for name, header in columns.items()}
        before = len(issues)
        check = _Row(path, row, issues, [cells.get(c, "") for c in sorted(PERSONAL)], index.names)
        if row in table.overfull:  # the cells cannot be trusted to sit in their columns: no value is shown
            check.add(ERROR, None, f"{number(len(table.header) + table.overfull[row])} cells in the row but "
                      f"{number(len(table.header))} columns in the header", expected="one cell per column",
                      hint="A comma inside a name or a note? Put the value in quotes, or save the file from Excel")
        pupil_id, name = cells["pupil_id"], " ".join(cells["full_name"].split())
        if not pupil_id:
            check.add(ERROR, "pupil_id", "pupil_id is empty", expected="the learner's id (mã định danh)")
        if not name:
            check.add(ERROR, "full_name", "full_name is empty", expected="the learner's full name")
        born = parse_date(cells["date_of_birth"], today)
        if born is None:
            check.add(ERROR, "date_of_birth", "not a date of birth" if cells["date_of_birth"] else "date_of_birth is empty",
                      expected=f"a date from {EARLIEST_BIRTH.year} to today, as dd/mm/yyyy (day first) or yyyy-mm-dd")
        school = " ".join(cells["school"].split())
        if not school:
            check.add(ERROR, "school", "school is empty", expected="the name of the learner's school")
        area = find_area(cells["district"])
        if area is None:
            check.add(ERROR, "district", "unknown district", cells["district"], "a name or code from the areas file",
                      index.suggestion(cells["district"]))
        grade = parse_grade(cells["grade"])
        if grade is None:
            check.add(ERROR, "grade", "unknown grade", cells["grade"], "1 to 12, a class such as 9A1, or " + GRADE_LABELS[-1])
        household = parse_household(cells["household"])
        if household is None:
            check.add(ERROR, "household", HOUSEHOLD.problem, cells["household"], BY_NAME["household"].accepted,
                      HOUSEHOLD.suggestion(cells["household"]))
        orphan = _flag(check, cells, "covid_orphan", blank=False)
        has_computer = _flag(check, cells, "has_computer", blank=None)
        has_internet = _flag(check, cells, "has_internet", blank=None)
        phone = cells.get("phone", "")
        if phone and phone_digits(phone) is None:
            check.add(WARNING, "phone", "not a phone number", expected="9 to 11 digits, e.g. 0912345678")
        certificate = cells.get("certificate_no", "")
        if household and not certificate:
            check.add(WARNING, "certificate_no", f"no certificate number for a {household.replace('_', '-')} household",
                      expected="the number of the household's certificate, to be verified by the commune")
        for problem in pupil_id_problems(pupil_id, born):
            check.add(WARNING, "pupil_id", f"pupil id: {problem}", expected="the 12-digit personal identification number")
        guardian = _flag(check, cells, "guardian_consent", blank=None) if cells.get("guardian_consent") else None
        child = _flag(check, cells, "child_consent", blank=None) if cells.get("child_consent") else None
        status = band = None
        reason = ""
        held = ""
        valid = not any(i.kind == ERROR for i in issues[before:])
        if valid:
            rule = eligibility(household, orphan, has_computer, grade)
            status, band, reason = rule.status, rule.band, rule.reason
            if reason:
                check.add(NOT_ELIGIBLE, "has_computer" if has_computer else "household", reason)
            else:
                held = consent_reason(guardian, child, born, today, require=require_consent)
                if held:
                    check.add(REVIEW, "guardian_consent" if "guardian" in held else "child_consent", held,
                              expected="the consents the plan requires", hint="Ask for the consent, then run again")
        else:
            reason = "; ".join(f"{i.column}: {i.message}" for i in issues[before:] if i.kind == ERROR)
        records.append({
            "file": path.name, "row": row, "pupil_id": pupil_id, "id_key": id_key(pupil_id), "full_name": name,
            "name_key": match_key(name), "date_of_birth": born, "school": school,
            "school_key": f"{area or cached_key(cells['district'])}|{cached_key(school)}",
            "district": index.name_of.get(area, cells["district"]), "area": area, "grade": grade, "class_name": cells["grade"],
            "household": household, "certificate_no": certificate, "covid_orphan": orphan,
            "has_computer": has_computer, "has_internet": has_internet, "phone": phone_digits(phone) or phone,
            "notes": cells.get("notes", ""), "guardian_consent": guardian, "child_consent": child,
            "status": status, "band": band,
            "outcome": ((REVIEW if held else ELIGIBLE) if not reason else NOT_ELIGIBLE) if valid else INVALID,
            "reason": reason or held,
        })
    return records


def _flag_duplicates(records: list[dict], issues: list[RowIssue]) -> None:
    """Same pupil id, or same name + date of birth + school: every copy is held for review.

    Same name and date of birth in another school is only a warning (namesakes exist).
    """
    def where(r: dict) -> str:
        return f"{r['file']} row {r['row']}"

    def group(key) -> dict:
        groups: dict = {}
        for i, r in enumerate(records):
            k = key(r)
            if k is not None:
                groups.setdefault(k, []).append(i)
        return {k: v for k, v in groups.items() if len(v) > 1}

    by_id = group(lambda r: r["id_key"] or None)
    by_person = group(lambda r: (r["name_key"], r["date_of_birth"], r["school_key"])
                      if r["name_key"] and r["date_of_birth"] else None)
    by_name_birth = group(lambda r: (r["name_key"], r["date_of_birth"]) if r["name_key"] and r["date_of_birth"] else None)
    held: set[int] = set()
    for groups, column, why in ((by_id, "pupil_id", "the same pupil_id"),
                                (by_person, "full_name", "the same name, date of birth and school")):
        for members in groups.values():
            for i in members:
                others = ", ".join(where(records[j]) for j in members if j != i)
                r = records[i]
                issues.append(RowIssue(r["file"], r["row"], REVIEW, column, f"listed twice: {why} as {others}", None,
                                       "each learner once", "Keep one row and remove the others, then run again"))
                held.add(i)
    for members in by_name_birth.values():
        for i in members:
            if i in held or len({records[j]["school_key"] for j in members}) == 1:
                continue
            others = ", ".join(where(records[j]) for j in members if j != i and records[j]["school_key"] != records[i]["school_key"])
            r = records[i]
            issues.append(RowIssue(r["file"], r["row"], WARNING, "full_name",
                                   f"same name and date of birth as {others}, in another school", None,
                                   "each learner once", "Check that this is not the same child listed by two schools"))
    for i in held:
        if records[i]["outcome"] != INVALID:
            records[i]["outcome"] = REVIEW
            records[i]["reason"] = "listed twice"


@dataclass
class Roster:
    """Learners read from one or more rosters, each row with its outcome, and the issues found.

    ``learners`` holds personal data (names, dates of birth, phones): only the delivery lists
    show it. ``repr``, ``counts`` and ``report`` are safe to show and share.
    """

    files: list[Path]
    areas: pd.DataFrame
    learners: pd.DataFrame
    issues: list[RowIssue]

    def __repr__(self) -> str:
        counts = ", ".join(f"{n:,} {o.replace('_', ' ')}" for o, n in self.counts().items())
        return f"<Roster: {len(self.learners):,} rows from {len(self.files)} file(s): {counts}>"

    def counts(self) -> dict[str, int]:
        """Rows per outcome."""
        found = self.learners["outcome"].value_counts()
        return {o: int(found.get(o, 0)) for o in OUTCOMES}

    @property
    def eligible(self) -> pd.DataFrame:
        return self.learners[self.learners["outcome"] == ELIGIBLE]

    def errors(self) -> list[RowIssue]:
        return [i for i in self.issues if i.kind == ERROR]

    def raise_if_invalid(self) -> None:
        """InputError (exit 2) listing every row whose values break the format."""
        errors = self.errors()
        if errors:
            rows = len({(i.file, i.row) for i in errors})
            first = Problem(", ".join(p.name for p in self.files), f"{rows} row{'s' if rows > 1 else ''} with bad values",
                            expected="every row fixed (listed below)",
                            hint="Or plan without them: --skip-invalid (skip_invalid=True in Python)")
            raise InputError([first, *(i.problem() for i in errors)])

    def reasons(self) -> pd.DataFrame:
        """Rows per outcome and reason: what the check report starts with."""
        table = self.learners.assign(reason=self.learners["reason"].where(self.learners["outcome"] != INVALID, "bad values"))
        table = table.groupby(["outcome", "reason"], sort=False).size().rename("rows").reset_index()
        order = {o: i for i, o in enumerate(OUTCOMES)}
        return table.sort_values(["outcome", "rows"], key=lambda c: c.map(order) if c.name == "outcome" else -c,
                                 ignore_index=True)

    def report(self, key: PseudonymKey | None = None) -> pd.DataFrame:
        """Every issue, one row each, with no personal value: shareable.

        Columns and kinds are the file format's (``kind`` is ``error``, ``warning`` …); the message,
        the value expected and the hint are for the school that reads it, in the current language
        (Vietnamese unless ``SIM_LANG=en``). With a ``key``, each row also carries the learner's
        pseudonym (never the pupil id).
        """
        columns = ["file", "row", "kind", "column", "message", "value", "expected", "hint"]
        table = pd.DataFrame([[i.file, i.row, i.kind, i.column, i.said(), i.value, translate_error(i.expected),
                               translate_error(i.hint)] for i in self.issues], columns=columns)
        table = table.sort_values(["file", "row"], kind="stable", ignore_index=True)
        if key is not None:
            ids = {(f, r): p for f, r, p in zip(self.learners["file"], self.learners["row"], self.learners["pupil_id"])}
            table.insert(2, "pseudonym", [key.pseudonym(ids[f, r]) if ids.get((f, r)) else ""
                                          for f, r in zip(table["file"], table["row"])])
        return table


def read_roster(paths: str | Path | list[str | Path], areas: pd.DataFrame, *, today: dt.date | None = None,
                require_consent: bool = False) -> Roster:
    """Read and check one or more rosters against the areas table (``sim.tables.read_areas``).

    A file that cannot be read or lacks a required column raises InputError; problems in rows
    do not: they are in ``issues`` and decide each row's ``outcome``.
    """
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    names = [p.name for p in paths]
    if len(set(names)) < len(names):
        raise InputError([Problem(str(p), "two rosters have the same file name", expected="distinct file names, "
                                  "so that messages can say which file a row is in") for p in paths if names.count(p.name) > 1])
    index = AreaIndex(areas)
    issues: list[RowIssue] = []
    records: list[dict] = []
    for path in paths:
        records += _read_rows(path, index, today or dt.date.today(), issues, require_consent)
    _flag_duplicates(records, issues)
    learners = pd.DataFrame.from_records(records, columns=LEARNER_COLUMNS)
    order = {k: i for i, k in enumerate(["file", *(c.name for c in ROSTER)])}
    issues.sort(key=lambda i: (names.index(i.file), i.row, order.get(i.column, len(order))))
    return Roster(paths, areas, learners, issues)
