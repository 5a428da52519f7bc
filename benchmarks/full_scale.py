"""Time full Hong Kong-scale runs, each in a fresh process (start-up included).

Records, per run: wall time including interpreter start-up and imports, import time, model
set-up time, stepping time, migrant-steps per second (migrants present x weeks / stepping time,
one core) and peak resident memory; also the CPU time of the process (``time.process_time``),
which a busy machine inflates much less than wall time. Each configuration runs ``--repeat``
times; the table shows medians (peak memory: the largest). The load average of the machine is
printed beside every row, because the machine is shared. Usage::

    python benchmarks/full_scale.py [--years 1 10] [--policy detention_first] [--repeat 3]
        [--scenario PATH] [--scale 1] [--label NAME]

``--scale`` multiplies every count of people and capacity (migrants, officers, NGO screenings,
support places; also in timeline entries) to show how the cost grows with the population.
Prints a Markdown table and writes the figures to ``benchmarks/results/full_scale[-LABEL].json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from model import IdentificationModel
from model.parameters import Parameters
t1 = time.perf_counter()
years, policy, scenario, scale = float(sys.argv[1]), sys.argv[2], sys.argv[3], float(sys.argv[4])
world = None
if scenario != "-" or scale != 1.0:
    from scenarios.loader import load_scenario
    world = load_scenario(scenario) if scenario != "-" else Parameters()
    if scale != 1.0:
        from benchmarks.scale_world import scaled_world
        world = scaled_world(world, scale)
t2 = time.perf_counter()
model = IdentificationModel(world, policy=policy, rng=1)
t3 = time.perf_counter()
c3 = time.process_time()
weeks = round(years * 52)
sizes = 0
for _ in range(weeks):
    model.step()
    sizes += model.population_size
t4 = time.perf_counter()
c4 = time.process_time()
print(json.dumps({
    "cpu_s": c4, "step_cpu_s": c4 - c3,
    "import_s": t1 - t0, "load_scenario_s": t2 - t1, "setup_s": t3 - t2, "step_s": t4 - t3,
    "migrant_steps": sizes, "mean_migrants": sizes // max(weeks, 1),
    "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "identified": model.summary()["victims_identified"],
}))
"""


def load_average() -> float:
    """One-minute load average of the machine."""
    return os.getloadavg()[0]


def measure(years: float, policy: str, scenario: str, scale: float) -> dict:
    """Run one simulation in a fresh interpreter and return its figures."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    load = load_average()
    start = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(years), policy, scenario, str(scale)],
        capture_output=True, text=True, check=True, env=env, cwd=ROOT,
    )
    wall = time.perf_counter() - start
    figures = json.loads(out.stdout.strip().splitlines()[-1])
    figures["wall_s"] = wall
    figures["startup_s"] = figures["import_s"] + figures["setup_s"]
    figures["rate_m_per_s"] = figures["migrant_steps"] / figures["step_s"] / 1e6
    figures["rate_cpu_m_per_s"] = figures["migrant_steps"] / figures["step_cpu_s"] / 1e6
    figures["load_before"] = load
    figures["load_after"] = load_average()
    return figures


def bytecode_caches(environ: Mapping[str, str] = os.environ) -> str:
    """Whether the project's modules start from bytecode caches or are compiled in each process.

    An editable install writes no caches, and with ``PYTHONDONTWRITEBYTECODE`` set (as on the
    project's machines) none are written at import either: every fresh process then compiles
    the project's modules, 35-45 ms of ``import model``.

    Args:
        environ: The environment the measured processes run in.
    """
    cached = any((ROOT / "model" / "__pycache__").glob("*.pyc"))
    writes = not environ.get("PYTHONDONTWRITEBYTECODE")
    if cached:
        return "present"
    return "absent, written by the first run" if writes else "absent (PYTHONDONTWRITEBYTECODE)"


def median_row(runs: list[dict]) -> dict:
    """Medians over repeated runs (peak memory: the largest)."""
    keys = ("wall_s", "cpu_s", "import_s", "setup_s", "startup_s", "step_s", "step_cpu_s",
            "rate_m_per_s", "rate_cpu_m_per_s")
    row = {key: statistics.median(r[key] for r in runs) for key in keys}
    row["peak_mb"] = max(r["peak_mb"] for r in runs)
    row["load"] = statistics.median(r["load_before"] for r in runs)
    row["population"] = runs[0]["mean_migrants"]
    row["identified"] = runs[0]["identified"]
    return row


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, nargs="+", default=[1.0, 10.0])
    parser.add_argument("--policy", default="detention_first")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scenario", default="-", help="scenario YAML (default: the baseline)")
    parser.add_argument("--scale", type=float, nargs="+", default=[1.0])
    parser.add_argument("--label", default="", help="suffix of the results file")
    args = parser.parse_args()
    caches = bytecode_caches()
    print(f"{args.policy}, scenario {args.scenario}, median of {args.repeat} fresh processes; "
          f"bytecode caches of the project's modules: {caches}")
    print("| scale | mean migrants | years | wall s (incl. start-up) | CPU s | imports s "
          "| set-up s | stepping s (CPU s) | M migrant-steps/s (per CPU s) | peak MB | load avg |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    rows = []
    for scale in args.scale:
        for years in args.years:
            runs = [measure(years, args.policy, args.scenario, scale) for _ in range(args.repeat)]
            row = median_row(runs)
            row.update(scale=scale, years=years, runs=runs)
            rows.append(row)
            print(
                f"| {scale:g} | {row['population']:,} | {years:g} | {row['wall_s']:.2f} "
                f"| {row['cpu_s']:.2f} | {row['import_s']:.2f} | {row['setup_s']:.2f} "
                f"| {row['step_s']:.2f} ({row['step_cpu_s']:.2f}) "
                f"| {row['rate_m_per_s']:.1f} ({row['rate_cpu_m_per_s']:.1f}) "
                f"| {row['peak_mb']:.0f} | {row['load']:.1f} |",
                flush=True,
            )
    RESULTS.mkdir(exist_ok=True)
    name = f"full_scale-{args.label}.json" if args.label else "full_scale.json"
    record = {
        "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "policy": args.policy,
        "scenario": args.scenario,
        "repeat": args.repeat,
        "bytecode_caches": caches,
        "rows": rows,
    }
    (RESULTS / name).write_text(json.dumps(record, indent=2) + "\n")
    print(f"figures written to benchmarks/results/{name}")


if __name__ == "__main__":
    main()
