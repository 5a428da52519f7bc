"""Small array helpers shared by the column stores, cheaper than their numpy counterparts here.

On numpy 2, ``np.unique`` of integers takes a hashing path that costs about 100 microseconds
for a few thousand values, more than the rest of a typical weekly operation; these helpers give
the same results by sorting or counting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Self

import numpy as np

if TYPE_CHECKING:
    from model.model import IdentificationModel


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


class SlotColumns:
    """Columns over the population's slots, kept by a mechanism apart from the population.

    A subclass declares its columns in ``COLUMNS`` (name: dtype and the value of a slot with
    nothing in it); each starts at the population's capacity and grows with it, padded with that
    value. :meth:`of` attaches one store to the model on first use, so a mechanism that is off
    keeps nothing.
    """

    COLUMNS: ClassVar[dict[str, tuple[Any, Any]]] = {}

    def __init__(self, capacity: int) -> None:
        for name, (dtype, empty) in self.COLUMNS.items():
            setattr(self, name, np.full(capacity, empty, dtype=dtype))

    def fit(self, capacity: int) -> None:
        """Grow with the population's arrays."""
        for name, (dtype, empty) in self.COLUMNS.items():
            column = getattr(self, name)
            if capacity > len(column):
                extra = np.full(capacity - len(column), empty, dtype=dtype)
                setattr(self, name, np.concatenate([column, extra]))

    @classmethod
    def of(cls, model: IdentificationModel, attribute: str, enabled: bool) -> Self | None:
        """The store kept as ``model.<attribute>``, fitted to the population (``None`` if off)."""
        if not enabled:
            return None
        store = getattr(model, attribute, None)
        if store is None:
            store = cls(model.population.capacity)
            setattr(model, attribute, store)
        store.fit(model.population.capacity)
        return store
