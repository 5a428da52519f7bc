"""Bulk selection of slots, and weekly probabilities from yearly rates."""

import numpy as np
import pytest

from model.sampling import candidate_slots, weekly_probability


def test_candidate_slots_select_each_slot_with_the_given_probability():
    rng = np.random.default_rng(0)
    hits = np.zeros(1000)
    for _ in range(2000):
        hits[candidate_slots(rng, 1000, 0.05)] += 1
    assert hits.mean() / 2000 == pytest.approx(0.05, rel=0.03)
    # Uniform across slots: no slot is favoured (chi-square-like spread bound).
    assert hits.std() < 3 * np.sqrt(2000 * 0.05 * 0.95)


def test_weekly_probability_compounds_to_the_yearly_rate():
    p = weekly_probability(0.5)
    assert 1 - (1 - p) ** 52 == pytest.approx(1 - np.exp(-0.5))
    assert weekly_probability(0.0) == 0.0
