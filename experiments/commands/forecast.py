"""``tipsim forecast``: the calibrated ensemble replayed past its calibration years.

Draws members of a calibrated ensemble by ABC weight, replays each from 2016 under the policy
of the time on several seeds, and prints, per year, the 90% interval of initial screenings,
victims identified through the mechanism (official total and inbound alone) and the hit rate,
beside the published figures. Writes ``forecast_runs.csv`` (every run) and ``forecast.csv``
(the intervals) to ``--out``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from experiments.commands.options import seed_argument
from experiments.core.ensemble import listing_path
from experiments.core.errors import UserError
from experiments.core.executors import open_workers
from experiments.core.progress import Progress
from experiments.core.provenance import write_study_manifest
from experiments.studies.forecast import LEVEL, plan_forecast, run_member, summarise

DEFAULT_ENSEMBLE = Path(__file__).resolve().parents[1] / "ensembles" / "hong_kong_2016_2020"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim forecast``."""
    parser.add_argument(
        "ensemble",
        type=Path,
        nargs="?",
        default=DEFAULT_ENSEMBLE,
        metavar="DIR",
        help="calibrated ensemble folder (default: the shipped Hong Kong 2016-2020 ensemble)",
    )
    parser.add_argument("--members", type=int, default=16, help="members drawn (default 16)")
    parser.add_argument("--replicates", type=int, default=2, help="seeds a member (default 2)")
    parser.add_argument("--years", type=int, default=9, help="years from 2016 (default 9)")
    parser.add_argument("--seed", type=seed_argument, default=2021, help="root seed (default 2021)")
    parser.add_argument("--workers", type=int, help="worker processes (default: cores)")
    parser.add_argument(
        "--out", type=Path, default=Path("results/forecast"), help="results folder"
    )


def main(args: argparse.Namespace) -> int:
    """Run the forecast, write its tables and print the intervals beside published figures."""
    for name, low, high in (("members", 1, 10_000), ("replicates", 1, 1_000), ("years", 1, 50)):
        value = getattr(args, name)
        if not low <= value <= high:
            raise UserError(f"--{name} {value}: must be {low}-{high}")
    if args.seed < 0:
        raise UserError(f"--seed {args.seed}: must be 0 or more")
    runs = plan_forecast(
        args.ensemble,
        members=args.members,
        replicates=args.replicates,
        years=args.years,
        seed=args.seed,
    )
    progress = Progress(len(runs), "forecast", unit="run")
    with open_workers("local", args.workers) as workers:
        results = []
        for frame in workers.executor.map(run_member, runs):
            results.append(frame)
            progress.update()
    progress.close()
    table = pd.concat(results, ignore_index=True)
    summary = summarise(table)
    args.out.mkdir(parents=True, exist_ok=True)
    table.to_csv(args.out / "forecast_runs.csv", index=False)
    summary.to_csv(args.out / "forecast.csv", index=False)
    write_study_manifest(
        args.out,
        {
            "ensemble": str(args.ensemble),
            "members": args.members,
            "replicates": args.replicates,
            "years": args.years,
            "seed": args.seed,
        },
        {"ensemble": listing_path(args.ensemble)},
    )
    print(forecast_text(summary, len({r.member for r in runs}), args.replicates))
    print(f"written: {args.out / 'forecast.csv'}, {args.out / 'forecast_runs.csv'}")
    return 0


def forecast_text(summary: pd.DataFrame, members: int, replicates: int) -> str:
    """The forecast as a plain table: one row per year, interval and published per view."""
    level = f"{100 * summary.attrs.get('level', LEVEL):g}%"
    lines = [
        f"forecast over {members} members x {replicates} seeds (median [{level} interval]; "
        "published beside; * = published outside the interval)"
    ]
    header = f"{'year':>4}  {'screenings':>28}  {'identified (official)':>26}  "
    header += f"{'identified (inbound)':>18}  {'hit rate':>30}"
    lines.append(header)
    for year, block in summary.groupby("year"):
        cells = []
        for view in ("screenings_official", "identified_official", "identified_mechanism",
                     "hit_rate_official"):
            row = block[block["view"] == view].iloc[0]
            cells.append(_cell(row, percent=view == "hit_rate_official"))
        lines.append(
            f"{year:>4}  {cells[0]:>28}  {cells[1]:>26}  {cells[2]:>18}  {cells[3]:>30}"
        )
    return "\n".join(lines)


def _cell(row: pd.Series, percent: bool) -> str:
    def f(v: float) -> str:
        return f"{100 * v:.3f}%" if percent else f"{v:,.0f}"

    text = f"{f(row['median'])} [{f(row['low'])}-{f(row['high'])}]"
    if pd.notna(row["published"]):
        text += f" {f(row['published'])}" + ("" if row["inside"] else "*")
    return text
