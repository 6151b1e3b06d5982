"""Command line for the trade-offs: ``frontier`` (sweep a fairness setting) and ``marginal`` (values).

    python -m sim frontier SCENARIO.yaml --param district_floor --values 0,0.1,0.2,0.3 [--out frontier.csv]
    python -m sim marginal SCENARIO.yaml [--out marginal.csv]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.read.errors import InputError, Problem
from sim.locale import gettext as t
from sim.locale import get_language, number, percent
from sim.cli.outputs import table_text


def _values(text: str) -> list[float | None]:
    """``0,0.1,0.2``; ``none`` (or ``off``) leaves the setting off (for max_gap)."""
    out = []
    for part in text.split(","):
        part = part.strip()
        if part.casefold() in ("none", "off"):
            out.append(None)
            continue
        try:
            out.append(float(part))
        except ValueError:
            raise InputError([Problem("command line", "not a number", column="--values", value=part,
                                      expected="numbers separated by commas, e.g. 0,0.1,0.2")]) from None
    return out


def register_frontier(commands: argparse._SubParsersAction) -> None:
    from sim.analysis.frontier import PARAMETERS

    parser = commands.add_parser("frontier", help=t("help_frontier"))
    parser.add_argument("scenario", type=Path, help=t("help_scenario"))
    parser.add_argument("--param", required=True, choices=PARAMETERS, help=t("help_frontier_param"))
    parser.add_argument("--values", required=True, help=t("help_frontier_values"))
    parser.add_argument("--out", type=Path, help=t("help_handovers_status_csv"))
    parser.add_argument("--force", action="store_true", help=t("help_force_out"))
    parser.set_defaults(handler=_frontier)


def register_marginal(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("marginal", help=t("help_marginal"))
    parser.add_argument("scenario", type=Path, help=t("help_scenario"))
    parser.add_argument("--out", type=Path, help=t("help_handovers_status_csv"))
    parser.add_argument("--force", action="store_true", help=t("help_force_out"))
    parser.set_defaults(handler=_marginal)


def _write(table, out: Path | None, args: argparse.Namespace | None = None) -> None:
    from sim.cli.outputs import check_output
    from sim.results.cells import csv_text
    from sim.results.write import write_atomic

    if out is not None:
        check_output(out, list(table.columns), inputs=[getattr(args, "scenario", None)], force=getattr(args, "force", False))
        out.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(out, csv_text(table), encoding="utf-8-sig")
        print("\n" + t("cli_wrote").format(files=out))


def _frontier(args: argparse.Namespace) -> int:
    from sim.analysis.frontier import frontier
    from sim.read.scenario import load_scenario

    scenario = load_scenario(args.scenario)
    table = frontier(scenario, args.param, _values(args.values))
    shown = table.assign(chosen=table["chosen"].map({True: t("cli_frontier_chosen"), False: ""}))
    # rates as percentages (30,3%), the swept share too; in Vietnamese the setting in words, then its name
    rates = {c: percent for c in ("rate", "min_district_rate", "max_district_rate", "price_of_fairness")}
    if args.param != "alpha":
        rates["value"] = percent
    param = args.param if get_language() == "en" else f"{t('rule_' + args.param) if args.param != 'alpha' else 'α'} ({args.param})"
    print(t("cli_frontier_title").format(scenario=scenario.name, param=param,
                                         covered=number(table.attrs["covered_without_fairness"])) + "\n")
    print(table_text(shown, values=rates))
    _write(table, args.out, args)
    return 0


def _marginal(args: argparse.Namespace) -> int:
    from sim.analysis.marginal import marginal_table, marginal_values
    from sim.read.scenario import load_scenario

    from sim.views.readable import readable

    table = marginal_table(marginal_values(load_scenario(args.scenario)))
    # headers, phrases and numbers in the current language (+12, 11,76); the file keeps its English columns
    print(table_text(readable(table)))
    _write(table, args.out, args)
    return 0
