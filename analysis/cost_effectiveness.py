"""Cost per victim found: cost ratios of each policy and the reform's incremental cost.

A run's ``cost_hkd`` sums every unit cost booked in it (screenings, tier-2 sessions, detention
days, support weeks, removals; ``model.parameters.CostParameters``). Three measures follow:

* **cost per victim identified** and **cost per prosecution** of each policy: the ratio of the
  policy's mean cost to its mean count over the replicates (a ratio of means, not a mean of
  per-run ratios, which a run with few identifications would dominate);
* the **incremental cost per extra victim identified** of a policy against the reference:
  ``mean(Δcost) / mean(Δvictims identified)`` over replicate pairs on common random numbers
  (the incremental cost-effectiveness ratio).

Intervals of a ratio of means are linearised (delta method, as
:func:`analysis.statistics.ratio_t_interval`): the ratio ``R = mean(a) / mean(b)`` has the
standard error of the mean of ``(a - R b) / mean(b)``. A ratio whose denominator's interval
includes zero is unbounded (a policy that may identify no more victims has no finite cost per
extra victim): its interval is then left out (NaN) rather than given a misleading width.

Over a calibrated ensemble, :func:`ensemble_incremental_cost` puts the residual ``Δcost - R
Δvictims`` through the ensemble's own interval (``analysis.ensemble``: between-member spread of
expected values plus a member mean's noise, the law of total variance) and divides by the mean
extra victims.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.ensemble import _weights, expected_gains, mixture_interval, pooled_sd
from analysis.statistics import (
    CONFIDENCE,
    MIN_PAIRS,
    _half_width,
    paired_differences,
    percentile_interval,
    ratio_t_interval,
    t_interval,
)
from result_folder.outcomes import OUTCOME

#: The cost outcome of a run (HK$).
COST = OUTCOME.cost_hkd
#: The count that identification is measured by.
IDENTIFIED = OUTCOME.victims_identified
#: Cost ratios of each policy: name -> the count the cost is divided by.
PER_UNIT: dict[str, str] = {
    OUTCOME.cost_per_victim_identified: IDENTIFIED,
    OUTCOME.cost_per_prosecution: OUTCOME.prosecutions,
}
#: The reform's extra cost per extra victim identified (against the reference policy).
INCREMENTAL = OUTCOME.incremental_cost_per_victim_identified
#: Every measure this module adds to a comparison, in order.
METRICS: tuple[str, ...] = (*PER_UNIT, INCREMENTAL)


def cost_rows(
    table: pd.DataFrame,
    reference: str,
    by: list[str],
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Rows of the cost measures in :func:`analysis.compare`'s long format.

    Args:
        table: One row per run, with ``policy``, ``replicate``, ``cost_hkd`` and the counts.
        reference: The policy compared against.
        by: Columns within which replicates are paired (source, world, draw, swept values).
        confidence: Coverage of the intervals.

    Returns:
        For each group and policy, a ``cost_per_*`` row per available count: ``n``, ``mean``
        (ratio of means), ``median``, ``low``/``high`` (of the per-run ratios where the count
        is positive), ``mean_low``/``mean_high`` (delta-method interval of the ratio); for a
        policy other than the reference, ``diff`` (its ratio minus the reference's, with its
        paired interval) and ``rel``. And for each other policy an ``incremental_cost_per_
        victim_identified`` row whose ``diff`` is ``mean(Δcost) / mean(Δidentified)`` with
        its interval (NaN where the extra victims' interval includes zero). Empty when the
        table has no ``cost_hkd``.
    """
    ratios = {name: count for name, count in PER_UNIT.items() if count in table.columns}
    if COST not in table.columns or not ratios:
        return pd.DataFrame()
    rows = []
    policy = table["policy"].astype(str)
    for key, group in table.groupby(by, observed=True, dropna=False, sort=True):
        key = key if isinstance(key, tuple) else (key,)
        where = dict(zip(by, key, strict=True))
        base = group[policy.loc[group.index] == reference].set_index("replicate")
        for name in dict.fromkeys(policy.loc[group.index]):
            runs = group[policy.loc[group.index] == name].set_index("replicate")
            for metric, count in ratios.items():
                row = {**where, "policy": name, "metric": metric}
                row.update(_ratio_stats(runs[COST], runs[count], confidence))
                if name != reference:
                    row.update(_ratio_difference(runs, base, count, confidence))
                rows.append(row)
            if IDENTIFIED in ratios.values():
                row = {**where, "policy": name, "metric": INCREMENTAL}
                if name == reference:
                    row.update(n=len(runs), mean=float("nan"))
                else:
                    row.update(_incremental(runs, base, confidence))
                rows.append(row)
    return pd.DataFrame(rows)


def incremental_cost(
    delta_cost: np.ndarray, delta_count: np.ndarray, confidence: float = CONFIDENCE
) -> tuple[float, float, float]:
    """``mean(Δcost) / mean(Δcount)`` on replicate pairs and its delta-method interval.

    Returns:
        ``(ratio, low, high)``; the bounds are NaN below :data:`MIN_PAIRS` pairs or when the
        t-interval of the mean extra count includes zero (the ratio is then unbounded), and
        the ratio is NaN when the mean extra count is zero.
    """
    delta_cost = np.asarray(delta_cost, dtype=float)
    delta_count = np.asarray(delta_count, dtype=float)
    extra = delta_count.mean() if len(delta_count) else 0.0
    if extra == 0:
        return float("nan"), float("nan"), float("nan")
    ratio = float(delta_cost.mean() / extra)
    if len(delta_count) < MIN_PAIRS:
        return ratio, float("nan"), float("nan")
    count_low, count_high = t_interval(delta_count, confidence)
    if count_low <= 0 <= count_high:
        return ratio, float("nan"), float("nan")
    low, high = ratio_t_interval(delta_cost[:, None], delta_count[:, None], confidence)
    return ratio, float(low[0]), float(high[0])


def ensemble_incremental_cost(
    runs: pd.DataFrame,
    reference: str = "detention_first",
    alternative: str = "screening_before_detention",
    weights: pd.Series | None = None,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """The reform's incremental HK$ per extra victim identified over a calibrated ensemble.

    The ratio is ``R = sum_m w_m dC_m / sum_m w_m dE_m`` (weighted mean extra cost over
    weighted mean extra victims). Its interval is the ensemble's interval
    (:func:`analysis.ensemble.expected_gains` and :func:`~analysis.ensemble.mixture_interval`)
    of the residual ``Δcost - R Δvictims``, divided by the mean extra victims (delta method);
    NaN when the ensemble's interval of the extra victims includes zero.

    Args:
        runs: One row per run of a batch whose worlds are the members.
        reference: The policy compared against.
        alternative: The policy compared.
        weights: ABC weight by world; equal weights when ``None``.
        confidence: Coverage of the interval.

    Returns:
        One row: ``metric``, ``members``, ``pairs``, ``mean`` (the ratio), ``low``, ``high``,
        ``extra_victims`` and ``extra_cost`` (weighted mean differences).
    """
    chosen = runs[runs["policy"].astype(str).isin([reference, alternative])]
    pairs = paired_differences(chosen, reference, ["world"], [COST, IDENTIFIED])
    pairs = pairs[pairs["policy"].astype(str) == alternative]
    worlds = list(dict.fromkeys(pairs["world"].astype(str)))
    w = _weights(worlds, weights)
    member = pairs["world"].astype(str)
    counts = member.groupby(member).size().reindex(worlds).to_numpy(dtype=float)
    extra_cost = float(np.dot(w, pairs.groupby(member)[COST].mean().reindex(worlds)))
    extra_victims = float(np.dot(w, pairs.groupby(member)[IDENTIFIED].mean().reindex(worlds)))
    ratio = extra_cost / extra_victims if extra_victims != 0 else float("nan")
    low = high = float("nan")
    if extra_victims != 0 and not _spans_zero(
        pairs[IDENTIFIED], member, worlds, counts, w, confidence
    ):
        residual = pairs[COST] - ratio * pairs[IDENTIFIED]
        r_low, r_high = _member_interval(residual, member, worlds, counts, w, confidence)
        low, high = sorted((ratio + r_low / extra_victims, ratio + r_high / extra_victims))
    return pd.DataFrame(
        [
            {
                "metric": INCREMENTAL,
                "members": len(worlds),
                "pairs": int(counts.sum()),
                "mean": ratio,
                "low": low,
                "high": high,
                "extra_victims": extra_victims,
                "extra_cost": extra_cost,
            }
        ]
    )


def _member_interval(values, member, worlds, counts, w, confidence) -> tuple[float, float]:
    """The ensemble interval (law of total variance) of the mean of ``values``."""
    means = values.groupby(member).mean().reindex(worlds).to_numpy(dtype=float)
    spread = pooled_sd(member.to_numpy(), values.to_numpy(dtype=float))
    expected, _ = expected_gains(means, counts, spread, w)
    return mixture_interval(expected, spread / np.sqrt(counts), w, confidence)


def _spans_zero(values, member, worlds, counts, w, confidence) -> bool:
    low, high = _member_interval(values, member, worlds, counts, w, confidence)
    return low <= 0 <= high


def _ratio_stats(cost: pd.Series, count: pd.Series, confidence: float) -> dict[str, float]:
    """A policy's cost per unit: ratio of means, per-run spread, delta-method interval."""
    c = cost.to_numpy(dtype=float)
    e = count.to_numpy(dtype=float)
    n = len(c)
    mean_count = e.mean() if n else 0.0
    stats = {"n": n, "mean": float(c.mean() / mean_count) if mean_count > 0 else float("nan")}
    positive = e > 0
    per_run = c[positive] / e[positive]
    if len(per_run):
        low, high = percentile_interval(per_run, confidence)
        stats.update(median=float(np.median(per_run)), low=float(low), high=float(high))
    else:
        stats.update(median=float("nan"), low=float("nan"), high=float("nan"))
    stats["mean_low"] = stats["mean_high"] = float("nan")
    if n >= MIN_PAIRS and mean_count > 0:
        mean_low, mean_high = ratio_t_interval(c[:, None], e[:, None], confidence)
        stats.update(mean_low=float(mean_low[0]), mean_high=float(mean_high[0]))
    return stats


def _ratio_difference(
    runs: pd.DataFrame, base: pd.DataFrame, count: str, confidence: float
) -> dict[str, float]:
    """A policy's cost ratio minus the reference's on the same replicates, paired interval."""
    both = runs.index.intersection(base.index)
    nan = float("nan")
    out = {"n_pairs": len(both), "diff": nan, "diff_low": nan, "diff_high": nan}
    out.update(rel=nan, rel_low=nan, rel_high=nan)
    if len(both) == 0:
        return out
    c1, e1 = runs.loc[both, COST].to_numpy(float), runs.loc[both, count].to_numpy(float)
    c0, e0 = base.loc[both, COST].to_numpy(float), base.loc[both, count].to_numpy(float)
    if e1.mean() <= 0 or e0.mean() <= 0:
        return out
    r1, r0 = c1.mean() / e1.mean(), c0.mean() / e0.mean()
    out.update(diff=float(r1 - r0), rel=float((r1 - r0) / r0) if r0 else nan)
    if len(both) >= MIN_PAIRS:
        linear = (c1 - r1 * e1) / e1.mean() - (c0 - r0 * e0) / e0.mean()
        half = float(_half_width(linear.std(ddof=1), len(both), confidence))
        out.update(diff_low=out["diff"] - half, diff_high=out["diff"] + half)
    return out


def _incremental(runs: pd.DataFrame, base: pd.DataFrame, confidence: float) -> dict[str, float]:
    """The incremental cost per extra victim identified, in a comparison row's columns."""
    both = runs.index.intersection(base.index)
    delta_cost = (runs.loc[both, COST] - base.loc[both, COST]).to_numpy(float)
    delta_count = (runs.loc[both, IDENTIFIED] - base.loc[both, IDENTIFIED]).to_numpy(float)
    ratio, low, high = incremental_cost(delta_cost, delta_count, confidence)
    nan = float("nan")
    return {
        "n": len(both),
        "mean": nan,
        "median": nan,
        "low": nan,
        "high": nan,
        "mean_low": nan,
        "mean_high": nan,
        "n_pairs": len(both),
        "diff": ratio,
        "diff_low": low,
        "diff_high": high,
        "rel": nan,
        "rel_low": nan,
        "rel_high": nan,
    }
