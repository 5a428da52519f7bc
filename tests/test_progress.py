"""Progress off a terminal: plain lines every few seconds (CI logs, SLURM), nothing when quiet."""

import io

from experiments.core.progress import Progress


def test_off_a_terminal_progress_is_plain_lines_with_counts_and_time_left():
    stream = io.StringIO()  # not a terminal
    with Progress(4, "batch", stream=stream, interval=0.0) as bar:
        bar.update(failed=0)
        bar.update(failed=1)
    lines = stream.getvalue().splitlines()
    assert lines[0].startswith("batch: 1/4 runs (25%), 0 failed, 0:00:00 elapsed, about")
    assert lines[1].startswith("batch: 2/4 runs (50%), 1 failed")
    assert lines[-1].startswith("batch: 2/4 runs (50%)")  # the closing line
    assert "\r" not in stream.getvalue()


def test_plain_lines_wait_for_their_interval_and_quiet_progress_writes_nothing():
    stream = io.StringIO()
    with Progress(100, "calibrate", stream=stream, interval=3600.0) as bar:
        for _ in range(50):
            bar.update()
        bar.set_done(80, "generation 2")
    assert stream.getvalue().splitlines() == [
        "calibrate: 80/100 runs (80%), generation 2, 0:00:00 elapsed, about 0:00:00 left"
    ]
    silent = io.StringIO()
    with Progress(3, "batch", stream=silent, enabled=False) as bar:
        bar.update()
    assert silent.getvalue() == ""


def test_a_resumed_job_starts_at_what_was_done_and_times_only_what_it_runs():
    stream = io.StringIO()
    with Progress(100, "calibrate", stream=stream, interval=0.0, initial=90) as bar:
        bar._start -= 10  # ten seconds into this session
        bar.set_done(95, "generation 3")
    first = stream.getvalue().splitlines()[0]
    # 5 units in 10 s: the 5 left take about 10 s more (not 90 units' worth of pace).
    assert first == (
        "calibrate: 95/100 runs (95%), generation 3, 0:00:10 elapsed, about 0:00:10 left"
    )
