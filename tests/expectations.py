"""Checks of random counts and shares against their known expectations, shared by the tests.

Each allows four standard errors either way: a mechanism drawing at the right rate fails about
once in 16,000 runs (and the seeds are fixed), one whose rate is off by more fails.
"""

import numpy as np


def assert_mean(counts, expected):
    """Assert that the mean of ``counts`` is within 4 standard errors of ``expected``.

    Each count is a sum of independent Bernoulli draws or a Poisson count, so its variance is at
    most its mean: the standard error of the mean is at most ``sqrt(expected / len(counts))``.
    """
    mean = float(np.mean(counts))
    assert abs(mean - expected) < 4 * np.sqrt(expected / len(counts)), (mean, expected)


def assert_share(share, expected, trials):
    """Assert that a share of ``trials`` independent yes/no draws is within 4 standard errors."""
    standard_error = np.sqrt(expected * (1.0 - expected) / trials)
    assert abs(share - expected) < 4 * standard_error, (share, expected)
