"""Figures of a comparison: funnel, weekly series, paired differences and sweeps.

Each function returns a ``matplotlib.figure.Figure``; :func:`save_figure` writes it as PNG
and SVG.

Figures are built on ``Figure`` objects directly, never through pyplot: they are rendered by
the Agg (PNG) and SVG canvases, need no display, keep no global state, and leave the backend a
notebook user chose untouched.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

from analysis.comparison import FUNNEL
from analysis.formatting import RATES, number, percent
from analysis.labels import label, week_dates, weekly_label
from analysis.results import SOURCE
from result_folder.outcomes import OUTCOME, names

#: Weekly outcomes that are stocks (read at the end of each week) and so never accumulated.
STOCKS = frozenset(names("stock"))
#: Weekly outcomes drawn by default.
WEEKLY_DEFAULT = (
    OUTCOME.victims_present,
    OUTCOME.victims_identified,
    OUTCOME.victims_detained,
    OUTCOME.victims_removed_unidentified,
)
#: Outcomes whose paired differences are drawn by default.
DIFFERENCES_DEFAULT = (
    OUTCOME.victims_identified,
    OUTCOME.identification_rate,
    OUTCOME.witnesses_cooperating,
    OUTCOME.convictions,
    OUTCOME.victims_detained,
    OUTCOME.victims_removed_unidentified,
)
#: Outcomes drawn against swept parameters by default.
SWEEP_DEFAULT = (
    OUTCOME.victims_identified,
    OUTCOME.identification_rate,
    OUTCOME.victims_detained,
    OUTCOME.convictions,
)
_PANEL = (4.2, 3.0)
#: Beyond this many worlds in one figure, worlds are summarised (median and band over them).
MAX_PANELS = 3


def funnel_figure(stages: pd.DataFrame) -> Figure:
    """The funnel per policy: mean count at each stage, linear scale, 95% interval of replicates.

    A linear scale shows gaps as they are (a log scale made a five-fold gap look small).

    Args:
        stages: Output of :func:`analysis.funnel` (the first draw is drawn).
    """
    stages, note = first_draw(stages)
    over_worlds = _many_worlds(stages)
    if over_worlds:
        stages = _funnel_over_worlds(stages)
    blocks = _blocks(stages)
    policies = _policy_names(stages)
    fig = Figure(figsize=(6.4 * len(blocks), 1.2 + 0.45 * len(FUNNEL) * max(1, len(policies) / 2)))
    axes = fig.subplots(1, len(blocks), squeeze=False, sharex=True)[0]
    labels = list(FUNNEL.values())
    height = 0.8 / len(policies)
    for ax, (title, block) in zip(axes, blocks.items(), strict=True):
        for i, policy in enumerate(policies):
            rows = block[block["policy"].astype(str) == policy].set_index("stage").loc[list(FUNNEL)]
            y = np.arange(len(labels)) + (i - (len(policies) - 1) / 2) * height
            mean = rows["mean"].to_numpy(dtype=float)
            err = np.vstack(
                [mean - rows["low"].to_numpy(float), rows["high"].to_numpy(float) - mean]
            )
            ax.barh(
                y,
                mean,
                height=height,
                color=_colour(stages, policy),
                label=policy.replace("_", " "),
            )
            ax.errorbar(
                mean,
                y,
                xerr=np.clip(err, 0, None),
                fmt="none",
                ecolor="black",
                elinewidth=0.8,
                capsize=2,
            )
            ends = np.maximum(rows["high"].to_numpy(float), mean)
            for yi, value, end, share in zip(y, mean, ends, rows["share"], strict=True):
                ax.annotate(
                    f"{number(value)} ({percent(share)})",
                    (end, yi),
                    xytext=(4, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=7,
                )
        ax.set_xlim(left=0)
        ax.margins(x=0.25)  # room for the labels right of the bars
        ax.set_yticks(np.arange(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(
            "median of the worlds' mean counts (whiskers: 5-95% of worlds)"
            if over_worlds
            else "mean count over the run (whiskers: 95% of replicates)"
        )
        ax.set_title(title)
        ax.grid(axis="x", alpha=0.3)
    axes[0].legend(loc="lower right", fontsize=8)
    fig.suptitle(f"Identification funnel{note}")
    fig.set_layout_engine("constrained")
    return fig


def weekly_figure(
    weekly: pd.DataFrame, outcomes: Iterable[str] = WEEKLY_DEFAULT, cumulative: bool = True
) -> Figure:
    """Weekly series per policy: median across replicates with 50% and 95% bands.

    Args:
        weekly: Output of :func:`analysis.load_weekly` (the first draw is drawn).
        outcomes: Weekly outcomes, one panel each.
        cumulative: Accumulate flows over the run (stocks are drawn as they are).
    """
    outcomes = [name for name in outcomes if name in weekly.columns]
    weekly, note = first_draw(weekly)
    over_worlds = _many_worlds(weekly)
    blocks = {f"over {over_worlds} worlds": weekly} if over_worlds else _blocks(weekly)
    panels = [(title, outcome) for title in blocks for outcome in outcomes]
    ncols = len(blocks) if len(blocks) > 1 else min(2, len(outcomes))
    nrows = int(np.ceil(len(panels) / ncols))
    fig = Figure(figsize=(_PANEL[0] * ncols, 0.6 + _PANEL[1] * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False, sharex=True)
    # One column per block: fill column by column.
    order = axes.T.ravel() if len(blocks) > 1 else axes.ravel()
    for ax, (title, outcome) in zip(order, panels, strict=False):
        block = blocks[title]
        accumulate = cumulative and outcome not in STOCKS
        for policy in _policy_names(weekly):
            runs = block[block["policy"].astype(str) == policy]
            series = runs.assign(date=week_dates(runs)).pivot_table(
                index="date", columns="run_id", values=outcome
            )
            if accumulate:
                series = series.cumsum()
            if over_worlds:  # each world's mean over its replicates, then across worlds
                worlds = runs.drop_duplicates("run_id").set_index("run_id")["world"].astype(str)
                series = series.T.groupby(worlds.reindex(series.columns).to_numpy()).mean().T
            q = np.nanquantile(series.to_numpy(float), [0.025, 0.25, 0.5, 0.75, 0.975], axis=1)
            colour = _colour(weekly, policy)
            ax.fill_between(series.index, q[0], q[4], color=colour, alpha=0.15, lw=0)
            ax.fill_between(series.index, q[1], q[3], color=colour, alpha=0.35, lw=0)
            ax.plot(series.index, q[2], color=colour, lw=1.4, label=policy.replace("_", " "))
        kind = "cumulative since the start" if accumulate else "stock at the end of the week"
        name = weekly_label(outcome) if outcome in STOCKS else f"{label(outcome)}, cumulative"
        ax.set_title(textwrap.fill(f"{title}: {name}" if len(blocks) > 1 else name, 48), fontsize=8)
        ax.set_ylabel(kind, fontsize=8)
        ax.grid(alpha=0.3)
    for ax in order[len(panels) :]:
        ax.set_visible(False)
    for ax in axes[-1]:
        ax.set_xlabel("week starting" if "year" in weekly.columns else "week")
        ax.tick_params(axis="x", labelrotation=30, labelsize=7)
    across = f"the {over_worlds} worlds' means" if over_worlds else "replicates"
    axes[0, 0].legend(fontsize=7, title=f"median of {across}; bands 50%, 95%", title_fontsize=7)
    fig.suptitle(f"Weekly outcomes across {across}{note}")
    fig.set_layout_engine("constrained")
    return fig


def differences_figure(
    differences: pd.DataFrame,
    comparison: pd.DataFrame,
    metrics: Iterable[str] = DIFFERENCES_DEFAULT,
) -> Figure:
    """Distribution of paired differences (policy minus reference), one panel per outcome.

    Each replicate's difference is a dot; the black bar is the mean with its 95% t-interval.

    Args:
        differences: Output of :func:`analysis.paired_differences` (the first draw is drawn).
        comparison: Output of :func:`analysis.compare` (for the means and intervals).
        metrics: Outcomes to draw.
    """
    differences, note = first_draw(differences)
    metrics = [m for m in metrics if m in differences.columns]
    reference = str(comparison["reference"].iloc[0])
    labels = _row_labels(differences)
    ncols = min(3, max(1, len(metrics)))
    nrows = int(np.ceil(len(metrics) / ncols)) or 1
    fig = Figure(figsize=(_PANEL[0] * ncols, 0.6 + (0.9 + 0.35 * len(labels)) * nrows))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    jitter = np.random.default_rng(0)
    keys = [SOURCE, "world", "draw", "policy"]
    groups = dict(list(differences.groupby(keys, sort=False)))
    stats = comparison.assign(policy=comparison["policy"].astype(str)).set_index([*keys, "metric"])
    for ax, metric in zip(axes, metrics, strict=False):
        for y, key in enumerate(labels):
            values = groups[key][metric].to_numpy(dtype=float)
            ax.scatter(
                values,
                y + jitter.uniform(-0.18, 0.18, len(values)),
                s=10,
                color=_colour(comparison, key[3]),
                alpha=0.6,
                lw=0,
            )
            stat = stats.loc[(*key, metric)] if (*key, metric) in stats.index else None
            if stat is not None and pd.notna(stat["diff_low"]):
                mean, low, high = stat["diff"], stat["diff_low"], stat["diff_high"]
                ax.errorbar(
                    mean,
                    y,
                    xerr=[[mean - low], [high - mean]],
                    fmt="o",
                    color="black",
                    ms=4,
                    capsize=3,
                    lw=1.2,
                )
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.xaxis.set_major_locator(MaxNLocator(4 if metric in RATES else 6))
        if metric in RATES:
            ax.xaxis.set_major_formatter(PercentFormatter(1.0))
        ax.set_yticks(range(len(labels)), list(labels.values()), fontsize=7)
        ax.set_ylim(len(labels) - 0.5, -0.5)
        ax.set_title(label(metric), fontsize=8)
        ax.grid(axis="x", alpha=0.3)
    for ax in axes[len(metrics) :]:
        ax.set_visible(False)
    fig.suptitle(
        f"Paired differences from {reference}, replicate by replicate{note} "
        "(black: mean and 95% t-interval)",
        fontsize=10,
    )
    fig.set_layout_engine("constrained")
    return fig


def sweep_figures(comparison: pd.DataFrame, metrics: Iterable[str] = SWEEP_DEFAULT) -> list[Figure]:
    """For each swept parameter, each outcome against the parameter's value, per policy.

    Points are means across replicates, bars their 95% t-interval. Points are joined by
    lines only when the parameter is the only one that varies.

    Args:
        comparison: Output of :func:`analysis.compare` on a sweep (``param:`` columns).
        metrics: Outcomes to draw.

    Returns:
        One figure per parameter that takes more than one value (none for a plain batch).
    """
    params = [c for c in comparison.columns if c.startswith("param:")]
    varying = [p for p in params if comparison[p].nunique(dropna=True) > 1]
    metrics = [m for m in metrics if m in set(comparison["metric"])]
    figures = []
    for param in varying:
        if not pd.api.types.is_numeric_dtype(comparison[param]):
            continue
        figures.append(_sweep_figure(comparison, param, metrics, join=len(varying) == 1))
    return figures


def _sweep_figure(comparison: pd.DataFrame, param: str, metrics: list[str], join: bool) -> Figure:
    blocks = _blocks(comparison)
    fig = Figure(figsize=(_PANEL[0] * len(metrics), _PANEL[1] * len(blocks)))
    axes = fig.subplots(len(blocks), len(metrics), squeeze=False)
    for row, (title, block) in enumerate(blocks.items()):
        for col, metric in enumerate(metrics):
            ax = axes[row, col]
            for policy in _policy_names(comparison):
                points = block[
                    (block["metric"] == metric) & (block["policy"].astype(str) == policy)
                ]
                points = points.sort_values(param)
                x = points[param].to_numpy(dtype=float)
                mean = points["mean"].to_numpy(dtype=float)
                low = points["mean_low"].fillna(points["mean"]).to_numpy(dtype=float)
                high = points["mean_high"].fillna(points["mean"]).to_numpy(dtype=float)
                ax.errorbar(
                    x,
                    mean,
                    yerr=[mean - low, high - mean],
                    fmt="o-" if join else "o",
                    color=_colour(comparison, policy),
                    ms=4,
                    capsize=2,
                    lw=1.2,
                    label=policy.replace("_", " "),
                )
            ax.set_xlabel(param.removeprefix("param:"))
            ax.set_ylabel(label(metric), fontsize=8)
            if metric in RATES:
                ax.yaxis.set_major_formatter(PercentFormatter(1.0))
            ax.grid(alpha=0.3)
            if col == 0:
                ax.set_title(title, loc="left", fontsize=9)
    axes[0, 0].legend(fontsize=8)
    fig.suptitle(f"Outcomes against {param.removeprefix('param:')} (mean, 95% t-interval)")
    fig.set_layout_engine("constrained")
    return fig


def save_figure(fig: Figure, folder: Path, stem: str) -> list[Path]:
    """Write ``fig`` as ``stem.png`` and ``stem.svg`` in ``folder``; return both paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = [folder / f"{stem}.png", folder / f"{stem}.svg"]
    fig.savefig(paths[0], dpi=150, metadata={"Software": None})
    fig.savefig(paths[1], metadata={"Date": None})
    return paths


def svg_bytes(fig: Figure) -> bytes:
    """The figure as SVG (text drawn as paths, so it needs no fonts)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def first_draw(frame: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """The rows of the first draw, and a note for the title when there are several draws.

    Funnels, weekly bands and paired differences are drawn for one parameter set: pooling
    draws would mix parameter sets; the sweep figures show how outcomes vary across draws.
    """
    draws = sorted(frame["draw"].unique())
    if len(draws) <= 1:
        return frame, ""
    return frame[frame["draw"] == draws[0]], f" (draw {draws[0]} of {len(draws)})"


def _many_worlds(frame: pd.DataFrame) -> int:
    """How many worlds a figure summarises: 0 unless one folder holds many.

    More than :data:`MAX_PANELS` worlds of one result folder (such as the members of an
    ensemble) are drawn as their median and band, not a panel each.
    """
    if frame[SOURCE].nunique() > 1:
        return 0
    count = frame["world"].nunique()
    return count if count > MAX_PANELS else 0


def _funnel_over_worlds(stages: pd.DataFrame) -> pd.DataFrame:
    """Per policy and stage: the median over worlds of their mean, and the 5-95% of worlds."""
    keys = [SOURCE, "policy", "stage"]
    grouped = stages.groupby(keys, observed=True, sort=False)
    summary = grouped["mean"].median().rename("mean").to_frame()
    summary["low"] = grouped["mean"].quantile(0.05)
    summary["high"] = grouped["mean"].quantile(0.95)
    summary["share"] = grouped["share"].median()
    summary = summary.reset_index()
    summary["world"] = f"median over {stages['world'].nunique()} worlds"
    summary["draw"] = stages["draw"].iloc[0]
    summary["policy"] = pd.Categorical(
        summary["policy"].astype(str),
        categories=stages["policy"].cat.categories if hasattr(stages["policy"], "cat") else None,
    )
    return summary


def _blocks(frame: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Split by result folder and world; title each part by what differs."""
    groups = list(frame.groupby([SOURCE, "world"], sort=False, observed=True))
    many_sources = len({key[0] for key, _ in groups}) > 1
    return {(f"{key[0]} · {key[1]}" if many_sources else str(key[1])): part for key, part in groups}


def _policy_names(frame: pd.DataFrame) -> list[str]:
    present = set(frame["policy"].astype(str))
    categories = frame["policy"].cat.categories if hasattr(frame["policy"], "cat") else present
    return [str(p) for p in categories if str(p) in present]


def _colour(frame: pd.DataFrame, policy: str) -> str:
    categories = (
        [str(p) for p in frame["policy"].cat.categories]
        if hasattr(frame["policy"], "cat")
        else [policy]
    )
    index = categories.index(str(policy)) if str(policy) in categories else 0
    return f"C{index % 10}"


def _row_labels(differences: pd.DataFrame) -> dict[tuple, str]:
    keys = differences[[SOURCE, "world", "draw", "policy"]].drop_duplicates()
    many_sources = keys[SOURCE].nunique() > 1
    many_worlds = keys["world"].nunique() > 1
    many_draws = keys["draw"].nunique() > 1
    labels = {}
    for key in keys.itertuples(index=False, name=None):
        parts = [str(key[0])] if many_sources else []
        parts += [str(key[1])] if many_worlds else []
        parts += [f"draw {key[2]}"] if many_draws else []
        parts.append(str(key[3]))
        labels[key] = " · ".join(parts)
    return labels
