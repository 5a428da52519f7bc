"""Encounter routes to screening: arrested persons, non-refoulement claimants, a toy route.

Each route's weekly count is checked against its known expectation on the small world with
every other route switched off, averaged over many independent weekly draws. A toy route added
as a row of the table of routes (``model.encounters.ROUTES``) is drawn like the others.
"""

from enum import IntEnum

import numpy as np
import pytest

from model import IdentificationModel, encounters
from model.encounters import EncounterRoute, draw_encounters, encounter_bounds
from model.hazards import only
from model.sampling import weekly_probability
from model.states import FIRST_TRAFFICKED, Agency, Exploitation, Group, Route, Stage
from tests.expectations import assert_mean

WEEKS = 300
ONLY = {  # every route off; each test turns one on
    "encounters__raid_rate_per_year": 0.0,
    "encounters__overstayer_detection_rate_per_year": 0.0,
    "encounters__complaint_rate_per_year": 0.0,
    "encounters__self_referral_rate_per_year": 0.0,
    "encounters__routine_visa_screening": False,
    "encounters__arrest_rate_per_year": 0.0,
    "encounters__claimant_screening_rate_per_year": 0.0,
    "ngo__screenings_per_year": 0.0,
}


def weekly_draws(world, **route):
    """Draw a week's encounters for ``WEEKS`` weeks on the same population (no step between).

    Only the week number moves on: each week's random numbers are the week's own
    (``model.dice``), so drawing twice in one week would draw the same migrants.
    """
    model = IdentificationModel(world, "detention_first", rng=5, **{**ONLY, **route})
    batches = []
    for _ in range(WEEKS):
        batches.append(draw_encounters(model))
        model.week += 1
    return model, batches


def met(batches, route):
    return [np.concatenate([b.slots for b in week if b.route == route]) for week in batches]


def test_arrests_meet_community_migrants_at_the_weekly_rate_victims_more_often(small_world):
    rate, risk = 0.5, 3.0
    model, batches = weekly_draws(
        small_world,
        encounters__arrest_rate_per_year=rate,
        encounters__arrest_victim_relative_risk=risk,
    )
    pop = model.population
    community = pop.stage == Stage.COMMUNITY
    victims = int((community & (pop.status >= FIRST_TRAFFICKED)).sum())
    others = int(community.sum()) - victims
    arrested = met(batches, Route.ARREST)
    victim_counts = [int((pop.status[s] >= FIRST_TRAFFICKED).sum()) for s in arrested]
    other_counts = [len(s) - v for s, v in zip(arrested, victim_counts, strict=True)]
    assert_mean(victim_counts, victims * weekly_probability(rate * risk))
    assert_mean(other_counts, others * weekly_probability(rate))
    assert all(np.all(pop.stage[s] == Stage.COMMUNITY) for s in arrested)


def test_claimants_are_irregular_migrants_screened_at_the_weekly_rate(small_world):
    rate = 2.0
    model, batches = weekly_draws(small_world, encounters__claimant_screening_rate_per_year=rate)
    pop = model.population
    eligible = int(((pop.stage == Stage.COMMUNITY) & (pop.group == Group.IRREGULAR)).sum())
    claimants = met(batches, Route.NON_REFOULEMENT_CLAIM)
    assert all(np.all(pop.group[s] == Group.IRREGULAR) for s in claimants)
    assert_mean([len(s) for s in claimants], eligible * weekly_probability(rate))


def test_arrested_persons_are_offenders_met_by_police_and_claimants_are_not(small_world):
    _, batches = weekly_draws(
        small_world,
        encounters__arrest_rate_per_year=0.5,
        encounters__claimant_screening_rate_per_year=0.5,
    )
    kinds = {(b.route, b.agency, b.offender) for b in batches[0] if len(b.slots)}
    assert kinds == {
        (Route.ARREST, Agency.POLICE, True),
        (Route.NON_REFOULEMENT_CLAIM, Agency.IMMIGRATION, False),
    }


@pytest.mark.parametrize("route_off", ["arrest_rate_per_year", "claimant_screening_rate_per_year"])
def test_a_route_at_rate_zero_meets_nobody(small_world, route_off):
    other = {"arrest_rate_per_year", "claimant_screening_rate_per_year"} - {route_off}
    _, batches = weekly_draws(small_world, **{f"encounters__{name}": 1.0 for name in other})
    route = Route.ARREST if route_off == "arrest_rate_per_year" else Route.NON_REFOULEMENT_CLAIM
    assert sum(len(s) for s in met(batches, route)) == 0


def test_under_detention_first_arrested_persons_are_detained_and_claimants_are_not(small_world):
    arrests = IdentificationModel(
        small_world, "detention_first", rng=3, **{**ONLY, "encounters__arrest_rate_per_year": 1.0}
    )
    claims = IdentificationModel(
        small_world,
        "detention_first",
        rng=3,
        **{**ONLY, "encounters__claimant_screening_rate_per_year": 1.0},
    )
    for model in (arrests, claims):
        model.run(0.25)
    arrested, claimed = arrests.summary(), claims.summary()
    assert arrested["encountered"] > 50 and claimed["encountered"] > 20
    assert arrested["detained"] == arrested["encountered"]
    assert claimed["detained"] == 0
    assert claimed["initial_screenings"] == claimed["encountered"]


def test_the_enforcement_volume_counts_exactly_the_migrants_caught_in_raids(small_world):
    """``raided`` (compared with illegal workers prosecuted) is the raid route's contacts."""

    def weekly(**rates):
        model = IdentificationModel(small_world, "detention_first", rng=8, **rates)
        for _ in range(26):
            model.step()
        return model.weekly()

    raids_only = weekly(
        encounters__raid_rate_per_year=2.0,
        encounters__arrest_rate_per_year=0.0,
        encounters__overstayer_detection_rate_per_year=0.0,
    )
    assert raids_only["raided"].sum() > 0
    assert (raids_only["raided"] == raids_only["offenders_encountered"]).all()
    with_arrests = weekly(encounters__raid_rate_per_year=2.0, encounters__arrest_rate_per_year=0.5)
    assert with_arrests["raided"].sum() < with_arrests["offenders_encountered"].sum()


def test_identifications_are_counted_by_where_the_migrants_were_met(small_world):
    """NGO referrals and offenders each count their own identifications, and only those."""

    def totals(**route):
        model = IdentificationModel(
            small_world,
            "detention_first",
            rng=4,
            screening__offender_screening_probability=1.0,
            disclosure__intercept=30.0,  # every victim screened discloses
            **{**ONLY, **route},
        )
        model.run(0.5)
        return model.summary()

    ngo = totals(ngo__screenings_per_year=5_000.0, ngo__referral_consent=1.0)
    assert ngo["victims_identified"] > 5, "the test needs NGO referrals identified"
    assert ngo["identified_ngo_referred"] == ngo["victims_identified"] + ngo["false_positives"]
    assert ngo["identified_offenders"] == 0
    arrests = totals(encounters__arrest_rate_per_year=1.0)
    assert arrests["victims_identified"] > 5, "the test needs arrested victims identified"
    assert arrests["identified_offenders"] == (
        arrests["victims_identified"] + arrests["false_positives"]
    )
    assert arrests["identified_ngo_referred"] == 0


class ToyRoute(IntEnum):
    """A route the project does not have: customs checks of domestic workers."""

    CUSTOMS_CHECK = 90


class ToyDecision(IntEnum):
    """Its random numbers' code, apart from every ``Decision``."""

    CUSTOMS_CHECK = 990


def not_exploited(model, slots):
    """Only migrants in no exploitation may be checked."""
    return model.population.status[slots] == Exploitation.NONE.value


TOY = EncounterRoute(
    ToyRoute.CUSTOMS_CHECK,
    Agency.CUSTOMS,
    ToyDecision.CUSTOMS_CHECK,
    "visa_applications_per_year",  # a yearly rate no other route uses while visa screening is off
    groups=(Group.DOMESTIC,),
    eligible=not_exploited,
)


def test_a_route_added_to_the_table_meets_its_eligible_migrants_at_its_rate(
    small_world, monkeypatch
):
    rate = 2.0
    monkeypatch.setattr(encounters, "ROUTES", (*encounters.ROUTES, TOY))
    model, batches = weekly_draws(small_world, encounters__visa_applications_per_year=rate)
    p = weekly_probability(rate)
    assert encounter_bounds(model.params)[ToyDecision.CUSTOMS_CHECK] == pytest.approx(
        only(Group.DOMESTIC, bound=p)
    )
    pop = model.population
    domestic = (pop.stage == Stage.COMMUNITY) & (pop.group == Group.DOMESTIC)
    eligible = int((domestic & (pop.status == Exploitation.NONE)).sum())
    assert int(domestic.sum()) - eligible > 1000, "the test needs exploited domestic workers"
    toy = [[b for b in week if b.route == ToyRoute.CUSTOMS_CHECK] for week in batches]
    assert all(len(week) == 1 for week in toy), "one batch a week, even an empty one"
    checked = [week[0].slots for week in toy]
    assert all(week[0].agency == Agency.CUSTOMS and not week[0].offender for week in toy)
    assert all(np.all(domestic[s] & (pop.status[s] == Exploitation.NONE)) for s in checked)
    assert_mean([len(s) for s in checked], eligible * p)
