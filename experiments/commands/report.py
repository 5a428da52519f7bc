"""``tipsim report``: a self-contained HTML report and a Markdown version of result folders."""

from __future__ import annotations

import argparse
from pathlib import Path

from analysis.report import write_report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim report``."""
    parser.add_argument("folders", nargs="+", type=Path, metavar="DIR", help="result folder(s)")
    parser.add_argument(
        "--out",
        type=Path,
        metavar="FOLDER",
        help="folder for report.html, report.md and figures/ (default DIR/report)",
    )
    parser.add_argument(
        "--reference",
        metavar="POLICY",
        help="policy to compare against (default detention_first if present, else the first)",
    )


def main(args: argparse.Namespace) -> int:
    """Write the report and say where it is."""
    paths = write_report(args.folders, out=args.out, reference=args.reference)
    print(
        f"report: {paths['html']} (self-contained), {paths['markdown']} (figures in "
        f"{paths['figures']})"
    )
    return 0
