"""``tipsim sensitivity``: Morris screening, then Sobol indices, of a policy difference.

The pipeline is :func:`experiments.sensitivity.pipeline.run_sensitivity`; this command reads the
file and prints the summary.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from experiments.commands.options import add_executor_arguments
from experiments.sensitivity.config import SensitivityConfig, load_sensitivity
from experiments.sensitivity.pipeline import run_sensitivity
from experiments.studies import StudyOptions, as_user_error


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim sensitivity``."""
    parser.add_argument("config", type=Path, metavar="FILE", help="sensitivity YAML file")
    add_executor_arguments(parser)


def main(args: argparse.Namespace) -> int:
    """Run the analysis and print its summary."""
    config: SensitivityConfig = as_user_error(lambda: load_sensitivity(args.config))
    done = run_sensitivity(config, args.config, StudyOptions.from_args(args))
    _print_summary(
        config, done.morris, done.sobol, done.chosen, done.folder, done.executor, done.samples
    )
    return 0


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
