"""``tipsim calibrate``: fit uncertain parameters to published patterns by ABC.

Writes ``OUT/NAME/``: ``manifest.json``, ``simulations.parquet`` (every run: parameters,
distances, generation), ``yearly.parquet`` (each run's yearly official statistics),
``accepted.csv`` (the final population with weights), ``fit.csv`` (each pattern: published
against simulated), ``comparison.csv`` (yearly official statistics: published against the
accepted runs, fitted or not), ``fit.png``, and the scenario ensemble under ``ensemble/``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pydantic import ValidationError

from analysis.calibration import abc
from analysis.calibration.config import CalibrationConfig, load_calibration, problem_lines
from analysis.calibration.ensemble import write_ensemble
from analysis.calibration.figures import plot_fit
from analysis.calibration.fit import pattern_table, published_comparison
from analysis.calibration.patterns import build_pattern
from analysis.calibration.published import load_figures
from experiments.commands.evidence_support import (
    add_executor_arguments,
    as_user_error,
    load_world,
    progress_bar,
    refuse_timeline_fields,
    write_manifest,
)
from experiments.errors import UserError
from experiments.executors import open_workers
from experiments.storage import write_parquet_atomic
from model import get_policy

HELP = "fit uncertain parameters to published figures (ABC) and save the accepted sets"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim calibrate``."""
    parser.add_argument("config", type=Path, metavar="FILE", help="calibration YAML file")
    add_executor_arguments(parser)
    parser.add_argument("--max-simulations", type=int, metavar="N", help="replace the budget")
    parser.add_argument("--population", type=int, metavar="N", help="replace abc.population")
    parser.add_argument("--generations", type=int, metavar="N", help="replace abc.generations")
    parser.add_argument("--scale", type=float, metavar="S", help="replace the population scale")
    parser.add_argument("--seed", type=int, metavar="N", help="replace the seed")


def main(args: argparse.Namespace) -> int:
    """Run the calibration and write its folder."""
    config = as_user_error(lambda: _configured(args))
    _refuse_meaningless_budget(config, args.config)
    scenario, world = load_world(args.config, config.scenario)
    get_policy(config.policy)
    refuse_timeline_fields(world, list(config.parameters), scenario)
    figures_path = config.figures and Path(config.figures)
    figures = as_user_error(lambda: load_figures(figures_path))
    first, last = world.time.start_year, world.time.start_year + config.years - 1
    patterns = []
    for name, spec in config.patterns.items():
        outside = [y for y in spec.years if not first <= y <= last]
        if outside:
            raise UserError(
                f"{args.config}: patterns.{name}.years {outside} fall outside the run "
                f"({first}-{last}: time.start_year {first}, years {config.years})"
            )
        patterns.append(
            as_user_error(
                lambda n=name, s=spec: build_pattern(
                    n, figures, years=tuple(s.years), relative=s.relative, absolute=s.absolute
                )
            )
        )
    problem = abc.Problem(
        world=world,
        space=config.space(),
        patterns=tuple(patterns),
        policy=config.policy,
        years=config.years,
        scale=config.scale,
        seed=config.seed,
        combine=config.combine,
    )
    folder = (args.out or Path(config.output)) / config.name
    inputs = {"config": args.config, "scenario": scenario}
    settings = config.model_dump(mode="json")
    write_manifest(folder, settings, inputs, status="running")

    bar, update = progress_bar(config.abc.max_simulations, "calibrate", args.quiet)
    with open_workers(args.executor, args.workers, args.scheduler) as workers:
        if config.abc.method == "rejection":
            result = abc.rejection(
                problem,
                workers.executor,
                population=config.abc.population,
                max_simulations=config.abc.max_simulations,
                progress=update,
            )
        else:
            result = abc.smc(
                problem,
                workers.executor,
                population=config.abc.population,
                generations=config.abc.generations,
                quantile=config.abc.quantile,
                max_simulations=config.abc.max_simulations,
                progress=update,
            )
        where = workers.description
    bar.close()

    write_parquet_atomic(result.simulations, folder / "simulations.parquet")
    write_parquet_atomic(result.yearly, folder / "yearly.parquet")
    result.accepted.to_csv(folder / "accepted.csv", index=False)
    accepted = list(result.accepted["number"])
    fit = pattern_table(result.yearly, accepted, patterns)
    fit.to_csv(folder / "fit.csv", index=False)
    comparison = published_comparison(result.yearly, accepted, figures)
    comparison.to_csv(folder / "comparison.csv", index=False)
    prior = list(result.simulations.loc[result.simulations["generation"] == 0, "number"])
    plot_fit(result.yearly, accepted, prior, patterns, folder / "fit.png")
    from_prior = result.method == "smc" and len(result.tolerances) == 1
    members = []
    if from_prior:
        print(
            f"calibrate: warning: the budget ({config.abc.max_simulations} runs) ran out before "
            "the first SMC generation after the prior was complete, so the accepted sets are "
            "draws from the prior, not a fit: no ensemble written. Raise abc.max_simulations "
            f"(--max-simulations) to at least {_smc_budget(config)}.",
            file=sys.stderr,
        )
    else:
        members = write_ensemble(
            result.accepted,
            list(config.parameters),
            scenario,
            folder,
            calibration=config.name,
            years=config.years,
        )
    completed = len(result.tolerances) - 1
    if result.method == "smc" and 0 < completed < config.abc.generations:
        print(
            f"calibrate: warning: only {completed} of {config.abc.generations} SMC generations "
            f"completed within {config.abc.max_simulations} runs; the ensemble is a rough fit",
            file=sys.stderr,
        )
    generations = int(result.simulations["generation"].max())
    write_manifest(
        folder,
        settings,
        inputs,
        status="done",
        method=result.method,
        simulations=len(result.simulations),
        generations_run=generations,
        generations_completed=len(result.tolerances) - 1,
        tolerances=result.tolerances,
        executor=where,
        ensemble=[m.name for m in members],
    )
    _print_summary(config, result, fit, folder, where)
    return 0


def _smc_budget(config: CalibrationConfig) -> int:
    """Runs a full SMC fit needs at the least.

    The prior population, then each generation's population accepted from about
    ``1 / quantile`` times as many proposals.
    """
    settings = config.abc
    return settings.population * (1 + round(settings.generations / settings.quantile))


def _refuse_meaningless_budget(config: CalibrationConfig, path: Path) -> None:
    """Refuse a budget that can only return draws from the prior."""
    settings = config.abc
    if settings.method == "rejection" and settings.max_simulations < 2 * settings.population:
        raise UserError(
            f"{path}: abc.max_simulations {settings.max_simulations} keeps {settings.population} "
            "sets out of fewer than twice as many draws, so the accepted sets would be the prior; "
            f"give at least {2 * settings.population} (10x the population is usual)"
        )
    if settings.method == "smc" and settings.max_simulations < 2 * settings.population:
        raise UserError(
            f"{path}: abc.max_simulations {settings.max_simulations} cannot complete one SMC "
            f"generation after the prior ({settings.population} sets each), so the ensemble "
            f"would be the prior; give at least {_smc_budget(config)} (population x "
            "(1 + generations / quantile))"
        )


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


def _print_summary(config, result, fit, folder: Path, where: str) -> None:
    tolerances = ", ".join(f"{t:.3g}" for t in result.tolerances)
    print(
        f"calibration {config.name}: {len(result.simulations)} runs on {where} "
        f"({result.method}; tolerances {tolerances}); {len(result.accepted)} sets accepted"
    )
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
    print(f"results: {folder}  (ensemble: {folder / 'ensemble'})")
