"""The project's ABC-SMC against pyabc's on a problem whose posterior is known exactly.

The problem is :mod:`experiments.calibration.known_posterior`: two normal means with known
covariance (posterior sds 0.3 and 0.5, correlation 0.5), a uniform prior 10 wide on each
(over 30 posterior sds), Mahalanobis distance of the simulated sample mean. Both samplers get
the same simulator, distance, population and budget of simulations, and the same tolerance
rule (the median of the previous population's distances; pyabc's default ``MedianEpsilon``
with its default kernel, a multivariate normal of Silverman's bandwidth). Each is run with
``--seeds`` seeds; the table gives the mean over seeds of the final tolerance, the error of the
posterior mean and the ratio of the posterior sd to the exact one (worst parameter), the
1-Wasserstein distance of the marginals (worst parameter) and the energy distance of the joint
sample to 2,000 exact draws (in posterior sds), the final ESS, the simulations used and the
wall time. Wall time here is the samplers' own overhead (a simulation costs microseconds);
with the model a simulation costs seconds, so simulations are the cost that counts.

pyabc is optional: without it only the project's sampler is measured. Usage::

    python benchmarks/abc_posterior.py [--population 200] [--budget 4000] [--seeds 5]
        [--workers 2]

Writes ``benchmarks/results/abc_posterior.json``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from experiments.calibration import abc
from experiments.calibration import known_posterior as kp
from experiments.executors import InProcessExecutor, open_workers

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


def _pyabc_model(parameters):
    mean = np.array([parameters[n] for n in kp.NAMES])
    return {"mean": np.random.multivariate_normal(mean, kp.COVARIANCE)}


def _pyabc_distance(x, y):
    gap = np.asarray(x["mean"]) - np.asarray(y["mean"])
    return float(np.sqrt(gap @ np.linalg.solve(kp.COVARIANCE, gap)))


def pyabc_smc(seed: int, population: int, budget: int, workers: int) -> dict:
    """pyabc's ABC-SMC (its defaults) on the same problem, simulator and distance."""
    import pyabc

    logging.getLogger("ABC").setLevel(logging.WARNING)
    np.random.seed(seed)
    prior = pyabc.Distribution(
        **{
            n: pyabc.RV("uniform", kp.PRIOR[n].low, kp.PRIOR[n].high - kp.PRIOR[n].low)
            for n in kp.NAMES
        }
    )
    sampler = (
        pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
        if workers > 1
        else pyabc.sampler.SingleCoreSampler()
    )
    start = time.perf_counter()
    smc = pyabc.ABCSMC(
        _pyabc_model, prior, _pyabc_distance, population_size=population, sampler=sampler
    )
    with tempfile.TemporaryDirectory() as folder:
        smc.new("sqlite:///" + os.path.join(folder, "abc.db"), {"mean": kp.OBSERVED})
        history = smc.run(
            minimum_epsilon=0.0, max_nr_populations=50, max_total_nr_simulations=budget
        )
        frame, weights = history.get_distribution()
        populations = history.get_all_populations()
        simulations = int(history.total_nr_simulations)
    seconds = time.perf_counter() - start
    return {
        "values": frame[list(kp.NAMES)].to_numpy(),
        "weights": np.asarray(weights),
        "tolerance": float(populations["epsilon"].iloc[-1]),
        "generations": int(populations["t"].max()) + 1,
        "simulations": simulations,
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
    try:
        import pyabc

        version = pyabc.__version__
    except ImportError:
        version = None
    samplers = {"project ABC-SMC": project} | ({f"pyabc {version}": pyabc_smc} if version else {})
    load = os.getloadavg()[0]
    table = {}
    for label, sampler in samplers.items():
        for workers in sorted({1, args.workers}):
            seeds = range(1, args.seeds + 1) if workers == 1 else range(1, 2)
            runs = [sampler(s, args.population, args.budget, workers) for s in seeds]
            table[f"{label}, {workers} worker(s)"] = summary(runs, exact)
    print(
        f"population {args.population}, budget {args.budget} simulations; load {load:.1f} -> "
        f"{os.getloadavg()[0]:.1f}; means over {args.seeds} seeds (1 seed with workers > 1)"
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
                "pyabc": version,
                "table": table,
            },
            indent=2,
            default=float,
        )
        + "\n"
    )


if __name__ == "__main__":
    main()
