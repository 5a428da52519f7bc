"""``run_calibration``: fit uncertain world parameters to published patterns by ABC.

Writes ``OUT/NAME/``: ``manifest.json``, ``simulations.parquet`` (every run: parameters,
distances, generation), ``yearly.parquet`` (each run's yearly official statistics),
``accepted.csv`` (the posterior: every run within the final tolerance, from any generation,
with its recycled weight, and the final tolerance and ESS on each row;
:mod:`experiments.calibration.recycling`), ``generations.csv`` (the tolerance path:
generation, tolerance, accepted, simulations, ESS), ``fit.csv`` (each pattern: published
against simulated), ``comparison.csv`` (yearly official statistics: published against the
accepted runs, fitted or not), ``fit.png``, and the
scenario ensemble under ``ensemble/``.

**A killed calibration resumes.** While it runs, the folder holds ``journal/``: every finished
simulation, kept as it arrives (:mod:`experiments.calibration.journal`). Running the same
command again replays the sampler and takes each kept simulation instead of running it, so the
result is the one an uninterrupted calibration gives; a journal begun with another
configuration or other code is refused (``--new`` starts afresh next to it). The journal is
removed once the results and the final manifest are written; a finished calibration is never
replaced (:meth:`StudyOptions.new_folder`).

**No ensemble from a run that never applied a tolerance.** When the final tolerance is not
finite (SMC never completed a generation after the prior), the accepted sets are draws from
the prior, not a fit: no ensemble is written, and a warning says so. A final effective sample
size below :data:`LOW_ESS_SHARE` of the population (``abc.population``) is warned about too
(a few sets carry the weight).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from analysis.calibration.figures import plot_fit
from analysis.calibration.fit import pattern_table, published_comparison
from analysis.calibration.patterns import Pattern, build_pattern
from analysis.calibration.published import load_figures
from experiments.calibration import abc
from experiments.calibration.config import CalibrationConfig
from experiments.calibration.journal import (
    CalibrationJournal,
    Rerun,
    holds_journal,
    identity,
    remove_journal,
)
from experiments.core.ensemble import write_ensemble
from experiments.core.errors import UserError
from experiments.core.executors import open_workers
from experiments.core.progress import Progress
from experiments.core.provenance import write_study_manifest
from experiments.core.storage import fresh_folder, write_parquet_atomic
from experiments.core.study_setup import (
    StudyOptions,
    as_user_error,
    load_world,
    refuse_timeline_fields,
)
from model import get_strategy
from result_folder.layout import MANIFEST

#: Warn when the final Kish effective sample size is below this share of the population.
LOW_ESS_SHARE = 0.5


@dataclass
class Calibration:
    """A finished calibration: where it is, what ABC returned, and the fit table."""

    folder: Path
    result: abc.Result
    fit: pd.DataFrame
    executor: str
    warnings: list[str] = field(default_factory=list)
    ensemble_written: bool = False


def run_calibration(
    config: CalibrationConfig,
    config_path: Path,
    options: StudyOptions | None = None,
) -> Calibration:
    """Run a calibration and write its folder.

    Args:
        config: The validated calibration file (with any command-line changes).
        config_path: Where it was read from (relative paths in it are relative to it).
        options: Where it runs and writes (default: a local process pool, the file's
            output folder).

    Raises:
        UserError: For an unusable scenario, policy, figures file or pattern, a folder holding
            a finished calibration, or an interrupted one that cannot be resumed.
    """
    refuse_meaningless_budget(config, config_path)
    scenario, world = load_world(config_path, config.scenario)
    strategy = get_strategy(config.policy)
    refuse_timeline_fields(world, [*config.parameters, *config.carried], scenario)
    figures_path = config.figures and Path(config.figures)
    figures = as_user_error(lambda: load_figures(figures_path))
    patterns = _patterns(config, config_path, figures, world.time.start_year)
    problem = abc.Problem(
        world=world,
        space=config.space(),
        patterns=tuple(patterns),
        policy=config.policy,
        years=config.years,
        scale=config.scale,
        seed=config.seed,
        combine=config.combine,
        replicates=config.replicates,
    )
    options = options or StudyOptions()
    settings = config.model_dump(mode="json")
    folder = calibration_folder(options, config)
    expected = identity(settings, world, figures, strategy)
    with CalibrationJournal.open(folder, expected, rerun=_rerunner(problem)) as journal:
        for warning in journal.warnings:
            print(f"calibrate: warning: {warning}", file=sys.stderr)
        budget = config.abc.max_simulations
        if journal.stored > budget:
            print(
                f"calibrate: finishing {folder} on the first {budget} of the "
                f"{journal.stored} simulations its journal holds (abc.max_simulations)"
            )
        elif journal.stored:
            print(
                f"calibrate: resuming {folder}: {journal.stored} simulations taken from its "
                "journal, the rest run now"
            )
        inputs = {"config": config_path, "scenario": scenario}
        write_study_manifest(folder, settings, inputs, status="running")
        result, where = _sample(config, problem, options, journal)
        done = _write_results(config, folder, result, where, patterns, figures, scenario, inputs)
    remove_journal(folder)
    return done


def _rerunner(problem: abc.Problem) -> Rerun:
    """Runs a journal's kept simulations again, in this process, to check changed code."""

    def rerun(kept: Sequence[abc.Outcome]) -> list[abc.Outcome]:
        numbers = ", ".join(str(o.number) for o in kept)
        print(
            "calibrate: the interrupted calibration began with other code; running its "
            f"simulation(s) {numbers} again to check that this code gives the same results"
        )
        return [problem.simulation(o.number, o.values).run() for o in kept]

    return rerun


def calibration_folder(options: StudyOptions, config: CalibrationConfig) -> Path:
    """The folder of the calibration: one to resume, or a new one.

    An interrupted calibration (its journal there, its manifest not ``done``) is resumed unless
    ``--new``; a finished one, or a folder holding anything else, is refused as
    :meth:`StudyOptions.new_folder` says (``--new`` writes ``NAME-2`` next to it).

    Raises:
        UserError: For a folder holding a finished calibration or other files, or an
            interrupted calibration that kept no journal (begun by an earlier tipsim).
    """
    folder = options.folder(config.output, config.name)
    status = _status(folder)
    if not options.new and status != "done":
        if holds_journal(folder):
            return folder
        if status == "running":
            raise UserError(
                f"{folder}: holds an interrupted calibration that kept no journal of its "
                "simulations (begun by an earlier version of tipsim), so it cannot be resumed. "
                f"Use --new to start a fresh calibration in {fresh_folder(folder).name} next to "
                "it, or --out for another folder; nothing is deleted"
            )
    return options.new_folder(config.output, config.name, "a calibration and its ensemble")


def _status(folder: Path) -> str | None:
    """The ``status`` of a calibration folder's manifest (``None``: none readable)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    return manifest.get("status") if isinstance(manifest, dict) else None


def _sample(
    config: CalibrationConfig,
    problem: abc.Problem,
    options: StudyOptions,
    journal: CalibrationJournal,
) -> tuple[abc.Result, str]:
    """Run ABC-SMC with the journal, showing progress; the result and where it ran."""
    # The budget counts parameter sets; with replicates each set is several runs.
    unit = "run" if config.replicates == 1 else "parameter set"
    # A lowered budget uses only the journal's first simulations.
    taken = min(journal.stored, config.abc.max_simulations)
    bar = Progress(
        config.abc.max_simulations,
        "calibrate",
        unit=unit,
        enabled=options.progress,
        initial=taken,
    )

    def update(done: int, planned: int, message: str) -> None:
        bar.set_total(planned)
        kept = {"from journal": taken} if taken else {}
        bar.set_done(done, message, **kept)

    try:
        with bar, open_workers(options.executor, options.workers, options.scheduler) as opened:
            result = abc.smc(
                problem,
                opened.executor,
                population=config.abc.population,
                generations=config.abc.generations,
                quantile=config.abc.quantile,
                max_simulations=config.abc.max_simulations,
                progress=update,
                journal=journal,
            )
            return result, opened.description
    except KeyboardInterrupt:
        print(
            f"calibrate: stopped; {journal.stored + journal.recorded} finished simulations are "
            f"kept in {journal.path}: run the same command again to resume",
            file=sys.stderr,
        )
        raise


def _write_results(
    config: CalibrationConfig,
    folder: Path,
    result: abc.Result,
    where: str,
    patterns: list[Pattern],
    figures: pd.DataFrame,
    scenario: Path,
    inputs: dict[str, Path],
) -> Calibration:
    """Write the result tables, the figure, the ensemble and the final manifest."""
    settings = config.model_dump(mode="json")
    write_parquet_atomic(result.simulations, folder / "simulations.parquet")
    write_parquet_atomic(result.yearly, folder / "yearly.parquet")
    ess = result.ess
    result.accepted.assign(final_tolerance=result.final_tolerance, ess=ess).to_csv(
        folder / "accepted.csv", index=False
    )
    result.generations.to_csv(folder / "generations.csv", index=False)
    accepted = list(result.accepted["number"])
    # The posterior's weights: a recycled set from an early generation counts as it weighs.
    weights = dict(zip(accepted, result.accepted["weight"], strict=True))
    fit = pattern_table(result.yearly, accepted, patterns, weights)
    fit.to_csv(folder / "fit.csv", index=False)
    comparison = published_comparison(result.yearly, accepted, figures, weights)
    comparison.to_csv(folder / "comparison.csv", index=False)
    prior = list(result.simulations.loc[result.simulations["generation"] == 0, "number"])
    plot_fit(result.yearly, accepted, prior, patterns, folder / "fit.png")
    warnings = budget_warnings(config, result)
    members = []
    if math.isfinite(result.final_tolerance):
        members = write_ensemble(
            result.accepted,
            list(config.parameters),
            scenario,
            folder,
            calibration=config.name,
            years=config.years,
            carried=config.carried_space(),
            seed=config.seed,
        )
    write_study_manifest(
        folder,
        settings,
        inputs,
        status="done",
        method=result.method,
        simulations=result.runs,
        generations_run=int(result.simulations["generation"].max()),
        generations_completed=len(result.tolerances) - 1,
        tolerances=result.tolerances,
        final_tolerance=result.final_tolerance,
        ess=ess,
        ess_share=result.ess_share,
        posterior_sets=len(result.accepted),
        final_generation_ess=result.final_generation_ess,
        generations=result.generations.to_dict(orient="records"),
        executor=where,
        ensemble=[m.name for m in members],
        simulations_from_journal=result.from_journal,
    )
    return Calibration(folder, result, fit, where, warnings, bool(members))


def budget_warnings(config: CalibrationConfig, result: abc.Result) -> list[str]:
    """What the user must know about a finished run: no ensemble, a rough fit, a low ESS."""
    warnings = []
    completed = len(result.tolerances) - 1
    if not math.isfinite(result.final_tolerance):
        why = (
            f"the budget ({config.abc.max_simulations} runs) ran out before the first SMC "
            "generation after the prior was complete"
        )
        fix = f"Raise abc.max_simulations (--max-simulations) to at least {smc_budget(config)}."
        warnings.append(
            f"{why}, so the final tolerance is infinite and the accepted sets are draws from "
            f"the prior, not a fit: no ensemble written. {fix}"
        )
    elif completed < config.abc.generations:
        warnings.append(
            f"only {completed} of {config.abc.generations} SMC generations completed within "
            f"{config.abc.max_simulations} runs; the ensemble is a rough fit"
        )
    if result.ess_share < LOW_ESS_SHARE:
        warnings.append(
            f"the effective sample size of the posterior's weights is {result.ess:.1f} "
            f"({result.ess_share:.0%} of the population of {config.abc.population}, below "
            f"{LOW_ESS_SHARE:.0%}): a few sets carry most of the weight, so the posterior "
            "is rough. Raise abc.population or abc.quantile."
        )
    return warnings


def smc_budget(config: CalibrationConfig) -> int:
    """Runs a full SMC fit needs at the least.

    The prior population, then each generation's population accepted from about
    ``1 / quantile`` times as many proposals.
    """
    settings = config.abc
    return settings.population * (1 + round(settings.generations / settings.quantile))


def refuse_meaningless_budget(config: CalibrationConfig, path: Path) -> None:
    """Refuse a budget that can only return draws from the prior."""
    settings = config.abc
    if settings.max_simulations < 2 * settings.population:
        raise UserError(
            f"{path}: abc.max_simulations {settings.max_simulations} cannot complete one SMC "
            f"generation after the prior ({settings.population} sets each), so the ensemble "
            f"would be the prior; give at least {smc_budget(config)} (population x "
            "(1 + generations / quantile))"
        )


def _patterns(
    config: CalibrationConfig, config_path: Path, figures: pd.DataFrame, first: int
) -> list[Pattern]:
    """The configured patterns, each checked to fall inside the simulated years."""
    last = first + config.years - 1
    patterns = []
    for name, spec in config.patterns.items():
        outside = [y for y in spec.years if not first <= y <= last]
        if outside:
            raise UserError(
                f"{config_path}: patterns.{name}.years {outside} fall outside the run "
                f"({first}-{last}: time.start_year {first}, years {config.years})"
            )
        patterns.append(
            as_user_error(
                lambda n=name, s=spec: build_pattern(
                    n,
                    figures,
                    years=tuple(s.years),
                    relative=s.relative,
                    absolute=s.absolute,
                    over_years=s.over_years,
                )
            )
        )
    return patterns
