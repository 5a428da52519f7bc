"""A run that raises is recorded and the others go on; --retry-failed re-runs only those."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from experiments.batches import shared_past
from experiments.cli import main as tipsim
from tests.batch_support import FAIL_MARKER, dying_runner, flaky_runner, run, tables, write_batch


@pytest.mark.parametrize("workers", [1, 2])
def test_failures_are_isolated_recorded_and_retried(tmp_path, workers):
    batch = write_batch(tmp_path)
    marker = tmp_path / FAIL_MARKER
    marker.touch()

    report = run(batch, runner=flaky_runner, workers=workers)
    assert report.ran == 4 and report.failed == 2
    assert sorted(report.failed_now) == [
        "small__detention_first__d000__r0001",
        "small__screening_before_detention__d000__r0001",
    ]
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    failed = {k: v for k, v in manifest["runs"].items() if v["status"] == "failed"}
    assert sorted(failed) == sorted(report.failed_now)
    for entry in failed.values():
        assert entry["error"].startswith("RuntimeError: injected failure in small__")
        assert "Traceback" in entry["traceback"] and "flaky_runner" in entry["traceback"]
    assert manifest["finished"] is None
    summary, _ = tables(tmp_path / "out")
    assert sorted(summary["replicate"]) == [0, 0]  # the others finished and were stored

    # Without --retry-failed the failures are kept, not run again.
    marker.unlink()
    again = run(batch, runner=flaky_runner, workers=workers)
    assert (again.ran, again.skipped, again.failed) == (0, 2, 2)

    retried = run(batch, runner=flaky_runner, workers=workers, retry_failed=True)
    assert (retried.ran, retried.skipped, retried.failed) == (2, 2, 0)
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert all("error" not in entry for entry in manifest["runs"].values())
    assert manifest["finished"] is not None

    clean = tmp_path / "clean"
    run(batch, out=clean, workers=1)
    for got, want in zip(tables(tmp_path / "out"), tables(clean), strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_cli_reports_failures_with_exit_status_1(tmp_path, monkeypatch, capsys):
    batch = write_batch(tmp_path)
    (tmp_path / FAIL_MARKER).touch()
    monkeypatch.setattr(shared_past, "execute_run", flaky_runner)  # runs with no shared past
    assert tipsim(["batch", str(batch), "--workers", "1"]) == 1
    out = capsys.readouterr().out
    assert "2 failed now" in out
    assert "2 of 4 runs failed" in out and "--retry-failed" in out

    (tmp_path / FAIL_MARKER).unlink()
    assert tipsim(["batch", str(batch), "--workers", "1", "--retry-failed", "--quiet"]) == 0
    assert "2 already finished, 2 run now" in capsys.readouterr().out


def test_a_worker_that_dies_hands_its_runs_back_and_a_plain_resume_finishes(tmp_path):
    batch = write_batch(tmp_path, replicates=4)
    marker = tmp_path / FAIL_MARKER
    marker.touch()
    report = run(batch, runner=dying_runner, workers=2)
    assert report.broken and "BrokenProcessPool" in report.broken
    assert report.failed == 0  # the runs did nothing wrong: their worker died
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    statuses = [entry["status"] for entry in manifest["runs"].values()]
    assert "failed" not in statuses
    assert statuses.count("pending") == 8 - statuses.count("done") >= 1
    # Issue 32: the message counted only the runs in flight (4 where 16 were pending).
    assert report.not_started == statuses.count("pending")

    marker.unlink()
    resumed = run(batch, runner=dying_runner, workers=2)  # no --retry-failed needed
    assert resumed.failed == 0 and resumed.skipped + resumed.ran == 8
    clean = tmp_path / "clean"
    run(batch, out=clean, workers=1)
    for got, want in zip(tables(tmp_path / "out"), tables(clean), strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_a_dask_worker_that_keeps_dying_leaves_its_runs_pending(tmp_path):
    pytest.importorskip("dask.distributed")
    batch = write_batch(tmp_path, years=0.1)
    marker = tmp_path / FAIL_MARKER
    marker.touch()
    report = run(batch, runner=dying_runner, workers=2, executor="dask")
    assert report.broken is None  # the cluster goes on with the other runs
    assert sorted(report.lost) == sorted(r for r in report_ids(tmp_path) if "__r0001" in r)
    assert report.failed == 0
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    statuses = {run_id: entry["status"] for run_id, entry in manifest["runs"].items()}
    assert {s for r, s in statuses.items() if "__r0001" in r} == {"pending"}
    assert {s for r, s in statuses.items() if "__r0000" in r} == {"done"}
    marker.unlink()
    assert run(batch, workers=1).ran == 2


def report_ids(folder) -> list[str]:
    return list(json.loads((folder / "out" / "manifest.json").read_text())["runs"])
