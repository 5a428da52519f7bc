"""``tipsim sensitivity``: Morris screening, then Sobol indices, of a policy difference.

The pipeline is :func:`experiments.sensitivity.pipeline.run_sensitivity`; this command reads the
file, applies the budget options, warns about budgets too small to mean much, and prints the
summary with comments on indices that cannot be right.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from pydantic import ValidationError

from experiments.commands.options import add_executor_arguments
from experiments.core.errors import UserError
from experiments.core.study_setup import StudyOptions, as_user_error, problem_lines
from experiments.sensitivity.config import SensitivityConfig, load_sensitivity
from experiments.sensitivity.pipeline import run_sensitivity


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
    """Run the analysis and print its summary."""
    config: SensitivityConfig = _configured(
        args, as_user_error(lambda: load_sensitivity(args.config))
    )
    for line in budget_warnings(config):
        print(f"sensitivity: warning: {line}", file=sys.stderr)
    done = run_sensitivity(config, args.config, StudyOptions.from_args(args))
    _print_summary(
        config, done.morris, done.sobol, done.chosen, done.folder, done.executor, done.samples
    )
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
