"""Figures of the value of information and of the pilot designs.

Built on ``Figure`` objects, never through pyplot, like :mod:`analysis.figures` (which
writes them with :func:`analysis.figures.save_figure`); sized to be read at 1280 px wide.
"""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure


def value_of_information_figure(table: pd.DataFrame, unit: str) -> Figure:
    """One bar per input and group of inputs: its EVPPI, with the EVPI as a dashed line."""
    shown = table[table["kind"] != "all"].sort_values("evppi")
    total = float(table.loc[table["kind"] == "all", "evppi"].iloc[0])
    fig = Figure(figsize=(8.5, max(3.0, 0.32 * len(shown) + 1.4)), layout="constrained")
    ax = fig.add_subplot()
    colours = ["#b2182b" if kind == "group" else "#2166ac" for kind in shown["kind"]]
    ax.barh(shown["learned"], shown["evppi"], color=colours)
    ax.axvline(total, color="black", linestyle="--", linewidth=1)
    ax.text(total, -0.6, " EVPI: knowing everything", va="bottom", fontsize=8)
    ax.set_xlabel(f"expected value of perfect information ({unit})")
    ax.set_title("What learning each unknown is worth to the decision (groups in red)", fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    return fig


def pilot_figure(table: pd.DataFrame) -> Figure:
    """Power and expected narrowing of the gain's interval by duration, a line per share."""
    fig = Figure(figsize=(8.5, 3.6), layout="constrained")
    left, right = fig.subplots(1, 2)
    for share, rows in table.groupby("share"):
        rows = rows.sort_values("months")
        label = f"{share:.0%} of contacts"
        left.plot(rows["months"], rows["power"], marker="o", label=label)
        right.plot(rows["months"], 100 * rows["narrowing"], marker="o", label=label)
    left.set_ylim(0, 1)
    left.set_xlabel("pilot duration (months)")
    left.set_ylabel("power at the posterior-median gain")
    left.set_title("Chance the pilot shows more identified", fontsize=10)
    right.set_xlabel("pilot duration (months)")
    right.set_ylabel("expected narrowing of interval (%)")
    right.set_title("What the pilot would teach", fontsize=10)
    left.legend(fontsize=8)
    return fig
