"""Random selection that draws only for touched migrants is still independent Bernoulli."""

import numpy as np
import pytest

from model.sampling import candidate_slots, stochastic_round, thinned_slots, weekly_probability


def test_candidate_slots_select_each_slot_with_the_given_probability():
    rng = np.random.default_rng(0)
    hits = np.zeros(1000)
    for _ in range(2000):
        hits[candidate_slots(rng, 1000, 0.05)] += 1
    assert hits.mean() / 2000 == pytest.approx(0.05, rel=0.03)
    # Uniform across slots: no slot is favoured (chi-square-like spread bound).
    assert hits.std() < 3 * np.sqrt(2000 * 0.05 * 0.95)


def test_thinning_gives_each_eligible_slot_its_own_probability():
    rng = np.random.default_rng(1)
    eligible = np.arange(10_000) % 2 == 0
    p = np.where(np.arange(10_000) % 4 == 0, 0.1, 0.02)
    counts = np.zeros(10_000)
    for _ in range(300):
        picked = thinned_slots(rng, 10_000, 0.1, lambda s: eligible[s], lambda s: p[s] / 0.1)
        counts[picked] += 1
    assert counts[~eligible].sum() == 0
    assert counts[np.arange(10_000) % 4 == 0].mean() / 300 == pytest.approx(0.1, rel=0.05)
    assert counts[np.arange(10_000) % 4 == 2].mean() / 300 == pytest.approx(0.02, rel=0.1)


def test_weekly_probability_compounds_to_the_yearly_rate():
    p = weekly_probability(0.5)
    assert 1 - (1 - p) ** 52 == pytest.approx(1 - np.exp(-0.5))
    assert weekly_probability(0.0) == 0.0


def test_stochastic_round_keeps_the_mean():
    rng = np.random.default_rng(2)
    values = np.full(100_000, 1.25)
    rounded = stochastic_round(rng, values)
    assert set(np.unique(rounded)) == {1, 2}
    assert rounded.mean() == pytest.approx(1.25, abs=0.01)
