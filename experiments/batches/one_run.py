"""Executing one run of a batch, in whatever process or machine the executor chose.

The worker receives a plain :class:`~experiments.batches.plan.RunTask` (never a live model),
builds the model there, steps it and returns plain tables. Nothing here touches the batch
folder: the parent process writes the results, so a worker on another machine needs the project
and the world files, not the results folder.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Any

import pandas as pd

from experiments.batches.plan import RunTask
from model import IdentificationModel, RunSpec
from model.calendar import weeks
from result_folder.layout import RUN_IDENTITY
from scenarios.resolve import resolve_run


@dataclass
class RunResult:
    """What a worker sends back: the tables, or the error of a run that raised."""

    run_id: str
    summary: pd.DataFrame | None = None
    weekly: pd.DataFrame | None = None
    fates: pd.DataFrame | None = None
    error: str | None = None
    traceback: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether the run finished."""
        return self.error is None


def execute_run(task: RunTask) -> RunResult:
    """Run one task and return its tables; an exception becomes a failed result.

    Never raises for errors inside the model: the batch records them and goes on.
    """
    start = time.perf_counter()
    try:
        summary, weekly, fates = simulate_task(task)
    except Exception as err:  # recorded in the manifest; the batch goes on
        return failed_result(task, err, time.perf_counter() - start)
    return RunResult(task.run_id, summary, weekly, fates, seconds=time.perf_counter() - start)


def failed_result(task: RunTask, err: Exception, seconds: float) -> RunResult:
    """The result of a run that raised ``err`` (inside an ``except`` block: keeps its trace)."""
    return RunResult(
        task.run_id,
        error=f"{type(err).__name__}: {err}",
        traceback=traceback.format_exc(),
        seconds=seconds,
    )


def simulate_task(task: RunTask) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Build the model for ``task``, step it ``round(years * 52)`` weeks, return its tables.

    Returns:
        The one-row summary table, the weekly table (columns in storage order) and the fates
        of the victims met (``model.fates``, the run id in front).
    """
    return finish_run(task, build_model(task))


def build_model(task: RunTask) -> IdentificationModel:
    """The task's model, warmed up, at week 0.

    The task's resolved run is used as it is; a task without one (made by hand) is resolved
    from its world and policy files here.
    """
    return IdentificationModel(task_spec(task), rng=task.seed_sequence())


def task_spec(task: RunTask) -> RunSpec:
    """The task's resolved run (resolved from its files when the task carries none)."""
    return task.spec or resolve_run(task.world_path, task.policy_arg, task.overrides)


def finish_run(
    task: RunTask, model: IdentificationModel
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Step ``model`` to the task's last week (``round(years * 52)``) and return its tables."""
    horizon = weeks(task.years)
    while model.week < horizon:
        model.step()
    summary = summary_table(task, model.summary())
    return summary, weekly_table(task, model.weekly()), fates_table(task, model.fates.table())


def identity(task: RunTask) -> dict[str, Any]:
    """The identifying columns of a run."""
    return {name: getattr(task, name) for name in RUN_IDENTITY}


def summary_table(task: RunTask, summary: dict[str, Any]) -> pd.DataFrame:
    """One row: identity, seed, ``param:`` columns, then every summary key.

    The model's own ``policy`` and ``seed`` keys are replaced by the run's policy name and
    seed text, so the columns agree with the run id.
    """
    row: dict[str, Any] = {**identity(task), "seed": task.seed_text}
    row.update({f"param:{name}": value for name, value in task.swept.items()})
    row.update({k: v for k, v in summary.items() if k not in ("policy", "seed")})
    return pd.DataFrame([row])


def fates_table(task: RunTask, fates: pd.DataFrame) -> pd.DataFrame:
    """The victims' fates with the run id in front (one category: compact on disk)."""
    run_id = pd.Categorical([task.run_id] * len(fates), categories=[task.run_id])
    return pd.concat([pd.DataFrame({"run_id": run_id}), fates.reset_index(drop=True)], axis=1)


def weekly_table(task: RunTask, weekly: pd.DataFrame) -> pd.DataFrame:
    """The weekly series with the identifying columns in front."""
    weekly = weekly.reset_index(drop=True)
    front = pd.DataFrame({k: [v] * len(weekly) for k, v in identity(task).items()})
    return pd.concat([front, weekly], axis=1)
