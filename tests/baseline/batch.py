"""The baseline batch whose summaries are pinned: small world, three policies, a sweep."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.batch_support import run, tables, write_batch

PINNED = Path(__file__).resolve().parent / "small_batch_summary.csv"
#: Columns that describe how the run went rather than what it found.
UNPINNED = ("seconds",)


def run_baseline(folder: Path) -> pd.DataFrame:
    """Run the baseline batch in ``folder`` in-process; its summaries, one row per run."""
    batch = write_batch(
        folder,
        policies=[
            "detention_first",
            "screening_before_detention",
            "scenarios/policies/screening_before_detention_plus.yaml",
        ],
        sweep={"grid": {"screening.tier1_sensitivity": [0.6, 0.8]}},
        overrides={"ngo.referral_consent": 0.3},
    )
    run(batch, workers=1)
    summary, _ = tables(folder / "out")
    return summary.drop(columns=[c for c in UNPINNED if c in summary.columns])
