"""Where a full-scale week's time goes: stepping time by phase of ``IdentificationModel.step``.

Runs the embedded baseline (412,000 migrants, seed 1), or ``--scenario``, for ``--years`` and
times every phase that ``step()`` calls (each wrapped with a wall-clock timer), then prints a
Markdown table of milliseconds per week and shares of the stepping time. ``--pyinstrument``
profiles the same run with pyinstrument instead (a call tree; ``pip install pyinstrument``).
Usage::

    python benchmarks/profile_step.py [--years 2] [--policy detention_first] [--pyinstrument]
        [--scenario scenarios/hong_kong_2016_2020.yaml] [--label NAME]

A scenario's warm-up (if it has one) runs in set-up, before the timed weeks.

Figures are also written to ``benchmarks/results/profile_step[-LABEL].json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from collections import defaultdict
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"

#: Names that ``model.model`` imports and calls from ``step()``.
PHASES = (
    "apply_timeline",
    "depart",
    "arrive",
    "escalate",
    "victim_dynamics",
    "draw_encounters",
)


def _timed(name, fn, totals, cpu):
    def wrapper(*args, **kwargs):
        start, start_cpu = time.perf_counter(), time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            totals[name] += time.perf_counter() - start
            cpu[name] += time.process_time() - start_cpu

    return wrapper


def load_world(scenario: str | None):
    """The scenario's parameters, or None for the embedded baseline."""
    if scenario is None:
        return None
    from scenarios.loader import load_scenario

    return load_scenario(scenario)


def phase_table(years: float, policy: str, scenario: str | None = None) -> dict:
    """Run and time each phase; returns ms per week by phase."""
    import model.model as mm
    from model import IdentificationModel, justice

    totals: dict[str, float] = defaultdict(float)
    cpu: dict[str, float] = defaultdict(float)
    for name in PHASES:
        setattr(mm, name, _timed(name, getattr(mm, name), totals, cpu))
    justice.advance_cases = _timed("justice.advance_cases", justice.advance_cases, totals, cpu)
    model = IdentificationModel(load_world(scenario), policy=policy, rng=1)
    for obj, names in (
        (model.screening, ("start_week",)),
        (model.policy, ("at_contact", "in_detention")),
        (model.custody, ("remove_due", "end_support")),
        (model, ("_count_stocks", "_record_contacts")),
        (model.datacollector, ("collect",)),
        (model.outcomes, ("close_week",)),
    ):
        for name in names:
            label = f"{type(obj).__name__}.{name}"
            setattr(obj, name, _timed(label, getattr(obj, name), totals, cpu))
    weeks = round(years * 52)
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(weeks):
        model.step()
    stepping = time.perf_counter() - start
    stepping_cpu = time.process_time() - start_cpu
    # draw_encounters is a generator consumer: its time includes building the batches only.
    rows = {name: 1000 * t / weeks for name, t in sorted(totals.items(), key=lambda kv: -kv[1])}
    rows["(rest of step)"] = 1000 * stepping / weeks - sum(rows.values())
    cpu_rows = {name: 1000 * cpu[name] / weeks for name in totals}
    cpu_rows["(rest of step)"] = 1000 * stepping_cpu / weeks - sum(cpu_rows.values())
    return {
        "ms_per_week": rows,
        "cpu_ms_per_week": cpu_rows,
        "stepping_s": stepping,
        "stepping_cpu_s": stepping_cpu,
        "weeks": weeks,
    }


def main() -> None:
    """Profile and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=float, default=2.0)
    parser.add_argument("--policy", default="detention_first")
    parser.add_argument("--pyinstrument", action="store_true")
    parser.add_argument("--scenario", default=None, help="scenario file (default: embedded)")
    parser.add_argument("--label", default="", help="suffix of the results file")
    args = parser.parse_args()
    load = os.getloadavg()
    if args.pyinstrument:
        from pyinstrument import Profiler

        from model import IdentificationModel

        model = IdentificationModel(load_world(args.scenario), policy=args.policy, rng=1)
        profiler = Profiler(interval=0.0005)
        profiler.start()
        for _ in range(round(args.years * 52)):
            model.step()
        profiler.stop()
        print(profiler.output_text(unicode=False, color=False))
        return
    figures = phase_table(args.years, args.policy, args.scenario)
    total = 1000 * figures["stepping_s"] / figures["weeks"]
    total_cpu = 1000 * figures["stepping_cpu_s"] / figures["weeks"]
    print(f"load average before: {load[0]:.2f}; {figures['weeks']} weeks, {args.policy}")
    print("| phase | ms per week | CPU ms per week | share of CPU |")
    print("|---|---|---|---|")
    for name, ms in figures["ms_per_week"].items():
        ms_cpu = figures["cpu_ms_per_week"][name]
        print(f"| {name} | {ms:.3f} | {ms_cpu:.3f} | {ms_cpu / total_cpu:.0%} |")
    print(f"| **step()** | **{total:.3f}** | **{total_cpu:.3f}** | 100% |")
    figures.update(
        policy=args.policy,
        scenario=args.scenario,
        load_average=load[0],
        when=time.strftime("%Y-%m-%d %H:%M"),
    )
    RESULTS.mkdir(exist_ok=True)
    name = f"profile_step-{args.label}.json" if args.label else "profile_step.json"
    (RESULTS / name).write_text(json.dumps(figures, indent=2) + "\n")


if __name__ == "__main__":
    main()
