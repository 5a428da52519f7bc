"""One replay in a warm process, as a calibration or batch worker runs it.

``benchmarks/full_scale.py --scenario`` times a replay in a fresh interpreter, start-up and
imports included. Calibration and batch workers import the model once and then run replay after
replay; this script times that call, ``experiments.core.replay.replay`` (building the world, its
warm-up, the years and the yearly official statistics), after one short replay has paid the
imports and first-call costs. Usage::

    python benchmarks/replay_call.py [--scenario scenarios/hong_kong_2016_2020.yaml]
        [--years 9] [--seeds 5] [--label NAME]

Writes ``benchmarks/results/replay_call[-LABEL].json``; the scenario is recorded relative to the
repository when it lies inside it, so that results name no machine's folders.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    """Time the replays and print a Markdown row."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/hong_kong_2016_2020.yaml"))
    parser.add_argument("--years", type=int, default=9)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--label", default="", help="suffix of the results file")
    args = parser.parse_args()
    from experiments.core.replay import replay
    from scenarios.loader import load_scenario

    world = load_scenario(args.scenario)
    replay(world, seed=0, years=1)  # imports and first calls, as a worker has paid them
    load = os.getloadavg()[0]
    seconds, cpu = [], []
    for seed in range(1, args.seeds + 1):
        start, start_cpu = time.perf_counter(), time.process_time()
        replay(world, seed=seed, years=args.years, scale=1.0)
        seconds.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    median = statistics.median(seconds)
    print(f"{Path(args.scenario).name}, {args.years} years, full scale, seeds 1-{args.seeds}, "
          f"load average {load:.1f}")
    print("| wall s, median | wall s, runs | CPU s, median |")
    print("|---|---|---|")
    runs = ", ".join(f"{s:.2f}" for s in seconds)
    print(f"| {median:.2f} | {runs} | {statistics.median(cpu):.2f} |")
    RESULTS.mkdir(exist_ok=True)
    name = f"replay_call-{args.label}.json" if args.label else "replay_call.json"
    (RESULTS / name).write_text(json.dumps({
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "scenario": _recorded(args.scenario), "years": args.years, "wall_s": seconds, "cpu_s": cpu,
        "median_wall_s": median, "load": load,
    }, indent=2) + "\n")


def _recorded(scenario: str) -> str:
    """The scenario's path relative to the repository, if it lies inside it."""
    path = Path(scenario).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else scenario


if __name__ == "__main__":
    main()
