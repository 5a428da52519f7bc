"""A killed batch resumes where it stopped: nothing lost, nothing duplicated, same tables."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main as tipsim
from tests.batch_support import run, tables, write_batch

ROOT = Path(__file__).resolve().parents[1]


def _start(batch: Path, out: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "experiments.cli", "batch", str(batch), "--out", str(out)]
    return subprocess.Popen(
        [*command, "--workers", "1", "--quiet"],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _kill_after_summaries(process: subprocess.Popen, folder: Path, count: int) -> None:
    deadline = time.monotonic() + 120
    while len(list(folder.glob("summary/*.parquet"))) < count:
        if process.poll() is not None:
            pytest.fail(f"batch ended before it could be killed: {process.stderr.read()}")
        if time.monotonic() > deadline:
            process.kill()
            pytest.fail("batch wrote no results in 120 s")
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()


def test_batch_killed_with_sigkill_resumes_to_the_same_tables(tmp_path):
    batch = write_batch(tmp_path, replicates=3)
    uninterrupted = tmp_path / "uninterrupted"
    assert run(batch, out=uninterrupted, workers=1).ran == 6

    killed = tmp_path / "killed"
    process = _start(batch, killed)
    _kill_after_summaries(process, killed, 2)
    assert process.returncode == -signal.SIGKILL
    manifest = json.loads((killed / "manifest.json").read_text())
    assert manifest["finished"] is None  # the batch is not finished...
    written = len(list(killed.glob("summary/*.parquet")))
    assert 2 <= written < 6  # ...and was killed part-way

    report = run(batch, out=killed, workers=2)
    assert report.resumed and report.failed == 0
    assert report.skipped + report.ran == 6
    assert report.skipped <= written  # a run counts as finished only once the manifest says so

    for got, want in zip(tables(killed), tables(uninterrupted), strict=True):
        pd.testing.assert_frame_equal(got, want, check_exact=True)
    assert len(list(killed.glob("summary/*.parquet"))) == 6
    assert not list(killed.rglob("*.tmp"))
    manifest = json.loads((killed / "manifest.json").read_text())
    assert {entry["status"] for entry in manifest["runs"].values()} == {"done"}
    assert manifest["finished"] is not None and len(manifest["sessions"]) == 2


def test_running_a_finished_batch_again_runs_nothing(tmp_path, capsys):
    batch = write_batch(tmp_path, replicates=1)
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 0
    before = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.parquet")}
    assert tipsim(["batch", str(batch), "--workers", "1"]) == 0
    out = capsys.readouterr().out
    assert "2 already finished, 0 run now" in out
    assert "victims_identified" in out and "screening_before_detention" in out
    after = {p: p.stat().st_mtime_ns for p in (tmp_path / "out").rglob("*.parquet")}
    assert after == before


def test_summary_missing_despite_done_is_run_again(tmp_path):
    batch = write_batch(tmp_path, replicates=1)
    run(batch, workers=1)
    lost = next((tmp_path / "out" / "summary").glob("*.parquet"))
    lost.unlink()
    report = run(batch, workers=1)
    assert (report.skipped, report.ran) == (1, 1)
    assert lost.exists()


def test_changed_configuration_is_refused_and_new_starts_a_fresh_folder(tmp_path, capsys):
    batch = write_batch(tmp_path, replicates=1)
    run(batch, workers=1)
    results = sorted((tmp_path / "out").rglob("*.parquet"))

    assert tipsim(["batch", str(batch), "--years", "2", "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "different configuration (changed: years)" in err and "--new" in err
    assert "Traceback" not in err

    code = tipsim(["batch", str(batch), "--years", "2", "--workers", "1", "--new", "--quiet"])
    assert code == 0
    assert "fresh batch folder" in capsys.readouterr().out
    assert len(list((tmp_path / "out-2" / "summary").glob("*.parquet"))) == 2
    assert sorted((tmp_path / "out").rglob("*.parquet")) == results  # left as it was


def test_changed_world_file_is_refused(tmp_path, capsys):
    batch = write_batch(tmp_path, replicates=1)
    run(batch, workers=1)
    world = tmp_path / "small.yaml"
    world.write_text(world.read_text().replace("police: 8", "police: 9"))
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 2
    assert "effective parameters" in capsys.readouterr().err


def test_folder_with_other_files_is_refused(tmp_path, capsys):
    batch = write_batch(tmp_path, replicates=1)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "notes.txt").write_text("mine")
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 2
    assert "holds no batch manifest.json" in capsys.readouterr().err
    assert (tmp_path / "out" / "notes.txt").read_text() == "mine"
