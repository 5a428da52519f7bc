"""Statistics across replicates: summaries, paired differences and t-intervals.

Replicate ``r`` of every policy in a world and draw runs on the same random numbers (common
random numbers), so policies are compared replicate by replicate: the paired difference
``policy - reference`` removes the variation the policies share.

Intervals are Student t-intervals of the mean (of the replicates' values, or of the paired
differences), computed with :mod:`scipy.stats`. Below :data:`MIN_PAIRS` observations no
interval is given: with so few replicates the spread itself is too uncertain for an interval to
mean much. Why t and not a bootstrap: batches have few replicates (5-20), where percentile and
BCa bootstrap intervals are too narrow (on 8 draws from an exponential distribution a
nominal 95% BCa interval covers the mean ~87% of the time, a t-interval ~91%; on a gamma with
skewness 1, ~93% for t); the t-interval needs no resampling seed, and each replicate's outcome
is a count summed over years of weeks, close to normal. The intervals cover the stochastic
uncertainty of the simulation at fixed parameters only, never the uncertainty of the
parameters themselves (see :func:`interval_description`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import pandas as pd

#: Coverage of intervals.
CONFIDENCE = 0.95
#: Fewest observations (replicates or pairs) for which an interval is given.
MIN_PAIRS = 5
#: How the tables mark an interval refused for too few observations.
TOO_FEW = f"n<{MIN_PAIRS}"


def interval_description(confidence: float = CONFIDENCE, replicates: str | int = "R") -> str:
    """What the comparison's intervals cover, in words (for tables and reports).

    Args:
        confidence: Coverage of the intervals.
        replicates: The number of replicates (or a range such as ``"5–8"``).

    Returns:
        One sentence.
    """
    return (
        f"{100 * confidence:g}% t-interval of the mean paired difference over {replicates} "
        "replicates at fixed parameters (stochastic uncertainty only, not parameter "
        f"uncertainty); no interval below {MIN_PAIRS} pairs ({TOO_FEW})"
    )


def t_interval(
    values: Sequence[float] | np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Student t confidence interval of the mean of each column.

    ``mean ± t(1 - (1 - confidence) / 2, n - 1) * sd / sqrt(n)``; a column without variation
    gives a zero-width interval at its value.

    Args:
        values: Observations ``(n,)`` or ``(n, k)``; ``n`` must be at least :data:`MIN_PAIRS`.
        confidence: Coverage of the interval.

    Returns:
        ``(low, high)``, scalars (as 0-d arrays) or arrays of length ``k``.

    Raises:
        ValueError: Fewer than :data:`MIN_PAIRS` observations.
    """
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    if n < MIN_PAIRS:
        raise ValueError(f"an interval needs at least {MIN_PAIRS} observations, got {n}")
    mean = values.mean(axis=0)
    half = _half_width(values.std(axis=0, ddof=1), n, confidence)
    return mean - half, mean + half


def ratio_t_interval(
    numerator: np.ndarray, denominator: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """t-interval of a ratio of means ``mean(numerator) / mean(denominator)`` on paired rows.

    Linearised (delta method): the ratio's standard error is ``sd(numerator - ratio *
    denominator) / (sqrt(n) * |mean(denominator)|)``, so the reference's own noise widens the
    interval of a relative change. NaN where the denominator's mean is zero.

    Args:
        numerator: Observations ``(n, k)`` (e.g. paired differences).
        denominator: Observations ``(n, k)`` on the same rows (e.g. the reference's values).
        confidence: Coverage of the interval.

    Returns:
        ``(low, high)``, arrays of length ``k``.

    Raises:
        ValueError: Fewer than :data:`MIN_PAIRS` rows.
    """
    numerator = np.asarray(numerator, dtype=float)
    denominator = np.asarray(denominator, dtype=float)
    n = numerator.shape[0]
    if n < MIN_PAIRS:
        raise ValueError(f"an interval needs at least {MIN_PAIRS} observations, got {n}")
    base = denominator.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = numerator.mean(axis=0) / base
        residual = numerator - ratio * denominator
        se_scale = residual.std(axis=0, ddof=1) / np.abs(base)
    half = _half_width(se_scale, n, confidence)
    defined = base != 0
    return np.where(defined, ratio - half, np.nan), np.where(defined, ratio + half, np.nan)


def percentile_interval(
    samples: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[np.ndarray, np.ndarray]:
    """Lower and upper percentile bounds of ``samples`` along the first axis."""
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(samples, [tail, 1.0 - tail], axis=0)
    return low, high


def replicate_summary(
    table: pd.DataFrame,
    by: list[str],
    metrics: list[str],
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Mean, median and spread across replicates of each metric in each group.

    Args:
        table: One row per run.
        by: Columns defining a group (e.g. source, world, draw, policy).
        metrics: Outcome columns to summarise.
        confidence: Coverage of the intervals.

    Returns:
        Long table: the ``by`` columns, ``metric``, ``n``, ``mean``, ``median``, ``low`` and
        ``high`` (the central ``confidence`` interval of the replicates' values), and
        ``mean_low``/``mean_high`` (t-interval of the mean; NaN below :data:`MIN_PAIRS`
        replicates).
    """
    rows = []
    for key, group in table.groupby(by, observed=True, dropna=False, sort=True):
        values = group[metrics].to_numpy(dtype=float)
        n = values.shape[0]
        low, high = percentile_interval(values, confidence)
        if n >= MIN_PAIRS:
            mean_low, mean_high = t_interval(values, confidence)
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
) -> pd.DataFrame:
    """Mean paired difference against ``reference``, its t-interval and the relative change.

    The relative change is the mean difference over the reference's mean on the same pairs;
    its interval is the linearised t-interval of that ratio (:func:`ratio_t_interval`, NaN
    where the reference's mean is zero).

    Returns:
        Long table: the ``by`` columns, ``policy``, ``metric``, ``n_pairs``, ``diff``,
        ``diff_low``, ``diff_high``, ``rel``, ``rel_low``, ``rel_high`` (intervals NaN below
        :data:`MIN_PAIRS` pairs).
    """
    rows = []
    for name, pairs in _pairs(table, reference, by, metrics):
        for key, group in pairs.groupby([(c, "") for c in by], dropna=False, sort=True):
            ref = group["ref"].to_numpy(dtype=float)
            diff = group["diff"].to_numpy(dtype=float)
            stats = _paired_stats(ref, diff, confidence)
            block = _long_block(by, key, metrics, stats)
            block.insert(len(by), "policy", name)
            rows.append(block)
    if not rows:
        return _empty([*by, "policy"], ["n_pairs", "diff"])
    return pd.concat(rows, ignore_index=True)


def _half_width(sd: np.ndarray, n: int, confidence: float) -> np.ndarray:
    # SciPy's statistics module costs 0.4-0.5 s to import: loaded here, when an interval is
    # first wanted, so that commands that only read or replay (``tipsim replay``) never pay it.
    from scipy import stats as scipy_stats

    quantile = scipy_stats.t.ppf(0.5 + confidence / 2.0, df=n - 1)
    return quantile * np.asarray(sd, dtype=float) / np.sqrt(n)


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


def _paired_stats(ref: np.ndarray, diff: np.ndarray, confidence: float) -> dict[str, np.ndarray]:
    n, k = diff.shape
    ref_mean = ref.mean(axis=0)
    mean = diff.mean(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.where(ref_mean != 0, mean / ref_mean, np.nan)
    nan = np.full(k, np.nan)
    stats = {"n_pairs": np.full(k, n), "diff": mean, "rel": rel}
    if n < MIN_PAIRS:
        return {**stats, "diff_low": nan, "diff_high": nan, "rel_low": nan, "rel_high": nan}
    diff_low, diff_high = t_interval(diff, confidence)
    rel_low, rel_high = ratio_t_interval(diff, ref, confidence)
    return {
        **stats,
        "diff_low": diff_low,
        "diff_high": diff_high,
        "rel_low": rel_low,
        "rel_high": rel_high,
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
