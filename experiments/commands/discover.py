"""``tipsim discover``: PRIM scenario discovery over a sweep's results."""

from __future__ import annotations

import argparse
from pathlib import Path

from result_folder.outcomes import OUTCOME


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim discover``."""
    parser.add_argument("folder", type=Path, metavar="DIR", help="result folder of a sweep")
    parser.add_argument(
        "--reference", metavar="POLICY", help="reference policy (default detention_first)"
    )
    parser.add_argument(
        "--policy", metavar="POLICY", help="the reform (default the first other policy)"
    )
    parser.add_argument(
        "--metric",
        default=OUTCOME.victims_identified,
        help="outcome whose paired difference <= 0 is a failure (default victims_identified)",
    )
    parser.add_argument(
        "--threshold",
        type=float,
        default=0.8,
        help="smallest share of failures inside a box (PRIM density threshold, default 0.8)",
    )
    parser.add_argument("--boxes", type=int, default=3, help="at most this many boxes (default 3)")


def main(args: argparse.Namespace) -> int:
    """Print the boxes and write them to DIR/discovery.csv (the report shows them)."""
    from analysis.discovery import describe, discover, write
    from experiments.core.errors import UserError

    if not 0 < args.threshold <= 1:
        raise UserError(f"--threshold {args.threshold}: give a share between 0 and 1")
    if args.boxes < 1:
        raise UserError(f"--boxes {args.boxes}: give at least 1")
    result = discover(
        args.folder,
        reference=args.reference,
        policy=args.policy,
        metric=args.metric,
        threshold=args.threshold,
        max_boxes=args.boxes,
    )
    print(describe(result))
    print(f"boxes written to {write(result, args.folder)}")
    return 0
