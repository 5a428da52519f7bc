"""``tipsim rerun``: run one run of a batch again from its manifest and compare the results."""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import pandas as pd

from analysis.results import read_result_table
from experiments.batches.manifest import Manifest
from experiments.batches.one_run import simulate_task
from result_folder.layout import summary_path, weekly_path
from scenarios.resolve import resolve_run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the arguments of ``tipsim rerun``."""
    parser.add_argument("folder", type=Path, metavar="DIR", help="batch folder")
    parser.add_argument("run_id", metavar="RUN_ID", help="run id (a file name under DIR/summary)")


def main(args: argparse.Namespace) -> int:
    """Re-run the run in this process; 0 if it matches the stored tables, 1 if not."""
    manifest = Manifest.load(args.folder)
    task = manifest.task(args.run_id)
    spec = resolve_run(task.world_path, task.policy_arg, task.overrides)
    task = replace(task, spec=spec)
    stored_path = summary_path(args.folder, task.run_id)
    stored_weekly = weekly_path(args.folder, task.run_id)
    # Read the stored tables first: a damaged file is named before minutes of simulation.
    stored = read_result_table(stored_path) if stored_path.exists() else None
    stored_series = read_result_table(stored_weekly) if stored_weekly.exists() else None
    print(f"re-running {task.run_id} (seed {task.seed_text}, {task.years:g} years)")
    hashed = manifest.data.get("inputs", {}).get(f"{task.world}/{task.policy}/d{task.draw}")
    if hashed is not None and hashed != spec.digest():
        print(
            "note: the world or policy file (or a default) has changed since the batch ran: "
            "the parameters resolved now differ from those the batch hashed and ran"
        )
    summary, weekly, _ = simulate_task(task)
    if stored is None:
        print(summary.T.to_string(header=False))
        print(f"no stored summary to compare ({stored_path} missing: the run never finished)")
        return 0
    differences = compare(stored, summary)
    if stored_series is not None and not stored_series.equals(weekly):
        differences.append(f"weekly series differ from {stored_weekly}")
    if differences:
        print(f"DIFFERS from {stored_path}:")
        for line in differences:
            print(f"  {line}")
        return 1
    print(f"identical to {stored_path} ({summary.shape[1]} columns) and its weekly series")
    return 0


def compare(stored: pd.DataFrame, fresh: pd.DataFrame) -> list[str]:
    """Column-by-column differences between two one-row summaries (empty if identical)."""
    lines = []
    for column in sorted(set(stored.columns) | set(fresh.columns)):
        if column not in stored.columns or column not in fresh.columns:
            lines.append(f"{column}: only in {'fresh' if column in fresh.columns else 'stored'}")
            continue
        old, new = stored[column].iloc[0], fresh[column].iloc[0]
        if old != new:
            lines.append(f"{column}: stored {old!r}, re-run {new!r}")
    return lines
