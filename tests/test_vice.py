"""Raids on vice: screened at the scene from July 2018, and disrupted in the 2019 protests.

Known answers on the small world with every route but raids switched off: the police's share of
raids is exactly the sex workers caught; while raids on vice are disrupted they run at the set
share of their usual rate (raids on illegal work do not change); and where the police screen
everyone found in prostitution, detention-first screens exactly those sex workers at the scene
and detains only the ones it does not identify.
"""

import numpy as np

from model import IdentificationModel
from model.encounters import draw_encounters
from model.sampling import weekly_probability
from model.states import Agency, Group, LegalStatus, Route, Stage
from tests.expectations import assert_mean
from tests.test_routes import ONLY

WEEKS = 300
RAIDS_ONLY = {  # every route off but raids, one rate for victims and others
    **ONLY,
    "encounters__raid_rate_per_year": 2.0,
    "encounters__raid_victim_relative_risk": 1.0,
}


def raid_counts(world, **settings):
    """Sex workers and other migrants raided a week, over ``WEEKS`` weeks on one population."""
    model = IdentificationModel(world, "detention_first", rng=6, **{**RAIDS_ONLY, **settings})
    pop = model.population
    eligible = (pop.stage == Stage.COMMUNITY) & (pop.legal == LegalStatus.ILLEGAL_WORKER)
    sex_eligible = int((eligible & (pop.group == Group.SEX)).sum())
    other_eligible = int(eligible.sum()) - sex_eligible
    vice, other = [], []
    for _ in range(WEEKS):
        raids = [b for b in draw_encounters(model) if b.route == Route.RAID]
        for batch in raids:
            sex = pop.group[batch.slots] == Group.SEX
            assert batch.vice == (batch.agency == Agency.POLICE)
            assert sex.all() if batch.vice else not sex.any()
        vice.append(sum(len(b.slots) for b in raids if b.vice))
        other.append(sum(len(b.slots) for b in raids if not b.vice))
        model.week += 1  # each week's numbers are the week's own (model.dice)
    return np.array(vice), np.array(other), sex_eligible, other_eligible


def test_raids_on_vice_are_the_polices_and_catch_sex_workers_at_the_raid_rate(small_world):
    vice, other, sex_n, other_n = raid_counts(small_world)
    assert sex_n > 50 and other_n > 50, "the test needs both groups"
    assert_mean(vice, sex_n * weekly_probability(2.0))
    assert_mean(other, other_n * weekly_probability(2.0))


def test_disrupted_raids_on_vice_run_at_their_share_and_raids_on_illegal_work_do_not(
    small_world,
):
    vice, other, sex_n, other_n = raid_counts(
        small_world,
        encounters__vice_raids_disrupted=True,
        encounters__disrupted_vice_raid_share=0.25,
    )
    assert_mean(vice, sex_n * weekly_probability(2.0) * 0.25)
    assert_mean(other, other_n * weekly_probability(2.0))


def test_the_share_has_no_effect_while_raids_on_vice_are_not_disrupted(small_world):
    usual = raid_counts(small_world)
    unused = raid_counts(small_world, encounters__disrupted_vice_raid_share=0.25)
    assert all(np.array_equal(a, b) for a, b in zip(usual, unused, strict=True))


def run_raids(world, vice_screening, weeks=13):
    """Detention-first with only raids, ample posts, no screening in detention."""
    model = IdentificationModel(
        world,
        "detention_first",
        rng=2,
        **RAIDS_ONLY,
        officers__police=2_000,
        officers__immigration=2_000,
        screening__offender_screening_probability=0.0,
        screening__tier1_sensitivity=1.0,
        screening__training_share=1.0,
        disclosure__intercept=30.0,  # every victim screened discloses
        encounters__vice_screening_at_scene=vice_screening,
    )
    met = {"vice": 0, "vice_victims": 0}
    at_contact = model.policy.at_contact

    def record(contacts):
        if contacts.vice:
            met["vice"] += len(contacts.slots)
            met["vice_victims"] += int(model.population.is_victim(contacts.slots).sum())
        at_contact(contacts)

    model.policy.at_contact = record
    for _ in range(weeks):
        model.step()
    return model.summary(), met


def test_detention_first_screens_sex_workers_at_the_scene_where_police_screen_vice(small_world):
    totals, met = run_raids(small_world, vice_screening=True)
    assert met["vice"] > 30 and met["vice_victims"] > 3, "the test needs vice raids"
    assert totals["initial_screenings"] == met["vice"]  # every one, and no other offender
    assert totals["victims_identified"] == met["vice_victims"]
    assert totals["victims_identified_in_detention"] == 0  # identified before detention
    assert totals["identified_offenders"] == (
        totals["victims_identified"] + totals["false_positives"]
    )
    assert totals["identified_ngo_referred"] == 0
    # who is identified: sex workers only, every one counted in their group
    identified = totals["victims_identified"] + totals["false_positives"]
    assert totals["identified_sex_trade"] == identified
    assert totals["identified_workers"] == totals["identified_irregular"] == 0
    assert (
        totals["detained"]
        == totals["encountered"] - totals["victims_identified"] - (totals["false_positives"])
    )


def test_raids_on_illegal_work_are_counted_apart_from_raids_on_vice(small_world):
    """The enforcement pattern compares raids on illegal work alone with the published series
    of illegal workers prosecuted without sex work; ``raided`` keeps both."""
    totals, met = run_raids(small_world, vice_screening=False)
    assert met["vice"] > 30 and totals["raided_illegal_work"] > 30, "the test needs both raids"
    assert totals["raided"] == totals["raided_illegal_work"] + met["vice"]


def test_detention_first_detains_sex_workers_unscreened_otherwise(small_world):
    totals, met = run_raids(small_world, vice_screening=False)
    assert met["vice"] > 30
    assert totals["initial_screenings"] == 0
    assert totals["detained"] == totals["encountered"]
