"""What a 1,000-run calibration generation costs at full scale, measured on a smaller one.

Runs the shipped calibration (``experiments/calibration_hong_kong.yaml``: the 2016-2020 replay,
5 years, detention first) at full scale (``scale: 1``) with ``--runs`` runs (ABC-SMC with a
population of half of them: the prior population, then one batch of as many proposals), through
``tipsim calibrate``'s own code path (fresh process, worker pool, result files), and
extrapolates the wall time to 1,000 runs (one generation of a 1,000-set ABC-SMC). Start-up of
the command and the pool is paid once and is not scaled. Then ``--cpu-sample`` prior draws are
replayed in this process one after another, recording each run's CPU time, which a busy machine
inflates much less than wall time: their mean times 1,000 / workers estimates the generation on
a quiet machine. Usage::

    python benchmarks/calibration_cost.py [--runs 40] [--workers 2] [--cpu-sample 8]

Writes ``benchmarks/results/calibration_cost.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
CONFIG = ROOT / "experiments" / "calibration_hong_kong.yaml"


def run(runs: int, workers: int, folder: Path) -> float:
    """Run the calibration with ``runs`` runs in all; returns wall seconds."""
    config = yaml.safe_load(CONFIG.read_text())
    config["scenario"] = str((CONFIG.parent / config["scenario"]).resolve())
    config["scale"] = 1.0
    config["abc"].update(population=runs // 2, generations=1, max_simulations=2 * (runs // 2))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "calibration_full_scale.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "experiments.cli", "calibrate", str(path), "--workers",
               str(workers), "--out", str(folder / "out"), "--quiet"]
    start = time.perf_counter()
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"calibrate failed:\n{done.stderr}")
    return time.perf_counter() - start


def cpu_per_run(count: int) -> list[float]:
    """CPU seconds of ``count`` full-scale replays at prior draws, run in this process."""
    import numpy as np

    from experiments.calibration.config import load_calibration
    from experiments.core.replay import replay
    from scenarios.loader import load_scenario

    config = load_calibration(CONFIG)
    world = load_scenario((CONFIG.parent / config.scenario).resolve())
    space = config.space()
    rng = np.random.default_rng(np.random.SeedSequence([config.seed, 0]))
    points = space.from_unit(rng.random((count, len(space))))
    seconds = []
    for number, point in enumerate(points):
        start = time.process_time()
        replay(world, policy=config.policy, seed=np.random.SeedSequence([config.seed, number]),
               years=config.years, scale=1.0, values=space.to_values(point))
        seconds.append(time.process_time() - start)
    return seconds


def main() -> None:
    """Measure and print the estimate."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cpu-sample", type=int, default=8)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        small = run(4, args.workers, Path(tmp) / "a")  # start-up + 4 runs, the fewest ABC takes
        full = run(args.runs, args.workers, Path(tmp) / "b")
    per_run = (full - small) / (args.runs - 4)
    estimate = small + per_run * (1000 - 4)
    cpu = cpu_per_run(args.cpu_sample) if args.cpu_sample else []
    cpu_mean = sum(cpu) / len(cpu) if cpu else float("nan")
    quiet = 1000 * cpu_mean / args.workers
    load_after = os.getloadavg()[0]
    print(f"full scale, 5-year replay, {args.workers} workers; load average {load:.1f} -> "
          f"{load_after:.1f}")
    print("| measure | value |")
    print("|---|---|")
    print(f"| calibrate, 4 runs (start-up + 4 runs) | {small:.1f} s |")
    print(f"| calibrate, {args.runs} runs | {full:.1f} s |")
    print(f"| per extra run ({args.workers} workers) | {per_run:.2f} s |")
    print(f"| **1,000-run generation (estimate)** | **{estimate / 60:.1f} min** |")
    print(f"| CPU s per run, {len(cpu)} prior draws in-process (min-max) | {cpu_mean:.2f} "
          f"({min(cpu, default=0):.2f}-{max(cpu, default=0):.2f}) |")
    print(f"| 1,000 runs x CPU s per run / {args.workers} workers | {quiet / 60:.1f} min |")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "calibration_cost.json").write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "runs": args.runs, "workers": args.workers, "four_runs_s": small,
        "runs_s": full, "per_run_s": per_run, "estimate_1000_min": estimate / 60,
        "cpu_per_run_s": cpu, "cpu_estimate_1000_min": quiet / 60,
        "load_before": load, "load_after": load_after,
    }, indent=2) + "\n")


if __name__ == "__main__":
    main()
