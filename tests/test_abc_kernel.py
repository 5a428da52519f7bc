"""The ABC-SMC kernel's importance weights: with no tolerance to pass, weighted proposals must
give back the prior, including next to the box's bounds, where a proposal that leaves the box
is drawn again with a new parent."""

import numpy as np
import pytest

from experiments.calibration import kernels
from experiments.core.parameter_space import ParameterRange, ParameterSpace

#: Parents near the lower bound, one in the middle and one near the upper bound.
PARENTS = np.array([[0.02], [0.1], [0.5], [0.9]])
WEIGHTS = np.full(4, 0.25)
COVARIANCE = np.array([[0.2**2]])


def unit_box() -> ParameterSpace:
    return ParameterSpace({"x": ParameterRange(low=0.0, high=1.0)}, schema=False)


def test_weighted_proposals_give_back_the_uniform_prior():
    space, rng = unit_box(), np.random.default_rng(7)
    points = kernels.perturbed(rng, space, PARENTS, WEIGHTS, COVARIANCE, 40_000)
    w = kernels.importance_weights(points, PARENTS, WEIGHTS, COVARIANCE)
    x = points[:, 0]
    assert ((x >= 0) & (x <= 1)).all()
    assert w.sum() == pytest.approx(1.0)
    assert w @ x == pytest.approx(0.5, abs=0.01)
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):  # each fifth of the box holds a fifth of the weight
        assert w[(x >= low) & (x < low + 0.2)].sum() == pytest.approx(0.2, abs=0.01)
    # Unweighted, the proposals crowd where the parents are (0.02 and 0.1: the lowest fifth).
    assert (x < 0.2).mean() > 0.25


def test_weights_of_equal_kernel_densities_are_equal():
    """Two points placed symmetrically between two equal parents weigh the same."""
    parents = np.array([[0.4], [0.6]])
    points = np.array([[0.45], [0.55]])
    w = kernels.importance_weights(points, parents, np.array([0.5, 0.5]), np.array([[0.01]]))
    assert w == pytest.approx([0.5, 0.5])
