"""Children's data: consent columns, the pupil id's form, and what shareable reports show."""

from __future__ import annotations

import datetime as dt

from roster_cases import AREAS_FRAME, learner, write_roster

from sim.roster.read import read_roster

TODAY = dt.date(2026, 11, 30)


def read(tmp_path, rows, **options):
    return read_roster(write_roster(tmp_path / "roster.csv", rows), AREAS_FRAME, today=TODAY, **options)


def test_a_refusal_holds_the_learner_and_the_reason_is_counted(tmp_path):
    roster = read(tmp_path, [learner("1"), learner("2", guardian_consent="không"), learner("3", child_consent="không")])
    assert list(roster.learners["outcome"]) == ["eligible", "held_for_review", "held_for_review"]
    reasons = roster.reasons()
    held = reasons[reasons["outcome"] == "held_for_review"].set_index("reason")["rows"].to_dict()
    assert held == {"the parent or guardian did not consent": 1, "the child (aged 7 or more) did not consent": 1}
    assert "Nguyễn Văn 2" not in roster.report().to_csv()


def test_required_consent_and_the_age_of_seven(tmp_path):
    rows = [learner("1", guardian_consent="", child_consent=""),
            learner("2", child_consent=""),
            learner("3", grade="1", date_of_birth="01/12/2019", child_consent=""),  # 6 on the day of the check
            learner("4", grade="1", date_of_birth="30/11/2019", child_consent="")]  # 7 today
    assert list(read(tmp_path, rows).learners["outcome"]) == ["eligible"] * 4
    held = read(tmp_path, rows, require_consent=True).learners
    assert list(held["outcome"]) == ["held_for_review", "held_for_review", "eligible", "held_for_review"]
    assert list(held["reason"]) == ["no consent of the parent or guardian", "no consent of the child (aged 7 or more)", "",
                                    "no consent of the child (aged 7 or more)"]


def test_the_pupil_id_form_is_checked_and_never_printed(tmp_path):
    rows = [learner("080208123456"), learner("080210123456"), learner("99921012345"), learner("AB12")]
    roster = read(tmp_path, rows)
    found = [(i.row, i.message) for i in roster.issues if i.column == "pupil_id"]
    assert found == [(3, "pupil id: the birth year in the id (2010) is not the year of the date of birth"),
                     (4, "pupil id: not 12 digits (a personal identification number has 12)")]
    assert list(roster.learners["outcome"]) == ["eligible"] * 4  # warnings: planned, checked by the school
    text = roster.report().to_csv() + "\n".join(str(i) for i in roster.issues)
    assert "080210123456" not in text and "99921012345" not in text
