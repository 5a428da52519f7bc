"""Every run of an ABC-SMC counted in its posterior: weights over all generations' proposals.

ABC-SMC (:mod:`experiments.calibration.abc`) keeps only the final generation's population, so
a run of an earlier generation that also lies within the final tolerance is thrown away, and so
is every run of a generation that the budget cut short. Yet each run was drawn from a known
density: the prior (generation 0) or its generation's proposal, the kernel mixture
``Σ_j w_j K(θ | θ_j)`` around the previous population cut to the prior box. So every run whose
distance is within the final tolerance ``ε`` is a draw from the ABC posterior
``π_ε(θ) ∝ π(θ) P(d ≤ ε | θ)`` once it is weighted by the prior over the density it was drawn
from. Weighting by the *mixture* of all the densities used, each by its number of runs (the
balance heuristic of multiple importance sampling: Veach & Guibas 1995; Owen & Zhou 2000,
*JASA* 95(449); the deterministic-mixture weights of adaptive multiple importance sampling,
Cornuet, Marin, Mira & Robert 2012, *Scand. J. Stat.* 39(4); persistent sampling in SMC,
Karamanis & Seljak 2024, arXiv 2407.20722)::

    w_i ∝ 1[d_i ≤ ε] π(θ_i) / Σ_g n_g q_g(θ_i)

gives the same target with more, and more evenly weighted, sets than the final generation
alone. Nothing is simulated again: the weights need the runs' values and distances and the
densities the sampler used, which it records (:class:`Proposal`).

Each proposal density is normalised in full (the Gaussian's constant and the share of the
kernel mixture inside the box differ between generations and do not cancel). The share inside
the box is estimated from :data:`BOX_DRAWS` draws of the mixture with a generator of its own,
so the sampler's stream and its path are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from experiments.core.parameter_space import ParameterSpace

#: Draws of each proposal mixture that estimate the share of it inside the prior box.
BOX_DRAWS = 20_000
#: Points whose densities are evaluated together (bounds memory at points x parents x d).
_CHUNK = 256


@dataclass(frozen=True)
class Proposal:
    """The density one generation's runs were drawn from.

    Attributes:
        generation: The generation (0: the prior).
        runs: How many runs were drawn from it (rejected ones too).
        parents: The previous population in the sampling scale, ``(parents, d)``; empty for
            the prior.
        weights: The parents' normalised weights.
        covariance: The kernel's covariance, ``(d, d)``.
    """

    generation: int
    runs: int
    parents: np.ndarray | None = None
    weights: np.ndarray | None = None
    covariance: np.ndarray | None = None


def log_density(
    space: ParameterSpace, proposal: Proposal, points: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Log density of ``proposal`` at ``points`` (in the box; sampling scale), ``(n,)``."""
    bounds = space.internal_bounds()
    log_volume = float(np.sum(np.log(bounds[:, 1] - bounds[:, 0])))
    if proposal.parents is None:
        return np.full(len(points), -log_volume)
    parents, weights, covariance = proposal.parents, proposal.weights, proposal.covariance
    d = parents.shape[1]
    cholesky = np.linalg.cholesky(covariance)
    log_norm = -0.5 * d * np.log(2 * np.pi) - np.sum(np.log(np.diag(cholesky)))
    log_weights = np.log(np.maximum(weights, 1e-300))
    out = np.empty(len(points))
    for start in range(0, len(points), _CHUNK):
        diff = points[start : start + _CHUNK, None, :] - parents[None, :, :]
        solved = np.linalg.solve(cholesky, diff.reshape(-1, d).T).T.reshape(diff.shape)
        terms = log_weights - 0.5 * np.einsum("ijk,ijk->ij", solved, solved)
        peak = terms.max(axis=1)
        out[start : start + _CHUNK] = peak + np.log(np.exp(terms - peak[:, None]).sum(axis=1))
    return out + log_norm - np.log(_share_inside(space, proposal, cholesky, rng))


def _share_inside(
    space: ParameterSpace, proposal: Proposal, cholesky: np.ndarray, rng: np.random.Generator
) -> float:
    """The share of the kernel mixture inside the prior box (Monte Carlo, at least 1/BOX_DRAWS)."""
    picks = rng.choice(len(proposal.parents), size=BOX_DRAWS, p=proposal.weights)
    noise = rng.standard_normal((BOX_DRAWS, len(cholesky))) @ cholesky.T
    inside = np.count_nonzero(space.inside(proposal.parents[picks] + noise))
    return max(inside, 1) / BOX_DRAWS


def recycled_weights(
    space: ParameterSpace,
    points: np.ndarray,
    proposals: list[Proposal],
    rng: np.random.Generator,
) -> np.ndarray:
    """Normalised weights of ``points`` (runs within the final tolerance) over all proposals.

    Args:
        space: The sampling space (uniform prior on its box).
        points: The runs to weigh, in the sampling scale, ``(n, d)``; each must lie in the box
            and have been drawn from one of ``proposals``.
        proposals: Every density runs were drawn from, each with its number of runs.
        rng: The generator that estimates each proposal's share inside the box
            (:func:`experiments.core.seeds.recycling_rng`; never the sampler's).

    Returns:
        Weights summing to 1, ``(n,)``.
    """
    if len(points) == 0:
        return np.empty(0)
    total = sum(p.runs for p in proposals)
    terms = np.stack(
        [
            np.log(p.runs / total) + log_density(space, p, points, rng)
            for p in proposals
            if p.runs > 0
        ]
    )
    peak = terms.max(axis=0)
    log_mixture = peak + np.log(np.exp(terms - peak).sum(axis=0))
    # The prior is constant in the box, so the weight is 1 over the mixture's density.
    raw = np.exp(-(log_mixture - log_mixture.min()))
    return raw / raw.sum()
