"""Invariants checked every week: one state per migrant, conservation, funnel order."""

import pytest

from model import IdentificationModel
from model.invariants import funnel_violations, violations


@pytest.mark.parametrize("policy", ["detention_first", "screening_before_detention"])
def test_invariants_hold_every_week(small_world, policy):
    model = IdentificationModel(small_world, policy, rng=11)
    assert violations(model) == []
    size = model.population_size
    for week in range(3 * 52):
        model.step()
        assert violations(model) == [], f"week {week}"
        flows = model.datacollector.model_vars
        arrivals, departures = flows["arrivals"][-1], flows["departures"][-1]
        removed, left = flows["removed"][-1], flows["support_departures"][-1]
        assert model.population_size == size + arrivals - departures - removed - left, (
            f"week {week}: migrants not conserved"
        )
        size = model.population_size
        assert funnel_violations(model.outcomes.total) == [], f"week {week}"
        assert model.victims_present <= model.population_size
    totals = model.summary()
    assert 0 < totals["victims_identified"] <= totals["victims_encountered"]
    assert totals["victims_encountered"] <= totals["victims_present"]


def test_every_migrant_is_in_exactly_one_stage(small_world):
    model = IdentificationModel(small_world, "screening_before_detention", rng=12)
    model.run(1)
    counts = model.stage_counts()
    assert sum(counts.values()) == model.population.capacity
    assert counts["community"] + counts["detained"] + counts["supported"] == model.population_size
    assert counts["detained"] == model.detainee_count
    assert counts["supported"] == model.supported_count
