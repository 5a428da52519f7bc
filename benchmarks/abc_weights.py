"""How even the project's ABC-SMC weights stay with many parameters and a small population.

The shipped calibration fits 12 parameters. With 50 sets a generation its weights collapsed
(ESS 4 of 50), so the main job's 16 draws fell on 3 members. This script measures the effect of
the population on a problem of the same shape whose posterior is known: 12 normal means with
standard deviations 0.05-0.15 observed once each, a uniform prior on [-1, 1] for each (the
posterior lies over 3 sds inside the box), and the distance the calibration uses, the root mean
square over parameters of the error in sds. The same tolerance rule (the median of the previous
distances) and budget (3,000 simulations) as ``experiments/calibration_hong_kong.yaml``.

For each population (``--populations``) and seed: completed generations, final tolerance, the
lowest and final ESS, and the ratio of the weighted posterior sd to the exact one (median over
parameters: above 1 the ABC posterior is wider than the exact one, as a tolerance above 0
makes it; below 1 the weights have collapsed onto a few sets) and the weighted mean's error in
exact sds; then the same for the recycled posterior, every run within the final tolerance
(:mod:`experiments.calibration.recycling`), which targets the same ABC posterior. Usage::

    python benchmarks/abc_weights.py [--populations 50 100] [--budget 3000] [--seeds 3]
        [--dimensions 12] [--label NAME]

``--dimensions 17`` gives the shape of the calibration that fits 17 parameters (the standard
deviations and observations spread over the same ranges).

(The same table with pyabc's ABC-SMC beside it, which weighed in the choice of sampler, is in
``benchmarks/README.md``, "ABC weights".)

Writes ``benchmarks/results/abc_weights[-LABEL].json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from experiments.calibration import abc
from experiments.core.executors import InProcessExecutor
from tests import known_posterior as kp

RESULTS = Path(__file__).resolve().parent / "results"
DIMENSIONS = 12


def shape(dimensions: int) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """The means' names, standard deviations and observations."""
    names = tuple(f"mu_{i}" for i in range(dimensions))
    return names, np.linspace(0.05, 0.15, dimensions), np.linspace(-0.5, 0.5, dimensions)


def many_means(seed: int, dimensions: int = DIMENSIONS) -> kp.GaussianMeans:
    """The test problem: :mod:`tests.known_posterior`'s means, 12 of them by default."""
    names, sd, observed = shape(dimensions)
    return kp.GaussianMeans(
        seed=seed,
        names=names,
        observed=tuple(observed),
        covariance=tuple(map(tuple, np.diag(sd**2))),
        per_parameter=True,  # RMS over the means of the error in sds, as the calibration's
        low=-1.0,
        high=1.0,
    )


def measure(population: int, budget: int, seed: int, dimensions: int = DIMENSIONS) -> dict:
    """One calibration of the test problem by the project's ABC-SMC."""
    settings = dict(population=population, generations=50, quantile=0.5, max_simulations=budget)
    result = abc.smc(many_means(seed, dimensions), InProcessExecutor(), **settings)
    names, sd, observed = shape(dimensions)

    def moments(population) -> tuple[float, float]:
        """Median over the means of the sd ratio and of the mean's error in exact sds."""
        weights = population["weight"].to_numpy()
        values = population[list(names)].to_numpy()
        mean = weights @ values
        spread = np.sqrt(weights @ (values - mean) ** 2)
        return float(np.median(spread / sd)), float(np.median(np.abs(mean - observed) / sd))

    ess = result.generations["ess"]
    sd_ratio, mean_error = moments(result.final_generation)
    recycled_sd_ratio, recycled_mean_error = moments(result.accepted)
    return {
        "generations": len(result.generations) - 1,
        "tolerance": result.final_tolerance,
        "ess_final": float(ess.iloc[-1]),
        "ess_lowest": float(ess.min()),
        "sd_ratio": sd_ratio,
        "mean_error_sd": mean_error,
        "recycled_sets": len(result.accepted),
        "recycled_ess": result.ess,
        "recycled_sd_ratio": recycled_sd_ratio,
        "recycled_mean_error_sd": recycled_mean_error,
        "simulations": int(result.runs),
    }


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--populations", type=int, nargs="+", default=[50, 100])
    parser.add_argument("--budget", type=int, default=3000)
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--dimensions", type=int, default=DIMENSIONS)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rows = []
    for population in args.populations:
        for seed in range(1, args.seeds + 1):
            row = {"sampler": "smc", "population": population, "seed": seed}
            rows.append(row | measure(population, args.budget, seed, args.dimensions))
    print(f"{args.dimensions} means; budget {args.budget}; load {load:.1f}")
    print(
        "| sampler | population | seed | generations | final tolerance | lowest ESS | "
        "final ESS | sd ratio | mean error (sd) | recycled: sets | ESS | sd ratio | "
        "mean error (sd) | simulations |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['sampler']} | {r['population']} | {r['seed']} | {r['generations']} | "
            f"{r['tolerance']:.2f} | {r['ess_lowest']:.0f} | {r['ess_final']:.0f} | "
            f"{r['sd_ratio']:.2f} | {r['mean_error_sd']:.2f} | {r['recycled_sets']} | "
            f"{r['recycled_ess']:.0f} | {r['recycled_sd_ratio']:.2f} | "
            f"{r['recycled_mean_error_sd']:.2f} | {r['simulations']:,} |"
        )
    RESULTS.mkdir(exist_ok=True)
    name = f"abc_weights-{args.label}.json" if args.label else "abc_weights.json"
    (RESULTS / name).write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "budget": args.budget,
                "dimensions": args.dimensions,
                "load_before": load,
                "rows": rows,
            },
            indent=2,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
