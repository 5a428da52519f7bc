"""What the population scale costs: the same world replayed at several scales and seeds.

For each scale, the yearly official statistics are rescaled to full scale and averaged over
years; the table gives their mean and standard deviation over seeds, so the bias (means that
move with the scale) and the added noise (standard deviations that grow as ``1/sqrt(scale)``)
can be read off. Run it as ``python -m analysis.calibration.scale_check SCENARIO``.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import numpy as np
import pandas as pd

from analysis.calibration.fit import COMPARED_VIEWS
from analysis.calibration.replay import replay
from model.parameters import Parameters

VIEWS = COMPARED_VIEWS


def _one(args: tuple[Parameters, float, int, int, dict[str, Any]]) -> pd.Series:
    world, scale, seed, years, values = args
    table = replay(world, seed=seed, years=years, scale=scale, values=values)
    return table[list(VIEWS)].mean()


def scale_check(
    world: Parameters,
    executor: Executor,
    *,
    scales: Sequence[float] = (1.0, 0.25),
    seeds: Sequence[int] = (1, 2, 3, 4, 5),
    years: int = 5,
    values: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """Mean and standard deviation over seeds of each yearly view, by scale.

    Returns:
        Indexed by view: columns ``(scale, "mean")`` and ``(scale, "sd")``.
    """
    jobs = [(world, s, seed, years, dict(values or {})) for s in scales for seed in seeds]
    results = list(executor.map(_one, jobs))
    frames = {}
    for i, scale in enumerate(scales):
        block = pd.DataFrame(results[i * len(seeds) : (i + 1) * len(seeds)])
        frames[(scale, "mean")] = block.mean()
        frames[(scale, "sd")] = block.std(ddof=1)
    return pd.DataFrame(frames)


def main(argv: list[str] | None = None) -> None:
    """Print the scale check of a scenario."""
    from experiments.executors import open_workers
    from scenarios.loader import load_scenario

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenario")
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 0.25])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    world = load_scenario(args.scenario)
    with open_workers("local", args.workers) as workers:
        table = scale_check(
            world,
            workers.executor,
            scales=args.scales,
            seeds=range(1, args.seeds + 1),
            years=args.years,
        )
    with pd.option_context("display.width", 200):
        print(table.map(lambda v: f"{v:.4g}" if np.isfinite(v) else "nan").to_string())


if __name__ == "__main__":
    main()
