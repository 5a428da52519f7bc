"""Figures of a sensitivity analysis: Morris μ*-σ plots and Sobol index bars (PNG and SVG)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.figures import save_figure


def plot_morris(indices: pd.DataFrame, path: Path) -> Path:
    """One panel per output: μ* (with its 95% interval) against σ, parameters labelled."""
    outputs = list(dict.fromkeys(indices["output"]))
    fig = Figure(figsize=(5.5 * len(outputs), 4.5))
    axes = fig.subplots(1, len(outputs), squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        rows = indices[indices["output"] == output]
        ax.errorbar(rows["mu_star"], rows["sigma"], xerr=rows["mu_star_conf"], fmt="o", capsize=2)
        for row in rows.itertuples(index=False):
            ax.annotate(row.parameter, (row.mu_star, row.sigma), fontsize=7, alpha=0.8)
        ax.set_xlabel("μ* (mean |elementary effect|)")
        ax.set_ylabel("σ (interactions, non-linearity)")
        ax.set_title(f"Morris: {output}", fontsize=10)
    fig.tight_layout()
    return save_figure(fig, path.parent, path.stem)[0]


def plot_sobol(indices: pd.DataFrame, path: Path) -> Path:
    """One panel per output: first-order and total indices with 95% intervals."""
    outputs = list(dict.fromkeys(indices["output"]))
    fig = Figure(figsize=(5.5 * len(outputs), 4.0))
    axes = fig.subplots(1, len(outputs), squeeze=False)
    for ax, output in zip(axes[0], outputs, strict=True):
        rows = indices[indices["output"] == output]
        x = np.arange(len(rows))
        ax.bar(x - 0.2, rows["S1"], 0.4, yerr=rows["S1_conf"], label="first order S1", capsize=2)
        ax.bar(x + 0.2, rows["ST"], 0.4, yerr=rows["ST_conf"], label="total ST", capsize=2)
        ax.set_xticks(x)
        ax.set_xticklabels(rows["parameter"], rotation=30, ha="right", fontsize=7)
        ax.axhline(0, color="black", lw=0.5)
        ax.set_title(f"Sobol: {output}", fontsize=10)
    axes[0][0].legend(fontsize=8)
    fig.tight_layout()
    return save_figure(fig, path.parent, path.stem)[0]
