"""Random selection helpers that draw only for the migrants a mechanism touches.

At 400k migrants most of a vectorised step is random-number generation, so mechanisms never draw
one number per migrant per week. To select each eligible migrant independently with probability
``p_i <= p_max``, :func:`thinned_slots` draws a binomial count of candidate slots over the whole
store, keeps the eligible ones and accepts each with ``p_i / p_max``. The result has exactly the
distribution of independent Bernoulli draws, at a cost proportional to ``capacity * p_max``.
"""

from __future__ import annotations

from collections.abc import Callable

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


def thinned_slots(
    rng: np.random.Generator,
    capacity: int,
    p_max: float,
    eligible: Callable[[np.ndarray], np.ndarray],
    acceptance: Callable[[np.ndarray], np.ndarray] | None = None,
) -> np.ndarray:
    """Select eligible slots, each independently with probability ``p_max * acceptance``.

    Args:
        rng: Random stream.
        capacity: Number of slots in the store.
        p_max: Largest selection probability.
        eligible: Maps candidate slots to a boolean mask of those that may be selected.
        acceptance: Maps eligible slots to their acceptance probability (0-1); all accepted if
            omitted.

    Returns:
        Selected slot indices, sorted.
    """
    slots = candidate_slots(rng, capacity, p_max)
    # Draw every candidate's uniform before filtering, so that how many numbers the stream
    # consumes does not depend on the state: runs that share a seed stay in step (common
    # random numbers) even when policies have made their populations differ.
    uniforms = rng.random(len(slots)) if acceptance is not None else None
    keep = eligible(slots)
    slots = slots[keep]
    if uniforms is not None and len(slots):
        slots = slots[uniforms[keep] < acceptance(slots)]
    return slots


def weekly_probability(rate_per_year: float) -> float:
    """Convert a yearly rate (per person) into a weekly probability."""
    return float(-np.expm1(-rate_per_year / 52.0))


def stochastic_round(rng: np.random.Generator, values: np.ndarray) -> np.ndarray:
    """Round each value down or up with probability given by its fractional part."""
    floor = np.floor(values)
    return (floor + (rng.random(len(values)) < values - floor)).astype(np.int64)
