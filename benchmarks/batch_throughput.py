"""Batch throughput at full Hong Kong scale on a local process pool, and the batch's overhead.

Measures:

1. the time of one full-scale run in-process (the baseline), one per policy;
2. a batch of ``--replicates`` x 2 policies on ``--workers`` worker processes: wall time, runs
   per minute, and the overhead over (single-run time x runs / workers);
3. the same overhead against the run times measured inside the workers (the manifest's
   ``seconds``), which separates the batch machinery from machine load;
4. optionally (``--serial``) the same batch in-process (``--workers 1``) against single-run
   time x runs: the batch machinery without any parallel contention;
5. optionally (``--memory``) the parent's resident memory over a long batch of tiny runs.

Usage: python benchmarks/batch_throughput.py [--workers 2] [--replicates 8] [--years 5]
       [--serial] [--memory]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from pathlib import Path

import yaml

from experiments.batches.config import load_batch
from experiments.batches.one_run import execute_run
from experiments.batches.pipeline import BatchOptions, run_batch
from experiments.batches.plan import build_plan

ROOT = Path(__file__).resolve().parents[1]
POLICIES = ["detention_first", "screening_before_detention"]


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def batch_file(folder: Path, world: str, replicates: int, years: float) -> Path:
    path = folder / "batch.yaml"
    config = {
        "worlds": [world],
        "policies": POLICIES,
        "replicates": replicates,
        "years": years,
        "seed": 1,
        "output": str(folder / "out"),
    }
    path.write_text(yaml.safe_dump(config))
    return path


def throughput(args: argparse.Namespace, folder: Path) -> dict:
    world = str(ROOT / "scenarios" / "hong_kong_baseline.yaml")
    path = batch_file(folder, world, args.replicates, args.years)
    plan = build_plan(load_batch(path), path)

    print(f"load average before: {load()}")
    singles = []
    for task in plan.tasks[:: args.replicates][:2]:  # replicate 0 of each policy
        start = time.perf_counter()
        assert execute_run(task).ok
        singles.append(time.perf_counter() - start)
        print(f"single run {task.run_id}: {singles[-1]:.2f} s")
    single = statistics.mean(singles)

    start = time.perf_counter()
    report = run_batch(path, BatchOptions(workers=args.workers, progress=False))
    wall = time.perf_counter() - start
    assert report.failed == 0
    runs = len(plan.tasks)
    manifest = json.loads((folder / "out" / "manifest.json").read_text())
    in_worker = sum(entry["seconds"] for entry in manifest["runs"].values())
    ideal = single * runs / args.workers
    ideal_measured = in_worker / args.workers
    result = {
        "runs": runs,
        "years": args.years,
        "workers": args.workers,
        "single_run_s": round(single, 2),
        "batch_wall_s": round(wall, 2),
        "runs_per_minute": round(runs / wall * 60, 2),
        "overhead_vs_single": round(wall / ideal - 1, 4),
        "mean_run_in_worker_s": round(in_worker / runs, 2),
        "overhead_vs_in_worker": round(wall / ideal_measured - 1, 4),
    }
    if args.serial:
        start = time.perf_counter()
        serial = folder / "serial"
        run_batch(path, BatchOptions(out=serial, workers=1, progress=False))
        serial_wall = time.perf_counter() - start
        result["serial_batch_wall_s"] = round(serial_wall, 2)
        result["overhead_serial_vs_single"] = round(serial_wall / (single * runs) - 1, 4)
    result["load_after"] = load()
    print(json.dumps(result, indent=1))
    return result


def memory(args: argparse.Namespace, folder: Path) -> None:
    """Parent RSS during one long batch of tiny runs (bounded by the runs in flight)."""
    world = str(ROOT / "tests" / "scenarios" / "small.yaml")
    out = folder / "memory"
    out.mkdir()
    path = batch_file(out, world, args.memory_replicates, 1 / 52)
    samples: list[tuple[int, float]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            samples.append((len(list((out / "out" / "summary").glob("*.parquet"))), rss_mb()))

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    run_batch(path, BatchOptions(workers=args.workers, progress=False))
    done.set()
    thread.join()
    runs = 2 * args.memory_replicates
    for share in (0.1, 0.5, 1.0):
        finished, rss = next(((n, r) for n, r in samples if n >= share * runs), samples[-1])
        print(f"parent RSS after {finished} of {runs} runs: {rss:.0f} MB")


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--replicates", type=int, default=8, help="8: the README's main job")
    parser.add_argument("--years", type=float, default=5)
    parser.add_argument("--serial", action="store_true", help="also time the batch in-process")
    parser.add_argument("--memory", action="store_true", help="also sample the parent's memory")
    parser.add_argument("--memory-replicates", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        throughput(args, Path(tmp))
        if args.memory:
            memory(args, Path(tmp))


if __name__ == "__main__":
    main()
