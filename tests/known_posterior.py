"""A test problem for the ABC samplers whose posterior is known exactly.

Two means ``mu_a``, ``mu_b`` of a bivariate normal with known covariance, a uniform prior on
a box, and observations summarised by their sample mean (sufficient). The sample mean of
``n`` observations is ``N(mu, Σ / n)``, so with a flat prior the posterior is
``N(observed mean, Σ / n)``, truncated to the box; the box reaches more than 10 posterior
standard deviations from the observed mean on each side, so the truncation is negligible.

A simulation draws the sample mean at a parameter set (seeded per run by
:mod:`experiments.core.seeds`, so the samplers stay deterministic) and its distance is the
Mahalanobis distance to the observed mean under ``Σ / n``. As the tolerance shrinks, the ABC
posterior tends to the exact one. Used by the tests and ``benchmarks/abc_posterior.py``;
:class:`GaussianMeans` also takes any other number of means (``benchmarks/abc_weights.py``
uses 12).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from experiments.calibration.abc import Outcome
from experiments.core.parameter_space import ParameterRange, ParameterSpace
from experiments.core.seeds import run_seed

NAMES = ("mu_a", "mu_b")
#: Observed sample mean.
OBSERVED = np.array([1.0, -0.5])
#: Covariance of the sample mean (Σ / n): standard deviations 0.3 and 0.5, correlation 0.5.
COVARIANCE = np.array([[0.09, 0.075], [0.075, 0.25]])


@dataclass(frozen=True)
class GaussianTask:
    """One simulated sample mean (picklable).

    By default the two means above; ``names``, ``observed`` and ``covariance`` give any other
    number of them. ``per_parameter`` divides the Mahalanobis distance by the square root of
    the number of means: with a diagonal covariance that is the root mean square, over the
    means, of the error in standard deviations, the calibration's distance for one pattern.
    """

    number: int
    seed: int
    values: dict[str, float]
    names: tuple[str, ...] = NAMES
    observed: tuple[float, ...] = tuple(OBSERVED)
    covariance: tuple[tuple[float, ...], ...] = tuple(map(tuple, COVARIANCE))
    per_parameter: bool = False

    def run(self) -> Outcome:
        """Draw the sample mean at ``values`` and measure its distance to the observed one."""
        rng = np.random.default_rng(run_seed(self.seed, self.number))
        mean = np.array([self.values[n] for n in self.names])
        covariance = np.array(self.covariance)
        simulated = rng.multivariate_normal(mean, covariance)
        gap = simulated - np.array(self.observed)
        distance = float(np.sqrt(gap @ np.linalg.solve(covariance, gap)))
        if self.per_parameter:
            distance /= np.sqrt(len(self.names))
        summary = pd.DataFrame([dict(zip(self.names, simulated, strict=True))])
        return Outcome(self.number, self.values, summary, {"mahalanobis": distance}, distance)


@dataclass
class GaussianMeans:
    """The problem as the samplers of :mod:`experiments.calibration.abc` take it.

    By default the two means above with their prior; other fields as in
    :class:`GaussianTask`, and a uniform prior on ``[low, high]`` for every mean.
    """

    seed: int = 1
    names: tuple[str, ...] = NAMES
    observed: tuple[float, ...] = tuple(OBSERVED)
    covariance: tuple[tuple[float, ...], ...] = tuple(map(tuple, COVARIANCE))
    per_parameter: bool = False
    low: float = -5.0
    high: float = 5.0
    space: ParameterSpace = field(init=False)

    def __post_init__(self) -> None:
        prior = {n: ParameterRange(low=self.low, high=self.high) for n in self.names}
        self.space = ParameterSpace(prior, schema=False)

    def task(self, number: int, internal: np.ndarray) -> GaussianTask:
        """The simulation numbered ``number`` at one parameter set."""
        values = {name: float(x) for name, x in zip(self.names, internal, strict=True)}
        return GaussianTask(
            number,
            self.seed,
            values,
            self.names,
            self.observed,
            self.covariance,
            self.per_parameter,
        )


def exact_sample(size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` draws from the exact posterior, shape ``(size, 2)``."""
    return rng.multivariate_normal(OBSERVED, COVARIANCE, size=size)


def posterior_errors(values: np.ndarray, weights: np.ndarray, exact: np.ndarray) -> dict:
    """How far a weighted ABC sample lies from the exact posterior.

    Args:
        values: Accepted parameter sets, shape ``(n, 2)`` in the order of :data:`NAMES`.
        weights: Their weights (any positive scale).
        exact: A large sample of the exact posterior (:func:`exact_sample`).

    Returns:
        Per parameter: ``mean_error_sd`` (weighted mean minus the exact mean, in exact
        posterior standard deviations), ``sd_ratio`` (weighted sd over the exact sd) and
        ``wasserstein_sd`` (weighted 1-Wasserstein distance of the marginal to the exact
        one, in exact sds); and ``energy``, the energy distance of the joint sample to the
        exact sample after standardising each coordinate by its exact sd.
    """
    w = np.asarray(weights, dtype=float) / np.sum(weights)
    sd = np.sqrt(np.diag(COVARIANCE))
    errors: dict = {}
    for j, name in enumerate(NAMES):
        mean = float(w @ values[:, j])
        spread = float(np.sqrt(w @ (values[:, j] - mean) ** 2))
        errors[name] = {
            "mean_error_sd": (mean - OBSERVED[j]) / sd[j],
            "sd_ratio": spread / sd[j],
            "wasserstein_sd": stats.wasserstein_distance(values[:, j], exact[:, j], w) / sd[j],
        }
    errors["energy"] = _energy_distance(values / sd, w, exact / sd)
    return errors


def _energy_distance(x: np.ndarray, w: np.ndarray, y: np.ndarray) -> float:
    """Energy distance of weighted ``x`` to equally weighted ``y``.

    ``2E|X-Y| - E|X-X'| - E|Y-Y'|`` (Székely and Rizzo 2013); 0 when they coincide.
    """
    v = np.full(len(y), 1.0 / len(y))

    def mean_distance(a, wa, b, wb):
        gaps = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=-1))
        return float(wa @ gaps @ wb)

    return 2 * mean_distance(x, w, y, v) - mean_distance(x, w, x, w) - mean_distance(y, v, y, v)
