"""The model as a function of parameters for sensitivity analysis: policies on common seeds.

Each sample is run once under every policy with the same seed (common random numbers), and the
outputs are differences between the last policy and the first, in summary counts rescaled to
full scale (see :mod:`experiments.core.replay` for the population scale).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.core.parameter_space import ParameterSpace
from experiments.core.replay import scale_world, split_overrides
from experiments.core.seeds import run_seed
from model import IdentificationModel
from model.parameters import Parameters, nest_dotted

#: Progress callback: (runs done, runs planned).
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class PairTask:
    """One sample under every policy (picklable for worker processes)."""

    world: Parameters
    values: dict[str, Any]
    policies: tuple[str, ...]
    outputs: tuple[str, ...]
    seed: int
    number: int
    years: int
    scale: float


def run_pair(task: PairTask) -> dict[str, float]:
    """Run one sample under each policy on the same seed.

    Returns:
        ``{"<policy>.<output>": count}`` for every policy and output, and
        ``{"difference.<output>": last policy - first policy}``.
    """
    world_values, levers = split_overrides(task.values)
    params = task.world.updated(nest_dotted(world_values)) if world_values else task.world
    params = scale_world(params, task.scale)
    keywords = {k.replace(".", "__"): v for k, v in levers.items()}
    row: dict[str, float] = {}
    for policy in task.policies:
        seed = run_seed(task.seed, task.number)
        model = IdentificationModel(params, policy, rng=seed, **keywords)
        summary = model.run(task.years)
        for output in task.outputs:
            row[f"{policy}.{output}"] = float(summary[output]) / task.scale
    first, last = task.policies[0], task.policies[-1]
    for output in task.outputs:
        row[f"difference.{output}"] = row[f"{last}.{output}"] - row[f"{first}.{output}"]
    return row


class PolicyDifference:
    """A vectorised evaluation function for :mod:`experiments.sensitivity.methods`.

    Args:
        world: The scenario's parameters (full scale).
        space: The varying parameters (SALib samples are in its sampling scale).
        policies: Policies compared; outputs are last minus first.
        outputs: Summary outcomes (e.g. ``victims_identified``, ``prosecutions``).
        executor: Where runs execute.
        seed: Root seed; sample ``i`` of a design runs on seed ``(seed, offset + i)``.
        years: Simulated years.
        scale: Population scale.
        progress: Optional callback.
        fixed: Values set in every run (world fields or screening levers), under the sample's.
    """

    def __init__(
        self,
        world: Parameters,
        space: ParameterSpace,
        policies: Sequence[str],
        outputs: Sequence[str],
        executor: Executor,
        *,
        seed: int,
        years: int,
        scale: float,
        progress: Progress | None = None,
        fixed: Mapping[str, Any] | None = None,
    ) -> None:
        self.world = world
        self.fixed = dict(fixed or {})
        self.space = space
        self.policies = tuple(policies)
        self.outputs = tuple(outputs)
        self.executor = executor
        self.seed = seed
        self.years = years
        self.scale = scale
        self.progress = progress
        self.offset = 0
        self.rows: list[dict[str, float]] = []
        self.done = 0
        self.planned = 0

    def __call__(self, design: np.ndarray) -> np.ndarray:
        """Run every row of ``design``; return the differences ``(n, len(outputs))``."""
        tasks = [self.task(self.space.to_values(x)) for x in design]
        return self.run(tasks)

    def task(self, values: dict[str, Any]) -> PairTask:
        """The task of one sample, numbered in submission order (its seed follows)."""
        number = self.offset
        self.offset += 1
        return PairTask(
            self.world,
            {**self.fixed, **values},
            self.policies,
            self.outputs,
            self.seed,
            number,
            self.years,
            self.scale,
        )

    def run(self, tasks: Sequence[PairTask]) -> np.ndarray:
        """Run tasks on the executor, in order; keep every row; return the differences."""
        futures = [self.executor.submit(run_pair, t) for t in tasks]
        rows = []
        for future in futures:
            rows.append(future.result())
            self.done += len(self.policies)
            if self.progress:
                self.progress(self.done, max(self.planned, self.done))
        self.rows.extend(rows)
        return np.array([[r[f"difference.{o}"] for o in self.outputs] for r in rows])

    def noise(self, replicates: int) -> np.ndarray:
        """Differences at the scenario's own values over ``replicates`` seeds (noise only)."""
        return self.run([self.task({}) for _ in range(replicates)])
