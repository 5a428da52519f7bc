"""Command-line options shared by the commands that run many simulations."""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.core.executors import EXECUTORS
from experiments.core.seeds import MAX_SEED


def seed_argument(text: str) -> int:
    """A root seed from the command line: a whole number from 0 to :data:`MAX_SEED`."""
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 0 <= value <= MAX_SEED:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a seed must be a whole number of at least 0 and at most {MAX_SEED} "
            "(2**63 - 1)"
        )
    return value


def port_argument(text: str) -> int:
    """A TCP port from the command line: a whole number from 1 to 65535."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a port must be a whole number of at least 1 and at most 65535"
        )
    return value


def add_executor_arguments(parser: argparse.ArgumentParser) -> None:
    """``--workers``, ``--executor``, ``--scheduler``, ``--out`` and ``--quiet``."""
    parser.add_argument(
        "--workers", type=int, metavar="N", help="worker processes (default: cores)"
    )
    parser.add_argument(
        "--executor", choices=EXECUTORS, default="local", help="local process pool or Dask"
    )
    parser.add_argument("--scheduler", metavar="ADDRESS", help="Dask scheduler address")
    parser.add_argument(
        "--out", type=Path, metavar="DIR", help="output folder (default: the file's)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress")
