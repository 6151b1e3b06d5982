"""The synthetic roster: seeded, realistic, and its deliberate mistakes are exactly what the check finds."""

from __future__ import annotations

import subprocess
import sys

from sim.roster import read_roster, roster_file_bytes, synthetic_roster
from sim.roster.synthetic import FAMILY, GIVEN, MIDDLE
from sim.read.tables import read_areas, read_students
from tests.conftest import ROOT

LONGAN = ROOT / "data" / "longan"
AREAS = read_areas(LONGAN / "areas.csv")
STUDENTS = read_students(LONGAN / "students.csv", AREAS)


def test_the_committed_sample_is_what_the_script_writes(tmp_path):
    done = subprocess.run([sys.executable, str(ROOT / "data" / "roster" / "make_roster.py"), "--out", str(tmp_path / "s.csv")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "s.csv").read_bytes() == (ROOT / "data" / "roster" / "sample_roster.csv").read_bytes()


def test_the_same_seed_gives_the_same_roster_and_another_seed_another():
    one, two = (synthetic_roster(AREAS, STUDENTS, 300, seed=1) for _ in range(2))
    assert roster_file_bytes(one) == roster_file_bytes(two)
    assert roster_file_bytes(synthetic_roster(AREAS, STUDENTS, 300, seed=2)) != roster_file_bytes(one)


def test_names_are_family_middle_and_given_names():
    roster = synthetic_roster(AREAS, STUDENTS, 500, seed=3, mistakes=False)
    middles = set(MIDDLE["male"] + MIDDLE["female"])
    for name in roster["full_name"]:
        words = name.split()
        assert 3 <= len(words) <= 4 and words[0] in FAMILY and words[-1] in GIVEN["male"] + GIVEN["female"]
        assert set(words[1:-1]) <= middles
    assert roster["full_name"].str.startswith("Nguyễn ").mean() > 0.2


def test_every_deliberate_mistake_is_found_and_nothing_else_is_an_error(tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(roster_file_bytes(synthetic_roster(AREAS, STUDENTS, 800, seed=4), xlsx=True))
    roster = read_roster(path, AREAS)
    errors = sorted((i.column, i.value) for i in roster.issues if i.kind == "error")
    assert errors == [("date_of_birth", None), ("district", "Duc Hue"), ("has_internet", "có lẽ"),
                      ("household", "cận ngheo"), ("household", "pooor")]
    held = roster.learners[roster.learners["outcome"] == "held_for_review"]
    assert len(held) == 4 and held["id_key"].nunique() == 3  # a copied row, and one child under two ids
    clean = read_roster(_write(tmp_path / "clean.csv", synthetic_roster(AREAS, STUDENTS, 800, seed=4, mistakes=False)), AREAS)
    assert clean.counts()["invalid"] == clean.counts()["held_for_review"] == 0
    assert clean.counts()["not_eligible"] > 0


def _write(path, roster):
    path.write_bytes(roster_file_bytes(roster))
    return path
