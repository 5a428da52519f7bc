"""The ``tipsim`` command line: one sub-command per module under ``experiments.commands``.

Each command module defines ``HELP`` (one line), ``add_arguments(parser)`` and
``main(args) -> int``. Mistakes in the user's input are reported as one message on standard
error with exit status 2 and no traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from experiments.errors import describe

#: Sub-command name -> module implementing it.
COMMANDS: dict[str, str] = {
    "run": "experiments.commands.run",
    "validate": "experiments.commands.validate",
    "show": "experiments.commands.show",
    "schema": "experiments.commands.schema",
    "compare": "experiments.commands.compare",
    "report": "experiments.commands.report",
    "batch": "experiments.commands.batch",
    "rerun": "experiments.commands.rerun",
    "calibrate": "experiments.commands.calibrate",
    "sensitivity": "experiments.commands.sensitivity",
    "rank-ensemble": "experiments.commands.rank_ensemble",
    "replay": "experiments.commands.replay",
    "explore": "experiments.commands.explore",
    "discover": "experiments.commands.discover",
    "export": "experiments.commands.export",
}


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered sub-command."""
    parser = argparse.ArgumentParser(
        prog="tipsim",
        description="Simulate how trafficking victims are identified under screening policies.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS.items():
        module = importlib.import_module(module_name)
        command = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(command)
        command.set_defaults(handler=module.main)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except KeyboardInterrupt:
        print("tipsim: interrupted", file=sys.stderr)
        return 130
    except Exception as err:
        message = describe(err)
        if message is None:
            raise
        print(f"tipsim: error: {message}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
