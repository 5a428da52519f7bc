"""Morris screening and Sobol indices around any vectorised evaluation function (SALib).

``evaluate`` maps a sample matrix ``(n, d)`` (in SALib's problem scale) to outputs ``(n, k)``;
the same code path serves the model and analytic test functions such as Ishigami.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from SALib.analyze import morris as morris_analyze
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import morris as morris_sample
from SALib.sample import sobol as sobol_sample

Evaluate = Callable[[np.ndarray], np.ndarray]


def morris(
    problem: dict[str, Any],
    evaluate: Evaluate,
    outputs: Sequence[str],
    *,
    trajectories: int,
    levels: int = 4,
    seed: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Morris elementary effects of every parameter on every output.

    Args:
        problem: SALib problem (``num_vars``, ``names``, ``bounds``).
        evaluate: Sample matrix to outputs ``(n, len(outputs))``.
        outputs: Output names.
        trajectories: Morris trajectories (runs: ``trajectories * (d + 1)``).
        levels: Grid levels.
        seed: Seed of the design and of the bootstrap.

    Returns:
        ``(indices, samples)``: indices has one row per output and parameter (``mu``,
        ``mu_star``, ``sigma``, ``mu_star_conf``); samples holds the design and the outputs.
    """
    design = morris_sample.sample(problem, trajectories, num_levels=levels, seed=seed)
    values = _checked(evaluate(design), len(design), outputs)
    rows = []
    for j, output in enumerate(outputs):
        result = morris_analyze.analyze(
            problem, design, values[:, j], num_levels=levels, seed=seed, print_to_console=False
        )
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "mu": float(result["mu"][i]),
                    "mu_star": float(result["mu_star"][i]),
                    "sigma": float(result["sigma"][i]),
                    "mu_star_conf": float(result["mu_star_conf"][i]),
                }
            )
    return pd.DataFrame(rows), _samples(problem, design, values, outputs)


def sobol(
    problem: dict[str, Any],
    evaluate: Evaluate,
    outputs: Sequence[str],
    *,
    samples: int,
    seed: int = 1,
    resamples: int = 200,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """First-order and total Sobol indices (Saltelli design, no second order).

    Args:
        problem: SALib problem.
        evaluate: Sample matrix to outputs.
        outputs: Output names.
        samples: Base samples N, a power of 2 (runs: ``N * (d + 2)``).
        seed: Seed of the design and of the bootstrap.
        resamples: Bootstrap resamples for the confidence intervals.

    Returns:
        ``(indices, samples)``: indices has one row per output and parameter (``S1``,
        ``S1_conf``, ``ST``, ``ST_conf``: 95% intervals are ± conf; NaN for an output that
        did not vary).
    """
    design = sobol_sample.sample(problem, samples, calc_second_order=False, seed=seed)
    values = _checked(evaluate(design), len(design), outputs)
    rows = []
    for j, output in enumerate(outputs):
        if np.ptp(values[:, j]) == 0:
            # A constant output has no variance to apportion: its indices are undefined.
            nan = float("nan")
            for name in problem["names"]:
                rows.append(
                    {"output": output, "parameter": name, "S1": nan, "S1_conf": nan}
                    | {"ST": nan, "ST_conf": nan}
                )
            continue
        result = sobol_analyze.analyze(
            problem,
            values[:, j],
            calc_second_order=False,
            num_resamples=resamples,
            seed=seed,
            print_to_console=False,
        )
        for i, name in enumerate(problem["names"]):
            rows.append(
                {
                    "output": output,
                    "parameter": name,
                    "S1": float(result["S1"][i]),
                    "S1_conf": float(result["S1_conf"][i]),
                    "ST": float(result["ST"][i]),
                    "ST_conf": float(result["ST_conf"][i]),
                }
            )
    return pd.DataFrame(rows), _samples(problem, design, values, outputs)


def most_influential(indices: pd.DataFrame, count: int) -> list[str]:
    """The ``count`` parameters with the largest Morris μ* relative to each output's largest.

    A parameter's score is its highest relative μ* over the outputs, so a parameter that
    matters for any one output is kept.
    """
    relative = indices.assign(
        score=indices["mu_star"] / indices.groupby("output")["mu_star"].transform("max")
    ).fillna({"score": 0.0})
    scores = relative.groupby("parameter", sort=False)["score"].max()
    return list(scores.sort_values(ascending=False, kind="stable").index[:count])


def _checked(values: np.ndarray, n: int, outputs: Sequence[str]) -> np.ndarray:
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        values = values[:, None]
    if values.shape != (n, len(outputs)):
        raise ValueError(f"evaluate returned shape {values.shape}; expected {(n, len(outputs))}")
    return values


def _samples(
    problem: dict[str, Any], design: np.ndarray, values: np.ndarray, outputs: Sequence[str]
) -> pd.DataFrame:
    table = pd.DataFrame(design, columns=problem["names"])
    for j, output in enumerate(outputs):
        table[output] = values[:, j]
    return table
