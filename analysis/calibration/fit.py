"""Simulated against published: the fit of the accepted sets, pattern by pattern.

Reads only result tables (the yearly statistics of every run and the accepted sets), so it works
on a finished calibration folder as well as in memory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.calibration.patterns import Pattern
from result_folder.outcomes import OUTCOME

#: Views shown next to published figures (pattern or not).
COMPARED_VIEWS = (
    OUTCOME.initial_screenings,
    "identified_mechanism",
    OUTCOME.investigations,
    OUTCOME.prosecutions,
    "ngo_yield",
    "domestic_prevalence",
)


#: Run number -> its weight in a weighted sample of runs (a calibration's posterior).
Weights = Mapping[int, float]


def weighted_quantiles(
    values: np.ndarray, weights: np.ndarray, quantiles: Sequence[float]
) -> list[float]:
    """Quantiles of a weighted sample (the inverse of its weighted distribution function)."""
    if len(values) == 0 or weights.sum() <= 0:
        return [float("nan")] * len(quantiles)
    return [
        float(np.quantile(values, q, weights=weights, method="inverted_cdf")) for q in quantiles
    ]


def _summary(values: pd.Series, weights: np.ndarray | None) -> tuple[float, float, float]:
    """Median, 5% and 95% of ``values``: weighted if ``weights``, else pandas' interpolation."""
    if weights is None:
        return values.median(), values.quantile(0.05), values.quantile(0.95)
    keep = values.notna().to_numpy()
    median, low, high = weighted_quantiles(
        values.to_numpy(dtype=float)[keep], weights[keep], [0.5, 0.05, 0.95]
    )
    return median, low, high


def pattern_table(
    yearly: pd.DataFrame,
    numbers: Sequence[int],
    patterns: Sequence[Pattern],
    weights: Weights | None = None,
) -> pd.DataFrame:
    """Published value next to the simulated median and 5-95% range of the given runs.

    Args:
        yearly: Long table of yearly statistics (``number``, ``year``, views).
        numbers: Runs to summarise (e.g. the accepted sets).
        patterns: The patterns.
        weights: Each run's weight (a calibration's posterior weights): the median, range and
            share within tolerance are then of the weighted sample. Equal weights if omitted.

    Returns:
        One row per pattern and point (year, or ``pooled``): ``pattern``, ``point``,
        ``published``, ``tolerance``, ``median``, ``low`` (5%), ``high`` (95%),
        ``within_tolerance`` (share of runs within one tolerance; for a published bound,
        within one tolerance beyond it) and ``bound`` (``equal``, ``at_least`` or
        ``at_most``: what the published value is).
    """
    rows = []
    selected = yearly[yearly["number"].isin(list(numbers))]
    for pattern in patterns:
        values: dict[object, list[float]] = {}
        owners: dict[object, list[int]] = {}
        for number, table in selected.groupby("number"):
            simulated = pattern.simulated(table.set_index("year"))
            for key, value in simulated.items():
                values.setdefault(key, []).append(value)
                owners.setdefault(key, []).append(int(number))
        for key, published in pattern.observed.items():
            series = pd.Series(values.get(key, []), dtype=float)
            w = None if weights is None else np.array([weights[n] for n in owners.get(key, [])])
            median, low, high = _summary(series, w)
            tolerance = pattern.tolerance(published)
            rows.append(
                {
                    "pattern": pattern.name,
                    "point": "pooled" if key is None else str(key),
                    "published": published,
                    "tolerance": tolerance,
                    "median": median,
                    "low": low,
                    "high": high,
                    "within_tolerance": _within(series, pattern, published, tolerance, w),
                    "bound": pattern.definition.bound,
                }
            )
    return pd.DataFrame(rows)


def _within(
    series: pd.Series,
    pattern: Pattern,
    published: float,
    tolerance: float,
    weights: np.ndarray | None = None,
) -> float:
    """Share (by weight, if given) of the simulated values within one tolerance (beyond a bound)."""
    errors = series.map(lambda value: abs(pattern.definition.error(value, published)))
    inside = (errors <= tolerance).to_numpy(dtype=float)
    if weights is None:
        return float(inside.mean())
    return float(inside @ weights / weights.sum())


def yearly_summary(
    yearly: pd.DataFrame, numbers: Sequence[int], weights: Weights | None = None
) -> pd.DataFrame:
    """Median and 5-95% range of each compared view by year over the given runs.

    With ``weights`` (run number -> weight), of the weighted sample.
    """
    selected = yearly[yearly["number"].isin(list(numbers))]
    views = [v for v in COMPARED_VIEWS if v in selected.columns]
    if weights is None:
        grouped = selected.groupby("year")[views]
        parts = {
            "median": grouped.median(),
            "low": grouped.quantile(0.05),
            "high": grouped.quantile(0.95),
        }
    else:
        stats: dict[str, dict[str, dict[int, float]]] = {"median": {}, "low": {}, "high": {}}
        for year, block in selected.groupby("year"):
            w = block["number"].map(weights).to_numpy(dtype=float)
            for view in views:
                median, low, high = _summary(block[view].astype(float), w)
                for name, value in (("median", median), ("low", low), ("high", high)):
                    stats[name].setdefault(view, {})[int(year)] = value
        parts = {name: pd.DataFrame(by_view)[views] for name, by_view in stats.items()}
    return pd.concat(parts, axis=1)


def read_calibration(folder: str | Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Read a calibration folder: (simulations, yearly statistics, accepted sets)."""
    folder = Path(folder)
    return (
        pd.read_parquet(folder / "simulations.parquet"),
        pd.read_parquet(folder / "yearly.parquet"),
        pd.read_csv(folder / "accepted.csv"),
    )


#: Official-statistics view -> published metrics summed to compare with it.
PUBLISHED_VIEWS: dict[str, tuple[str, ...]] = {
    OUTCOME.initial_screenings: ("initial_screenings",),
    "identified_mechanism": ("victims_identified_mechanism",),
    OUTCOME.investigations: ("sex_trafficking_investigations", "labour_trafficking_investigations"),
    OUTCOME.prosecutions: ("labour_trafficking_prosecutions",),
}


def published_comparison(
    yearly: pd.DataFrame,
    numbers: Sequence[int],
    figures: pd.DataFrame,
    weights: Weights | None = None,
) -> pd.DataFrame:
    """Year by year: each official view's published value next to the simulated range.

    Published investigations add sex- and labour-trafficking investigations where both are
    published; published prosecutions are labour-trafficking prosecutions only (the model
    counts every prosecution), so those rows are partial comparisons (see ``published_parts``).

    Returns:
        One row per view and year: ``view``, ``year``, ``published`` (NaN if none),
        ``published_parts`` (metrics summed), ``median``, ``low`` (5%), ``high`` (95%).
    """
    summary = yearly_summary(yearly, numbers, weights)
    rows = []
    for view, metrics in PUBLISHED_VIEWS.items():
        if view not in summary["median"].columns:
            continue
        for year in summary.index:
            found = figures[(figures["year"] == year) & figures["metric"].isin(metrics)]
            found = found[found["value"].notna()]
            rows.append(
                {
                    "view": view,
                    "year": int(year),
                    "published": float(found["value"].sum()) if len(found) else float("nan"),
                    "published_parts": "+".join(found["metric"]),
                    "median": float(summary.loc[year, ("median", view)]),
                    "low": float(summary.loc[year, ("low", view)]),
                    "high": float(summary.loc[year, ("high", view)]),
                }
            )
    return pd.DataFrame(rows)
