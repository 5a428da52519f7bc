"""Life after removal: victims removed unidentified (or leaving after support) come back
re-trafficked with the stated chance and delay; off, the model is the one without it."""

from __future__ import annotations

import numpy as np

from model import IdentificationModel
from tests.expectations import assert_share

SMALL = {
    "population.domestic_workers": 4000,
    "population.other_workers": 200,
    "population.sex_workers": 1000,
    "population.irregular": 3000,
}


def run(years: float = 2.0, seed: int = 5, **after_removal):
    overrides = dict(SMALL)
    if after_removal:
        after_removal.setdefault("enabled", True)
    overrides.update({f"after_removal.{k}": v for k, v in after_removal.items()})
    model = IdentificationModel(rng=seed, overrides=overrides)
    summary = model.run(years)
    return model, summary


def test_off_the_mechanism_draws_nothing_and_changes_nothing():
    """Switched off, its other parameters have no effect: the run is the model without it."""
    _, plain = run(years=1.0)
    _, off = run(years=1.0, enabled=False, return_probability=1.0, return_delay_weeks=1.0)
    assert plain == off
    assert plain["returned"] == 0 and plain["victims_returned"] == 0


def test_every_victim_removed_unidentified_comes_back_after_the_fixed_delay():
    """Chance 1 and a delay of exactly 4 weeks: week w's removals come back in week w + 4."""
    model, summary = run(
        return_probability=1.0,
        identified_factor=0.0,
        return_delay_weeks=4.0,
        return_min_weeks=4.0,
    )
    weekly = model.weekly()
    removed = weekly["victims_removed_unidentified"].to_numpy()
    returned = weekly["returned"].to_numpy()
    assert removed.sum() > 20
    np.testing.assert_array_equal(returned[4:], removed[:-4])
    assert returned[:4].sum() == 0
    assert 0 < summary["victims_returned"] <= summary["returned"]


def test_the_chance_of_coming_back_is_return_probability():
    model, summary = run(
        years=3.0,
        return_probability=0.5,
        identified_factor=0.0,
        return_delay_weeks=1.0,
        return_min_weeks=1.0,
    )
    weekly = model.weekly()
    removed = int(weekly["victims_removed_unidentified"].to_numpy()[:-1].sum())
    assert removed > 100
    assert_share(summary["returned"] / removed, 0.5, removed)


def test_returnees_count_again_among_the_victims_present():
    _, off = run()
    _, on = run(return_probability=1.0, return_delay_weeks=2.0, return_min_weeks=1.0)
    assert on["victims_returned"] > 0
    assert on["victims_present"] > off["victims_present"]
