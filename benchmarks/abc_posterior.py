"""The project's ABC-SMC on a problem whose posterior is known exactly.

The problem is :mod:`tests.known_posterior`: two normal means with known covariance (posterior
sds 0.3 and 0.5, correlation 0.5), a uniform prior 10 wide on each (over 30 posterior sds),
Mahalanobis distance of the simulated sample mean, the tolerance rule the median of the
previous population's distances. The sampler is run with the budget and with 2 and 4 times it
(the comparison with pyabc that chose this sampler: ``benchmarks/README.md``, "ABC library").
Each is run with ``--seeds`` seeds; the table gives the mean over seeds of the final tolerance,
the error of the posterior mean and the ratio of the posterior sd to the exact one (worst
parameter), the 1-Wasserstein distance of the marginals (worst parameter) and the energy
distance of the joint sample to 2,000 exact draws (in posterior sds), the final ESS, the
simulations used and the wall time. Wall time here is the samplers' own overhead (a simulation
costs microseconds); with the model a simulation costs seconds, so simulations are the cost that
counts.

Usage::

    python benchmarks/abc_posterior.py [--population 200] [--budget 4000] [--seeds 5]
        [--workers 2]

Writes ``benchmarks/results/abc_posterior.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from experiments.calibration import abc
from experiments.core.executors import InProcessExecutor, open_workers
from tests import known_posterior as kp

RESULTS = Path(__file__).resolve().parent / "results"


def project(seed: int, population: int, budget: int, workers: int) -> dict:
    """The project's ABC-SMC on the test problem."""
    start = time.perf_counter()
    problem = kp.GaussianMeans(seed=seed)
    settings = dict(population=population, generations=50, quantile=0.5, max_simulations=budget)
    if workers > 1:
        with open_workers("local", workers) as opened:
            result = abc.smc(problem, opened.executor, **settings)
    else:
        result = abc.smc(problem, InProcessExecutor(), **settings)
    seconds = time.perf_counter() - start
    values = result.accepted[list(kp.NAMES)].to_numpy()
    return {
        "values": values,
        "weights": result.accepted["weight"].to_numpy(),
        "tolerance": result.final_tolerance,
        "generations": len(result.tolerances) - 1,
        "simulations": len(result.simulations),
        "seconds": seconds,
    }


def summary(runs: list[dict], exact: np.ndarray) -> dict:
    """Means over seeds of each figure of the table."""
    rows = []
    for run in runs:
        errors = kp.posterior_errors(run["values"], run["weights"], exact)
        per = [errors[n] for n in kp.NAMES]
        rows.append(
            {
                "tolerance": run["tolerance"],
                "generations": run["generations"],
                "mean_error_sd": max(abs(e["mean_error_sd"]) for e in per),
                "sd_ratio": max(abs(e["sd_ratio"]) for e in per),
                "wasserstein_sd": max(e["wasserstein_sd"] for e in per),
                "energy": errors["energy"],
                "ess": abc.effective_sample_size(run["weights"]),
                "simulations": run["simulations"],
                "seconds": run["seconds"],
            }
        )
    return {key: float(np.mean([r[key] for r in rows])) for key in rows[0]} | {"runs": rows}


def main() -> None:
    """Measure and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--population", type=int, default=200)
    parser.add_argument("--budget", type=int, default=4000)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    exact = kp.exact_sample(2000, np.random.default_rng(0))
    load = os.getloadavg()[0]
    seeds = range(1, args.seeds + 1)
    table = {}
    runs = [project(s, args.population, args.budget, 1) for s in seeds]
    table[f"project smc, budget {args.budget}, 1 worker"] = summary(runs, exact)
    if args.workers > 1:
        runs = [project(1, args.population, args.budget, args.workers)]
        table[f"project smc, budget {args.budget}, {args.workers} workers, seed 1"] = summary(
            runs, exact
        )
    for factor in (2, 4):
        runs = [project(s, args.population, factor * args.budget, 1) for s in seeds]
        table[f"project smc, budget {factor * args.budget}, 1 worker"] = summary(runs, exact)
    print(
        f"population {args.population}; load {load:.1f} -> {os.getloadavg()[0]:.1f}; means "
        f"over {args.seeds} seeds unless one seed is named"
    )
    print(
        "| sampler | final tolerance | generations | mean error (sd) | sd ratio | "
        "Wasserstein (sd) | energy | ESS | simulations | wall s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for label, s in table.items():
        print(
            f"| {label} | {s['tolerance']:.2f} | {s['generations']:.1f} | "
            f"{s['mean_error_sd']:.3f} | {s['sd_ratio']:.2f} | {s['wasserstein_sd']:.3f} | "
            f"{s['energy']:.3f} | {s['ess']:.0f} | {s['simulations']:.0f} | "
            f"{s['seconds']:.2f} |"
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "abc_posterior.json").write_text(
        json.dumps(
            {
                "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                "population": args.population,
                "budget": args.budget,
                "seeds": args.seeds,
                "load_before": load,
                "table": table,
            },
            indent=2,
            default=float,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
