"""Does the policy ranking hold across a calibrated ensemble?

Reads the result folder of a batch over the ensemble's member worlds (``ensemble/batch.yaml``)
and, member by member, averages the paired differences (same seed under both policies) between
an alternative policy and the reference; then counts the members in which the alternative
identifies more victims, yields more prosecutions, and both. Members may be weighted by their
ABC weights.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from analysis.results import load
from analysis.statistics import paired_differences
from result_folder.outcomes import OUTCOME

METRICS = (OUTCOME.victims_identified, OUTCOME.prosecutions)


def member_differences(
    batch_folder: str | Path,
    reference: str = "detention_first",
    alternative: str = "screening_before_detention",
    metrics: Sequence[str] = METRICS,
) -> pd.DataFrame:
    """Mean paired difference (alternative - reference) per member world.

    Returns:
        One row per world: ``world``, ``pairs`` (replicates) and the mean difference of each
        metric.
    """
    runs = load(batch_folder)
    runs = runs[runs["policy"].astype(str).isin([reference, alternative])]
    pairs = paired_differences(runs, reference, ["world"], list(metrics))
    pairs = pairs[pairs["policy"] == alternative]
    table = pairs.groupby("world")[list(metrics)].mean()
    table.insert(0, "pairs", pairs.groupby("world").size())
    return table.reset_index()


def ranking_shares(
    differences: pd.DataFrame,
    weights: pd.Series | None = None,
    metrics: Sequence[str] = METRICS,
) -> dict[str, float]:
    """Share of members (weighted, if weights are given by world) where the alternative wins.

    Returns:
        ``{"more_<metric>": share, ..., "more_all": share}`` where a member counts when its
        mean difference is above zero (for every metric, for ``more_all``).
    """
    if weights is None:
        w = pd.Series(1.0, index=differences["world"])
    else:
        w = weights.reindex(differences["world"]).fillna(0.0)
    w = w / w.sum()
    wins = {m: (differences[m].to_numpy() > 0) for m in metrics}
    shares = {f"more_{m}": float((w.to_numpy() * wins[m]).sum()) for m in metrics}
    every = pd.DataFrame(wins).all(axis=1).to_numpy()
    shares["more_all"] = float((w.to_numpy() * every).sum())
    return shares
