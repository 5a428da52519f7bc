"""Random selection of slots in bulk, and weekly probabilities from yearly rates.

The model's own weekly events draw from per-migrant candidate clocks (``model.hazards``), keyed
by identity; :func:`candidate_slots` remains for benchmarks that select slots in bulk from a
numpy stream (``benchmarks/mesa_ratio.py``).
"""

from __future__ import annotations

import numpy as np


def candidate_slots(rng: np.random.Generator, capacity: int, p_max: float) -> np.ndarray:
    """Select each of ``capacity`` slots independently with probability ``p_max``.

    Args:
        rng: Random stream.
        capacity: Number of slots.
        p_max: Selection probability, 0-1.

    Returns:
        Sorted slot indices.
    """
    p_max = min(max(p_max, 0.0), 1.0)
    if p_max == 0.0 or capacity == 0:
        return np.empty(0, dtype=np.int64)
    count = int(rng.binomial(capacity, p_max))
    if count == 0:
        return np.empty(0, dtype=np.int64)
    return np.sort(rng.choice(capacity, size=count, replace=False))


def weekly_probability(rate_per_year: float) -> float:
    """Convert a yearly rate (per person) into a weekly probability."""
    return float(-np.expm1(-rate_per_year / 52.0))
