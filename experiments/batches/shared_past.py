"""Runs that share their past: the years before the policy starts replayed once, not per policy.

With ``time.policy_start_year`` set, every run replays the years before it under today's
practice whatever policy it compares (:mod:`model.policy_start`): runs of different policies
on one seed and one world draw the same numbers and reach the same state at the policy's start.
The batch therefore runs such runs as one group: it replays the common past once, copies the
model in the policy's first week and lets each run's policy take over from its copy. Each run's
tables are bit for bit those it would have had on its own (``tests/test_shared_past.py``); the
main job, 9 replayed years and 5 compared ones per run, does about a third less work.

Runs share their past when their seed, length and parameters before the start are equal: the
parameters with the status quo's levers in place of the policy's own, as the model sets them
for the replayed years. A policy's screening levers that act throughout (sensitivity,
training, the weekly chance of screening a detainee) are part of the past, so runs that differ
in them are not grouped.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Hashable, Sequence

from experiments.batches import memory
from experiments.batches.memory import bytes_per_slot, peak_population
from experiments.batches.one_run import (
    RunResult,
    build_model,
    execute_run,
    failed_result,
    finish_run,
    task_spec,
)
from experiments.batches.plan import RunTask
from model.calendar import weeks
from model.policy_start import STATUS_QUO_LEVERS, policy_start_week


def past_key(task: RunTask) -> Hashable | None:
    """What the task's replayed past depends on; ``None`` when it has no past to share.

    A run has a past to share when its policy starts after its first week and before its last,
    and when a copy of its model fits beside it: its column store's estimated peak is at most
    half of one run's memory budget (:mod:`experiments.batches.memory`).
    """
    params = task_spec(task).params
    start = policy_start_week(params)
    if not 0 < start < weeks(task.years):
        return None
    if peak_population(params, task.years) * bytes_per_slot() > memory.MEMORY_BUDGET / 2:
        return None
    status_quo = params.screening.model_copy(update=STATUS_QUO_LEVERS)
    past = params.model_copy(update={"screening": status_quo})
    return (task.entropy, task.spawn_key, weeks(task.years), past.model_dump_json())


def group_by_past(tasks: Sequence[RunTask]) -> list[list[RunTask]]:
    """The tasks in groups that share their past, each group where its first task was.

    A task with no past to share is a group of its own; the order of the tasks within each
    group, and of the groups, follows ``tasks``.
    """
    groups: list[list[RunTask]] = []
    by_key: dict[Hashable, list[RunTask]] = {}
    for task in tasks:
        key = past_key(task)
        if key is None:
            groups.append([task])
        elif key in by_key:
            by_key[key].append(task)
        else:
            by_key[key] = [task]
            groups.append(by_key[key])
    return groups


def execute_group(tasks: Sequence[RunTask]) -> list[RunResult]:
    """Run tasks that share their past: the past once, then each run from a copy of it.

    Never raises for errors inside the model: a past that raises fails every run of the
    group with its error, a run that raises after the start fails alone. Each run's
    ``seconds`` is its share of the past plus its own years.

    Args:
        tasks: Runs with one :func:`past_key` (as grouped by :func:`group_by_past`).

    Returns:
        One result per task, in order.
    """
    if len(tasks) == 1:
        return [execute_run(tasks[0])]
    start = time.perf_counter()
    try:
        model = build_model(tasks[0])
        while model.week < model.policy_start_week:
            model.step()
    except Exception as err:  # the common past failed: so does every run of the group
        seconds = (time.perf_counter() - start) / len(tasks)
        return [failed_result(task, err, seconds) for task in tasks]
    past_seconds = (time.perf_counter() - start) / len(tasks)
    results = []
    for number, task in enumerate(tasks):
        began = time.perf_counter()
        try:
            # The last run continues the model itself; the others a copy of the past.
            run = model if number == len(tasks) - 1 else copy.deepcopy(model)
            run.spec = task_spec(task)  # its policy takes over in the policy's first week
            summary, weekly, fates = finish_run(task, run)
        except Exception as err:  # recorded in the manifest; the other runs go on
            results.append(failed_result(task, err, past_seconds + time.perf_counter() - began))
            continue
        seconds = past_seconds + time.perf_counter() - began
        results.append(RunResult(task.run_id, summary, weekly, fates, seconds=seconds))
    return results
