"""Errors the analyst sees: each names where the problem is and what is expected.

``InputError`` (CLI exit 2) is a file that cannot be read as the contract says.
``ScenarioError`` (CLI exit 3) is a scenario that reads fine but cannot be satisfied.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


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

    def __str__(self) -> str:
        where = [Path(self.file).name if self.file else "input"]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column '{self.column}'")
        text = ", ".join(where) + ": " + self.message
        if self.value is not None:
            text += f" (found {self.value!r})"
        if self.expected:
            text += f"; expected {self.expected}"
        if self.hint:
            text += f". {self.hint}"
        return text


@dataclass
class _PlannerError(Exception):
    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(str(self))

    def __str__(self) -> str:
        shown = [str(p) for p in self.problems[:20]]
        if len(self.problems) > 20:
            shown.append(f"... and {len(self.problems) - 20} more problems")
        return "\n".join(shown)


class InputError(_PlannerError):
    """A file does not follow the documented format (exit code 2)."""


class ScenarioError(_PlannerError):
    """The scenario is readable but cannot be satisfied as written (exit code 3)."""


def input_error(file: str | Path, message: str, **where: object) -> InputError:
    return InputError([Problem(str(file), message, **where)])  # type: ignore[arg-type]


def scenario_error(file: str | Path, message: str, **where: object) -> ScenarioError:
    return ScenarioError([Problem(str(file), message, **where)])  # type: ignore[arg-type]
