"""Approximate Bayesian computation by ABC-SMC, on any executor: the project's one ABC sampler.

The population Monte Carlo scheme of Beaumont et al. 2009 (*Biometrika* 96(4)) with adaptive
tolerances: a first population drawn from the prior; then, each generation, sets are drawn from
the previous population by weight, perturbed with a Gaussian kernel of twice the weighted
covariance (:mod:`experiments.calibration.kernels`), and kept when their distance is within
the tolerance, the ``quantile`` of the previous population's distances. Importance weights
correct for the perturbation. A generation that cannot fill its population within the budget
is dropped, and the last complete one is returned. Why this sampler and not pyabc's:
``docs/architecture.md``, "One ABC path".

Priors are uniform in the sampling scale (log-uniform for log ranges). Seeds follow
:mod:`experiments.core.seeds`: run *k* (in submission order) gets the calibration seed's child *k*,
and the proposals come from its sampler stream; runs are submitted in fixed batches
and read back in order, so the result does not depend on the executor or on how many workers
it has. For the same reason a killed calibration resumes exactly: with a :class:`Journal`, each
finished simulation is kept as it arrives, and a rerun replays the sampler from the start,
taking each kept simulation instead of running it (:mod:`experiments.calibration.journal`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from analysis.calibration.patterns import Pattern, combined_distance
from experiments.calibration import kernels
from experiments.calibration.recycling import Proposal, recycled_weights
from experiments.core.parameter_space import ParameterSpace
from experiments.core.replay import replay
from experiments.core.seeds import recycling_rng, run_seed, sampler_rng
from model.parameters import Parameters

#: Progress callback: (runs done, runs planned at most, message).
Progress = Callable[[int, int, str], None]


class Task(Protocol):
    """One simulation to run in a worker (picklable): its number and parameter values."""

    number: int
    values: dict[str, Any]

    def run(self) -> Outcome:
        """Simulate and measure the distance to the observations."""
        ...


class FitProblem(Protocol):
    """What the samplers need of a problem: its space, its root seed and its simulations."""

    space: ParameterSpace
    seed: int

    def task(self, number: int, internal: np.ndarray) -> Task:
        """The simulation numbered ``number`` of one parameter set (in the sampling scale)."""
        ...


class Journal(Protocol):
    """Where finished simulations are kept, so that a killed calibration resumes."""

    def take(self, task: Task) -> Outcome | None:
        """The kept outcome of ``task``'s simulation (same number and values), or ``None``."""
        ...

    def record(self, outcome: Outcome) -> None:
        """Keep a finished simulation."""
        ...


@dataclass(frozen=True)
class Simulation:
    """One replay to run: everything a worker process needs (picklable)."""

    number: int
    world: Parameters
    values: dict[str, Any]
    policy: str
    seed: int
    years: int
    scale: float
    patterns: tuple[Pattern, ...]
    combine: str
    replicates: int = 1

    def run(self) -> Outcome:
        """Run the replay (see :func:`run_simulation`)."""
        return run_simulation(self)


@dataclass(frozen=True)
class Outcome:
    """A finished simulation: its yearly statistics and distances.

    A test problem's ``yearly`` holds its summary statistics instead.
    """

    number: int
    values: dict[str, Any]
    yearly: pd.DataFrame
    distances: dict[str, float]
    distance: float


def run_simulation(task: Simulation) -> Outcome:
    """Run one parameter set's replays and measure the distance to every pattern (in a worker).

    With ``replicates`` above 1 the set is replayed on that many seeds and the distance is
    measured on the mean of their yearly statistics, so that the ABC judges the parameters
    rather than one run's luck. Replicate 0 runs on the seed a single run would have.
    """
    tables = [
        replay(
            task.world,
            policy=task.policy,
            seed=replicate_seed(task.seed, task.number, replicate),
            years=task.years,
            scale=task.scale,
            values=task.values,
        )
        for replicate in range(task.replicates)
    ]
    yearly = tables[0] if len(tables) == 1 else pd.concat(tables).groupby(level=0).mean()
    distances = {p.name: p.distance(yearly) for p in task.patterns}
    return Outcome(
        task.number, task.values, yearly, distances, combined_distance(distances, task.combine)
    )


def replicate_seed(root: int, number: int, replicate: int) -> np.random.SeedSequence:
    """The seed of replicate ``replicate`` of simulation ``number`` (0: its one-run seed)."""
    if replicate == 0:
        return run_seed(root, number)
    return np.random.SeedSequence(root, spawn_key=(number, replicate))


@dataclass
class Problem:
    """What a calibration fits: the world, the varying parameters and the patterns."""

    world: Parameters
    space: ParameterSpace
    patterns: tuple[Pattern, ...]
    policy: str = "detention_first"
    years: int = 5
    scale: float = 1.0
    seed: int = 1
    combine: str = "max"
    replicates: int = 1

    def task(self, number: int, internal: np.ndarray) -> Simulation:
        """The simulation of one parameter set (given in the sampling scale)."""
        return self.simulation(number, self.space.to_values(internal))

    def simulation(self, number: int, values: dict[str, Any]) -> Simulation:
        """The simulation numbered ``number`` at parameter ``values`` (as a journal keeps them)."""
        return Simulation(
            number=number,
            world=self.world,
            values=values,
            policy=self.policy,
            seed=self.seed,
            years=self.years,
            scale=self.scale,
            patterns=self.patterns,
            combine=self.combine,
            replicates=self.replicates,
        )


@dataclass
class Result:
    """Everything a calibration produced.

    Attributes:
        accepted: The posterior: one row per set (parameter values, ``distance``, one
            ``distance_<pattern>`` column each, ``weight``, ``number``). Recycled (the
            default of :func:`smc`), every run within the final tolerance, from any
            generation (with its ``generation`` and ``tolerance``); otherwise the final
            generation's population.
        simulations: Every run: ``number``, ``generation``, parameter values, distances,
            ``tolerance`` of its generation and ``accepted``.
        yearly: Yearly official statistics of every run (long: ``number``, ``year``, views).
        tolerances: Tolerance of each generation (``inf`` for the prior one).
        method: The sampler, ``"smc"`` (recorded in the result folder's manifest).
        generations: One row per completed generation: ``generation``, ``tolerance``,
            ``accepted`` (its population), ``simulations`` (runs it took, including those
            rejected) and ``ess`` (Kish effective sample size of its weights). An SMC
            generation that could not fill its population is not in it.
        from_journal: Simulations taken from a journal instead of being run (a resumed
            calibration; the result is the same as if they had run).
        population: Sets accepted per generation (the sampler's setting; 0 if unknown).
        final_generation: The final generation's own population with its SMC weights (the
            same as ``accepted`` when the posterior is not recycled).
    """

    accepted: pd.DataFrame
    simulations: pd.DataFrame
    yearly: pd.DataFrame
    tolerances: list[float] = field(default_factory=list)
    method: str = "smc"
    generations: pd.DataFrame = field(default_factory=pd.DataFrame)
    from_journal: int = 0
    population: int = 0
    final_generation: pd.DataFrame | None = None

    @property
    def runs(self) -> int:
        """Simulations run in all (those of an incomplete last generation too)."""
        return len(self.simulations)

    @property
    def final_tolerance(self) -> float:
        """Tolerance of the final population (``inf``: no tolerance was ever applied)."""
        return self.tolerances[-1] if self.tolerances else float("inf")

    @property
    def ess(self) -> float:
        """Kish effective sample size of the posterior's weights."""
        return effective_sample_size(self.accepted["weight"].to_numpy())

    @property
    def final_generation_ess(self) -> float:
        """Kish effective sample size of the final generation's own SMC weights."""
        return float(self.generations["ess"].iloc[-1])

    @property
    def ess_share(self) -> float:
        """The effective sample size as a share of the population (of the sets if unknown)."""
        return self.ess / (self.population or len(self.accepted))


def effective_sample_size(weights: np.ndarray) -> float:
    """Kish's effective sample size, ``(Σ w)² / Σ w²``.

    ``n`` for ``n`` equal weights, 1 when one weight holds everything; weights need not be
    normalised.

    Raises:
        ValueError: If there are no weights, one is negative or all are zero.
    """
    w = np.asarray(weights, dtype=float)
    if w.size == 0 or (w < 0).any() or not w.sum() > 0:
        raise ValueError("effective sample size needs non-negative weights with a positive sum")
    return float(w.sum() ** 2 / (w**2).sum())


class Runner:
    """Runs batches of simulations on an executor and keeps every outcome.

    With a journal, a simulation it holds is taken from it instead of being run (and does not
    count as progress), and every simulation run is recorded in it as it arrives.
    """

    def __init__(
        self,
        problem: FitProblem,
        executor: Executor,
        progress: Progress | None,
        journal: Journal | None = None,
    ) -> None:
        self.problem = problem
        self.executor = executor
        self.progress = progress
        self.journal = journal
        self.taken = 0
        self.outcomes: list[Outcome] = []
        self.generation_of: dict[int, int] = {}
        self.tolerance_of: dict[int, float] = {}

    def run(
        self, points: np.ndarray, generation: int, tolerance: float, planned: int
    ) -> list[Outcome]:
        """Run one batch (rows of ``points`` in the sampling scale), results in order."""
        start = len(self.outcomes)
        tasks = [self.problem.task(start + i, x) for i, x in enumerate(points)]
        kept = [self.journal.take(t) if self.journal is not None else None for t in tasks]
        futures = [
            self.executor.submit(_run_task, t) if k is None else None
            for t, k in zip(tasks, kept, strict=True)
        ]
        batch = []
        for outcome, future in zip(kept, futures, strict=True):
            if future is None:
                self.taken += 1
            else:
                outcome = future.result()
                if self.journal is not None:
                    self.journal.record(outcome)
            batch.append(outcome)
            self.outcomes.append(outcome)
            self.generation_of[outcome.number] = generation
            self.tolerance_of[outcome.number] = tolerance
            if self.progress and future is not None:
                self.progress(len(self.outcomes), planned, f"generation {generation}")
        return batch


def _run_task(task: Task) -> Outcome:
    return task.run()


def smc(
    problem: FitProblem,
    executor: Executor,
    *,
    population: int,
    generations: int,
    quantile: float,
    max_simulations: int,
    progress: Progress | None = None,
    journal: Journal | None = None,
    recycle: bool = True,
) -> Result:
    """ABC-SMC with adaptive tolerances (population Monte Carlo).

    Args:
        problem: What to fit.
        executor: Where runs execute.
        population: Accepted sets per generation.
        generations: Generations after the prior one.
        quantile: Each tolerance is this quantile of the previous population's distances.
        max_simulations: Most runs in all.
        progress: Optional progress callback (simulations taken from the journal are not
            reported).
        journal: Optional journal: simulations it holds are taken from it, those run are
            recorded in it; the result is the same either way.
        recycle: Return as the posterior every run within the final tolerance, from any
            generation (the cut-short last one too), weighted over all the densities the
            runs were drawn from (:mod:`experiments.calibration.recycling`); ``False``
            returns the final generation's population alone. The sampler's path is the same
            either way.
    """
    if max_simulations < population:
        raise ValueError(f"max_simulations {max_simulations} is below population {population}")
    space = problem.space
    rng = sampler_rng(problem.seed)
    runner = Runner(problem, executor, progress, journal)
    points = space.from_unit(rng.random((population, len(space))))
    current = runner.run(points, 0, float("inf"), max_simulations)
    weights = np.full(population, 1.0 / population)
    tolerances = [float("inf")]
    path = [_generation(0, float("inf"), population, population, weights)]
    densities = [Proposal(0, population)]
    for generation in range(1, generations + 1):
        tolerance = float(np.quantile([o.distance for o in current], quantile))
        previous = np.array([_internal(space, o.values) for o in current])
        covariance = kernels.covariance(space, previous, weights)
        accepted: list[Outcome] = []
        started = len(runner.outcomes)
        while len(accepted) < population:
            room = max_simulations - len(runner.outcomes)
            if room <= 0:
                break
            # Drawn whole and cut to the budget, so that a smaller budget's runs are the
            # first runs of a larger one (a journal resumes under another budget).
            proposals = kernels.perturbed(rng, space, previous, weights, covariance, population)
            batch = runner.run(proposals[:room], generation, tolerance, max_simulations)
            accepted.extend(o for o in batch if o.distance <= tolerance)
        runs = len(runner.outcomes) - started
        if runs:
            densities.append(Proposal(generation, runs, previous, weights, covariance))
        if len(accepted) < population:
            break
        accepted = accepted[:population]
        points = np.array([_internal(space, o.values) for o in accepted])
        weights = kernels.importance_weights(points, previous, weights, covariance)
        current = accepted
        tolerances.append(tolerance)
        path.append(_generation(generation, tolerance, population, runs, weights))
    result = _result(runner, current, weights, tolerances, "smc", path)
    result.population = population
    result.final_generation = result.accepted
    if recycle and math.isfinite(tolerances[-1]):
        result.accepted = _recycled(problem, runner.outcomes, tolerances[-1], densities, result)
    return result


def _recycled(
    problem: FitProblem,
    outcomes: Sequence[Outcome],
    tolerance: float,
    densities: list[Proposal],
    result: Result,
) -> pd.DataFrame:
    """Every run within the final tolerance, weighted over all the densities drawn from.

    See :mod:`experiments.calibration.recycling`. The rows are those of ``result.simulations``
    (in run order), with ``weight``.
    """
    within = [o for o in outcomes if o.distance <= tolerance]
    points = np.array([_internal(problem.space, o.values) for o in within])
    weights = recycled_weights(problem.space, points, densities, recycling_rng(problem.seed))
    rows = result.simulations.set_index("number").loc[[o.number for o in within]].reset_index()
    rows = rows.drop(columns=["in_final_population"])
    rows["weight"] = weights
    return rows


def _generation(
    generation: int, tolerance: float, accepted: int, simulations: int, weights: np.ndarray
) -> dict[str, Any]:
    """One row of the tolerance path."""
    return {
        "generation": generation,
        "tolerance": tolerance,
        "accepted": accepted,
        "simulations": simulations,
        "ess": effective_sample_size(weights),
    }


def _internal(space: ParameterSpace, values: dict[str, Any]) -> np.ndarray:
    return np.array(
        [
            np.log(values[name]) if spec.log else float(values[name])
            for name, spec in space.ranges.items()
        ]
    )


def _result(
    runner: Runner,
    final: Sequence[Outcome],
    weights: np.ndarray,
    tolerances: list[float],
    method: str,
    path: list[dict[str, Any]],
) -> Result:
    final_numbers = {o.number for o in final}
    rows = []
    for outcome in runner.outcomes:
        tolerance = runner.tolerance_of[outcome.number]
        rows.append(
            {
                "number": outcome.number,
                "generation": runner.generation_of[outcome.number],
                **outcome.values,
                "distance": outcome.distance,
                **{f"distance_{k}": v for k, v in outcome.distances.items()},
                "tolerance": tolerance,
                "in_final_population": outcome.number in final_numbers,
            }
        )
    simulations = pd.DataFrame(rows)
    accepted = simulations.set_index("number").loc[[o.number for o in final]].reset_index()
    accepted = accepted.drop(columns=["in_final_population"])
    accepted["weight"] = weights
    yearly = pd.concat(
        [o.yearly.reset_index().assign(number=o.number) for o in runner.outcomes],
        ignore_index=True,
    )
    generations = pd.DataFrame(path)
    return Result(accepted, simulations, yearly, tolerances, method, generations, runner.taken)
