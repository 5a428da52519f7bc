"""Faults during a batch: a full disk, damaged result files, other model code, the run log.

Each test injects one fault and checks the promise: one message naming the run or file and
why, nothing finished lost, and a plain resume that completes the batch.
"""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pandas as pd
import pytest

import analysis.atomic
import experiments.batches.pipeline
import experiments.core.provenance
from experiments.batches.manifest import RUN_LOG, Manifest
from experiments.cli import main as tipsim
from experiments.core.errors import UserError
from experiments.core.provenance import source_hash
from tests.batch_support import run, tables, write_batch


def _status(folder) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in Manifest.load(folder).runs.values():
        counts[entry["status"]] = counts.get(entry["status"], 0) + 1
    return counts


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (OSError(errno.ENOSPC, "No space left on device"), "no space left on device"),
        (PermissionError(errno.EACCES, "Permission denied"), "permission denied"),
    ],
    ids=["full disk", "folder made read-only"],
)
def test_a_full_disk_stops_the_batch_naming_the_run_and_it_resumes(
    tmp_path, monkeypatch, capsys, error, reason
):
    batch = write_batch(tmp_path, years=0.2)
    real = experiments.batches.pipeline.write_parquet_atomic
    calls = []

    def full_disk(frame, path):
        calls.append(path)
        if len(calls) == 4:  # the second run's weekly table (after weekly, fates, summary)
            raise type(error)(error.errno, error.strerror, str(path))
        real(frame, path)

    monkeypatch.setattr(experiments.batches.pipeline, "write_parquet_atomic", full_disk)
    status = tipsim(["batch", str(batch), "--workers", "1", "--quiet"])
    err = capsys.readouterr().err
    assert status == 2
    assert "Traceback" not in err and err.count("tipsim: error:") == 1
    second = calls[3].stem
    assert f"the results of run {second} could not be written ({reason}: {calls[3]}" in err
    assert "run the same command again to resume" in err
    assert _status(tmp_path / "out") == {"done": 1, "pending": 3}

    monkeypatch.setattr(experiments.batches.pipeline, "write_parquet_atomic", real)
    report = run(batch, workers=1)
    assert (report.skipped, report.ran, report.failed) == (1, 3, 0)
    assert _status(tmp_path / "out") == {"done": 4}


def test_resume_refuses_results_of_other_model_code_unless_new(tmp_path, monkeypatch, capsys):
    batch = write_batch(tmp_path, years=0.1, replicates=1)
    run(batch, workers=1)
    manifest = Manifest.load(tmp_path / "out")
    assert manifest.data["code"]["sources"] == source_hash()
    assert manifest.data["sessions"][0]["code"]["sources"] == source_hash()

    changed = {**experiments.core.provenance.code_identity(), "sources": "0" * 64}
    monkeypatch.setattr(experiments.batches.pipeline, "code_identity", lambda *strategies: changed)
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "was run by other code" in err and "--new" in err
    assert "Traceback" not in err
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet", "--new"]) == 0
    assert "--new: starting a fresh batch folder" in capsys.readouterr().out
    assert (tmp_path / "out-2" / "manifest.json").exists()


def test_the_source_hash_follows_every_source_that_decides_a_result(tmp_path):
    """Issue 32: editing the seed derivation in the batch's plan resumed with mixed code."""
    sources = ("experiments/batches/one_run.py", "experiments/batches/plan.py")
    for name in ("model/a.py", "scenarios/b.py", *sources):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x = 1\n")
    before = source_hash(tmp_path)
    for name in ("model/a.py", "experiments/batches/plan.py"):
        (tmp_path / name).write_text("x = 2\n")
        assert source_hash(tmp_path) != before, name
        (tmp_path / name).write_text("x = 1\n")
        assert source_hash(tmp_path) == before
    (tmp_path / "analysis.py").write_text("unrelated\n")
    assert source_hash(tmp_path) == before


def test_resume_refuses_a_batch_whose_strategy_module_changed(tmp_path, capsys):
    """Issue 32: editing a custom strategy's module resumed with 17 of 80 results from the old."""
    module = tmp_path / "code" / "mine.py"
    module.parent.mkdir()
    module.write_text(
        (Path(__file__).parent / "custom_policy.py").read_text(encoding="utf-8"), encoding="utf-8"
    )
    policy = tmp_path / "nodet.yaml"
    policy.write_text("name: nodet\nstrategy: mine:NoDetention\n", encoding="utf-8")
    batch = write_batch(tmp_path, policies=[str(policy)], years=0.1, replicates=1)
    command = ["batch", str(batch), "--workers", "1", "--quiet", "--strategy-module", str(module)]
    assert tipsim(command) == 0
    stored = Manifest.load(tmp_path / "out").code
    assert list(stored["strategies"]) == ["mine"]
    assert tipsim(command) == 0  # the same code resumes (nothing left to run)
    module.write_text(module.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert tipsim(command) == 2
    err = capsys.readouterr().err
    assert "other code (strategy module mine as it was then)" in err and "--new" in err


def test_a_second_batch_started_on_a_new_folder_is_refused_before_any_manifest(
    tmp_path, monkeypatch, capsys
):
    """Issue 32: the manifest was written before the lock was taken, so a second batch started
    at the same time on a new folder counted the first one's runs as its own."""
    batch = write_batch(tmp_path, years=0.1, replicates=1)
    real_save = Manifest.save
    second: list[int] = []

    def save_then_start_another(self):
        real_save(self)
        if not second:
            second.append(tipsim(["batch", str(batch), "--workers", "1", "--quiet"]))

    monkeypatch.setattr(Manifest, "save", save_then_start_another)
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 0
    assert second == [2]
    assert "another tipsim batch is writing to this folder" in capsys.readouterr().err
    assert _status(tmp_path / "out") == {"done": 2}


def test_a_lock_file_that_is_a_symlink_never_truncates_its_target(tmp_path, capsys):
    batch = write_batch(tmp_path, years=0.1, replicates=1)
    precious = tmp_path / "precious.txt"
    precious.write_text("keep me\n")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / ".lock").symlink_to(precious)
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 2
    assert "is a symbolic link" in capsys.readouterr().err
    assert precious.read_text() == "keep me\n"


@pytest.mark.parametrize("table", ["summary", "weekly"])
def test_resume_runs_again_a_finished_run_whose_file_is_truncated(tmp_path, capsys, table):
    batch = write_batch(tmp_path, years=0.2)
    run(batch, workers=1)
    clean = tables(tmp_path / "out")
    damaged = sorted((tmp_path / "out" / table).glob("*.parquet"))[1]
    damaged.write_bytes(damaged.read_bytes()[:100])

    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "3 already finished, 1 run now" in out
    assert f"damaged result files and were run again: {damaged.stem}" in out
    for got, want in zip(tables(tmp_path / "out"), clean, strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)


def test_finished_runs_are_logged_not_rewritten_into_the_manifest(tmp_path, monkeypatch):
    batch = write_batch(tmp_path, years=0.05, replicates=5)
    # Older code rewrote the manifest at most every MANIFEST_INTERVAL seconds: make that "always".
    monkeypatch.setattr(experiments.batches.pipeline, "MANIFEST_INTERVAL", 0.0, raising=False)
    writes = []
    real_replace = analysis.atomic.os.replace

    def counting(source, target):
        if str(target).endswith("manifest.json"):
            writes.append(target)
        real_replace(source, target)

    monkeypatch.setattr(analysis.atomic.os, "replace", counting)
    report = run(batch, workers=1)
    assert report.ran == 10
    assert len(writes) <= 3  # created, session start, session end: not once per run
    assert _status(tmp_path / "out") == {"done": 10}


def test_the_run_log_is_replayed_and_a_torn_last_line_is_ignored(tmp_path):
    batch = write_batch(tmp_path, years=0.05)
    run(batch, workers=1)
    folder = tmp_path / "out"
    data = json.loads((folder / "manifest.json").read_text())
    first, second, *_ = sorted(data["runs"])
    for entry in data["runs"].values():
        entry["status"] = "pending"
    (folder / "manifest.json").write_text(json.dumps(data))
    log = json.dumps({"run": first, "status": "done", "finished": "t", "seconds": 1.0})
    (folder / RUN_LOG).write_text(log + "\n" + '{"run": "' + second + '", "sta')
    runs = Manifest.load(folder).runs
    assert runs[first]["status"] == "done" and runs[second]["status"] == "pending"

    (folder / RUN_LOG).write_text("not json\n" + log + "\n")
    with pytest.raises(UserError, match=r"runs\.jsonl: line 1 is damaged"):
        Manifest.load(folder)


def test_rerun_of_a_damaged_result_file_or_seedless_entry_gives_one_message(tmp_path, capsys):
    batch = write_batch(tmp_path, years=0.05, replicates=1)
    run(batch, workers=1)
    folder = tmp_path / "out"
    first, second = sorted(Manifest.load(folder).runs)
    summary = folder / "summary" / f"{first}.parquet"
    summary.write_bytes(summary.read_bytes()[:50])
    capsys.readouterr()
    assert tipsim(["rerun", str(folder), first]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(summary) in err and "not a readable Parquet" in err

    data = json.loads((folder / "manifest.json").read_text())
    del data["runs"][second]["seed"]
    (folder / "manifest.json").write_text(json.dumps(data))
    assert tipsim(["rerun", str(folder), second]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert f"the entry of run '{second}' is damaged ('seed' is missing)" in err


def test_report_on_a_truncated_weekly_file_names_it(tmp_path, capsys):
    batch = write_batch(tmp_path, years=0.1, replicates=1)
    run(batch, workers=1)
    folder = tmp_path / "out"
    weekly = sorted((folder / "weekly").glob("*.parquet"))[0]
    weekly.write_bytes(weekly.read_bytes()[:80])
    capsys.readouterr()
    assert tipsim(["report", str(folder), "--out", str(tmp_path / "report")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.count("tipsim: error:") == 1
    assert str(weekly) in err and "is not the file written" in err
    assert "running the batch again re-runs the damaged run" in err
