"""``tipsim sensitivity``: Morris screening, then Sobol indices, of a policy difference.

Writes ``OUT/NAME/``: ``manifest.json``, ``morris.csv`` and ``sobol.csv`` (indices),
``morris_samples.parquet`` and ``sobol_samples.parquet`` (designs with each run's counts under
both policies), ``noise.csv`` (the difference over seeds at the scenario's own values),
``morris.png`` and ``sobol.png``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from pydantic import ValidationError

from analysis.calibration.config import problem_lines
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
from experiments.errors import UserError
from experiments.executors import open_workers
from experiments.storage import write_parquet_atomic
from model import get_policy

HELP = "Morris screening then Sobol indices of the difference between two policies"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim sensitivity``."""
    parser.add_argument("config", type=Path, metavar="FILE", help="sensitivity YAML file")
    add_executor_arguments(parser)
    parser.add_argument(
        "--trajectories", type=int, metavar="N", help="replace morris.trajectories (the budget)"
    )
    parser.add_argument(
        "--samples", type=int, metavar="N", help="replace sobol.samples (a power of 2)"
    )
    parser.add_argument("--top", type=int, metavar="K", help="replace sobol.top")
    parser.add_argument(
        "--noise-replicates", type=int, metavar="N", help="replace noise_replicates"
    )


def main(args: argparse.Namespace) -> int:
    """Run the analysis and write its folder."""
    config: SensitivityConfig = _configured(
        args, as_user_error(lambda: load_sensitivity(args.config))
    )
    for line in budget_warnings(config):
        print(f"sensitivity: warning: {line}", file=sys.stderr)
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


#: Below this many base samples Sobol indices are rough (their confidence intervals say how).
SOBOL_SAMPLES_ENOUGH = 256


def _configured(args: argparse.Namespace, config: SensitivityConfig) -> SensitivityConfig:
    """The configuration with the budget flags applied (validated like the file)."""
    changes = {
        ("morris", "trajectories"): getattr(args, "trajectories", None),
        ("sobol", "samples"): getattr(args, "samples", None),
        ("sobol", "top"): getattr(args, "top", None),
        ("noise_replicates",): getattr(args, "noise_replicates", None),
    }
    data = config.model_dump()
    changed = False
    for path, value in changes.items():
        if value is None:
            continue
        changed = True
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    if not changed:
        return config
    try:
        return SensitivityConfig.model_validate(data)
    except ValidationError as err:
        lines = "\n".join(problem_lines(err))
        raise UserError(f"{args.config}: invalid command-line option(s):\n{lines}") from None


def budget_warnings(config: SensitivityConfig) -> list[str]:
    """What a small budget makes unreliable, before the runs start."""
    warnings = []
    if config.sobol.samples < SOBOL_SAMPLES_ENOUGH:
        warnings.append(
            f"sobol.samples {config.sobol.samples} is small: Sobol indices from fewer than "
            f"{SOBOL_SAMPLES_ENOUGH} base samples are rough (see ST_conf); raise it with --samples"
        )
    if config.morris.trajectories < 10:
        warnings.append(
            f"morris.trajectories {config.morris.trajectories}: the Morris ranking that picks the "
            "Sobol parameters is unstable below about 10 trajectories; use --trajectories"
        )
    if config.noise_replicates < 2:
        warnings.append(
            "noise_replicates below 2: the share of variance from seed noise cannot be measured"
        )
    return warnings


def index_comments(indices: pd.DataFrame) -> list[str]:
    """Comments on Sobol indices that cannot be right in theory (a sign of too few samples)."""
    comments = []
    for row in indices.itertuples():
        if row.ST > 1:
            comments.append(
                f"{row.output} / {row.parameter}: total index ST = {row.ST:.3g} > 1, which a "
                "variance share cannot be: the sample is too small or seed noise dominates "
                "(see noise_share); raise sobol.samples"
            )
        if row.S1 < 0 and row.S1 + row.S1_conf < 0:
            comments.append(
                f"{row.output} / {row.parameter}: first-order index S1 = {row.S1:.3g} < 0 beyond "
                "its interval: estimation error; raise sobol.samples"
            )
    return comments


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
    for comment in index_comments(sobol_indices):
        print(f"  note: {comment}")
    print(f"results: {folder}")
