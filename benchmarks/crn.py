"""How much noise common random numbers take out of paired comparisons (issue 28).

For each comparison, ``--seeds`` paired runs (run k of both arms seeded
``experiments.core.seeds.run_seed(root, k)``) give, per outcome, the variance ratio

    (var A + var B) / var(B - A),

the factor by which pairing shrinks the variance of a difference against independent runs (1
for independent arms; large when each pair shares its noise). Comparisons:

* ``lever``: screening before detention, ``screening.tier1_sensitivity`` 0.60 against 0.62, in
  the baseline world, ``--lever-years`` years (the small change of the issue);
* ``policy-baseline``: detention first against screening before detention, baseline world,
  ``--policy-years`` years;
* ``policy-member``: the same at a calibrated member of the shipped ensemble (its world file
  and its calibrated screening levers from ``ensemble.csv``), over the member world's years.

Outcomes: victims identified, prosecutions, victims removed unidentified. When the model
records each victim's fate (``model.fates``), the number of victims whose fate differs between
the arms is reported too: under common random numbers that difference is the change's, not
noise. Usage::

    python benchmarks/crn.py [--seeds 12] [--scale 0.25] [--label NAME]

``--scale`` multiplies every count of people and capacity (``benchmarks.scale_world``), to keep
the run time modest. The script runs on whatever code is first on ``PYTHONPATH``, so the same
script measures a version before and after a change. Writes
``benchmarks/results/crn[-LABEL].json`` and prints a Markdown table.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks.scale_world import scaled_world
from experiments.core.seeds import run_seed
from model import IdentificationModel
from model.parameters import Parameters
from scenarios.resolve import read_world, resolve_run

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ENSEMBLE = ROOT / "experiments" / "ensembles" / "hong_kong_2016_2020" / "ensemble"
OUTCOMES = ("victims_identified", "prosecutions", "victims_removed_unidentified")
ROOT_SEED = 20240601


def member_world(member: str, scale: float) -> tuple[Parameters, dict[str, float]]:
    """A calibrated member's world (scaled) and its calibrated screening levers."""
    table = pd.read_csv(ENSEMBLE / "ensemble.csv").set_index("member")
    row = table.loc[f"{member}.yaml"]
    levers = {k: float(v) for k, v in row.items() if str(k).startswith("screening.")}
    world = read_world(ENSEMBLE / f"{member}.yaml")
    return (scaled_world(world, scale) if scale != 1.0 else world), levers


def run_arm(world: Parameters, policy: str, overrides: dict, seed: int, years: float):
    """One run: its summary and, when the model records them, its victims' fates."""
    spec = resolve_run(world, policy, overrides)
    model = IdentificationModel(spec, rng=run_seed(ROOT_SEED, seed), years=years)
    summary = model.run(years)
    fates = getattr(model, "fates", None)
    table = fates.table() if fates is not None else None
    return summary, table


def fates_differing(a: pd.DataFrame | None, b: pd.DataFrame | None) -> int | None:
    """Victims (met by the authorities in either arm) whose fate differs between the arms."""
    if a is None or b is None:
        return None
    joined = a[["person_id", "fate"]].merge(
        b[["person_id", "fate"]], on="person_id", how="outer", suffixes=("_a", "_b")
    )
    return int((joined["fate_a"] != joined["fate_b"]).sum())


def compare(name: str, arms: list[tuple], seeds: int, years: float) -> dict:
    """Run both arms for every seed and return the variance ratios (and fates differing)."""
    values = {outcome: ([], []) for outcome in OUTCOMES}
    differing: list[int] = []
    start = time.perf_counter()
    for seed in range(seeds):
        results = [run_arm(world, policy, extra, seed, years) for world, policy, extra in arms]
        for outcome in OUTCOMES:
            for arm, (summary, _) in enumerate(results):
                values[outcome][arm].append(float(summary[outcome]))
        count = fates_differing(results[0][1], results[1][1])
        if count is not None:
            differing.append(count)
    row: dict = {"comparison": name, "seeds": seeds, "years": years}
    for outcome, (a, b) in values.items():
        a, b = np.array(a), np.array(b)
        var_diff = float(np.var(b - a, ddof=1))
        total = float(np.var(a, ddof=1) + np.var(b, ddof=1))
        row[f"{outcome}_ratio"] = total / var_diff if var_diff > 0 else float("inf")
        row[f"{outcome}_mean_a"] = float(a.mean())
        row[f"{outcome}_mean_b"] = float(b.mean())
        row[f"{outcome}_correlation"] = float(np.corrcoef(a, b)[0, 1]) if total > 0 else None
    row["fates_differing_mean"] = float(np.mean(differing)) if differing else None
    row["seconds"] = time.perf_counter() - start
    return row


def main() -> None:
    """Measure, print the table and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=12)
    parser.add_argument("--scale", type=float, default=0.25)
    parser.add_argument("--lever-years", type=float, default=2.0)
    parser.add_argument("--policy-years", type=float, default=2.0)
    parser.add_argument("--member", default="member_047")
    parser.add_argument("--member-years", type=float, default=5.0, help="2016-2020")
    parser.add_argument("--only", nargs="*", default=None, help="comparisons to run")
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    base = Parameters() if args.scale == 1.0 else scaled_world(Parameters(), args.scale)
    member, levers = member_world(args.member, args.scale)
    sbd, df = "screening_before_detention", "detention_first"
    comparisons = {
        "lever": (
            [
                (base, sbd, {"screening.tier1_sensitivity": 0.60}),
                (base, sbd, {"screening.tier1_sensitivity": 0.62}),
            ],
            args.lever_years,
        ),
        "policy-baseline": ([(base, df, {}), (base, sbd, {})], args.policy_years),
        f"policy-{args.member}": ([(member, df, levers), (member, sbd, levers)], args.member_years),
    }
    rows = []
    for name, (arms, years) in comparisons.items():
        if args.only and name not in args.only:
            continue
        rows.append(compare(name, arms, args.seeds, years))
        print(json.dumps(rows[-1]), flush=True)
    print(
        f"\nscale {args.scale}, {args.seeds} paired seeds; variance ratio (var A + var B) / "
        "var(B - A), correlation in brackets"
    )
    print(
        "| comparison | years | identified | prosecutions | removed unidentified "
        "| fates differing | s |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        cells = [
            f"{row[f'{o}_ratio']:.1f} ({row[f'{o}_correlation']:+.2f})"
            if row[f"{o}_correlation"] is not None
            else "n/a"
            for o in OUTCOMES
        ]
        fates = row["fates_differing_mean"]
        print(
            f"| {row['comparison']} | {row['years']:g} | {' | '.join(cells)} | "
            f"{'' if fates is None else f'{fates:.1f}'} | {row['seconds']:.0f} |"
        )
    RESULTS.mkdir(exist_ok=True)
    suffix = f"-{args.label}" if args.label else ""
    out = RESULTS / f"crn{suffix}.json"
    out.write_text(json.dumps({"scale": args.scale, "rows": rows}, indent=1))
    print(f"figures written to {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
