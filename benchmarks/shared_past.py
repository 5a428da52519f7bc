"""What replaying a shared past once saves: the same batch with each run alone and grouped.

``experiments/batches/shared_past.py`` runs the policies of one seed and world as a group that
replays their common years once and continues each policy from a copy. This script runs a batch of
ensemble members x both policies from ``time.policy_start_year`` (the main job's shape, fewer
members) alternately each run alone (the batch's ``runner=execute_run``) and grouped (the
default), each into a fresh folder on the same workers, and checks that both give the same
summary tables to the bit. Usage::

    python benchmarks/shared_past.py [--members 4] [--repeat 2] [--workers 2] [--label NAME]

Writes ``benchmarks/results/shared_past[-LABEL].json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import pandas as pd
import yaml

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]
ENSEMBLE = ROOT / "experiments/ensembles/hong_kong_2016_2020/ensemble"


def main() -> None:
    """Time both modes alternately and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--label", default="", help="suffix of the results file")
    args = parser.parse_args()
    from experiments.batches.one_run import execute_run
    from experiments.batches.pipeline import BatchOptions, run_batch
    from experiments.core.storage import read_tables

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        members = sorted(ENSEMBLE.glob("member_*.yaml"))[: args.members]
        batch = folder / "batch.yaml"
        batch.write_text(
            yaml.safe_dump(
                {
                    "name": "shared_past",
                    "worlds": [str(m) for m in members],
                    "policies": ["detention_first", "screening_before_detention"],
                    "replicates": 1,
                    "years": 14,
                    "seed": 20250101,
                    "overrides": {"time.policy_start_year": 2025},
                    "output": str(folder / "out"),
                }
            )
        )
        load = os.getloadavg()[0]
        seconds: dict[str, list[float]] = {"alone": [], "grouped": []}
        tables = {}
        for repeat in range(args.repeat):
            for mode, runner in (("alone", execute_run), ("grouped", None)):
                out = folder / f"{mode}{repeat}"
                start = time.perf_counter()
                options = BatchOptions(out=out, workers=args.workers, progress=False)
                report = run_batch(batch, options, runner=runner)
                seconds[mode].append(time.perf_counter() - start)
                assert report.failed == 0, report.failed_now
                tables[mode] = read_tables(out / "summary").sort_values("run_id", ignore_index=True)
        pd.testing.assert_frame_equal(tables["alone"], tables["grouped"], check_exact=True)
    runs = 2 * len(members)
    alone, grouped = statistics.median(seconds["alone"]), statistics.median(seconds["grouped"])
    print(
        f"{len(members)} members x 2 policies = {runs} runs of 14 years (policy from 2025), "
        f"{args.workers} workers, load average {load:.1f}; summaries identical to the bit"
    )
    print("| mode | wall s, median | wall s, runs |")
    print("|---|---|---|")
    for mode in seconds:
        print(
            f"| {mode} | {statistics.median(seconds[mode]):.1f} | "
            f"{', '.join(f'{s:.1f}' for s in seconds[mode])} |"
        )
    print(f"grouped / alone: {grouped / alone:.2f}")
    RESULTS.mkdir(exist_ok=True)
    name = f"shared_past-{args.label}.json" if args.label else "shared_past.json"
    (RESULTS / name).write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "members": len(members),
                "runs": runs,
                "workers": args.workers,
                "load_average": load,
                "seconds": seconds,
                "ratio": grouped / alone,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
