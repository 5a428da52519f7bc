"""The figures of the answer: the gain across members (or replicates) and the decomposition.

Both are drawn for the report's first screen, about 6.4 inches wide each, so that two sit side
by side at their own size in a 1280-pixel window. Built on ``Figure`` objects, never pyplot
(see :mod:`analysis.figures`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.formatting import number, signed
from analysis.headline import policy_words
from analysis.labels import label, words
from analysis.main_answer import HEADLINE_METRICS, Answer
from result_folder.outcomes import OUTCOME

#: Width of a first-screen figure, inches (about 615 pixels at 96 per inch).
WIDTH = 6.4
#: Colours of a gain and a loss in the waterfall.
GAIN, LOSS, LEVEL = "#2b8a3e", "#c92a2a", "#868e96"


def gain_figure(answer: Answer, pairs: pd.DataFrame | None = None) -> Figure:
    """The gain across the members (or, in one world, across replicate pairs).

    Over an ensemble, each member's mean paired difference is a dot (its area the member's
    weight) with its 95% normal interval; the shaded band is the answer's interval, the black
    line its mean. In one or a few worlds, each replicate pair's difference is a dot.

    Args:
        answer: From :func:`analysis.main_answer.main_answer`.
        pairs: Paired differences (:func:`analysis.paired_differences`) for answers that are
            not over an ensemble; the dots of their replicate pairs.
    """
    metrics = [m for m in HEADLINE_METRICS if m in set(answer.rows["metric"])]
    members = answer.members
    if answer.kind == "ensemble":
        order = members[members["metric"] == metrics[0]].sort_values("mean")["world"].tolist()
    else:
        order = list(dict.fromkeys(answer.rows["world"]))
    height = 1.3 + 0.22 * max(len(order), 3)
    fig = Figure(figsize=(WIDTH, height))
    axes = fig.subplots(1, len(metrics), squeeze=False, sharey=True)[0]
    position = {world: i for i, world in enumerate(order)}
    for ax, metric in zip(axes, metrics, strict=True):
        row = answer.rows[answer.rows["metric"] == metric].iloc[0]
        if answer.kind == "ensemble":
            if not pd.isna(row["low"]):
                ax.axvspan(row["low"], row["high"], color="C0", alpha=0.15, lw=0)
            ax.axvline(row["mean"], color="black", lw=1.2)
            mine = members[members["metric"] == metric]
            y = mine["world"].map(position).to_numpy(float)
            ax.errorbar(mine["mean"], y, xerr=1.96 * mine["se"], fmt="none", ecolor="C0", lw=0.8)
            size = 20 + 400 * mine["weight"].to_numpy(float)
            ax.scatter(mine["mean"], y, s=size, color="C0", zorder=3, lw=0)
        else:
            _pair_dots(ax, answer, metric, pairs, position)
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_xlabel("difference per run", fontsize=8)
        ax.set_title(_gain_title(row), fontsize=9)
        ax.grid(axis="x", alpha=0.3)
        ax.tick_params(labelsize=7)
    axes[0].set_yticks(range(len(order)), order)
    axes[0].set_ylim(len(order) - 0.5, -0.5)
    who = policy_words(answer.alternative)
    against = policy_words(answer.reference).lower()
    what = "per member\n(dot area: weight; band: the answer's interval)"
    if answer.kind != "ensemble":
        what = "per replicate pair\n(black: the mean and its interval)"
    fig.suptitle(f"{who} minus {against}, {what}", fontsize=9)
    fig.set_layout_engine("constrained")
    return fig


def waterfall_figure(
    decomposition: pd.DataFrame, metric: str = OUTCOME.victims_identified
) -> Figure:
    """From the status quo to the full reform: each component's Shapley share as a step.

    Args:
        decomposition: Output of :func:`analysis.decomposition.decompose` (the first world is
            drawn).
        metric: The outcome drawn.
    """
    table = decomposition[decomposition["metric"] == metric]
    world = table["world"].iloc[0] if "world" in table.columns else ""
    table = table[table["world"] == world] if "world" in table.columns else table
    start = float(table.loc[table["kind"] == "status quo", "mean"].iloc[0])
    end = float(table.loc[table["kind"] == "reform", "mean"].iloc[0])
    total = table[table["kind"] == "total"].iloc[0]
    steps = table[table["kind"] == "shapley"].sort_values("mean", ascending=False)
    names = ["status quo", *steps["term"], "full reform"]
    fig = Figure(figsize=(WIDTH, 3.6))
    ax = fig.subplots()
    ax.bar(0, start, color=LEVEL, width=0.6)
    level = start
    for i, step in enumerate(steps.itertuples(), start=1):
        colour = GAIN if step.mean >= 0 else LOSS
        ax.bar(i, step.mean, bottom=level, color=colour, width=0.6)
        ax.plot([i - 1.3, i + 0.3], [level, level], color="black", lw=0.5)
        ax.annotate(
            signed(step.mean),
            (i, level + max(step.mean, 0)),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
        level += step.mean
    last = len(names) - 1
    ax.plot([last - 1.3, last + 0.3], [level, level], color="black", lw=0.5)
    ax.bar(last, end, color="C0", width=0.6)
    for x, value in ((0, start), (last, end)):
        ax.annotate(
            number(value),
            (x, value),
            xytext=(0, 2),
            textcoords="offset points",
            ha="center",
            fontsize=8,
        )
    ax.set_xticks(range(len(names)), [_wrap(n) for n in names], fontsize=7)
    ax.set_ylabel(label(metric), fontsize=8)
    ax.set_ylim(0, max(start, end, *np.cumsum([start, *steps["mean"]])) * 1.15 or 1)
    ax.grid(axis="y", alpha=0.3)
    ax.tick_params(axis="y", labelsize=7)
    interval = ""
    if not pd.isna(total["low"]):
        interval = f" [{signed(total['low'])}, {signed(total['high'])}]"
    ax.set_title(
        f"Full reform against the status quo in {world}: {signed(total['mean'])}{interval}\n"
        f"{words(metric).lower()} per run; steps: each component's Shapley share "
        f"({int(total['n'])} replicates)",
        fontsize=9,
    )
    fig.set_layout_engine("constrained")
    return fig


def _pair_dots(
    ax, answer: Answer, metric: str, pairs: pd.DataFrame | None, position: dict[str, int]
) -> None:
    rng = np.random.default_rng(0)
    for row in answer.rows[answer.rows["metric"] == metric].itertuples():
        y = position[row.world]
        if pairs is not None and metric in pairs.columns:
            mine = pairs[pairs["world"].astype(str) == row.world][metric].to_numpy(float)
            ax.scatter(
                mine, y + rng.uniform(-0.15, 0.15, len(mine)), s=14, color="C0", lw=0, alpha=0.7
            )
        xerr = None if pd.isna(row.low) else [[row.mean - row.low], [row.high - row.mean]]
        ax.errorbar(row.mean, y, xerr=xerr, fmt="o", color="black", ms=4, capsize=3)


def _gain_title(row: pd.Series) -> str:
    interval = "" if pd.isna(row["low"]) else f" [{signed(row['low'])}, {signed(row['high'])}]"
    return f"{words(row['metric'])}\n{signed(row['mean'])}{interval}"


def _wrap(name: str) -> str:
    """Break a component's name over two lines at its middle space."""
    parts = name.split()
    if len(parts) < 3:
        return name.replace(" ", "\n") if len(name) > 12 else name
    middle = len(parts) // 2
    return " ".join(parts[:middle]) + "\n" + " ".join(parts[middle:])
