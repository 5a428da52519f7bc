"""The perturbation kernel of the project's ABC-SMC, and the importance weights it implies.

Each generation draws a parent from the previous population by weight and moves it with a
Gaussian kernel of twice the weighted covariance of that population (Beaumont et al. 2009,
*Biometrika* 96(4)). A proposal that leaves the prior box is thrown away with its parent and
both are drawn again, so the proposals' density is the kernel mixture ``Σ_j w_j K(θ | θ_j)``
cut to the box and scaled by one constant; with a uniform prior the importance weights are
``1 / Σ_j w_j K(θ | θ_j)``, with no per-parent correction for the share of a kernel outside
the box (that would be needed only if a parent, once drawn, were moved again until inside;
``tests/test_abc_kernel.py`` checks that the weighted proposals give back the prior).

The optimal local covariance of Filippi et al. (2013), one covariance per parent, was tried and
not kept: on a 12-parameter Gaussian test problem with 50 sets a generation (the shipped
calibration's shape) its weights collapsed sooner and its posterior came out too narrow
(``benchmarks/README.md``).
"""

from __future__ import annotations

import numpy as np

from experiments.core.parameter_space import ParameterSpace


def covariance(space: ParameterSpace, previous: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The kernel's covariance: twice the weighted covariance of ``previous``, plus a floor.

    Args:
        space: The sampling space (its box sets a floor on every variance).
        previous: The previous population in the sampling scale, ``(parents, d)``.
        weights: Its normalised weights.
    """
    # A floor of 1/1000 of each prior width keeps the kernel proper when a parameter (an
    # integer, say) has collapsed onto one value.
    floor = np.diag((np.diff(space.internal_bounds(), axis=1)[:, 0] * 1e-3) ** 2)
    return 2.0 * np.atleast_2d(np.cov(previous, rowvar=False, aweights=weights)) + floor


def perturbed(
    rng: np.random.Generator,
    space: ParameterSpace,
    previous: np.ndarray,
    weights: np.ndarray,
    covariance: np.ndarray,
    size: int,
) -> np.ndarray:
    """Draw ``size`` parents by weight, move each by the kernel, keep those inside the box."""
    points = np.empty((size, len(space)))
    filled = 0
    while filled < size:
        picks = rng.choice(len(previous), size=size, p=weights)
        moved = rounded(
            space,
            previous[picks]
            + rng.multivariate_normal(np.zeros(len(space)), covariance, size=size),
        )
        keep = moved[space.inside(moved)][: size - filled]
        points[filled : filled + len(keep)] = keep
        filled += len(keep)
    return points


def rounded(space: ParameterSpace, points: np.ndarray) -> np.ndarray:
    """Round integer parameters (linear ranges only) so that a point is the set it runs."""
    for j, (name, spec) in enumerate(space.ranges.items()):
        if space.is_integer(name) and not spec.log:
            points[:, j] = np.round(points[:, j])
    return points


def importance_weights(
    points: np.ndarray,
    previous: np.ndarray,
    weights: np.ndarray,
    covariance: np.ndarray,
) -> np.ndarray:
    """Normalised weights ``1 / Σ_j w_j K(θ | θ_j)`` of the accepted ``points``.

    Args:
        points: Accepted sets in the sampling scale, ``(n, d)``.
        previous: The parents, ``(parents, d)``.
        weights: The parents' normalised weights.
        covariance: The kernel's covariance, ``(d, d)``.
    """
    inverse = np.linalg.inv(covariance)
    diff = points[:, None, :] - previous[None, :, :]
    mahalanobis = np.einsum("ijk,kl,ijl->ij", diff, inverse, diff)
    # The kernel's normalising constant is the same for every parent and cancels.
    kernel = np.exp(-0.5 * mahalanobis) @ weights
    raw = 1.0 / np.maximum(kernel, 1e-300)
    return raw / raw.sum()
