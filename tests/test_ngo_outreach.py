"""NGO outreach: its weekly volume, and its disruption in the 2019 protests and COVID-19.

Known answers on the small world with every route but NGO outreach switched off, victims no
likelier than others to reach an NGO: NGOs screen community domestic workers at
``ngo.screenings_per_year`` / 52 a week in expectation; while outreach is disrupted they screen
``ngo.disrupted_outreach_share`` of it; the share does nothing while outreach is not disrupted.
"""

import numpy as np

from model import IdentificationModel
from model.encounters import draw_encounters
from model.states import Group, Stage
from tests.expectations import assert_mean
from tests.test_routes import ONLY, WEEKS

PER_YEAR = 5_000.0
NGO_ONLY = {**ONLY, "ngo__screenings_per_year": PER_YEAR, "ngo__victim_relative_contact": 1.0}


def screened_a_week(world, **settings):
    """NGO clients screened a week over ``WEEKS`` draws on one population, and the expectation."""
    model = IdentificationModel(world, "detention_first", rng=4, **{**NGO_ONLY, **settings})
    pop = model.population
    community = ((pop.group == Group.DOMESTIC) & (pop.stage == Stage.COMMUNITY)).sum()
    community_share = community / pop.group_count[Group.DOMESTIC]
    counts = []
    for _ in range(WEEKS):
        draw_encounters(model)
        counts.append(model.outcomes.week["ngo_screened"])
        model.outcomes.close_week()
        model.week += 1  # each week's numbers are the week's own (model.dice)
    return np.array(counts), PER_YEAR / 52 * community_share


def test_ngos_screen_their_yearly_volume_a_week_at_a_time(small_world):
    counts, expected = screened_a_week(small_world)
    assert expected > 50, "the test needs NGO clients"
    assert_mean(counts, expected)


def test_disrupted_outreach_screens_its_share_of_the_usual(small_world):
    counts, expected = screened_a_week(
        small_world, ngo__outreach_disrupted=True, ngo__disrupted_outreach_share=0.25
    )
    assert_mean(counts, 0.25 * expected)


def test_disrupted_outreach_at_share_zero_screens_nobody(small_world):
    counts, _ = screened_a_week(
        small_world, ngo__outreach_disrupted=True, ngo__disrupted_outreach_share=0.0
    )
    assert counts.sum() == 0


def test_the_share_has_no_effect_while_outreach_is_not_disrupted(small_world):
    usual, _ = screened_a_week(small_world)
    unused, _ = screened_a_week(small_world, ngo__disrupted_outreach_share=0.25)
    assert np.array_equal(usual, unused)
