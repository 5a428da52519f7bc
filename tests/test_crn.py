"""Common random numbers: each individual's numbers depend on who they are, not on the others.

Protects the pairing of runs migrant by migrant (issue 28): the same settings give every victim
the same fate; one migrant more, or one migrant's path changed, changes no other migrant's
traits or candidate weeks (known answers); and two policies on one seed meet the same people.
"""

import numpy as np
import pandas as pd

from model import IdentificationModel
from model.states import Route, Stage


def persons(model) -> pd.DataFrame:
    """Every migrant present: identity, traits drawn at arrival, next candidate week."""
    pop = model.population
    slots = np.flatnonzero(pop.stage != Stage.ABSENT)
    frame = pd.DataFrame(
        {
            "person_id": pop.person_id[slots],
            "young": pop.young[slots],
            "first_contract": pop.first_contract[slots],
            "debt_months": pop.debt_months[slots],
            "trust": pop.trust[slots],
            "departure_week": pop.departure_week[slots],
            "next_candidate_week": model.hazards.next_week[slots],
        }
    )
    return frame.set_index("person_id").sort_index()


def test_the_same_settings_give_every_victim_the_same_fate(small_world):
    runs = [IdentificationModel(small_world, "detention_first", rng=3) for _ in range(2)]
    for model in runs:
        model.run(1)
    first, second = (model.fates.table() for model in runs)
    assert len(first) > 30 and first["fate"].nunique() >= 3, "the test needs victims met"
    pd.testing.assert_frame_equal(first, second, check_exact=True)


def test_one_more_arrival_changes_no_one_elses_traits_or_candidate_weeks(small_world):
    """Known answer: one more initial 'other' worker is one more person, the rest unchanged."""
    base = IdentificationModel(small_world, "detention_first", rng=4)
    more = small_world.model_copy(
        update={
            "population": small_world.population.model_copy(
                update={"other_workers": small_world.population.other_workers + 1}
            )
        }
    )
    bigger = IdentificationModel(more, "detention_first", rng=4)
    a, b = persons(base), persons(bigger)
    extra = b.index.difference(a.index)
    assert len(extra) == 1 and a.index.difference(b.index).empty
    pd.testing.assert_frame_equal(a, b.drop(extra), check_exact=True)


def test_a_change_to_one_migrants_path_leaves_everyone_elses_numbers(small_world):
    """Identify one community victim in week 0 of one run: nobody else's numbers move.

    Other migrants' fates may follow from it (the victim's trafficker hears of it); their
    traits, stays and candidate weeks, drawn from their own numbers, may not.
    """
    runs = [IdentificationModel(small_world, "detention_first", rng=5) for _ in range(2)]
    pop = runs[1].population
    victims = np.flatnonzero(
        pop.is_victim(np.arange(pop.capacity)) & (pop.stage == Stage.COMMUNITY)
    )
    chosen = victims[:1]
    chosen_id = int(pop.person_id[chosen[0]])
    runs[1].custody.identify(chosen, Route.SELF_REFERRAL)
    for model in runs:
        model.run(0.5)
    a, b = (persons(model).drop(chosen_id, errors="ignore") for model in runs)
    common = a.index.intersection(b.index)
    assert len(common) > 0.95 * len(a)
    pd.testing.assert_frame_equal(a.loc[common], b.loc[common], check_exact=True)


def test_two_policies_on_one_seed_start_from_the_same_people(small_world):
    runs = [IdentificationModel(small_world, p, rng=6) for p in POLICIES]
    for model in runs:
        model.run(0.5)
    a, b = (persons(model) for model in runs)
    common = a.index.intersection(b.index)
    # Only migrants removed or kept in one run, and the arrivals replacing them, differ.
    assert len(common) > 0.98 * len(a)
    pd.testing.assert_frame_equal(
        a.loc[common].drop(columns="departure_week"),
        b.loc[common].drop(columns="departure_week"),
        check_exact=True,
    )


POLICIES = ("detention_first", "screening_before_detention")


def test_a_victim_back_after_removal_keeps_one_row_and_its_fate(small_world):
    model = IdentificationModel(
        small_world,
        "detention_first",
        rng=7,
        after_removal__enabled=True,
        after_removal__return_probability=1.0,
        after_removal__return_delay_weeks=4.0,
        after_removal__return_min_weeks=2.0,
    )
    model.run(1)
    fates = model.fates.table()
    assert model.summary()["returned"] > 0, "the test needs people back"
    assert fates["person_id"].is_unique
