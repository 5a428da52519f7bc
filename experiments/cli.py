"""The ``tipsim`` command line: one sub-command per module under ``experiments.commands``.

Each command module defines ``add_arguments(parser)`` and ``main(args) -> int``; its one-line
help is in :data:`COMMANDS`. Only the module of the command being run is imported, so
``tipsim --help`` starts without loading Mesa, pandas or SciPy. Mistakes in the user's input
are reported as one message on standard error with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import sys
from importlib import metadata
from typing import NoReturn

from experiments.core.errors import describe

#: Sub-command -> (module implementing it, one line on what it does).
COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "experiments.commands.run",
        "run a scenario under each policy with one seed and print a summary row per policy",
    ),
    "validate": (
        "experiments.commands.validate",
        "check scenario and policy files (all shipped ones when none is given)",
    ),
    "show": (
        "experiments.commands.show",
        "print the effective parameters of a scenario under a policy, as YAML",
    ),
    "schema": (
        "experiments.commands.schema",
        "write the JSON Schemas of world and policy files (editor completion and checking)",
    ),
    "compare": (
        "experiments.commands.compare",
        "compare policies in result folders: replicate statistics and paired differences",
    ),
    "report": (
        "experiments.commands.report",
        "write an HTML report (figures embedded) and a Markdown report of result folders",
    ),
    "batch": (
        "experiments.commands.batch",
        "run (or resume) a batch of scenario runs defined in a YAML file",
    ),
    "rerun": (
        "experiments.commands.rerun",
        "re-run one run of a batch from its manifest and check it matches the stored summary",
    ),
    "pilot": (
        "experiments.commands.pilot",
        "value of information over the calibrated ensemble, and the power of pilot designs",
    ),
    "calibrate": (
        "experiments.commands.calibrate",
        "fit uncertain parameters to published figures (ABC) and save the accepted sets",
    ),
    "sensitivity": (
        "experiments.commands.sensitivity",
        "Morris screening then Sobol indices of the difference between two policies",
    ),
    "rank-ensemble": (
        "experiments.commands.rank_ensemble",
        "share of calibrated ensemble members in which one policy beats another",
    ),
    "replay": (
        "experiments.commands.replay",
        "replay a scenario year by year as official statistics, beside published figures",
    ),
    "forecast": (
        "experiments.commands.forecast",
        "replay the calibrated ensemble past its calibration years (2021-2024) beside published",
    ),
    "scale-check": (
        "experiments.commands.scale_check",
        "replay a scenario at several population scales: bias and noise of the shortcut",
    ),
    "explore": (
        "experiments.commands.explore",
        "open a browser dashboard (Mesa SolaraViz) of two policies side by side on one seed",
    ),
    "discover": (
        "experiments.commands.discover",
        "find the swept conditions under which a reform fails to do better (PRIM boxes)",
    ),
    "export": (
        "experiments.commands.export",
        "export a result folder's run summaries and weekly series as CSV or netCDF",
    ),
}


#: Commands that read policy files or build models: they take the options allowing user code.
CODE_COMMANDS = frozenset(
    {
        "run",
        "validate",
        "show",
        "batch",
        "rerun",
        "calibrate",
        "sensitivity",
        "replay",
        "forecast",
        "scale-check",
        "explore",
    }
)


def add_code_arguments(parser: argparse.ArgumentParser) -> None:
    """``--strategy-module PATH`` and ``--allow-code``: the only ways a file's code runs."""
    group = parser.add_argument_group(
        "custom strategy code (a policy file's 'strategy: module:Class' runs only if allowed here)"
    )
    group.add_argument(
        "--strategy-module",
        action="append",
        default=[],
        metavar="PATH",
        help="a Python file defining a strategy class a policy file names as module:Class; "
        "repeatable",
    )
    group.add_argument(
        "--allow-code",
        action="store_true",
        help="let policy files import module:Class strategies from the Python path",
    )


def version() -> str:
    """The installed project's version."""
    try:
        return metadata.version("tipsim")
    except metadata.PackageNotFoundError:  # run from a checkout that is not installed
        return "unknown (not installed)"


class Parser(argparse.ArgumentParser):
    """An argument parser whose mistakes are one line, like every other error of tipsim."""

    def error(self, message: str) -> NoReturn:
        """Print ``tipsim: error: ...`` and where to read the options; exit status 2."""
        self.exit(2, f"tipsim: error: {message} (see: {self.prog} --help)\n")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """Build the argument parser.

    Args:
        command: The sub-command whose arguments are declared (its module is imported); the
            others are listed with their help only. ``None`` declares every one (slow: it
            imports every command).
    """
    parser = Parser(
        prog="tipsim",
        description="Simulate how trafficking victims are identified under screening policies.",
    )
    parser.add_argument("--version", action="version", version=f"tipsim {version()}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (module_name, summary) in COMMANDS.items():
        declared = sub.add_parser(name, help=summary, description=summary)
        if command is None or name == command:
            module = importlib.import_module(module_name)
            module.add_arguments(declared)
            if name in CODE_COMMANDS:
                add_code_arguments(declared)
            declared.set_defaults(handler=module.main)
    return parser


def _command(argv: list[str]) -> str:
    """The sub-command named in ``argv`` (the first word that is not an option), or ``""``."""
    return next((word for word in argv if not word.startswith("-")), "")


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = _command(argv)
    parser = build_parser(command if command in COMMANDS else "")
    args = parser.parse_args(argv)
    try:
        with _code_allowed(args):
            return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("tipsim: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        message = describe(err, output=_output(args))
        if message is None:
            raise
        print(f"tipsim: error: {message}", file=sys.stderr)
        return 2


def _output(args: argparse.Namespace) -> object:
    """What the command writes (its ``--out`` or ``--csv``), to name when a write fails."""
    return getattr(args, "out", None) or getattr(args, "csv", None)


def _code_allowed(args: argparse.Namespace) -> contextlib.AbstractContextManager:
    """Allow, while the command runs, the code given by ``--strategy-module``/``--allow-code``."""
    if not hasattr(args, "allow_code"):
        return contextlib.nullcontext()
    from model.strategies import allowed_code

    return allowed_code(args.strategy_module, import_path=args.allow_code)


if __name__ == "__main__":
    sys.exit(main())
