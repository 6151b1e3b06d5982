"""Command line: ``python -m sim run SCENARIO.yaml --out DIR`` and the other commands.

Exit codes: 0 done; 2 an input file breaks the file contract, or a file cannot be read or written
(disk full, read-only, an output that would replace an input); 3 the scenario cannot be
satisfied as written; 1 anything else (the solver failed). Messages, never tracebacks.

Each command is a ``register(commands)`` function that adds a sub-parser whose defaults hold
``handler``, a function of the parsed arguments returning the exit code; add new commands to
``COMMANDS``. A command's module is imported only when that command runs (issue 15: start-up): the
other commands are listed by their name and help text alone, which the catalogue holds
(``help_<name>``), so ``sim run`` and ``sim --help`` load no ledger, roster, sweep or report code.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import os
import sys
from pathlib import Path

from sim.cli.language import Parser, argparse_words
from sim.locale import gettext as t
from sim.read.errors import InputError, ScenarioError, one_line
from sim.read.scenario import SolverName
from sim.core.solvers import SolverFailed

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_UNSATISFIABLE = 0, 1, 2, 3
EXIT_BROKEN_PIPE = 141  # as a shell reports a program stopped by SIGPIPE (its reader went away)


def register_run(commands: argparse._SubParsersAction) -> None:
    run = commands.add_parser("run", help=t("help_run"))
    run.add_argument("scenario", type=Path, help=t("help_scenario"))
    run.add_argument("--out", type=Path, required=True, help=t("help_run_out"))
    run.add_argument("--solver", choices=[s.value for s in SolverName], help=t("help_solver"))
    run.add_argument("--quiet", action="store_true", help=t("help_quiet"))
    run.add_argument("--force", action="store_true", help=t("help_run_force"))
    run.set_defaults(handler=_run)


def _run(args: argparse.Namespace) -> int:
    from sim.core.pipeline import solve
    from sim.read.scenario import load_scenario
    from sim.views.text import summary_text

    scenario = load_scenario(args.scenario)
    from sim.cli.outputs import check_results_folder

    check_results_folder(args.out, [args.scenario, scenario.areas, scenario.students], args.force)
    if args.solver:
        scenario.solver = SolverName(args.solver)
    result = solve(scenario)
    files = result.write(args.out)
    if not args.quiet:
        print(summary_text(result.summary))
        print("\n" + t("cli_wrote").format(files=", ".join(str(f) for f in files)))
    return EXIT_OK


# The top-level commands in the order --help lists them, each with the function that registers it
# ("module:function"); one function may register several commands, which then follow one another.
# The help text of command NAME is the catalogue's ``help_NAME`` (a dash read as an underscore).
COMMANDS = [
    ("run", "sim.cli.main:register_run"),
    ("donations", "sim.cli.ledger:register"),
    ("deliveries", "sim.cli.ledger:register"),
    ("replan", "sim.cli.ledger:register"),
    ("plans", "sim.cli.ledger:register"),
    ("roster", "sim.cli.roster:register"),
    ("assign", "sim.cli.roster:register"),
    ("frontier", "sim.cli.fairness:register_frontier"),
    ("marginal", "sim.cli.fairness:register_marginal"),
    ("report", "sim.views.report:register"),  # imports nothing heavy: nbconvert is loaded only when a report is made
    ("sweep", "sim.cli.sweep:register"),
    ("areas", "sim.cli.units:register"),
    ("convert-units", "sim.cli.units:register"),
    ("handovers", "sim.cli.audit:register"),
    ("audit", "sim.cli.audit:register"),
    ("publish", "sim.cli.audit:register"),
    ("privacy", "sim.cli.audit:register"),
]
ALL = object()  # _parser(ALL): every command registered in full


def _registrar(where: str):
    module, function = where.split(":")
    return getattr(importlib.import_module(module), function)


def _parser(command: object = ALL) -> argparse.ArgumentParser:
    """The parser, with ``command`` (a top-level name; ``ALL``: every one) registered in full by its
    module and every other command listed by name and help text only, in the same order."""
    parser = Parser(prog="python -m sim", description=t("help_sim"))
    commands = parser.add_subparsers(dest="command", required=True)
    wanted = dict(COMMANDS).get(command)
    for name, where in COMMANDS:
        if name in commands.choices:
            continue  # registered with an earlier command of its group
        if command is ALL or where == wanted:
            _registrar(where)(commands)
        else:
            commands.add_parser(name, help=t("help_" + name.replace("-", "_")))
    return parser


def _command(argv: list[str]) -> str | None:
    """The top-level command ``argv`` names: its first word that is not an option."""
    return next((word for word in argv if not word.startswith("-")), None)


def _own_process() -> None:
    """``main`` runs the whole process (``python -m sim``, the ``sim`` script): what start-up made
    (modules, classes, catalogues) lives to the end, so it is frozen out of the collector's reach and
    the full collections that reading and planning set off no longer walk it (gc.freeze: about 0.15 s
    of CPU on the national case, a fifth of it in reading the tables). Not done when ``main`` is
    called with arguments, as tests and other programs do."""
    gc.freeze()
    gc.enable()


def main(argv: list[str] | None = None) -> int:
    """Run one command; messages in Vietnamese, or English with ``SIM_LANG=en``."""
    if argv is None:
        _own_process()
    argv = sys.argv[1:] if argv is None else list(argv)
    with argparse_words():  # argparse's own words ("usage:", its errors) in the current language too
        args = _parser(_command(argv)).parse_args(argv)
    try:
        return args.handler(args)
    except InputError as exc:
        print(f"{t('cli_bad_input')}\n{exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except ScenarioError as exc:
        print(f"{t('cli_unsatisfiable')}\n{exc}", file=sys.stderr)
        return EXIT_UNSATISFIABLE
    except SolverFailed as exc:
        print(t("cli_error").format(message=exc), file=sys.stderr)
        return EXIT_FAILED
    except BrokenPipeError:  # the reader stopped early (sim ... | head): nothing is wrong, say nothing
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())  # Python's own flush at exit would fail on the pipe again
        return EXIT_BROKEN_PIPE
    except OSError as exc:  # disk full, read-only, no permission, the ledger busy: which file and why
        where = exc.filename or getattr(exc, "filename2", None)
        reason = exc.strerror or str(exc) or type(exc).__name__
        message = t("cli_file_error").format(file=one_line(where, 200) if where else "?", reason=one_line(reason, 200))
        print(t("cli_error").format(message=message), file=sys.stderr)
        return EXIT_BAD_INPUT
