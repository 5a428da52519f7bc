"""ABC-SMC by pyabc (``abc.method: pyabc``), returning the same :class:`~abc.Result`.

pyabc (Klinger et al. 2018, *Bioinformatics* 34(20); Schälte et al. 2022, *JOSS* 7(74)) runs
its ABC-SMC with its defaults: a calibration sample of ``population`` prior draws sets the
first tolerance (``QuantileEpsilon``: each tolerance is the ``abc.quantile`` of the previous
population's distances, the median by default), and proposals are perturbed with a
multivariate normal kernel of Silverman's bandwidth. On the known-posterior test problem it
reaches the exact posterior as closely as the project's own ``smc`` with about 60% of its
simulations (``benchmarks/README.md``). The distance is the project's (the patterns, combined
as configured), computed in the worker.

Where it runs: with one worker pyabc's single-core sampler, seeded from the calibration seed,
so the result is reproducible; with more, pyabc's sampler on the project's executor (process
pool or Dask: ``ConcurrentFutureSampler``), one run per job. pyabc's parallel samplers draw
proposals in the workers from fresh entropy, so a parallel run is **not** reproducible run to
run (the project's ``smc`` is). Each run's model seed is the calibration seed's child
``2**32 + crc32(parameter set)``: the same set gives the same run.

What differs in the result files: pyabc keeps only accepted sets, so ``simulations.parquet``
and ``yearly.parquet`` hold every generation's accepted sets (not the rejected runs), and the
prior (calibration) sample is counted in ``generations.csv`` (generation 0) but not stored.
pyabc stops once the budget is exceeded, after the generation in progress, so it may run up
to part of a generation more than ``max_simulations``. pyabc's database is kept as
``pyabc.db`` in the result folder (readable with ``pyabc.History``).
"""

from __future__ import annotations

import logging
import pickle
import zlib
from concurrent.futures import Executor
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from experiments.calibration.abc import FitProblem, Progress, Result, effective_sample_size

#: Run numbers of pyabc's runs start here (above any sequential run number and the sampler
#: stream of :mod:`experiments.seeds`).
RUN_KEY_BASE = 2**32


class MissingPyabc(ImportError):
    """pyabc is not installed."""


def available() -> bool:
    """Whether pyabc can be imported."""
    try:
        import pyabc  # noqa: F401
    except ImportError:
        return False
    return True


class _Model:
    """pyabc's model: one run of the problem at a parameter set (picklable)."""

    def __init__(self, problem: FitProblem) -> None:
        self.problem = problem
        self.keys = [f"p{j}" for j in range(len(problem.space))]

    def __call__(self, parameters: dict[str, float]) -> dict[str, Any]:
        internal = np.array([float(parameters[k]) for k in self.keys])
        number = RUN_KEY_BASE + zlib.crc32(internal.tobytes())
        outcome = self.problem.task(number, internal).run()
        record = {
            "distances": dict(outcome.distances),
            "values": dict(outcome.values),
            "yearly": outcome.yearly,
            "run_key": number,
        }
        # pyabc stores numbers and arrays: the rest of the outcome travels as pickled bytes.
        packed = np.frombuffer(pickle.dumps(record), dtype=np.uint8)
        return {"distance": outcome.distance, "record": packed}


def _distance(simulated: dict[str, Any], observed: dict[str, Any]) -> float:
    return float(simulated["distance"])


def pyabc_smc(
    problem: FitProblem,
    executor: Executor,
    *,
    population: int,
    generations: int,
    max_simulations: int,
    workers: int,
    quantile: float = 0.5,
    database: Path,
    progress: Progress | None = None,
) -> Result:
    """ABC-SMC by pyabc.

    Args:
        problem: What to fit.
        executor: Where runs execute (used when ``workers`` > 1).
        population: Accepted sets per generation.
        generations: Generations after the prior (calibration) sample.
        max_simulations: pyabc stops once its runs exceed this.
        workers: Runs at once (1: pyabc's single-core sampler, reproducible).
        quantile: Each tolerance is this quantile of the previous population's distances.
        database: pyabc's SQLite database (replaced if it exists).
        progress: Called once per generation (runs so far, budget, message).

    Raises:
        MissingPyabc: If pyabc is not installed.
    """
    try:
        import pyabc
    except ImportError:
        raise MissingPyabc("abc.method pyabc needs pyabc: pip install -e '.[abc]'") from None
    logging.getLogger("ABC").setLevel(logging.WARNING)
    model = _Model(problem)
    bounds = problem.space.internal_bounds()
    prior = pyabc.Distribution(
        **{
            k: pyabc.RV("uniform", lo, hi - lo)
            for k, (lo, hi) in zip(model.keys, bounds, strict=True)
        }
    )
    if workers > 1:
        sampler = pyabc.sampler.ConcurrentFutureSampler(executor, client_max_jobs=workers)
    else:
        np.random.seed(problem.seed)
        sampler = pyabc.sampler.SingleCoreSampler()
    smc = pyabc.ABCSMC(
        model,
        prior,
        _distance,
        population_size=population,
        sampler=sampler,
        eps=pyabc.QuantileEpsilon(alpha=quantile),
    )
    database.unlink(missing_ok=True)
    smc.new(f"sqlite:///{database.resolve()}", {"distance": 0.0})
    history = smc.run(
        minimum_epsilon=0.0,
        max_nr_populations=generations,
        max_total_nr_simulations=max_simulations,
    )
    result = _result(history, population)
    if progress:
        progress(len(result.simulations), max_simulations, "pyabc done")
    return result


def _result(history: Any, population: int) -> Result:
    """The project's result tables from pyabc's history."""
    populations = history.get_all_populations().sort_values("t")
    rows, yearly, path = [], [], []
    final_t = int(populations["t"].max())
    for record in populations.itertuples():
        t = int(record.t)
        if t < 0:  # the calibration sample: prior draws, no tolerance
            path.append(_row(0, np.inf, population, record.samples, np.ones(population)))
            continue
        particles = history.get_population(t).particles
        records = {
            id(p): pickle.loads(np.asarray(p.sum_stat["record"]).tobytes()) for p in particles
        }
        particles.sort(key=lambda p: (p.distance, records[id(p)]["run_key"]))
        weights = np.array([p.weight for p in particles])
        path.append(_row(t + 1, record.epsilon, len(particles), record.samples, weights))
        for particle, weight in zip(particles, weights / weights.sum(), strict=True):
            number = len(rows)
            stats = records[id(particle)]
            rows.append(
                {
                    "number": number,
                    "generation": t + 1,
                    **stats["values"],
                    "distance": float(particle.distance),
                    **{f"distance_{k}": v for k, v in stats["distances"].items()},
                    "tolerance": float(record.epsilon),
                    "in_final_population": t == final_t,
                    "weight": weight,
                    "run_key": int(stats["run_key"]),
                }
            )
            yearly.append(stats["yearly"].reset_index().assign(number=number))
    simulations = pd.DataFrame(rows)
    if simulations.empty:
        raise RuntimeError("pyabc stored no population: the budget ended in the prior sample")
    final = simulations[simulations["in_final_population"]]
    accepted = final.drop(columns=["in_final_population"]).reset_index(drop=True)
    simulations = simulations.drop(columns=["weight"])
    tolerances = [np.inf, *[float(e) for e in populations["epsilon"][populations["t"] >= 0]]]
    return Result(
        accepted,
        simulations,
        pd.concat(yearly, ignore_index=True),
        tolerances,
        "pyabc",
        pd.DataFrame(path),
    )


def _row(generation: int, tolerance: float, accepted: int, runs: int, weights: np.ndarray):
    return {
        "generation": generation,
        "tolerance": float(tolerance),
        "accepted": accepted,
        "simulations": int(runs),
        "ess": effective_sample_size(weights),
    }
