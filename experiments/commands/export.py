"""``tipsim export``: a result folder's summaries and weekly series as CSV or netCDF."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim export``."""
    parser.add_argument("folder", type=Path, metavar="DIR", help="result folder")
    parser.add_argument(
        "--format",
        dest="fmt",
        choices=("csv", "netcdf"),
        default="csv",
        help="csv: summary.csv and weekly.csv; netcdf: results.nc (default csv)",
    )
    parser.add_argument(
        "--out", type=Path, metavar="FOLDER", help="folder to write into (default DIR/export)"
    )


def main(args: argparse.Namespace) -> int:
    """Write the files and name them."""
    from analysis.export import export

    for path in export(args.folder, args.fmt, args.out):
        print(f"wrote {path}")
    return 0
