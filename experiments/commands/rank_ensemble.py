"""``tipsim rank-ensemble``: does the policy ranking hold across a calibrated ensemble?

Reads the results of a batch over an ensemble's member worlds (``ensemble/batch.yaml`` written
by ``tipsim calibrate``), prints each member's mean paired difference and the share of members
in which the alternative policy identifies more victims, yields more prosecutions, and both;
writes ``ranking.csv`` and ``ranking.png`` into the results folder.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pandas as pd

from analysis.calibration.figures import plot_ranking
from analysis.calibration.ranking import METRICS, member_differences, ranking_shares
from analysis.ensemble import answer_text, ensemble_answer
from analysis.main_answer import ensemble_weights
from analysis.results import load
from experiments.core.ensemble import read_ensemble
from experiments.core.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim rank-ensemble``."""
    parser.add_argument("results", type=Path, metavar="RESULTS", help="batch results folder")
    parser.add_argument(
        "--ensemble",
        type=Path,
        metavar="DIR",
        help="ensemble folder: weight members by ABC (a batch with ensemble: weighs its own)",
    )
    parser.add_argument("--reference", default="detention_first", help="reference policy")
    parser.add_argument(
        "--alternative", default="screening_before_detention", help="alternative policy"
    )


def main(args: argparse.Namespace) -> int:
    """Print and write the ranking across members."""
    differences = member_differences(args.results, args.reference, args.alternative)
    if differences.empty:
        raise UserError(
            f"{args.results}: no runs pair {args.alternative} with {args.reference} by world"
        )
    if len(differences) < 2:
        worlds = ", ".join(str(w) for w in differences.iloc[:, 0])
        raise UserError(
            f"{args.results}: rank-ensemble ranks policies across the member worlds of an "
            f"ensemble, and this batch has {len(differences)} ({worlds}); a share of members "
            "means nothing for one world: use tipsim compare for it"
        )
    weights = ensemble_weights(args.results)  # a batch that drew its members records them
    if args.ensemble is not None:
        if not args.ensemble.exists():
            raise UserError(f"{args.ensemble}: no such ensemble folder")
        listing = read_ensemble(args.ensemble)
        weights = pd.Series(listing["weight"].to_numpy(), index=listing["member"].map(_stem))
    shares = ranking_shares(differences, None)
    weighted = ranking_shares(differences, weights) if weights is not None else None
    answer = ensemble_answer(
        load(args.results), args.reference, args.alternative, list(METRICS), weights
    )
    answer.to_csv(args.results / "ensemble_answer.csv", index=False)
    differences.to_csv(args.results / "ranking.csv", index=False)
    plot_ranking(differences, METRICS, args.results / "ranking.png")
    (args.results / "ranking.json").write_text(
        json.dumps({"members": len(differences), "shares": shares, "weighted": weighted}, indent=2)
    )
    print(differences.round(2).to_string(index=False))
    print(f"{len(differences)} members; {args.alternative} vs {args.reference}:")
    for key, value in shares.items():
        extra = f" (ABC-weighted {weighted[key]:.0%})" if weighted else ""
        print(f"  {key}: {value:.0%} of members{extra}")
    weighting = "ABC weights" if weights is not None else "equal weights"
    print(f"over the ensemble ({weighting}; a normal mixture of the members' mean differences):")
    for line in answer_text(answer, args.reference, args.alternative):
        print(f"  {line}")
    print(
        f"written: {args.results / 'ranking.csv'}, ranking.png, ranking.json, ensemble_answer.csv"
    )
    return 0


def _stem(member_file: str) -> str:
    return Path(member_file).stem
