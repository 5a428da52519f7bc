"""What the population scale costs: the same world replayed at several scales and seeds.

For each scale, the yearly official statistics are rescaled to full scale and averaged over
years; the table gives their mean and standard deviation over seeds, so the bias (means that
move with the scale) and the added noise (standard deviations that grow as ``1/sqrt(scale)``)
can be read off. ``tipsim scale-check SCENARIO`` prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from typing import Any

import pandas as pd

from analysis.calibration.fit import COMPARED_VIEWS
from experiments.core.replay import replay
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
