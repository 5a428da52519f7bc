"""``tipsim scale-check``: what the population scale costs, replayed at several scales.

Replays a scenario at each scale over several seeds and prints, per yearly official view, the
mean and standard deviation over seeds (rescaled to full scale): means that move with the scale
are bias, standard deviations that grow as ``1/sqrt(scale)`` are added noise.
"""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd

from experiments.core.errors import UserError
from experiments.core.executors import open_workers
from experiments.studies.scale_check import scale_check
from scenarios.loader import load_scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim scale-check``."""
    parser.add_argument("scenario", help="scenario file or shipped name")
    parser.add_argument(
        "--scales", type=float, nargs="+", default=[1.0, 0.25], help="scales (default 1 0.25)"
    )
    parser.add_argument("--seeds", type=int, default=5, help="seeds per scale (default 5)")
    parser.add_argument("--years", type=int, default=5, help="whole simulated years (default 5)")
    parser.add_argument("--workers", type=int, help="worker processes (default: cores)")


def main(args: argparse.Namespace) -> int:
    """Print the scale check of a scenario."""
    bad = [s for s in args.scales if not 0 < s <= 1]
    if bad:
        raise UserError(f"--scales {bad}: every scale must be > 0 and at most 1")
    if args.seeds < 2:
        raise UserError(f"--seeds {args.seeds}: need at least 2 to measure noise")
    if not 1 <= args.years <= 200:
        raise UserError(f"--years {args.years}: must be 1-200")
    world = load_scenario(args.scenario)
    with open_workers("local", args.workers) as workers:
        table = scale_check(
            world,
            workers.executor,
            scales=args.scales,
            seeds=range(1, args.seeds + 1),
            years=args.years,
        )
    with pd.option_context("display.width", 200):
        print(table.map(lambda v: f"{v:.4g}" if np.isfinite(v) else "nan").to_string())
    return 0
