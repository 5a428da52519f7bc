"""Memory is bounded by the runs in flight: the batch never submits more than its window."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pandas as pd

from experiments.batches import pipeline as batch_module
from experiments.batches.config import load_batch
from experiments.batches.manifest import Manifest
from experiments.batches.one_run import RunResult
from experiments.batches.plan import build_plan
from experiments.core.executors import Workers
from tests.batch_support import write_batch


class CountingExecutor(ThreadPoolExecutor):
    """A thread pool that records the largest number of runs submitted but not finished."""

    def __init__(self, workers: int) -> None:
        super().__init__(max_workers=workers)
        self.lock = threading.Lock()
        self.outstanding = 0
        self.most = 0

    def submit(self, fn, /, *args, **kwargs):
        with self.lock:
            self.outstanding += 1
            self.most = max(self.most, self.outstanding)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(self._finished)
        return future

    def _finished(self, _future) -> None:
        with self.lock:
            self.outstanding -= 1


def tiny_result(task) -> RunResult:
    frame = pd.DataFrame({"run_id": [task.run_id], "value": [task.replicate]})
    return RunResult(task.run_id, summary=frame, weekly=frame)


def test_runs_in_flight_never_exceed_twice_the_workers(tmp_path):
    batch = write_batch(tmp_path, replicates=60)
    plan = build_plan(load_batch(batch), batch)
    manifest = Manifest.create(tmp_path / "out", {"seed": 11}, plan, batch)
    report = batch_module.BatchReport(manifest.folder, len(plan.tasks), 0)
    executor = CountingExecutor(3)
    workers = Workers(executor, lambda: 3, "3 threads")
    with executor:
        batch_module._execute(manifest, plan.tasks, workers, tiny_result, report, False)
    assert report.ran == 120 and report.failed == 0
    assert 3 <= executor.most <= 2 * 3
    assert manifest.counts() == {"pending": 0, "done": 120, "failed": 0}
    assert len(list((tmp_path / "out" / "summary").glob("*.parquet"))) == 120
