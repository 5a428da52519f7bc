"""The removal clock: a minimum processing time plus a gamma wait, with a known mean."""

import numpy as np
import pytest

from model import IdentificationModel
from model.custody import removal_days
from model.dice import Dice
from model.parameters import DetentionParameters
from model.population import NO_WEEK

DRAWS = 200_000


def draw(seed=3, count=DRAWS, week=5, **fields):
    """Removal days of ``count`` detainees (identities 0 ..) detained in ``week``."""
    dice = Dice.from_seed(np.random.SeedSequence(seed))
    return removal_days(dice, np.arange(count), week, DetentionParameters(**fields))


def test_no_detainee_is_removed_in_the_first_week_when_the_minimum_exceeds_a_week():
    days = draw(removal_days=28.0, removal_min_days=8.0, removal_shape=2.0)
    assert days.min() >= 8.0
    assert np.mean(days < 7.0) == 0.0


@pytest.mark.parametrize(
    ("mean", "minimum", "shape"), [(28.0, 7.0, 2.0), (28.0, 0.0, 1.0), (60.0, 20.0, 0.5)]
)
def test_the_sample_mean_is_the_removal_days_within_sampling_error(mean, minimum, shape):
    days = draw(removal_days=mean, removal_min_days=minimum, removal_shape=shape)
    # the gamma wait has standard deviation (mean - minimum) / sqrt(shape)
    standard_error = (mean - minimum) / np.sqrt(shape) / np.sqrt(DRAWS)
    assert abs(days.mean() - mean) < 4 * standard_error
    assert abs(days.std() - (mean - minimum) / np.sqrt(shape)) < 0.02 * (mean - minimum)


def test_shape_one_without_a_minimum_is_the_memoryless_clock():
    days = draw(removal_days=28.0, removal_min_days=0.0, removal_shape=1.0)
    first_week = 1.0 - np.exp(-7.0 / 28.0)  # ~22%
    assert abs(np.mean(days < 7.0) - first_week) < 4 * np.sqrt(first_week / DRAWS)


def test_a_mean_below_the_minimum_holds_every_detainee_exactly_the_mean():
    assert np.all(draw(count=50, removal_days=3.0, removal_min_days=7.0) == 3.0)
    assert np.all(draw(count=50, removal_days=0.0) == 0.0)


def test_the_same_seed_draws_the_same_removal_times():
    fields = {"removal_days": 28.0, "removal_min_days": 7.0, "removal_shape": 2.0}
    assert np.array_equal(draw(count=1_000, **fields), draw(count=1_000, **fields))
    # Each detainee's time is its own: fewer detainees leave the others' times as they were.
    assert np.array_equal(draw(count=1_000, **fields)[:10], draw(count=10, **fields))
    assert not np.array_equal(draw(count=10, **fields), draw(count=10, week=6, **fields))


def test_detainees_in_a_run_are_held_at_least_the_minimum(small_world):
    model = IdentificationModel(
        small_world, "detention_first", rng=2, detention__removal_min_days=10.0
    )
    held = 0
    for _ in range(26):
        model.step()
        slots = model.custody.case_slots()
        pop = model.population
        detained = slots[pop.removal_week[slots] != NO_WEEK]
        held += len(detained)
        # planned days of at least 10 put the removal week after the week of detention
        assert np.all(pop.planned_days[detained] >= 10.0)
    assert held > 20, "the test needs detainees"
