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


def grown(values: np.ndarray, length: int) -> np.ndarray:
    """``values`` at the start of a new zero-filled array of ``length`` (at least theirs)."""
    wider = np.zeros(length, dtype=values.dtype)
    wider[: len(values)] = values
    return wider


class GrowingArray:
    """A one-dimensional array appended to in place (its storage doubles when full).

    ``np.concatenate`` copies the whole array at every append; this copies only what is added.

    """

    def __init__(self, dtype: type = np.int64, capacity: int = 1024) -> None:
        self._data = np.empty(capacity, dtype=dtype)
        self._size = 0

    def __len__(self) -> int:
        return self._size

    @property
    def values(self) -> np.ndarray:
        """The values so far (a view, valid until the next change)."""
        return self._data[: self._size]

    def extend(self, values: np.ndarray) -> None:
        """Append ``values``."""
        end = self._size + len(values)
        if end > len(self._data):
            self._data = grown(self._data[: self._size], max(end, 2 * len(self._data)))
        self._data[self._size : end] = values
        self._size = end

    def replace(self, values: np.ndarray) -> None:
        """Make ``values`` the whole content."""
        self._size = 0
        self.extend(values)
