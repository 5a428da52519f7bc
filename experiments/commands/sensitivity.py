"""``tipsim sensitivity``: Morris screening, then Sobol indices, of a policy difference.

Writes ``OUT/NAME/``: ``manifest.json``, ``morris.csv`` and ``sobol.csv`` (indices),
``morris_samples.parquet`` and ``sobol_samples.parquet`` (designs with each run's counts under
both policies), ``noise.csv`` (the difference over seeds at the scenario's own values),
``morris.png`` and ``sobol.png``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.calibration.space import ParameterSpace
from analysis.sensitivity.config import SensitivityConfig, load_sensitivity
from analysis.sensitivity.figures import plot_morris, plot_sobol
from analysis.sensitivity.methods import morris, most_influential, sobol
from analysis.sensitivity.runs import PolicyDifference
from experiments.commands.evidence_support import (
    add_executor_arguments,
    as_user_error,
    load_world,
    progress_bar,
    refuse_timeline_fields,
    write_manifest,
)
from experiments.executors import open_workers
from experiments.storage import write_parquet_atomic
from model import get_policy

HELP = "Morris screening then Sobol indices of the difference between two policies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim sensitivity``."""
    parser.add_argument("config", type=Path, metavar="FILE", help="sensitivity YAML file")
    add_executor_arguments(parser)


def main(args: argparse.Namespace) -> int:
    """Run the analysis and write its folder."""
    config: SensitivityConfig = as_user_error(lambda: load_sensitivity(args.config))
    scenario, world = load_world(args.config, config.scenario)
    for policy in config.policies:
        get_policy(policy)
    refuse_timeline_fields(world, list(config.parameters), scenario)
    folder = (args.out or Path(config.output)) / config.name
    settings = config.model_dump(mode="json")
    inputs = {"config": args.config, "scenario": scenario}
    write_manifest(folder, settings, inputs, status="running")

    space = config.space()
    d, top = len(space), config.sobol.top
    planned = 2 * (
        config.morris.trajectories * (d + 1)
        + config.sobol.samples * (top + 2)
        + config.noise_replicates
    )
    bar, update = progress_bar(planned, "sensitivity", args.quiet)
    with open_workers(args.executor, args.workers, args.scheduler) as workers:
        model = PolicyDifference(
            world,
            space,
            config.policies,
            config.outputs,
            workers.executor,
            seed=config.seed,
            years=config.years,
            scale=config.scale,
            progress=lambda done, _: update(done, planned, ""),
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
        where = workers.description
    bar.close()

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
    write_manifest(
        folder,
        settings,
        inputs,
        status="done",
        runs=len(model.rows) * len(config.policies),
        sobol_parameters=chosen,
        executor=where,
    )
    _print_summary(config, morris_indices, sobol_indices, chosen, folder, where, len(model.rows))
    return 0


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


def _print_summary(config, morris_indices, sobol_indices, chosen, folder, where, samples):
    last, first = config.policies[-1], config.policies[0]
    print(
        f"sensitivity {config.name}: {samples} samples x {len(config.policies)} policies on "
        f"{where}; outputs are {last} - {first}"
    )
    print("Morris μ* (largest first):")
    for output in config.outputs:
        rows = morris_indices[morris_indices["output"] == output].sort_values(
            "mu_star", ascending=False
        )
        shown = ", ".join(f"{r.parameter} {r.mu_star:.3g}" for r in rows.head(5).itertuples())
        print(f"  {output}: {shown}")
    print(f"Sobol indices over {', '.join(chosen)}:")
    print(
        sobol_indices[["output", "parameter", "S1", "S1_conf", "ST", "ST_conf", "noise_share"]]
        .round(3)
        .to_string(index=False)
    )
    print(f"results: {folder}")
