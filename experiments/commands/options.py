"""Command-line options shared by the commands that run many simulations."""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.executors import EXECUTORS


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
