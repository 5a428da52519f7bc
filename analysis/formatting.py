"""Numbers as people read them: sensible precision, percentages for rates, signed changes."""

from __future__ import annotations

import pandas as pd

from result_folder.outcomes import OUTCOME

#: Outcomes that are fractions, shown as percentages (differences in percentage points).
RATES = frozenset({OUTCOME.identification_rate})


def format_value(value: float, metric: str) -> str:
    """A mean or bound: percentages for rates, else a number with sensible precision."""
    return percent(value) if metric in RATES else number(value)


def format_difference(value: float, metric: str) -> str:
    """A signed difference: percentage points for rates."""
    if missing(value):
        return "n/a"
    if metric in RATES:
        return f"{signed(100 * value, digits=2)} pp"
    return signed(value)


def number(value: float) -> str:
    """A count or mean: whole numbers with thousands separators from 100, else 3 figures."""
    if missing(value):
        return "n/a"
    size = abs(value)
    if size == 0:
        return "0"
    if size >= 100:
        return f"{value:,.0f}"
    if size >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def signed(value: float, digits: int | None = None) -> str:
    """A number with its sign (``+`` for increases); ``digits`` fixes the decimals."""
    text = f"{value:.{digits}f}" if digits is not None else number(value)
    return text if text.startswith("-") or text in ("0", "n/a") else f"+{text}"


def percent(value: float) -> str:
    """A fraction as a percentage (two decimals below 10%)."""
    if missing(value):
        return "n/a"
    return f"{100 * value:.1f}%" if abs(value) >= 0.1 else f"{100 * value:.2f}%"


def relative(value: float | None) -> str:
    """A relative change (a fraction) as a signed percentage."""
    if missing(value):
        return "n/a"
    return f"{signed(100 * value, digits=0 if abs(value) >= 1 else 1)}%"


def missing(value: object) -> bool:
    """Whether a value is absent (``None`` or NaN)."""
    return value is None or bool(pd.isna(value))
