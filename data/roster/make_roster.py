"""Write a SYNTHETIC roster of made-up learners (not real children), with the template's headers.

Learners are drawn over Long An's districts, grades and statuses like data/longan/students.csv;
names are common Vietnamese family, middle and given names; ids, dates of birth, phone and
certificate numbers are random. Unless --no-mistakes, the roster also holds one of each mistake
schools make (sim.roster.MISTAKES: a status typo, an unknown district, a bad date, a bad yes/no,
a learner listed twice, a second id for the same child, a poor learner who has a computer).
The same seed gives the same file.

Usage (from the project folder)::

    python data/roster/make_roster.py                        # data/roster/sample_roster.csv, 120 learners
    python data/roster/make_roster.py --learners 3000 --out reports/roster.xlsx
"""

from __future__ import annotations

from pathlib import Path

from sim.roster import roster_file_bytes, synthetic_roster
from sim.read.tables import read_areas, read_students

HERE = Path(__file__).resolve().parent
LONGAN = HERE.parent / "longan"


def main() -> None:
    from sim.cli.language import Parser, argparse_words
    from sim.locale import get_language, gettext as t, number

    english = get_language() == "en"  # Vietnamese unless SIM_LANG=en, as the sim command line
    with argparse_words():
        parser = Parser(description=__doc__.split("\n\n")[0] if english else t("make_roster_description"))
        parser.add_argument("--learners", type=int, default=120, help=t("make_roster_help_learners"))
        parser.add_argument("--seed", type=int, default=2023, help=t("make_roster_help_seed"))
        parser.add_argument("--out", type=Path, default=HERE / "sample_roster.csv", help=t("make_roster_help_out"))
        parser.add_argument("--no-mistakes", action="store_true", help=t("make_roster_help_no_mistakes"))
        args = parser.parse_args()
    areas = read_areas(LONGAN / "areas.csv")
    roster = synthetic_roster(areas, read_students(LONGAN / "students.csv", areas), args.learners, args.seed,
                              mistakes=not args.no_mistakes)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(roster_file_bytes(roster, xlsx=args.out.suffix.casefold() == ".xlsx"))
    print(t("make_roster_wrote").format(file=args.out, rows=number(len(roster))))


if __name__ == "__main__":
    main()
