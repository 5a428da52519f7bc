"""Recycling every ABC-SMC run into the posterior (experiments/calibration/recycling.py).

Protects: the proposal densities are normalised in full (Gaussian constant and share inside
the prior box), the weights are the balance heuristic's, and the recycled population targets
the same ABC posterior as the final generation, checked against the exact ABC posterior of the
two-means test problem at the final tolerance (a grid integral), with more effective sets.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from experiments.calibration import abc
from experiments.calibration.recycling import Proposal, log_density, recycled_weights
from experiments.core.executors import InProcessExecutor
from experiments.core.parameter_space import ParameterRange, ParameterSpace
from tests import known_posterior as kp


def box(low: float, high: float, names=("a", "b")) -> ParameterSpace:
    return ParameterSpace({n: ParameterRange(low=low, high=high) for n in names}, schema=False)


def test_the_prior_density_is_one_over_the_box_volume():
    space = box(-1.0, 3.0)
    points = np.array([[0.0, 0.0], [2.5, -0.5]])
    density = log_density(space, Proposal(0, 10), points, np.random.default_rng(0))
    assert density == pytest.approx(np.full(2, -np.log(16.0)))


def test_a_kernel_mixture_far_inside_the_box_is_the_gaussian_mixture():
    space = box(-50.0, 50.0)
    parents = np.array([[0.0, 0.0], [1.0, -1.0]])
    weights = np.array([0.25, 0.75])
    covariance = np.array([[0.5, 0.1], [0.1, 0.3]])
    points = np.array([[0.2, 0.1], [1.5, -0.7], [-0.4, 0.9]])
    expected = np.log(
        0.25 * stats.multivariate_normal(parents[0], covariance).pdf(points)
        + 0.75 * stats.multivariate_normal(parents[1], covariance).pdf(points)
    )
    proposal = Proposal(1, 10, parents, weights, covariance)
    got = log_density(space, proposal, points, np.random.default_rng(0))
    assert got == pytest.approx(expected, rel=1e-9)


def test_a_kernel_cut_in_half_by_the_box_has_twice_the_density_inside():
    space = box(0.0, 10.0, names=("a",))
    proposal = Proposal(1, 10, np.array([[0.0]]), np.array([1.0]), np.array([[1.0]]))
    got = log_density(space, proposal, np.array([[0.5]]), np.random.default_rng(1))
    expected = np.log(2 * stats.norm.pdf(0.5))
    assert got[0] == pytest.approx(expected, abs=0.02)  # share 0.5 from 20,000 draws


def test_weights_are_one_over_the_run_weighted_mixture_of_densities():
    space = box(-5.0, 5.0)
    kernel = Proposal(1, 30, np.array([[0.0, 0.0]]), np.array([1.0]), np.eye(2) * 0.2)
    prior = Proposal(0, 10)
    points = np.array([[0.0, 0.0], [1.0, 1.0], [-2.0, 3.0]])
    rng = np.random.default_rng(0)
    weights = recycled_weights(space, points, [prior, kernel], rng)
    mixture = 10 / 40 / 100 + 30 / 40 * stats.multivariate_normal([0, 0], np.eye(2) * 0.2).pdf(
        points
    )
    expected = (1 / mixture) / (1 / mixture).sum()
    assert weights == pytest.approx(expected, rel=1e-3)
    assert recycled_weights(space, points[:0], [prior], rng).size == 0


def exact_abc_moments(tolerance: float) -> tuple[np.ndarray, np.ndarray]:
    """Means and sds of the two-means ABC posterior at ``tolerance`` (grid over the box).

    A set is accepted when the Mahalanobis distance of its simulated mean to the observed one
    is within the tolerance; the simulated mean is N(θ, Σ/n), so the chance is a noncentral
    chi-square (2 degrees of freedom) distribution function at tolerance² with noncentrality
    the squared Mahalanobis distance of θ to the observed mean.
    """
    sd = np.sqrt(np.diag(kp.COVARIANCE))
    axes = [np.linspace(m - 12 * s, m + 12 * s, 601) for m, s in zip(kp.OBSERVED, sd, strict=True)]
    grid = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1).reshape(-1, 2)
    gap = grid - kp.OBSERVED
    noncentral = np.einsum("ij,jk,ik->i", gap, np.linalg.inv(kp.COVARIANCE), gap)
    density = stats.ncx2.cdf(tolerance**2, 2, noncentral)
    density /= density.sum()
    mean = density @ grid
    return mean, np.sqrt(density @ (grid - mean) ** 2)


def test_the_recycled_population_is_the_abc_posterior_at_the_final_tolerance():
    """Known answer: recycled and final-generation weighted moments against the exact ones.

    The exact ABC posterior at the final tolerance (not the exact posterior: a tolerance above
    0 widens it) by a grid integral. The recycled population holds every run within the
    tolerance, so it has more sets and a larger effective sample size than the final
    generation, and both estimate the same moments.
    """
    settings = dict(population=100, generations=20, quantile=0.5, max_simulations=1500)
    recycled = abc.smc(kp.GaussianMeans(seed=5), InProcessExecutor(), **settings)
    alone = abc.smc(kp.GaussianMeans(seed=5), InProcessExecutor(), recycle=False, **settings)
    assert recycled.final_tolerance == alone.final_tolerance  # the same sampler path
    assert recycled.simulations.equals(alone.simulations)
    tolerance = recycled.final_tolerance
    accepted = recycled.accepted
    assert (accepted["distance"] <= tolerance).all()
    within = recycled.simulations.loc[recycled.simulations["distance"] <= tolerance, "number"]
    assert list(accepted["number"]) == list(within)  # every run within it, in run order
    assert recycled.ess > 1.5 * alone.ess
    mean, sd = exact_abc_moments(tolerance)
    values = accepted[list(kp.NAMES)].to_numpy()
    w = accepted["weight"].to_numpy()
    got_mean = w @ values
    got_sd = np.sqrt(w @ (values - got_mean) ** 2)
    assert np.abs(got_mean - mean) / sd == pytest.approx([0, 0], abs=0.2), (got_mean, mean)
    assert got_sd / sd == pytest.approx([1, 1], abs=0.15), (got_sd, sd)


def test_recycled_weights_undo_where_the_runs_were_drawn_from():
    """Known answer: runs from a flat prior and from a kernel cut by the box's edge.

    Box [0, 10]; 5,000 runs from the prior and 5,000 from a Gaussian kernel at 10 (sd 1)
    redrawn until inside, so half of it is cut off. Keeping the runs in [7, 10], the target is
    flat there: mean 8.5, sd 0.866. Unweighted, the kept runs crowd toward 10 (mean 9.05);
    weighted by one over the run-weighted mixture of the two densities, each normalised in the
    box, they are flat again (8.48-8.51 over 5 seeds; leaving out the kernel's share inside the
    box gives 8.63-8.66).
    """
    space = box(0.0, 10.0, names=("a",))
    rng = np.random.default_rng(11)
    prior_runs = rng.uniform(0.0, 10.0, 5000)
    kernel_runs = stats.truncnorm.rvs(-10.0, 0.0, loc=10.0, scale=1.0, size=5000, random_state=rng)
    runs = np.concatenate([prior_runs, kernel_runs])
    kept = runs[(runs >= 7.0) & (runs <= 10.0)][:, None]
    kernel = Proposal(1, 5000, np.array([[10.0]]), np.array([1.0]), np.array([[1.0]]))
    weights = recycled_weights(space, kept, [Proposal(0, 5000), kernel], rng)
    mean = float(weights @ kept[:, 0])
    sd = float(np.sqrt(weights @ (kept[:, 0] - mean) ** 2))
    assert kept[:, 0].mean() > 9.0  # the unweighted runs are far off
    assert mean == pytest.approx(8.5, abs=0.06)
    assert sd == pytest.approx(3 / np.sqrt(12), abs=0.03)
