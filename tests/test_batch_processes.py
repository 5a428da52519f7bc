"""Processes of a batch: workers die with a SIGKILLed parent; Ctrl-C under Dask is quiet.

Both start ``tipsim batch`` as a subprocess in its own session on the small world, so that
the signal reaches exactly what a terminal or a job scheduler would reach.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch_support import write_batch

ROOT = Path(__file__).resolve().parents[1]
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc")


def _interruptible() -> None:
    """In the child: Ctrl-C as in a terminal, even when the suite runs with SIGINT ignored.

    A process started in the background of a non-interactive shell (as CI may run the suite)
    inherits SIGINT ignored, and Python then never raises KeyboardInterrupt.
    """
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _start(batch: Path, *options: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "experiments.cli", "batch", str(batch), "--quiet", *options],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        preexec_fn=_interruptible,
    )


def _wait_for(condition, process: subprocess.Popen, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if process.poll() is not None:
            pytest.fail(f"batch ended before {what}: {process.stderr.read()}")
        if time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail(f"no {what} within {seconds} s")
        time.sleep(0.05)


def _children() -> dict[int, int]:
    """pid -> parent pid of every live (non-zombie) process."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z":
            parents[int(stat.parent.name)] = int(fields[1])
    return parents


def _descendants(pid: int) -> set[int]:
    parents = _children()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


@linux_only
def test_a_sigkilled_pool_batch_leaves_no_process_behind(tmp_path):
    batch = write_batch(tmp_path, replicates=6)
    process = _start(batch, "--workers", "2")
    out = tmp_path / "out"
    _wait_for(lambda: list(out.glob("summary/*.parquet")), process, 120, "finished run")
    helpers = _descendants(process.pid)
    assert len(helpers) >= 2  # the workers (and the fork server, the resource tracker)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while (left := helpers & set(_children())) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in left:  # do not leave them running for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, f"{len(left)} of {len(helpers)} processes outlived the killed batch"


def test_ctrl_c_under_dask_stops_with_one_line_and_no_traceback(tmp_path):
    pytest.importorskip("dask.distributed")
    batch = write_batch(tmp_path, replicates=6)
    process = _start(batch, "--executor", "dask", "--workers", "2")
    manifest = tmp_path / "out" / "manifest.json"
    _wait_for(lambda: b'"executor"' in _bytes(manifest), process, 120, "Dask session start")
    time.sleep(1.0)  # runs are in flight on the nannies' workers
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does: the whole group
    try:
        _, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        pytest.fail("the batch did not stop within 60 s of Ctrl-C")
    assert process.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    # One line: no tracebacks or log warnings from the nannies, workers or scheduler.
    assert [line for line in err.splitlines() if line.strip()] == ["tipsim: interrupted"], err


def _bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError:
        return b""


def test_ctrl_c_on_a_process_pool_stops_at_once_and_resumes(tmp_path):
    batch = write_batch(tmp_path, replicates=3)
    process = _start(batch, "--workers", "2")
    out = tmp_path / "out"
    _wait_for(lambda: list(out.glob("summary/*.parquet")), process, 120, "finished run")
    os.killpg(process.pid, signal.SIGINT)
    started = time.monotonic()
    _, err = process.communicate(timeout=60)
    assert time.monotonic() - started < 5  # runs in flight are abandoned, not awaited
    assert process.returncode == 130, err
    assert [line for line in err.splitlines() if line.strip()] == ["tipsim: interrupted"], err
    resumed = subprocess.run(
        [sys.executable, "-m", "experiments.cli", "batch", str(batch), "--workers", "2", "--quiet"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "6 runs" in resumed.stdout and "0 failed now" in resumed.stdout
