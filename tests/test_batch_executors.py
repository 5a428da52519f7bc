"""Where a batch runs does not change its results: in-process, process pool and Dask agree."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from experiments.batches.one_run import execute_run
from experiments.batches.plan import RunTask
from tests.batch_support import fates, run, tables, write_batch


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serial")
    batch = write_batch(folder, sweep={"grid": {"screening.tier1_sensitivity": [0.6, 0.9]}})
    report = run(batch, workers=1)
    assert report.ran == 8 and report.failed == 0
    return batch, tables(folder / "out")


def test_serial_batch_has_every_run_once(serial):
    _, (summary, weekly) = serial
    assert summary["run_id"].is_unique and len(summary) == 8
    assert len(weekly) == 8 * 52
    assert not weekly.duplicated(["run_id", "week"]).any()


def test_process_pool_gives_identical_tables(serial, tmp_path):
    batch, expected = serial
    report = run(batch, out=tmp_path / "pool", workers=2)
    assert report.executor == "2 local worker processes"
    for got, want in zip(tables(tmp_path / "pool"), expected, strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    # Every victim met, and what became of them, bit for bit.
    pd.testing.assert_frame_equal(
        fates(tmp_path / "pool"), fates(batch.parent / "out"), check_exact=True
    )


def test_dask_local_cluster_gives_identical_tables(serial, tmp_path):
    pytest.importorskip("dask.distributed")
    batch, expected = serial
    report = run(batch, out=tmp_path / "dask", workers=1, executor="dask")
    assert "Dask" in report.executor
    for got, want in zip(tables(tmp_path / "dask"), expected, strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    pd.testing.assert_frame_equal(
        fates(tmp_path / "dask"), fates(batch.parent / "out"), check_exact=True
    )


def test_policies_share_the_replicates_seed(serial):
    """Common random numbers: every policy and draw of replicate r uses the same seed."""
    _, (summary, _) = serial
    seeds = summary.groupby("replicate")["seed"].unique()
    assert [list(s) for s in seeds] == [["11:0"], ["11:1"]]
    # Same seed, same world: the victims present after week 0 agree across policies and draws.
    first_week = serial[1][1].query("week == 0").groupby("replicate")["victims_present"].nunique()
    assert (first_week == 1).all()
    assert serial[1][1].query("week == 0")["victims_present"].nunique() == 2


def test_a_run_that_raises_becomes_a_failed_result(tmp_path):
    task = RunTask(
        run_id="missing__detention_first__d000__r0000",
        world="missing",
        world_path=str(tmp_path / "missing.yaml"),
        policy="detention_first",
        policy_arg="detention_first",
        draw=0,
        replicate=0,
        entropy=1,
        spawn_key=(0,),
        years=1,
    )
    result = execute_run(task)
    assert not result.ok and result.summary is None
    assert "missing.yaml" in result.error
    assert "Traceback" in result.traceback


def test_task_seed_rebuilds_the_spawned_child():
    children = np.random.SeedSequence(11).spawn(3)
    task = RunTask("r", "w", "p", "x", "x", 0, 2, 11, (2,), 1.0)
    assert np.array_equal(task.seed_sequence().generate_state(8), children[2].generate_state(8))
