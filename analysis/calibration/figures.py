"""Figures of a calibration: the fit to published figures, and the ranking across an ensemble.

Built on ``Figure`` objects (no pyplot state) and written as PNG and SVG by
:func:`analysis.figures.save_figure`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from matplotlib.figure import Figure

from analysis.calibration.patterns import Pattern
from analysis.figures import save_figure


def plot_fit(
    yearly: pd.DataFrame,
    accepted: Sequence[int],
    prior: Sequence[int],
    patterns: Sequence[Pattern],
    path: Path,
) -> Path:
    """One panel per pattern: published points, prior runs (grey), accepted runs (blue).

    Args:
        yearly: Long table of yearly statistics (``number``, ``year``, views).
        accepted: Run numbers of the accepted sets.
        prior: Run numbers drawn from the prior (first generation).
        patterns: The patterns (published values and simulated views).
        path: PNG file to write (an SVG is written beside it).

    Returns:
        ``path``.
    """
    fig = Figure(figsize=(4.2 * len(patterns), 3.6))
    axes = fig.subplots(1, len(patterns), squeeze=False)
    by_number = {n: t.set_index("year") for n, t in yearly.groupby("number")}
    for ax, pattern in zip(axes[0], patterns, strict=True):
        for numbers, colour, alpha, label in (
            (prior, "0.6", 0.35, "prior runs"),
            (accepted, "tab:blue", 0.6, "accepted sets"),
        ):
            for i, number in enumerate(numbers):
                simulated = pattern.simulated(by_number[number])
                _draw(ax, simulated, colour, alpha, label if i == 0 else None, i)
        observed = pattern.observed
        if None in observed:
            value = observed[None]
            ax.axhline(value, color="black", lw=2, label="published")
            ax.axhspan(
                value - pattern.tolerance(value),
                value + pattern.tolerance(value),
                color="black",
                alpha=0.08,
            )
            ax.set_xticks([])
        else:
            years = sorted(observed)
            ax.errorbar(
                years,
                [observed[y] for y in years],
                yerr=[pattern.tolerance(observed[y]) for y in years],
                fmt="o",
                color="black",
                capsize=3,
                label="published ± tolerance",
                zorder=5,
            )
            ax.set_xticks(years)
        ax.set_title(pattern.definition.description, fontsize=9)
    axes[0][0].legend(fontsize=7, loc="best")
    fig.tight_layout()
    return save_figure(fig, path.parent, path.stem)[0]


def _draw(ax, simulated: dict, colour: str, alpha: float, label: str | None, i: int) -> None:
    if None in simulated:
        # Pooled patterns: spread the runs sideways so that they do not hide one another.
        x = ((i * 0.618) % 1.0) - 0.5
        ax.scatter([x], [simulated[None]], color=colour, alpha=alpha, s=12, label=label)
        return
    years = sorted(simulated)
    ax.plot(years, [simulated[y] for y in years], color=colour, alpha=alpha, lw=1, label=label)


def plot_ranking(differences: pd.DataFrame, metrics: Sequence[str], path: Path) -> Path:
    """One panel per metric: each member's mean paired difference, sorted, zero marked."""
    fig = Figure(figsize=(4.5 * len(metrics), 3.6))
    axes = fig.subplots(1, len(metrics), squeeze=False)
    for ax, metric in zip(axes[0], metrics, strict=True):
        values = differences[metric].sort_values().to_numpy()
        colours = ["tab:green" if v > 0 else "tab:red" for v in values]
        ax.bar(range(len(values)), values, color=colours)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xlabel("ensemble member (sorted)")
        ax.set_title(f"{metric}: alternative - reference", fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path.parent, path.stem)[0]
