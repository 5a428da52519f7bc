"""``tipsim pilot``: which unknown matters most, and what a pilot of the reform could show.

Runs (or resumes) the pilot file's batch over the calibrated ensemble's members, then prints
and writes into the batch's folder:

* ``value_of_information.csv`` and ``.png``: the EVPI and, for each uncertain input and group,
  the EVPPI and its share of the variance of the gain (:mod:`analysis.value_of_information`);
* ``pilot.csv`` and ``.png``: for each pilot design (share x months), what the evaluator would
  count in each arm, the power at the posterior-median gain, the assurance and the expected
  narrowing of the gain's interval (:mod:`analysis.pilot`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from experiments.batches.config import ensemble_folder, load_batch
from experiments.batches.pilot_config import PilotConfig, batch_file, load_pilot
from experiments.batches.pipeline import BatchOptions, run_batch
from experiments.core.ensemble import member_inputs
from experiments.core.errors import UserError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim pilot``."""
    parser.add_argument("pilot_file", type=Path, metavar="FILE", help="pilot YAML file")
    parser.add_argument("--out", type=Path, metavar="DIR", help="results folder of the batch")
    parser.add_argument(
        "--workers", type=int, metavar="N", help="worker processes (default: cores)"
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def main(args: argparse.Namespace) -> int:
    """Run the batch, then print and write the value of information and the pilot table."""
    config = load_pilot(args.pilot_file)
    batch = batch_file(config, args.pilot_file)
    batch_config = load_batch(batch)
    if batch_config.ensemble is None:
        raise UserError(
            f"{args.pilot_file}: batch {batch}: value of information needs a batch over a "
            "calibrated ensemble (an ensemble: key), not listed worlds"
        )
    missing = {config.reference, config.alternative} - set(batch_config.policies)
    if missing:
        raise UserError(
            f"{args.pilot_file}: batch {batch} does not run {', '.join(sorted(missing))}; "
            f"its policies are {', '.join(batch_config.policies)}"
        )
    policy_start = (batch_config.overrides or {}).get("time.policy_start_year")
    if config.pilot.start_year is None and policy_start is not None:
        config = config.model_copy(
            update={"pilot": config.pilot.model_copy(update={"start_year": int(policy_start)})}
        )
    elif policy_start is not None and config.pilot.start_year != int(policy_start):
        raise UserError(
            f"{args.pilot_file}: pilot.start_year {config.pilot.start_year} is not the year the "
            f"batch's policies start (time.policy_start_year {policy_start} in {batch})"
        )
    inputs = member_inputs(ensemble_folder(batch_config, batch))
    unknown = {n for names in config.groups.values() for n in names} - set(inputs.columns)
    if unknown:
        raise UserError(
            f"{args.pilot_file}: groups: no input {', '.join(sorted(unknown))} in the ensemble; "
            f"its inputs are {', '.join(inputs.columns)}"
        )
    report = run_batch(
        batch,
        BatchOptions(out=args.out, workers=args.workers, progress=False if args.quiet else None),
    )
    print(f"batch {report.folder}: {report.total} runs; {report.skipped} already finished")
    if report.failed or report.broken or report.lost:
        print("tipsim: some runs did not finish; run the same command again to resume them")
        return 1
    voi, designs, unit = study(report.folder, inputs, config)
    print(voi_text(voi, unit, config))
    print(pilot_text(designs))
    written = write(report.folder, voi, designs, unit)
    print("written: " + ", ".join(str(p) for p in written))
    return 0


def study(
    folder: Path, inputs: pd.DataFrame, config: PilotConfig
) -> tuple[pd.DataFrame, pd.DataFrame, str]:
    """The value-of-information table, the pilot table and the unit of the gain."""
    import analysis
    from analysis.main_answer import ensemble_weights
    from analysis.pilot import OBSERVED, PilotDesign, design_table
    from analysis.value_of_information import (
        Objective,
        member_gains,
        paired_gains,
        value_of_information,
    )

    objective = Objective(config.objective, config.wtp_hkd or 0.0)
    runs = analysis.load(folder)
    weights = ensemble_weights(folder)
    if weights is None:
        raise UserError(f"{folder}: no ensemble weights; the batch was not over an ensemble")
    pairs = paired_gains(runs, objective, config.reference, config.alternative)
    gains = member_gains(pairs)
    voi = value_of_information(gains, weights, inputs, config.groups, config.seed)
    weekly = analysis.load_weekly(folder, outcomes=list(OBSERVED))
    designs = design_table(
        weekly,
        pairs,
        weights,
        [PilotDesign(s, m) for s in config.pilot.shares for m in config.pilot.months],
        config.reference,
        config.alternative,
        alpha=config.pilot.alpha,
        datasets=config.pilot.datasets,
        seed=config.seed,
        start_year=config.pilot.start_year,
    )
    return voi, designs, objective.unit


def voi_text(table: pd.DataFrame, unit: str, config: PilotConfig) -> str:
    """The value-of-information table as aligned text."""
    width = max([len("what is learned"), *(len(str(name)) for name in table["learned"])])
    lines = [
        f"Value of information for adopting {config.alternative} over {config.reference}, "
        f"judged by {config.objective} (in {unit}):",
        f"  {'what is learned':<{width}} {'EVPPI':>10} {'of EVPI':>8} {'var. share':>10}",
    ]
    for row in table.itertuples():
        lines.append(
            f"  {row.learned:<{width}} {row.evppi:>10.3g} {row.share_of_evpi:>8.0%} "
            f"{row.variance_share:>10.0%}"
        )
    return "\n".join(lines) + "\n"


def pilot_text(table: pd.DataFrame) -> str:
    """The pilot designs as aligned text."""
    lines = [
        "Pilot of screening before detention (a share of contacts, the rest detention-first):",
        f"  {'share':>6} {'months':>6} {'identified pilot/control':>25} {'median effect':>13} "
        f"{'power':>6} {'assurance':>9} {'interval narrowing':>18}",
    ]
    for row in table.itertuples():
        arms = f"{row.pilot_victims_identified:.1f} / {row.control_victims_identified:.1f}"
        lines.append(
            f"  {row.share:>6.0%} {row.months:>6g} {arms:>25} {row.median_effect:>+13.1f} "
            f"{row.power:>6.0%} {row.assurance:>9.0%} {row.narrowing:>18.0%}"
        )
    lines.append(
        "  (identified: expected over the pilot in each arm; median effect: extra identified in "
        "the whole system over those months; power of a one-sided test at the file's alpha)"
        if len(table)
        else "  (no designs)"
    )
    return "\n".join(lines) + "\n"


def write(folder: Path, voi: pd.DataFrame, designs: pd.DataFrame, unit: str) -> list[Path]:
    """Write both tables (CSV) and both figures (PNG and SVG) into ``folder``."""
    from analysis.figures import save_figure
    from analysis.pilot_figures import pilot_figure, value_of_information_figure

    paths = [folder / "value_of_information.csv", folder / "pilot.csv"]
    voi.to_csv(paths[0], index=False)
    designs.to_csv(paths[1], index=False)
    paths += save_figure(value_of_information_figure(voi, unit), folder, "value_of_information")
    paths += save_figure(pilot_figure(designs), folder, "pilot")
    return paths
