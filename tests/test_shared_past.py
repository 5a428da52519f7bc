"""Runs that share their past replay it once, and each run's results are as if it ran alone."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.batches import memory, shared_past
from experiments.batches.config import load_batch
from experiments.batches.one_run import execute_run
from experiments.batches.plan import build_plan
from tests.batch_support import fates, run, tables, write_batch

#: The small world starts in 2018: the policies start after one replayed year.
START = {"time.policy_start_year": 2019}


def plan_of(batch):
    return build_plan(load_batch(batch), batch, progress=False)


def test_a_policy_comparison_with_a_start_date_groups_each_seed_s_policies(tmp_path):
    batch = write_batch(tmp_path, years=2, overrides=START)
    groups = shared_past.group_by_past(plan_of(batch).tasks)
    assert [[t.run_id for t in g] for g in groups] == [
        ["small__detention_first__d000__r0000", "small__screening_before_detention__d000__r0000"],
        ["small__detention_first__d000__r0001", "small__screening_before_detention__d000__r0001"],
    ]


def test_runs_without_a_past_to_share_run_alone(tmp_path):
    # No start date; and a start at or after the last week leaves nothing after the past.
    for name, changes in {"none": {}, "late": {"years": 1, "overrides": START}}.items():
        batch = write_batch(tmp_path, name=f"{name}.yaml", **changes)
        groups = shared_past.group_by_past(plan_of(batch).tasks)
        assert [len(g) for g in groups] == [1, 1, 1, 1], name


def test_runs_too_big_to_copy_run_alone(tmp_path, monkeypatch):
    # A copy of the model doubles a worker's memory at the policy's start: a run whose column
    # store could take more than half of one run's budget is not grouped.
    batch = write_batch(tmp_path, years=2, overrides=START)
    tasks = plan_of(batch).tasks
    monkeypatch.setattr(memory, "MEMORY_BUDGET", 4 * 10**6)  # the small world: ~2.7 MB a store
    assert [len(g) for g in shared_past.group_by_past(tasks)] == [1, 1, 1, 1]


def test_a_lever_that_acts_before_the_start_splits_the_group(tmp_path):
    # tier1_sensitivity is the run's throughout, so it is part of the past: the two values
    # are two pasts; the reform's own levers (sessions of tier 2) are not, and share one.
    batch = write_batch(
        tmp_path,
        policies=["screening_before_detention"],
        replicates=1,
        years=2,
        overrides=START,
        sweep={
            "grid": {"screening.tier1_sensitivity": [0.5, 0.7], "screening.tier2_sessions": [1, 3]}
        },
    )
    tasks = plan_of(batch).tasks
    groups = shared_past.group_by_past(tasks)
    assert len(tasks) == 4 and len(groups) == 2
    for group in groups:
        assert len({t.overrides["screening.tier1_sensitivity"] for t in group}) == 1


@pytest.mark.parametrize("workers", [1, 2])
def test_a_shared_past_gives_every_run_the_tables_it_has_alone(tmp_path, workers):
    batch = write_batch(tmp_path, years=2, overrides=START)
    grouped = run(batch, workers=workers)
    alone = run(batch, runner=execute_run, out=tmp_path / "alone", workers=1)
    assert grouped.ran == alone.ran == 4 and grouped.failed == 0
    for got, want in zip(tables(tmp_path / "out"), tables(tmp_path / "alone"), strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(
        fates(tmp_path / "out"), fates(tmp_path / "alone"), check_exact=True
    )
    summary, _ = tables(tmp_path / "out")
    assert set(summary["policy"]) == {"detention_first", "screening_before_detention"}


def test_a_run_that_fails_after_the_start_fails_alone(tmp_path, monkeypatch):
    batch = write_batch(tmp_path, replicates=1, years=2, overrides=START)
    tasks = plan_of(batch).tasks
    finish = shared_past.finish_run

    def failing(task, model):
        if task.policy == "screening_before_detention":
            raise RuntimeError("injected failure after the start")
        return finish(task, model)

    monkeypatch.setattr(shared_past, "finish_run", failing)
    first, second = shared_past.execute_group(tasks)
    assert first.ok and first.summary is not None
    assert second.error == "RuntimeError: injected failure after the start"
    assert "Traceback" in second.traceback


def test_a_past_that_fails_fails_every_run_of_the_group(tmp_path, monkeypatch):
    batch = write_batch(tmp_path, replicates=1, years=2, overrides=START)
    tasks = plan_of(batch).tasks

    def broken(task):
        raise ValueError("injected failure in the past")

    monkeypatch.setattr(shared_past, "build_model", broken)
    results = shared_past.execute_group(tasks)
    assert [r.error for r in results] == ["ValueError: injected failure in the past"] * 2
