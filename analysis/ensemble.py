"""The policy comparison over a calibrated ensemble: parameter and stochastic uncertainty together.

A batch over the member worlds of a calibrated ensemble (each member an accepted parameter set,
with its ABC weight) runs every policy on common random numbers within each member. For each
outcome, member *m* gives the mean paired difference ``d_m`` (alternative − reference) over
its ``n_m`` replicates; ``s`` is the within-member standard deviation of one paired difference,
pooled over members (two or three replicates per member estimate their own spread poorly; the
pooled one uses every pair).

What is uncertain is the expected difference the reform makes in the real world: which member
describes the world (parameter uncertainty, the ABC weights ``w_m``), known through its mean
over a few runs (stochastic uncertainty, which more replicates make small). By the **law of
total variance** over the two levels (member, then its runs), the variance of a member's mean
gain is the between-member variance of the *expected* gains plus the within-member noise of a
mean of ``n_m`` runs, each counted once::

    Var = Var_m(mu_m) + sum_m w_m s^2 / n_m

The spread of the member means ``d_m`` already holds that noise. So the between-member variance
of expected gains is ``tau^2 = max(0, sum_m w_m (d_m - d)^2 - sum_m w_m s^2 / n_m)`` (``d`` the
weighted mean), and the members' expected gains are estimated by shrinking their means towards
``d`` until their spread is ``tau^2`` (``e_m = d + k (d_m - d)``, ``k = tau / sd(d_m)``). The
answer is the mixture ``sum_m w_m N(e_m, s^2 / n_m)``: its variance is exactly
``tau^2 + sum_m w_m s^2 / n_m``, and it keeps the shape (skew, several modes) of the members'
gains. The interval is the mixture's central quantiles, found by bisection on its distribution
function (deterministic); the probability that the alternative does better is
``P(more) = sum_m w_m Phi(e_m / (s / sqrt(n_m)))``. (An earlier version used the mixture
``sum_m w_m N(d_m, s^2 / n_m)``, which counts the replicates' noise twice: once in the spread
of the ``d_m`` and again in each component.)

How stable ``P(more)`` is, given that only so many members were run, is measured by a bootstrap
over members: the members are resampled by weight (with replacement, :data:`BOOTSTRAP`
resamples on a fixed seed, so the answer repeats exactly), the whole computation is repeated,
and the central range of the resampled ``P(more)`` is reported. The plain share of members whose
mean difference is positive is given beside it.

With one replicate per member there is no within-member spread (``s = 0``): the members' single
gains are then point masses and their spread is the whole variance (expected gain and one run's
noise together).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtr

from analysis.errors import AnalysisError
from analysis.statistics import CONFIDENCE, paired_differences
from result_folder.outcomes import OUTCOME

#: Outcomes of the ensemble answer by default.
ENSEMBLE_METRICS = (OUTCOME.victims_identified, OUTCOME.prosecutions)
#: Resamples of the bootstrap over members (stability of P(more)), and its fixed seed.
BOOTSTRAP = 1000
BOOTSTRAP_SEED = 20250101


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
        One row per metric: ``metric``, ``members``, ``pairs``, ``mean`` (the weighted mean
        gain), ``low`` and ``high`` (the central interval of the gain by the law of total
        variance), ``p_more`` (probability the alternative gives more), ``p_more_low`` and
        ``p_more_high`` (its central range over the bootstrap over members),
        ``share_members_more`` (weighted share of members with a positive mean difference),
        ``pooled_sd`` (within-member spread of one paired difference) and ``between_sd``
        (between-member spread of the expected gains).

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
        expected, between = expected_gains(means, counts, spread, w)
        noise = spread / np.sqrt(counts)
        low, high = mixture_interval(expected, noise, w, confidence)
        p_low, p_high = p_more_bootstrap(means, counts, spread, w, confidence)
        rows.append(
            {
                "metric": metric,
                "members": len(worlds),
                "pairs": int(counts.sum()),
                "mean": float(np.dot(w, means)),
                "low": low,
                "high": high,
                "p_more": float(np.dot(w, _above_zero(expected, noise))),
                "p_more_low": p_low,
                "p_more_high": p_high,
                "share_members_more": float(np.dot(w, means > 0)),
                "pooled_sd": spread,
                "between_sd": between,
            }
        )
    return pd.DataFrame(rows)


def expected_gains(
    means: np.ndarray, counts: np.ndarray, within_sd: float, weights: np.ndarray
) -> tuple[np.ndarray, float]:
    """Members' expected gains: their means shrunk until their spread is free of noise.

    Args:
        means: Each member's mean paired difference ``d_m``.
        counts: Each member's number of replicate pairs ``n_m``.
        within_sd: Pooled within-member standard deviation ``s`` of one paired difference.
        weights: Members' weights (summing to 1).

    Returns:
        The expected gains ``e_m`` (same order) and ``tau``, the between-member standard
        deviation of the expected gains (``tau^2`` = weighted variance of the ``d_m`` less
        their mean noise ``s^2 / n_m``, at least 0).
    """
    centre = float(np.dot(weights, means))
    observed = float(np.dot(weights, (means - centre) ** 2))
    noise = float(np.dot(weights, within_sd**2 / counts))
    between = max(0.0, observed - noise)
    shrink = float(np.sqrt(between / observed)) if observed > 0 else 0.0
    return centre + shrink * (means - centre), float(np.sqrt(between))


def p_more_bootstrap(
    means: np.ndarray,
    counts: np.ndarray,
    within_sd: float,
    weights: np.ndarray,
    confidence: float = CONFIDENCE,
    resamples: int | None = None,
) -> tuple[float, float]:
    """Central ``confidence`` range of ``P(more)`` over members resampled by weight.

    Each resample draws as many members as there are, with replacement, with probability their
    weight (then weighs them equally), and recomputes the expected gains and ``P(more)``; the
    seed is fixed, so the range repeats exactly.
    """
    resamples = BOOTSTRAP if resamples is None else resamples
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    size = len(means)
    picks = rng.choice(size, size=(resamples, size), p=weights)
    d, n = means[picks], counts[picks]
    centre = d.mean(axis=1, keepdims=True)
    observed = ((d - centre) ** 2).mean(axis=1, keepdims=True)
    noise = (within_sd**2 / n).mean(axis=1, keepdims=True)
    between = np.maximum(0.0, observed - noise)
    with np.errstate(divide="ignore", invalid="ignore"):
        shrink = np.where(observed > 0, np.sqrt(between / np.where(observed > 0, observed, 1)), 0)
    expected = centre + shrink * (d - centre)
    errors = within_sd / np.sqrt(n)
    p_more = _above_zero(expected, errors).mean(axis=1)
    tail = (1 - confidence) / 2
    low, high = np.quantile(p_more, [tail, 1 - tail])
    return float(low), float(high)


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
            f"P(more) = {row.p_more:.0%} (bootstrap over members {row.p_more_low:.0%}-"
            f"{row.p_more_high:.0%}); members with more: {row.share_members_more:.0%}"
        )
    return lines
