"""The layout of result folders: the one definition both their writer and their readers use.

A **batch** folder (``tipsim batch``)::

    DIR/manifest.json                 configuration, seeds, provenance, each run's status
    DIR/summary/<run_id>.parquet      one row per run: identity, seed, param: columns, outcomes
    DIR/weekly/<run_id>.parquet       one row per run and week
    DIR/fates/<run_id>.parquet        one row per victim the run's authorities met: who, and the
                                      victim's fate (``model.fates``; read by ``analysis.who``)
    DIR/ensemble.json                 (ensemble batches) members drawn, their weights
    DIR/decomposition/                (with ``decomposition:``) the factorial batch, same layout

A **single-run** folder (``tipsim run``): ``summary.parquet`` (one row per policy) and
``weekly.parquet`` (one row per policy and week), one seed, no manifest.

``experiments`` writes these folders and ``analysis`` reads them; both take the names from here.
The batch's run log is :mod:`result_folder.run_log`.
"""

from __future__ import annotations

from pathlib import Path

#: The manifest of a batch or a study folder.
MANIFEST = "manifest.json"
#: Sub-folder of a batch holding one summary table per run.
SUMMARY_DIR = "summary"
#: Sub-folder of a batch holding one weekly table per run.
WEEKLY_DIR = "weekly"
#: Sub-folder of a batch holding one table of victims' fates per run (``model.fates``).
FATES_DIR = "fates"
#: The summary table of a single-run folder.
RUN_SUMMARY = "summary.parquet"
#: The weekly table of a single-run folder.
RUN_WEEKLY = "weekly.parquet"
#: A batch over a calibrated ensemble: the members drawn and their weights (JSON).
ENSEMBLE_WEIGHTS = "ensemble.json"
#: Sub-folder of a batch holding its follow-up decomposition batch (``decomposition:``).
DECOMPOSITION_DIR = "decomposition"
#: Columns that identify a run, first in both tables of a batch.
RUN_IDENTITY = ("run_id", "world", "policy", "draw", "replicate")
#: The identity and the run's seed (``<root entropy>:<spawn key>``).
ID_COLUMNS = (*RUN_IDENTITY, "seed")


def summary_path(folder: Path, run_id: str) -> Path:
    """Where a batch keeps the summary table of one run."""
    return folder / SUMMARY_DIR / f"{run_id}.parquet"


def weekly_path(folder: Path, run_id: str) -> Path:
    """Where a batch keeps the weekly table of one run."""
    return folder / WEEKLY_DIR / f"{run_id}.parquet"


def fates_path(folder: Path, run_id: str) -> Path:
    """Where a batch keeps the fates of the victims one run's authorities met."""
    return folder / FATES_DIR / f"{run_id}.parquet"
