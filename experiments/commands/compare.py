"""``tipsim compare``: compare the policies of one or more result folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.comparison import METRIC_GROUPS
from analysis.statistics import CONFIDENCE
from analysis.tables import FORMATS, comparison_text

HELP = "compare policies in result folders: replicate statistics and paired differences"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim compare``."""
    parser.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="result folder(s)")
    parser.add_argument(
        "--reference",
        metavar="POLICY",
        help="policy to compare against (default detention_first if present, else the first)",
    )
    parser.add_argument(
        "--metrics",
        nargs="+",
        metavar="NAME",
        default=["all"],
        help=f"outcomes to show (space- or comma-separated), or a group "
        f"({', '.join(METRIC_GROUPS)}; default all)",
    )
    parser.add_argument(
        "--format", choices=FORMATS, default="md", help="output format (default md)"
    )
    parser.add_argument(
        "--confidence",
        type=float,
        default=CONFIDENCE,
        help=f"coverage of the t-intervals (default {CONFIDENCE})",
    )
    parser.add_argument("--out", type=Path, metavar="FILE", help="write to FILE, not the screen")


def main(args: argparse.Namespace) -> int:
    """Print (or write) the comparison tables."""
    text = comparison_text(
        args.folders,
        args.reference,
        [name for item in args.metrics for name in item.split(",") if name],
        args.format,
        confidence=args.confidence,
    )
    if args.out is None:
        print(text, end="")
        return 0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(f"comparison written to {args.out}")
    return 0
