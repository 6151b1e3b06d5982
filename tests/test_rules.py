"""The plan's rules file (sim/core/plan_rules.yaml) agrees with the plan's documented table.

The table below is written out by hand from Long An's plan (People's Committee, June 2023;
provincial news item of 23 June 2023) and the reading documented in sim/core/rules.py:
1 poor 9-12 + near-poor 12; 2 poor other grades; 3 near-poor 9-11; 4 near-poor other grades;
5 Covid-19 orphans, any grade.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import pytest
import yaml

from sim.core import rules
from sim.core.rules import (BAND_LABELS, BAND_LABELS_VI, BANDS, DEFAULT_WEIGHTS, EXAM_GRADES, GRADE_LABELS, HIGHER,
                            HIGHER_LEVEL, PLAN, STATUS_LABELS, STATUSES, band_of, grade_label, grade_level)

ROOT = Path(__file__).resolve().parents[1]
RULES_FILE = ROOT / "sim" / "core" / "plan_rules.yaml"
OTHER = [1, 2, 3, 4, 5, 6, 7, 8, 13]  # grades 1-8 and higher education
DOCUMENTED = {
    **{("poor", g): 1 for g in (9, 10, 11, 12)}, ("near_poor", 12): 1,
    **{("poor", g): 2 for g in OTHER},
    **{("near_poor", g): 3 for g in (9, 10, 11)},
    **{("near_poor", g): 4 for g in OTHER},
    **{("covid_orphan", g): 5 for g in range(1, 14)},
}


@pytest.mark.parametrize(("status", "level"), sorted(DOCUMENTED))
def test_band_of_every_status_and_grade_is_the_documented_band(status, level):
    assert band_of(status, level) == DOCUMENTED[status, level]


def test_the_table_covers_every_status_and_grade_once():
    assert sorted(DOCUMENTED) == sorted((s, g) for s in STATUSES for g in range(1, 14))
    assert dict(rules.BAND_OF) == DOCUMENTED


def test_names_and_labels_as_before_the_rules_were_data():
    assert STATUSES == ("poor", "near_poor", "covid_orphan") and BANDS == (1, 2, 3, 4, 5)
    assert (HIGHER, HIGHER_LEVEL, list(EXAM_GRADES)) == ("higher", 13, [9, 10, 11, 12])
    assert GRADE_LABELS == tuple(str(g) for g in range(1, 13)) + ("higher",)
    assert [grade_level(label) for label in GRADE_LABELS] == list(range(1, 14))
    assert [grade_label(level) for level in range(1, 14)] == list(GRADE_LABELS)
    assert BAND_LABELS == {1: "poor grades 9-12, near-poor grade 12", 2: "poor, other grades", 3: "near-poor grades 9-11",
                           4: "near-poor, other grades", 5: "Covid-19 orphans"}
    assert BAND_LABELS_VI == {1: "hộ nghèo lớp 9–12, hộ cận nghèo lớp 12", 2: "hộ nghèo, các lớp khác",
                              3: "hộ cận nghèo lớp 9–11", 4: "hộ cận nghèo, các lớp khác", 5: "mồ côi do Covid-19"}
    assert STATUS_LABELS == {"poor": {"vi": "hộ nghèo", "en": "poor"}, "near_poor": {"vi": "hộ cận nghèo", "en": "near-poor"},
                             "covid_orphan": {"vi": "mồ côi do Covid-19", "en": "Covid-19 orphan"}}
    assert DEFAULT_WEIGHTS == {1: 100.0, 2: 50.0, 3: 25.0, 4: 12.5, 5: 6.25}
    text = RULES_FILE.read_text(encoding="utf-8")
    assert unicodedata.normalize("NFC", text) == text


def test_the_file_cites_the_plan_and_its_tiers():
    assert "Long An" in PLAN["en"] and "Sóng và máy tính cho em" in PLAN["vi"] and "June 2023" in PLAN["en"]
    assert PLAN["published"] == "2023-06-23" and "23 June 2023" in PLAN["source"]
    assert sorted(PLAN["tiers"]) == [1, 2, 3] and "grade 12" in PLAN["tiers"][1]
    assert rules.BAND_TIERS == {1: 1, 2: 1, 3: 2, 4: 2, 5: 3}


def test_the_scenario_defaults_to_the_files_weights():
    from sim.read.scenario import DEFAULT_WEIGHTS as SCENARIO_WEIGHTS

    assert SCENARIO_WEIGHTS == DEFAULT_WEIGHTS


def test_unknown_status_or_grade_is_an_error():
    with pytest.raises(ValueError, match="unknown status"):
        band_of("rich", 9)
    with pytest.raises(ValueError, match="unknown grade level"):
        band_of("poor", 14)


@pytest.mark.parametrize(("change", "message"), [
    (lambda bands: bands[2]["grades"]["poor"].append(9), "poor grade 9 is in bands 1 and 2"),
    (lambda bands: bands[4]["grades"]["near_poor"].remove("higher"), "no band for near_poor grade higher"),
    (lambda bands: bands[5]["grades"].update(orphan="any"), "unknown status 'orphan'"),
])
def test_a_file_that_does_not_give_each_learner_one_band_is_refused(change, message):
    bands = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))["bands"]
    change(bands)
    with pytest.raises(ValueError, match=message):
        rules._band_table(bands)
