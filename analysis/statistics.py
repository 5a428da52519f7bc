"""Statistics across replicates: summaries, paired differences and bootstrap intervals.

Replicate ``r`` of every policy in a world and draw runs on the same random numbers (common
random numbers), so policies are compared replicate by replicate: the paired difference
``policy - reference`` removes the variation the policies share. Confidence intervals are
percentile bootstrap intervals of the mean, resampling replicates (pairs) with replacement,
with a fixed seed so that the same results always give the same table.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

#: Seed of the bootstrap's random numbers (tables are reproducible).
BOOTSTRAP_SEED = 20_240_605
#: Bootstrap resamples per interval.
BOOTSTRAP_RESAMPLES = 2000
#: Coverage of intervals.
CONFIDENCE = 0.95


def bootstrap_counts(n: int, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """How often each of ``n`` observations appears in each bootstrap resample.

    Args:
        n: Number of observations (replicates or pairs).
        resamples: Number of resamples.
        rng: Random number generator.

    Returns:
        Integer array ``(resamples, n)`` whose rows sum to ``n``.
    """
    picks = rng.integers(0, n, size=(resamples, n))
    flat = picks + (np.arange(resamples)[:, None] * n)
    return np.bincount(flat.ravel(), minlength=resamples * n).reshape(resamples, n)


def bootstrap_means(values: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Means of every bootstrap resample, for each column of ``values``.

    Computed as the sample mean plus the resampled mean of the deviations, so a column
    without variation gives exactly its value in every resample.

    Args:
        values: Observations ``(n,)`` or ``(n, k)``.
        counts: Resample counts from :func:`bootstrap_counts`, shape ``(resamples, n)``.

    Returns:
        Array ``(resamples,)`` or ``(resamples, k)``.
    """
    values = np.asarray(values, dtype=float)
    centre = values.mean(axis=0)
    return centre + counts @ (values - centre) / values.shape[0]


def percentile_interval(
    samples: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper percentile bounds of ``samples`` along the first axis."""
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(samples, [tail, 1.0 - tail], axis=0)
    return low, high


def bootstrap_ci(
    values: Sequence[float] | np.ndarray,
    confidence: float = CONFIDENCE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Percentile bootstrap confidence interval of the mean of each column.

    Args:
        values: Observations ``(n,)`` or ``(n, k)``; ``n`` must be at least 2.
        confidence: Coverage of the interval.
        resamples: Bootstrap resamples.
        seed: Seed of the resampling.

    Returns:
        ``(low, high)``, scalars (as 0-d arrays) or arrays of length ``k``.
    """
    values = np.asarray(values, dtype=float)
    if values.shape[0] < 2:
        raise ValueError("a bootstrap interval needs at least 2 observations")
    counts = bootstrap_counts(values.shape[0], resamples, np.random.default_rng(seed))
    return percentile_interval(bootstrap_means(values, counts), confidence)


def replicate_summary(
    table: pd.DataFrame,
    by: list[str],
    metrics: list[str],
    confidence: float = CONFIDENCE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Mean, median and spread across replicates of each metric in each group.

    Args:
        table: One row per run.
        by: Columns defining a group (e.g. source, world, draw, policy).
        metrics: Outcome columns to summarise.
        confidence: Coverage of the intervals.
        resamples: Bootstrap resamples for the interval of the mean.
        seed: Seed of the resampling.

    Returns:
        Long table: the ``by`` columns, ``metric``, ``n``, ``mean``, ``median``, ``low`` and
        ``high`` (the central ``confidence`` interval of the replicates' values), and
        ``mean_low``/``mean_high`` (bootstrap interval of the mean; NaN below 2 replicates).
    """
    rows = []
    for key, group in table.groupby(by, observed=True, dropna=False, sort=True):
        values = group[metrics].to_numpy(dtype=float)
        n = values.shape[0]
        low, high = percentile_interval(values, confidence)
        if n >= 2:
            mean_low, mean_high = bootstrap_ci(values, confidence, resamples, seed)
        else:
            mean_low = mean_high = np.full(len(metrics), np.nan)
        stats = {
            "n": np.full(len(metrics), n),
            "mean": values.mean(axis=0),
            "median": np.median(values, axis=0),
            "low": low,
            "high": high,
            "mean_low": mean_low,
            "mean_high": mean_high,
        }
        rows.append(_long_block(by, key, metrics, stats))
    return pd.concat(rows, ignore_index=True) if rows else _empty(by, ["n", "mean"])


def paired_differences(
    table: pd.DataFrame, reference: str, by: list[str], metrics: list[str]
) -> pd.DataFrame:
    """Differences ``policy - reference`` replicate by replicate, within each group.

    Args:
        table: One row per run, with ``policy`` and ``replicate`` columns.
        reference: The policy every other policy is compared with.
        by: Columns within which replicates share random numbers (e.g. source, world, draw).
        metrics: Outcome columns.

    Returns:
        One row per group, non-reference policy and replicate present under both policies:
        the ``by`` columns, ``policy``, ``replicate`` and the differences of ``metrics``.
    """
    frames = []
    for name, pairs in _pairs(table, reference, by, metrics):
        diff = pairs["diff"]
        diff.insert(0, "policy", name)
        frames.append(pd.concat([pairs[[*by, "replicate"]].droplevel(1, axis=1), diff], axis=1))
    if not frames:
        return _empty([*by, "replicate"], ["policy", *metrics])
    result = pd.concat(frames, ignore_index=True)
    return result[[*by, "policy", "replicate", *metrics]]


def paired_summary(
    table: pd.DataFrame,
    reference: str,
    by: list[str],
    metrics: list[str],
    confidence: float = CONFIDENCE,
    resamples: int = BOOTSTRAP_RESAMPLES,
    seed: int = BOOTSTRAP_SEED,
) -> pd.DataFrame:
    """Mean paired difference against ``reference``, its bootstrap interval and relative change.

    Pairs (replicates) are resampled with replacement; the relative change is the mean
    difference over the reference's mean on the same pairs, and its interval comes from the
    same resamples (NaN where a resample's reference mean is zero).

    Returns:
        Long table: the ``by`` columns, ``policy``, ``metric``, ``n_pairs``, ``diff``,
        ``diff_low``, ``diff_high``, ``rel``, ``rel_low``, ``rel_high`` (intervals NaN below
        two pairs).
    """
    rows = []
    for name, pairs in _pairs(table, reference, by, metrics):
        for key, group in pairs.groupby([(c, "") for c in by], dropna=False, sort=True):
            ref = group["ref"].to_numpy(dtype=float)
            diff = group["diff"].to_numpy(dtype=float)
            stats = _paired_stats(ref, diff, confidence, resamples, seed)
            block = _long_block(by, key, metrics, stats)
            block.insert(len(by), "policy", name)
            rows.append(block)
    if not rows:
        return _empty([*by, "policy"], ["n_pairs", "diff"])
    return pd.concat(rows, ignore_index=True)


def _pairs(
    table: pd.DataFrame, reference: str, by: list[str], metrics: list[str]
) -> Iterator[tuple[str, pd.DataFrame]]:
    """For each other policy, its runs joined to the reference's by group and replicate.

    Yields:
        ``(policy, pairs)``; ``pairs`` has the ``by`` and ``replicate`` columns and the
        column groups ``ref`` (reference values) and ``diff`` (policy minus reference).
    """
    keys = [*by, "replicate"]
    policy = table["policy"].astype(str)
    base = table[policy == reference].set_index(keys)[metrics]
    for name in dict.fromkeys(policy[policy != reference]):
        other = table[policy == name].set_index(keys)[metrics]
        both = other.index.intersection(base.index)
        if both.empty:
            continue
        pairs = pd.concat({"ref": base.loc[both], "diff": other.loc[both] - base.loc[both]}, axis=1)
        yield name, pairs.reset_index()


def _paired_stats(
    ref: np.ndarray, diff: np.ndarray, confidence: float, resamples: int, seed: int
) -> dict[str, np.ndarray]:
    n, k = diff.shape
    ref_mean = ref.mean(axis=0)
    mean = diff.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref_mean != 0, mean / ref_mean, np.nan)
    nan = np.full(k, np.nan)
    stats = {"n_pairs": np.full(k, n), "diff": mean, "rel": rel}
    if n < 2:
        return {**stats, "diff_low": nan, "diff_high": nan, "rel_low": nan, "rel_high": nan}
    counts = bootstrap_counts(n, resamples, np.random.default_rng(seed))
    boot_diff = bootstrap_means(diff, counts)
    boot_ref = bootstrap_means(ref, counts)
    diff_low, diff_high = percentile_interval(boot_diff, confidence)
    defined = (boot_ref != 0).all(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel_low, rel_high = percentile_interval(boot_diff / boot_ref, confidence)
    return {
        **stats,
        "diff_low": diff_low,
        "diff_high": diff_high,
        "rel_low": np.where(defined, rel_low, np.nan),
        "rel_high": np.where(defined, rel_high, np.nan),
    }


def _long_block(
    by: list[str], key: object, metrics: list[str], stats: dict[str, np.ndarray]
) -> pd.DataFrame:
    key = key if isinstance(key, tuple) else (key,)
    block = pd.DataFrame(
        {name: [value] * len(metrics) for name, value in zip(by, key, strict=True)}
    )
    block["metric"] = metrics
    for name, values in stats.items():
        block[name] = values
    return block


def _empty(keys: list[str], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(columns=[*keys, "metric", *columns])
