"""Rosters of named learners: the only part of ``sim`` that ever reads a learner's name.

read_roster (check every row) -> students_table / students_csv (the planner's input) ->
assign (plan, then name who gets what, waiting list) -> Assignment.write (shareable files in DIR,
delivery lists with names only in DIR/delivery). Learners appear in shareable outputs only by
pseudonym, a keyed hash whose key is kept outside the project and the outputs (``load_key``).

Example (see notebooks/05_delivery_lists.ipynb)::

    from sim.roster import assign, load_key, read_roster
    roster = read_roster(["school_a.xlsx", "school_b.csv"], areas)
    print(check_text(roster))                 # the validation report
    run = assign(scenario, roster, load_key())
    run.write("reports/round1")               # delivery lists in reports/round1/delivery/
"""

from sim.roster.aggregate import students_csv, students_frame, students_table
from sim.roster.assign import Assignment, assign
from sim.roster.pseudonym import PseudonymKey, default_key_path, load_key, new_key_file
from sim.roster.read import OUTCOMES, Roster, RowIssue, read_roster
from sim.roster.report import check_text
from sim.roster.schema import ROSTER
from sim.roster.synthetic import MISTAKES, roster_file_bytes, synthetic_roster
from sim.roster.template import template_bytes

__all__ = [
    "Assignment",
    "MISTAKES",
    "OUTCOMES",
    "PseudonymKey",
    "ROSTER",
    "Roster",
    "RowIssue",
    "assign",
    "check_text",
    "default_key_path",
    "load_key",
    "new_key_file",
    "read_roster",
    "roster_file_bytes",
    "students_csv",
    "students_frame",
    "students_table",
    "synthetic_roster",
    "template_bytes",
]
