"""Limited places shared by each claimant's own numbers: fair, never twice, stable to others.

Protects ``model.rationing``: every place is equally likely for a claimant, no place is given
twice, scarce places go to the lowest priority numbers (a uniformly random set), and one more
claimant or place moves only its neighbours' places.
"""

import numpy as np
import pytest

from model.dice import Decision, Dice
from model.rationing import RING_WEEKS, Ring, kept_by_priority

DICE = Dice(29)
DECISION = Decision.OFFICER_PLACE


def test_each_place_is_equally_likely_for_a_claimant():
    free = np.ones(20, dtype=bool)
    hits = np.zeros(20)
    weeks = 8000
    for week in range(weeks):
        ring = Ring(DICE, DECISION, np.arange(20) * 7, week * RING_WEEKS)  # a new epoch
        hits[ring.assign(np.array([5]), free, week)] += 1
    assert hits.sum() == weeks
    # Binomial(8000, 1/20): sd 19.5 around 400.
    assert np.abs(hits - weeks / 20).max() < 4.5 * np.sqrt(weeks / 20 * 0.95)


def test_no_place_is_given_twice_and_scarce_places_go_to_the_lowest_numbers():
    ring = Ring(DICE, DECISION, np.arange(30), week=4)
    free = np.arange(30) % 3 != 0  # 20 free places
    claimants = np.arange(1000, 1050)
    got = ring.assign(claimants, free, week=4)
    placed = got[got >= 0]
    assert len(placed) == 20 and len(set(placed.tolist())) == 20
    assert free[placed].all()
    kept = kept_by_priority(DICE, DECISION, claimants, 20, 4)
    assert ((got >= 0) == kept).all()


def test_scarce_places_are_a_uniformly_random_set():
    claimants = np.arange(10)
    kept = np.zeros(10)
    for week in range(4000):
        kept += kept_by_priority(DICE, DECISION, claimants, 3, week)
    assert kept / 4000 == pytest.approx(np.full(10, 0.3), abs=0.03)


def test_one_more_claimant_moves_few_others():
    ring = Ring(DICE, DECISION, np.arange(400), week=9)
    free = np.ones(400, dtype=bool)
    claimants = np.arange(100)
    before = ring.assign(claimants, free, week=9)
    after = ring.assign(np.append(claimants, 5000), free, week=9)[:100]
    assert (before != after).sum() <= 3
