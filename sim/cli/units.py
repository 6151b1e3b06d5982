"""Command line for the 2025 units: ``areas`` and ``convert-units``.

    python -m sim areas "Tây Ninh" --out areas.csv
    python -m sim convert-units roster.csv --kind roster --province "Tây Ninh" --out roster_2025.csv --report report.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.locale import gettext as t


def register(commands: argparse._SubParsersAction) -> None:
    areas = commands.add_parser("areas", help=t("help_areas"))
    areas.add_argument("province", help=t("help_areas_province"))
    areas.add_argument("--out", type=Path, required=True, help=t("help_areas_out"))
    areas.add_argument("--quiet", action="store_true", help=t("help_quiet"))
    areas.set_defaults(handler=_areas)

    convert = commands.add_parser("convert-units", help=t("help_convert_units"))
    convert.add_argument("file", type=Path, help=t("help_convert_file"))
    convert.add_argument("--kind", required=True, choices=["students", "roster", "deliveries", "donations"],
                         help=t("help_convert_kind"))
    convert.add_argument("--province", required=True, help=t("help_convert_province"))
    convert.add_argument("--old-province", help=t("help_convert_old_province"))
    convert.add_argument("--out", type=Path, required=True, help=t("help_convert_out"))
    convert.add_argument("--report", type=Path, required=True, help=t("help_convert_report"))
    convert.add_argument("--quiet", action="store_true", help=t("help_quiet"))
    convert.set_defaults(handler=_convert)


def _areas(args: argparse.Namespace) -> int:
    from sim.units.catalogue import areas_table, find_province, versions, write_areas

    province = find_province(args.province)
    table = areas_table(province)
    write_areas(table, args.out)
    if not args.quiet:
        kinds = table["type"].value_counts()
        counts = ", ".join(f"{n} {k.lower()}" for k, n in kinds.items())
        source = "; ".join(f"{p} {v}" for p, v in versions().items())
        print(t("cli_areas_written").format(province=province.name, code=province.code, count=len(table), kinds=counts,
                                            file=args.out))
        print(t("cli_areas_sources").format(sources=source))
    return 0


def _convert(args: argparse.Namespace) -> int:
    from sim.units.convert import convert_file

    done = convert_file(args.file, args.kind, args.province, old_province=args.old_province)
    done.write(args.out, args.report)
    if not args.quiet:
        print(done.text(str(args.report)))
        print(f"-> {args.out}, {args.report}")
    return 0
