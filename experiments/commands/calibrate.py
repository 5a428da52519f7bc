"""``tipsim calibrate``: fit uncertain parameters to published patterns by ABC.

The pipeline is :func:`experiments.calibration.pipeline.run_calibration`; this command reads the
file, applies the command-line changes and prints the summary. A calibration that is stopped
(Ctrl-C, SIGTERM, a kill) resumes when the same command is run again.
"""

from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

from pydantic import ValidationError

from experiments.calibration.config import CalibrationConfig, load_calibration
from experiments.calibration.pipeline import run_calibration
from experiments.commands.options import add_executor_arguments, seed_argument
from experiments.core.errors import UserError
from experiments.core.study_setup import StudyOptions, as_user_error, problem_lines


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim calibrate``."""
    parser.add_argument("config", type=Path, metavar="FILE", help="calibration YAML file")
    add_executor_arguments(parser)
    parser.add_argument(
        "--max-simulations",
        type=int,
        metavar="N",
        help="replace the budget (abc.max_simulations); an interrupted calibration resumes "
        "under it, and one whose journal holds N or more finishes on its first N",
    )
    parser.add_argument("--population", type=int, metavar="N", help="replace abc.population")
    parser.add_argument(
        "--generations",
        type=int,
        metavar="N",
        help="replace abc.generations (may also change when resuming)",
    )
    parser.add_argument("--scale", type=float, metavar="S", help="replace the population scale")
    parser.add_argument("--seed", type=seed_argument, metavar="N", help="replace the seed")
    parser.add_argument(
        "--new",
        action="store_true",
        help="if the folder holds an earlier calibration, finished or interrupted, start a fresh "
        "one in NAME-2 next to it instead of refusing or resuming (nothing is ever replaced)",
    )


def main(args: argparse.Namespace) -> int:
    """Run the calibration and print its summary."""
    config = as_user_error(lambda: _configured(args))
    # SIGTERM (a job's time limit, ``kill``) stops the calibration like Ctrl-C: the finished
    # simulations are in its journal and the same command resumes.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        done = run_calibration(config, args.config, StudyOptions.from_args(args))
    finally:
        signal.signal(signal.SIGTERM, previous)
    for warning in done.warnings:
        print(f"calibrate: warning: {warning}", file=sys.stderr)
    _print_summary(config, done.result, done.fit, done.folder, done.executor, done.ensemble_written)
    return 0


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _configured(args: argparse.Namespace) -> CalibrationConfig:
    config = load_calibration(args.config)
    changes = {}
    abc_changes = {
        "max_simulations": args.max_simulations,
        "population": args.population,
        "generations": args.generations,
    }
    abc_changes = {k: v for k, v in abc_changes.items() if v is not None}
    if abc_changes:
        changes["abc"] = config.abc.model_dump() | abc_changes
    if args.scale is not None:
        changes["scale"] = args.scale
    if args.seed is not None:
        changes["seed"] = args.seed
    if not changes:
        return config
    try:
        return CalibrationConfig.model_validate(config.model_dump() | changes)
    except ValidationError as err:
        lines = "\n".join(problem_lines(err))
        raise UserError(f"{args.config}: invalid command-line option(s):\n{lines}") from None


def _print_summary(config, result, fit, folder: Path, where: str, ensemble: bool) -> None:
    tolerances = ", ".join(f"{t:.3g}" for t in result.tolerances)
    kept = f" ({result.from_journal} taken from the journal)" if result.from_journal else ""
    print(
        f"calibration {config.name}: {result.runs} runs{kept} on {where} "
        f"({result.method}; tolerances {tolerances}); posterior: {len(result.accepted)} sets "
        f"within the final tolerance from every generation, effective sample size "
        f"{result.ess:.1f} ({result.ess_share:.0%} of the population of "
        f"{config.abc.population}; the final generation alone {result.final_generation_ess:.1f})"
    )
    path = result.generations.assign(
        tolerance=result.generations["tolerance"].map("{:.4g}".format),
        ess=result.generations["ess"].map("{:.1f}".format),
    )
    print("  tolerance path:")
    print("\n".join("    " + line for line in path.to_string(index=False).splitlines()))
    weights = result.accepted["weight"]
    for name in config.parameters:
        values = result.accepted[name]
        mean = float((values * weights).sum())
        print(
            f"  {name:45s} weighted mean {mean:10.4g}   range {values.min():.4g} - "
            f"{values.max():.4g}"
        )
    shown = fit.assign(
        median=fit["median"].map("{:.4g}".format), published=fit["published"].map("{:.4g}".format)
    )
    print(
        shown[["pattern", "point", "published", "median", "within_tolerance"]].to_string(
            index=False
        )
    )
    where_ensemble = folder / "ensemble" if ensemble else "none written"
    print(f"results: {folder}  (ensemble: {where_ensemble})")
