"""Small array helpers shared by the column stores, cheaper than their numpy counterparts here.

On numpy 2, ``np.unique`` of integers takes a hashing path that costs about 100 microseconds
for a few thousand values, more than the rest of a typical weekly operation; these helpers give
the same results by sorting or counting.
"""

from __future__ import annotations

import numpy as np


def codes_present(codes: np.ndarray) -> np.ndarray:
    """The distinct values of non-negative integer ``codes`` (e.g. enumeration codes), ascending.

    The same as ``np.unique(codes)`` (same dtype), by a count of each code.
    """
    codes = np.asarray(codes)
    if len(codes) == 0:
        return codes
    return np.flatnonzero(np.bincount(codes)).astype(codes.dtype)


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The distinct values, ascending: ``np.unique(values)`` by a sort."""
    values = np.sort(values)
    if len(values) < 2:
        return values
    return values[np.concatenate(([True], values[1:] != values[:-1]))]


def repeats(values: np.ndarray) -> bool:
    """Whether any value occurs more than once."""
    if len(values) < 2:
        return False
    ordered = np.sort(values)
    return bool((ordered[1:] == ordered[:-1]).any())
