"""The policy comparison over a calibrated ensemble: parameter and stochastic uncertainty together.

A batch over the member worlds of a calibrated ensemble (each member an accepted parameter set,
with its ABC weight) runs every policy on common random numbers within each member. For each
outcome, member *m* gives the mean paired difference ``d_m`` (alternative − reference) over
its ``n_m`` replicates and its standard error ``s_m = s / sqrt(n_m)``, where ``s`` is the
within-member standard deviation of the paired differences pooled over members (two or three
replicates per member estimate their own spread poorly; the pooled one uses every pair).

What is uncertain is the expected difference in the real world. Given the ensemble, it is
distributed as the **mixture** ``sum_m w_m N(d_m, s_m^2)``: which member describes the world
(parameter uncertainty, the ABC weights ``w_m``) and how well its runs pin its mean down
(stochastic uncertainty). The interval is the mixture's central quantiles, found by bisection on
its distribution function (deterministic), and the probability that the alternative does better
is ``P(difference > 0) = sum_m w_m Phi(d_m / s_m)``. The plain share of members whose mean
difference is positive is given beside it.

A member without a positive standard error (one replicate and no pooled spread) counts as a
point mass at its mean.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analysis.errors import AnalysisError
from analysis.statistics import CONFIDENCE, paired_differences

#: Outcomes of the ensemble answer by default.
ENSEMBLE_METRICS = ("victims_identified", "prosecutions")


def ensemble_answer(
    runs: pd.DataFrame,
    reference: str = "detention_first",
    alternative: str = "screening_before_detention",
    metrics: Sequence[str] = ENSEMBLE_METRICS,
    weights: pd.Series | None = None,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """The paired difference over the ensemble, per outcome.

    Args:
        runs: One row per run (``analysis.load``) of a batch whose worlds are the members.
        reference: The policy compared against.
        alternative: The policy compared.
        metrics: Outcomes.
        weights: ABC weight by world (member file stem); equal weights when ``None``.
        confidence: Coverage of the interval.

    Returns:
        One row per metric: ``metric``, ``members``, ``pairs``, ``mean`` (the mixture's mean),
        ``low`` and ``high`` (its central interval), ``p_more`` (probability the alternative
        gives more), ``share_members_more`` (weighted share of members with a positive mean
        difference) and ``pooled_sd`` (within-member spread of one paired difference).

    Raises:
        AnalysisError: If no world pairs the two policies, or a weight is negative.
    """
    if not 0 < confidence < 1:
        raise AnalysisError(f"confidence {confidence}: must be between 0 and 1 (e.g. 0.95)")
    chosen = runs[runs["policy"].astype(str).isin([reference, alternative])]
    pairs = paired_differences(chosen, reference, ["world"], list(metrics))
    pairs = pairs[pairs["policy"].astype(str) == alternative]
    if pairs.empty:
        raise AnalysisError(f"no replicate pairs {alternative} with {reference} within a world")
    worlds = list(dict.fromkeys(pairs["world"].astype(str)))
    w = _weights(worlds, weights)
    rows = []
    for metric in metrics:
        grouped = pairs.groupby(pairs["world"].astype(str))[metric]
        means = grouped.mean().reindex(worlds).to_numpy(dtype=float)
        counts = grouped.size().reindex(worlds).to_numpy(dtype=float)
        spread = pooled_sd(pairs["world"].astype(str).to_numpy(), pairs[metric].to_numpy(float))
        errors = spread / np.sqrt(counts)
        low, high = mixture_interval(means, errors, w, confidence)
        rows.append(
            {
                "metric": metric,
                "members": len(worlds),
                "pairs": int(counts.sum()),
                "mean": float(np.dot(w, means)),
                "low": low,
                "high": high,
                "p_more": float(np.dot(w, _above_zero(means, errors))),
                "share_members_more": float(np.dot(w, means > 0)),
                "pooled_sd": spread,
            }
        )
    return pd.DataFrame(rows)


def pooled_sd(groups: np.ndarray, values: np.ndarray) -> float:
    """Within-group standard deviation pooled over groups (0 when no group has two values)."""
    frame = pd.DataFrame({"g": groups, "v": values})
    stats = frame.groupby("g")["v"].agg(["var", "size"])
    stats = stats[stats["size"] > 1]
    dof = float((stats["size"] - 1).sum())
    if dof == 0:
        return 0.0
    return float(np.sqrt(((stats["size"] - 1) * stats["var"]).sum() / dof))


def mixture_cdf(x: float, means: np.ndarray, errors: np.ndarray, weights: np.ndarray) -> float:
    """``P(X <= x)`` for the mixture ``sum w_m N(means_m, errors_m^2)`` (point masses at 0 sd)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(errors > 0, (x - means) / np.where(errors > 0, errors, 1.0), np.inf)
    cdf = np.where(errors > 0, ndtr(z), (means <= x).astype(float))
    return float(np.dot(weights, cdf))


def mixture_interval(
    means: np.ndarray, errors: np.ndarray, weights: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """The central ``confidence`` interval of the normal mixture, by bisection."""
    tail = (1 - confidence) / 2
    return _quantile(tail, means, errors, weights), _quantile(1 - tail, means, errors, weights)


def _quantile(q: float, means: np.ndarray, errors: np.ndarray, weights: np.ndarray) -> float:
    low = float(np.min(means - 10 * errors)) - 1.0
    high = float(np.max(means + 10 * errors)) + 1.0
    for _ in range(200):
        middle = (low + high) / 2
        if mixture_cdf(middle, means, errors, weights) < q:
            low = middle
        else:
            high = middle
        if high - low <= 1e-9 * max(1.0, abs(middle)):
            break
    return high


def _above_zero(means: np.ndarray, errors: np.ndarray) -> np.ndarray:
    """``P(N(mean, error^2) > 0)`` per member (1 or 0 for a point mass)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(errors > 0, means / np.where(errors > 0, errors, 1.0), 0.0)
    return np.where(errors > 0, ndtr(z), (means > 0).astype(float))


def _weights(worlds: list[str], weights: pd.Series | None) -> np.ndarray:
    if weights is None:
        w = np.ones(len(worlds))
    else:
        w = weights.reindex(worlds).fillna(0.0).to_numpy(dtype=float)
        if (w < 0).any():
            raise AnalysisError("ensemble weights must not be negative")
    if w.sum() <= 0:
        raise AnalysisError("the ensemble's members in these results have no weight")
    return w / w.sum()


def answer_text(
    answer: pd.DataFrame, reference: str, alternative: str, confidence: float = CONFIDENCE
) -> list[str]:
    """One line per outcome: the mixture mean, interval, probability and share of members."""
    lines = []
    for row in answer.itertuples():
        lines.append(
            f"{row.metric}: {alternative} - {reference} = {row.mean:+.1f} "
            f"[{100 * confidence:g}% interval {row.low:+.1f} to {row.high:+.1f}; parameter and "
            f"stochastic uncertainty over {row.members} members, {row.pairs} pairs]; "
            f"P(more) = {row.p_more:.0%}; members with more: {row.share_members_more:.0%}"
        )
    return lines
