"""Mechanisms with known answers, on the 1/20-scale world."""

import numpy as np
import pytest

from model import IdentificationModel
from model.states import LegalState, TraffickerKind
from model.trafficking import assign_traffickers, solve_intercept

POLICIES = ["detention_first", "screening_before_detention"]


def run(world, policy, seed=1, years=2.0, **overrides):
    model = IdentificationModel(world, policy, rng=seed, **overrides)
    model.run(years)
    return model


@pytest.mark.parametrize("policy", POLICIES)
def test_blind_indicator_screening_identifies_no_victim(small_world, policy):
    model = run(small_world, policy, screening__tier1_sensitivity=0.0)
    totals = model.summary()
    assert totals["victims_screened"] > 0, "the test needs victims to reach screening"
    assert totals["victims_identified"] == 0
    assert totals["flagged"] <= totals["initial_screenings"] - totals["victims_screened"]


@pytest.mark.parametrize("policy", POLICIES)
def test_perfect_screening_and_certain_disclosure_identify_every_screened_victim(
    small_world, policy
):
    model = run(
        small_world,
        policy,
        screening__tier1_sensitivity=1.0,
        screening__training_share=1.0,
        disclosure__intercept=30.0,
    )
    totals = model.summary()
    assert totals["victims_screened"] > 20
    assert totals["victims_identified"] == totals["victims_screened"]


def test_immediate_removal_under_detention_first_identifies_no_detainee(small_world):
    model = run(
        small_world,
        "detention_first",
        detention__removal_days=0.0,
        screening__offender_screening_probability=1.0,
    )
    totals = model.summary()
    assert totals["victims_detained"] > 20
    assert totals["victims_identified_in_detention"] == 0
    assert totals["victims_removed_unidentified"] == totals["victims_detained"]


def test_identification_in_detention_follows_the_weekly_screening_chance(small_world):
    # Few detainees disclose in detention (about 1 %): long stays and three runs give several.
    def identified(chance):
        return sum(
            run(
                small_world,
                "detention_first",
                seed=seed,
                screening__offender_screening_probability=chance,
                detention__removal_days=60.0,
            ).summary()["victims_identified_in_detention"]
            for seed in (1, 2, 3)
        )

    assert identified(0.0) == 0
    assert identified(1.0) > 0


def test_solve_intercept_hits_the_target_mean():
    assert solve_intercept(np.zeros(10), 0.2) == pytest.approx(np.log(0.25), abs=1e-9)
    risk = np.random.default_rng(0).normal(size=5000)
    a = solve_intercept(risk, 0.03)
    assert np.mean(1 / (1 + np.exp(-(a + risk)))) == pytest.approx(0.03, rel=1e-6)


def test_initial_prevalence_matches_the_sourced_share(small_world):
    model = IdentificationModel(small_world, "detention_first", rng=3)
    pop = model.population
    domestic = (pop.group == 0) & (pop.stage != 0)
    share = (pop.status[domestic] >= 2).mean()
    target = small_world.prevalence.trafficked_share_domestic
    assert share == pytest.approx(target, abs=4 * np.sqrt(target / domestic.sum()))


def test_risk_traits_raise_the_chance_of_being_trafficked(small_world):
    model = IdentificationModel(small_world, "detention_first", rng=4)
    pop = model.population
    domestic = (pop.group == 0) & (pop.stage != 0)
    victim = pop.status >= 2
    confiscated = victim[domestic & pop.documents_confiscated].mean()
    kept = victim[domestic & ~pop.documents_confiscated].mean()
    assert confiscated > 1.5 * kept


def test_traffickers_never_take_more_victims_than_their_capacity(small_world):
    model = IdentificationModel(small_world, "detention_first", rng=5)
    wanted = np.full(5000, TraffickerKind.AGENCY)
    ids = assign_traffickers(model, wanted, np.arange(5000))
    held = np.bincount(
        model.population.trafficker[model.population.controlled], minlength=len(model.traffickers)
    )
    held += np.bincount(ids[ids >= 0], minlength=len(model.traffickers))
    capacity = np.array([t.capacity for t in model.traffickers])
    assert (held <= capacity).all()
    assert (ids == -1).any(), "5000 new victims exceed the agencies' spare capacity"


def test_conviction_stops_a_trafficker_and_frees_its_victims(small_world):
    model = IdentificationModel(
        small_world,
        "detention_first",
        rng=6,
        justice__prosecution_probability_labour_patchwork=1.0,
        justice__conviction_probability_labour_patchwork=1.0,
        justice__investigation_weeks=0,
        justice__trial_weeks=0,
        traffickers__replacement_probability=0.0,
    )
    pop = model.population
    agency = next(
        t
        for t in model.traffickers
        if t.kind == TraffickerKind.AGENCY and (pop.trafficker[pop.controlled] == t.index).any()
    )
    from model import justice

    active_before = model.traffickers_active
    justice.open_investigation(model, agency, witness=True)
    justice.advance_cases(model)  # prosecution is due at once
    assert agency.legal_state == LegalState.PROSECUTED
    justice.advance_cases(model)  # verdict is due at once
    assert agency.legal_state == LegalState.CONVICTED
    assert not (pop.controlled & (pop.trafficker == agency.index)).any()
    assert model.traffickers_active == active_before - 1
    assert model.outcomes.week["convictions"] == 1
    assert model.outcomes.week["victims_freed"] > 0


def test_a_dedicated_law_convicts_more_labour_traffickers(small_world):
    def convictions(regime):
        return sum(
            run(
                small_world, "screening_before_detention", seed=s, years=3, justice__regime=regime
            ).summary()["convictions"]
            for s in range(3)
        )

    assert convictions("dedicated_law") > convictions("patchwork")


def test_scarce_screening_places_are_shared_at_random_across_routes(small_world):
    """When contacts outnumber places, every route keeps places in proportion to its size."""
    from model.encounters import Contacts
    from model.states import Agency, Route

    model = IdentificationModel(small_world, "screening_before_detention", rng=4)
    service = model.screening
    first, last = np.arange(0, 300), np.arange(1000, 1100)  # 300 raided first, 100 referred last
    batches = [
        Contacts(Route.RAID, first, Agency.IMMIGRATION),
        Contacts(Route.NGO_REFERRAL, last, Agency.POLICE),
    ]
    screened = np.zeros(2)
    weeks = 200
    for _ in range(weeks):
        model.week += 1  # a new week's priorities (each week's numbers are its own)
        service.start_week()
        places = service.spare_places()
        assert 0 < places < 400, "the test needs demand above capacity"
        service.ration_contacts(batches, lambda contacts: True)
        counts = [int(service.tier1(b.slots, b.agency).screened.sum()) for b in batches]
        service.end_contacts()
        assert sum(counts) == places  # every place is used, none twice
        screened += np.array(counts) / places
    # Hypergeometric: the first route keeps 3/4 of the places in expectation (not all of them,
    # as it would if routes were served in order); sd of the mean share about 0.003 here.
    assert screened[0] / weeks == pytest.approx(0.75, abs=0.02)
    assert screened[1] / weeks == pytest.approx(0.25, abs=0.02)


def test_places_that_suffice_are_not_rationed(small_world):
    """With spare places for every contact, nobody is turned away and everyone is screened."""
    from model.encounters import Contacts
    from model.states import Agency, Route

    model = IdentificationModel(small_world, "detention_first", rng=4)
    service = model.screening
    service.start_week()
    assert service.spare_places() >= 5, "the test needs places for every contact"
    few = np.arange(0, 5)
    service.ration_contacts([Contacts(Route.COMPLAINT, few, Agency.LABOUR)], lambda c: True)
    assert service._turned_away is None
    assert service.tier1(few, Agency.LABOUR).screened.all()
