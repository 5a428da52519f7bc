"""The short table printed at the end of a batch: key outcomes per world and policy.

Each cell is the mean across replicates and, in brackets, the 2.5th and 97.5th percentiles of
the replicates (the middle 95% of simulated outcomes), read from the stored summaries.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from experiments.storage import read_tables

#: Outcomes shown (every outcome is stored).
KEY_OUTCOMES = (
    "victims_identified",
    "victims_removed_unidentified",
    "prosecutions",
    "convictions",
    "identification_rate",
)
#: Draws shown one by one up to this many; beyond it they are pooled.
MAX_DRAW_COLUMNS = 8


def batch_tables(summaries: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per world, a table of key outcomes (rows) by policy, or policy and draw (columns).

    Args:
        summaries: The summary rows of a batch (``experiments.storage.read_tables``).

    Returns:
        World name -> table of formatted cells; empty if there are no rows.
    """
    if summaries.empty:
        return {}
    by_draw = 1 < summaries["draw"].nunique() <= MAX_DRAW_COLUMNS
    columns = ["policy", "draw"] if by_draw else ["policy"]
    tables = {}
    for world, runs in summaries.groupby("world", sort=False):
        cells = {}
        for key, group in runs.groupby(columns, sort=False):
            label = f"{key[0]} d{key[1]}" if by_draw else str(key[0])
            cells[label] = {name: _cell(group[name]) for name in KEY_OUTCOMES}
        tables[str(world)] = pd.DataFrame(cells)
    return tables


def print_batch_table(folder: Path) -> None:
    """Print the key outcomes of a batch folder, one block per world."""
    summaries = read_tables(Path(folder) / "summary")
    if summaries.empty:
        print(f"no finished runs in {Path(folder) / 'summary'}")
        return
    sizes = summaries.groupby(["world", "policy", "draw"]).size()
    replicates = f"{sizes.min()}" if sizes.min() == sizes.max() else f"{sizes.min()}-{sizes.max()}"
    draws = summaries["draw"].nunique()
    pooled = f", pooled over {draws} draws" if draws > MAX_DRAW_COLUMNS else ""
    print(f"mean [2.5th, 97.5th percentile] across {replicates} replicate(s){pooled}")
    for world, table in batch_tables(summaries).items():
        print(f"\nworld {world}")
        print(table.to_string())


def _cell(values: pd.Series) -> str:
    mean = _number(values.mean())
    if len(values) < 2:
        return mean
    low, high = values.quantile([0.025, 0.975])
    return f"{mean} [{_number(low)}, {_number(high)}]"


def _number(value: float) -> str:
    value = float(value)
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 1 or value == 0:
        return f"{value:.1f}".removesuffix(".0")
    return f"{value:.3g}"
