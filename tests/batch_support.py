"""Helpers shared by the batch tests: small batch files, result tables, a failing runner."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from experiments.batches.one_run import RunResult, execute_run
from experiments.batches.pipeline import BatchOptions, run_batch
from experiments.batches.plan import RunTask
from experiments.core.storage import read_tables

SMALL = Path(__file__).resolve().parent / "scenarios" / "small.yaml"
#: Marker file next to the world: while it exists, ``flaky_runner`` fails replicate 1.
FAIL_MARKER = "fail_replicate_1"


def write_batch(folder: Path, name: str = "batch.yaml", **changes: Any) -> Path:
    """A batch file on a copy of the small world (1 year, 2 policies, 2 replicates)."""
    world = folder / "small.yaml"
    if not world.exists():
        world.write_text(SMALL.read_text())
    config: dict[str, Any] = {
        "worlds": [str(world)],
        "policies": ["detention_first", "screening_before_detention"],
        "replicates": 2,
        "years": 1,
        "seed": 11,
        "output": str(folder / "out"),
    }
    config.update(changes)
    path = folder / name
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path


def run(batch_file: Path, runner=None, **options: Any):
    """Run a batch quietly; returns the report."""
    return run_batch(batch_file, BatchOptions(progress=False, **options), runner=runner)


def tables(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The summary and weekly tables of a batch folder, in run-id order."""
    weekly = read_tables(folder / "weekly")
    weekly = weekly.sort_values(["run_id", "week"], ignore_index=True)
    return read_tables(folder / "summary"), weekly


def fates(folder: Path) -> pd.DataFrame:
    """The victims' fates of a batch folder, in run-id order (``model.fates``)."""
    return read_tables(folder / "fates")


def flaky_runner(task: RunTask) -> RunResult:
    """Execute a run, but raise (in the worker) for replicate 1 while the marker file exists."""
    if task.replicate == 1 and (Path(task.world_path).parent / FAIL_MARKER).exists():
        raise RuntimeError(f"injected failure in {task.run_id}")
    return execute_run(task)


def dying_runner(task: RunTask) -> RunResult:
    """Execute a run, but kill the worker process for replicate 1 while the marker exists."""
    if task.replicate == 1 and (Path(task.world_path).parent / FAIL_MARKER).exists():
        import os

        os._exit(3)
    return execute_run(task)
