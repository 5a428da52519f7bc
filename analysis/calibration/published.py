"""Hong Kong's published figures, as shipped in ``analysis/data/hong_kong_figures.csv``.

Each row keeps its source, confidence and notes, so any number held against the model can be
traced back to where it was published.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import AnalysisError

FIGURES_PATH = Path(__file__).resolve().parents[1] / "data" / "hong_kong_figures.csv"
COLUMNS = ("year", "metric", "value", "unit", "source", "confidence", "notes")


class FiguresError(AnalysisError):
    """A figures file that cannot be used."""


def load_figures(path: str | Path | None = None) -> pd.DataFrame:
    """Read a published-figures table.

    Args:
        path: CSV with the columns ``year, metric, value, unit, source, confidence, notes``;
            ``None`` for the figures shipped with the project.

    Returns:
        The table; ``year`` is a nullable integer (empty for figures without a year).

    Raises:
        FiguresError: If the file is missing or lacks a column.
    """
    path = Path(path) if path is not None else FIGURES_PATH
    if not path.is_file():
        raise FiguresError(f"{path}: no such figures file")
    table = pd.read_csv(path, dtype={"metric": str, "source": str})
    missing = [c for c in COLUMNS if c not in table.columns]
    if missing:
        raise FiguresError(f"{path}: missing column(s) {', '.join(missing)}")
    table["year"] = table["year"].astype("Int64")
    table["value"] = pd.to_numeric(table["value"], errors="coerce")
    return table


def yearly(figures: pd.DataFrame, metric: str) -> dict[int, float]:
    """Published values of ``metric`` by year (rows without a year or value are skipped)."""
    rows = figures[(figures["metric"] == metric) & figures["year"].notna()]
    rows = rows[rows["value"].notna()]
    return {int(y): float(v) for y, v in zip(rows["year"], rows["value"], strict=True)}


def value(figures: pd.DataFrame, metric: str, year: int | None = None) -> float:
    """The single published value of ``metric`` (in ``year``, or the undated one).

    Raises:
        FiguresError: If there is no such figure.
    """
    rows = figures[figures["metric"] == metric]
    rows = rows[rows["year"].isna()] if year is None else rows[rows["year"] == year]
    if rows.empty or pd.isna(rows["value"].iloc[0]):
        when = "undated" if year is None else str(year)
        raise FiguresError(f"no published figure '{metric}' ({when})")
    return float(rows["value"].iloc[0])


def source(figures: pd.DataFrame, metric: str, year: int | None = None) -> str:
    """The source of a published figure (empty if there is none)."""
    rows = figures[figures["metric"] == metric]
    rows = rows[rows["year"].isna()] if year is None else rows[rows["year"] == year]
    return "" if rows.empty else str(rows["source"].iloc[0])
