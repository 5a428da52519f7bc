"""``run_sensitivity``: Morris screening, then Sobol indices, of a policy difference.

Writes ``OUT/NAME/``: ``manifest.json``, ``morris.csv`` and ``sobol.csv`` (indices),
``morris_samples.parquet`` and ``sobol_samples.parquet`` (designs with each run's counts under
both policies), ``noise.csv`` (the difference over seeds at the scenario's own values),
``morris.png`` and ``sobol.png``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.sensitivity.figures import plot_morris, plot_sobol
from experiments.core.executors import open_workers
from experiments.core.parameter_space import ParameterSpace
from experiments.core.progress import Progress
from experiments.core.provenance import write_study_manifest
from experiments.core.storage import write_parquet_atomic
from experiments.core.study_setup import StudyOptions, load_world, refuse_timeline_fields
from experiments.sensitivity.config import SensitivityConfig
from experiments.sensitivity.methods import morris, most_influential, sobol
from experiments.sensitivity.runs import PolicyDifference
from model import get_strategy


@dataclass
class Sensitivity:
    """A finished sensitivity analysis: its folder, indices and what ran."""

    folder: Path
    morris: pd.DataFrame
    sobol: pd.DataFrame
    chosen: list[str]
    samples: int
    executor: str


def run_sensitivity(
    config: SensitivityConfig,
    config_path: Path,
    options: StudyOptions | None = None,
) -> Sensitivity:
    """Run Morris then Sobol on the policy difference and write the study's folder.

    Args:
        config: The validated sensitivity file.
        config_path: Where it was read from (relative paths in it are relative to it).
        options: Where it runs and writes (default: a local process pool, the file's
            output folder).
    """
    scenario, world = load_world(config_path, config.scenario)
    for policy in config.policies:
        get_strategy(policy)
    refuse_timeline_fields(world, [*config.parameters, *config.fixed], scenario)
    options = options or StudyOptions()
    folder = options.folder(config.output, config.name)
    settings = config.model_dump(mode="json")
    inputs = {"config": config_path, "scenario": scenario}
    write_study_manifest(folder, settings, inputs, status="running")

    space = config.space()
    d, top = len(space), config.sobol.top
    planned = 2 * (
        config.morris.trajectories * (d + 1)
        + config.sobol.samples * (top + 2)
        + config.noise_replicates
    )
    bar = Progress(planned, "sensitivity", enabled=options.progress)
    with bar, open_workers(options.executor, options.workers, options.scheduler) as opened:
        model = PolicyDifference(
            world,
            space,
            config.policies,
            config.outputs,
            opened.executor,
            seed=config.seed,
            years=config.years,
            scale=config.scale,
            progress=lambda done, _: bar.set_done(done),
            fixed=config.fixed,
        )
        model.planned = planned
        morris_indices, morris_samples = morris(
            space.salib_problem(),
            model,
            config.outputs,
            trajectories=config.morris.trajectories,
            levels=config.morris.levels,
            seed=config.seed,
        )
        morris_rows = len(model.rows)
        chosen = most_influential(morris_indices, top)
        subspace = ParameterSpace({name: config.parameters[name] for name in chosen})
        model.space = subspace
        sobol_indices, sobol_samples = sobol(
            subspace.salib_problem(),
            model,
            config.outputs,
            samples=config.sobol.samples,
            seed=config.seed,
        )
        noise = model.noise(config.noise_replicates) if config.noise_replicates else None
        where = opened.description

    runs = pd.DataFrame(model.rows)
    morris_samples = pd.concat(
        [morris_samples, runs.iloc[:morris_rows].reset_index(drop=True)], axis=1
    )
    sobol_runs = runs.iloc[morris_rows : morris_rows + len(sobol_samples)].reset_index(drop=True)
    sobol_samples = pd.concat([sobol_samples, sobol_runs], axis=1)
    write_parquet_atomic(_flat(morris_samples), folder / "morris_samples.parquet")
    write_parquet_atomic(_flat(sobol_samples), folder / "sobol_samples.parquet")
    morris_indices.to_csv(folder / "morris.csv", index=False)
    sobol_indices = sobol_indices.merge(
        _variance_shares(sobol_samples, noise, config.outputs), on="output"
    )
    sobol_indices.to_csv(folder / "sobol.csv", index=False)
    if noise is not None:
        pd.DataFrame(noise, columns=config.outputs).to_csv(folder / "noise.csv", index=False)
    plot_morris(morris_indices, folder / "morris.png")
    plot_sobol(sobol_indices, folder / "sobol.png")
    write_study_manifest(
        folder,
        settings,
        inputs,
        status="done",
        runs=len(model.rows) * len(config.policies),
        sobol_parameters=chosen,
        executor=where,
    )
    return Sensitivity(folder, morris_indices, sobol_indices, chosen, len(model.rows), where)


def _variance_shares(
    samples: pd.DataFrame, noise: np.ndarray | None, outputs: list[str]
) -> pd.DataFrame:
    """Per output: variance over the Sobol design, and the share that seed noise alone gives."""
    rows = []
    for j, output in enumerate(outputs):
        total = float(samples[output].var())
        noise_var = float(np.var(noise[:, j], ddof=1)) if noise is not None else float("nan")
        rows.append(
            {
                "output": output,
                "output_variance": total,
                "noise_variance": noise_var,
                "noise_share": noise_var / total if total > 0 else float("nan"),
            }
        )
    return pd.DataFrame(rows)


def _flat(frame: pd.DataFrame) -> pd.DataFrame:
    """Parquet needs unique string column names: design outputs are renamed."""
    frame = frame.loc[:, ~frame.columns.duplicated()]
    return frame.rename(columns={c: str(c) for c in frame.columns})
