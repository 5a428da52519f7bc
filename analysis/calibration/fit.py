"""Simulated against published: the fit of the accepted sets, pattern by pattern.

Reads only result tables (the yearly statistics of every run and the accepted sets), so it works
on a finished calibration folder as well as in memory.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

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


def pattern_table(
    yearly: pd.DataFrame, numbers: Sequence[int], patterns: Sequence[Pattern]
) -> pd.DataFrame:
    """Published value next to the simulated median and 5-95% range of the given runs.

    Args:
        yearly: Long table of yearly statistics (``number``, ``year``, views).
        numbers: Runs to summarise (e.g. the accepted sets).
        patterns: The patterns.

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
        for _, table in selected.groupby("number"):
            simulated = pattern.simulated(table.set_index("year"))
            for key, value in simulated.items():
                values.setdefault(key, []).append(value)
        for key, published in pattern.observed.items():
            series = pd.Series(values.get(key, []), dtype=float)
            tolerance = pattern.tolerance(published)
            rows.append(
                {
                    "pattern": pattern.name,
                    "point": "pooled" if key is None else str(key),
                    "published": published,
                    "tolerance": tolerance,
                    "median": series.median(),
                    "low": series.quantile(0.05),
                    "high": series.quantile(0.95),
                    "within_tolerance": _within(series, pattern, published, tolerance),
                    "bound": pattern.definition.bound,
                }
            )
    return pd.DataFrame(rows)


def _within(series: pd.Series, pattern: Pattern, published: float, tolerance: float) -> float:
    """Share of the simulated values whose error (beyond a bound) is within one tolerance."""
    errors = series.map(lambda value: abs(pattern.definition.error(value, published)))
    return float((errors <= tolerance).mean())


def yearly_summary(yearly: pd.DataFrame, numbers: Sequence[int]) -> pd.DataFrame:
    """Median and 5-95% range of each compared view by year over the given runs."""
    selected = yearly[yearly["number"].isin(list(numbers))]
    views = [v for v in COMPARED_VIEWS if v in selected.columns]
    grouped = selected.groupby("year")[views]
    table = pd.concat(
        {
            "median": grouped.median(),
            "low": grouped.quantile(0.05),
            "high": grouped.quantile(0.95),
        },
        axis=1,
    )
    return table


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
    yearly: pd.DataFrame, numbers: Sequence[int], figures: pd.DataFrame
) -> pd.DataFrame:
    """Year by year: each official view's published value next to the simulated range.

    Published investigations add sex- and labour-trafficking investigations where both are
    published; published prosecutions are labour-trafficking prosecutions only (the model
    counts every prosecution), so those rows are partial comparisons (see ``published_parts``).

    Returns:
        One row per view and year: ``view``, ``year``, ``published`` (NaN if none),
        ``published_parts`` (metrics summed), ``median``, ``low`` (5%), ``high`` (95%).
    """
    summary = yearly_summary(yearly, numbers)
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
