"""The input tables' columns as data: the reader, its error messages and the README use this."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    name: str
    kind: str  # text | integer | number | grade | status | area
    required: bool  # must a value be given in every row?
    description: str
    unit: str = ""


AREAS = (
    Column("code", "text", True, "unique code of the area (GSO code for a district)"),
    Column("name", "text", True, "Vietnamese name, as the students file and scenarios spell it"),
    Column("type", "text", False, "kind of unit, e.g. Huyện, Thị xã, Thành phố, Xã, Phường"),
    Column("population", "integer", False, "population (for maps and context only)", "people"),
    Column("lat", "number", False, "latitude of the area's centre (for maps)", "degrees"),
    Column("lon", "number", False, "longitude of the area's centre (for maps)", "degrees"),
)

STUDENTS = (
    Column("district", "area", True, "name or code of an area in the areas file"),
    Column("grade", "grade", True, "1-12, or `higher` for college and university students"),
    Column("status", "status", True, "poor, near_poor or covid_orphan (highest priority the learner qualifies for)"),
    Column("pupils", "integer", True, "eligible learners with no computer", "learners"),
    Column("without_internet", "integer", True, "how many of those have no internet at home (0 to pupils)", "learners"),
)


def column_names(columns: tuple[Column, ...]) -> list[str]:
    return [c.name for c in columns]
