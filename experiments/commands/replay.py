"""``tipsim replay``: a scenario's yearly official statistics, next to the published figures.

Runs one scenario (e.g. ``hong_kong_2016_2020`` or an ensemble member) under one policy and
seed, sums the weekly series by calendar year into the views official statistics report
(initial screenings, victims identified through the mechanism, investigations, prosecutions,
NGO yield, prevalence) and prints them beside Hong Kong's published figures for those years.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from analysis.atomic import atomic_target
from analysis.calibration.fit import published_comparison
from analysis.calibration.published import load_figures
from experiments.commands.options import seed_argument
from experiments.core.errors import UserError
from experiments.core.overrides import parse_assignments
from experiments.core.replay import replay
from experiments.core.study_setup import as_user_error
from model import get_strategy
from result_folder.outcomes import OUTCOME
from scenarios.loader import load_scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim replay``."""
    parser.add_argument(
        "scenario", nargs="?", default="hong_kong_2016_2020", help="scenario file or name"
    )
    parser.add_argument("--policy", default="detention_first", help="policy (default: of the time)")
    parser.add_argument("--years", type=int, default=5, help="whole simulated years (default 5)")
    parser.add_argument("--seed", type=seed_argument, default=1, help="seed (default 1)")
    parser.add_argument(
        "--scale", type=float, default=1.0, help="population scale, counts rescaled (default 1)"
    )
    parser.add_argument(
        "--set", action="append", metavar="SECTION.FIELD=VALUE", help="override a parameter"
    )
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV")


def main(args: argparse.Namespace) -> int:
    """Replay and print the yearly table."""
    if not 1 <= args.years <= 200:
        raise UserError(f"--years {args.years}: must be 1-200")
    if not 0 < args.scale <= 1:
        raise UserError(f"--scale {args.scale}: must be > 0 and at most 1")
    world = load_scenario(args.scenario)
    get_strategy(args.policy)
    values = parse_assignments(args.set)
    yearly = replay(
        world,
        policy=args.policy,
        seed=args.seed,
        years=args.years,
        scale=args.scale,
        values=values,
    )
    figures = as_user_error(load_figures)
    comparison = published_comparison(yearly.reset_index().assign(number=0), [0], figures)
    table = comparison.pivot(index="year", columns="view", values=["median", "published"])
    table = table.swaplevel(axis=1).sort_index(axis=1, level=0)
    table.columns = [
        f"{view} ({'simulated' if kind == 'median' else 'published'})"
        for view, kind in table.columns
    ]
    table["identified among offenders (simulated)"] = yearly[OUTCOME.identified_offenders]
    table["identified among NGO referrals (simulated)"] = yearly[OUTCOME.identified_ngo_referred]
    table["ngo_yield (simulated)"] = yearly["ngo_yield"]
    table["domestic_prevalence (simulated)"] = yearly["domestic_prevalence"]
    print(f"{args.scenario} under {args.policy}, seed {args.seed}, scale {args.scale:g}")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.T.to_string(float_format=lambda v: f"{v:,.4g}"))
    print(
        "published investigations and prosecutions cover part of what the model counts "
        "(see analysis/data/hong_kong_figures.csv)"
    )
    if args.csv:
        with atomic_target(args.csv) as tmp:
            table.to_csv(tmp)
    return 0
