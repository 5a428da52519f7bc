"""Sex-trafficking investigations opened on intelligence (``model.investigations``).

Known answers on the small world with every other route off and enough sex-trade operators:
investigations open at the set yearly rate, each against a different operator not already under
investigation; the police find exactly those operators' victims at large; each is identified on
the evidence with the set probability, whatever the screening policy, and the others are met as
offenders; and a world without these investigations draws no random number for them.
"""

import numpy as np

from model import IdentificationModel
from model.investigations import investigate_operators, operators_free
from model.states import LegalState, Route, Stage
from tests.expectations import assert_mean, assert_share
from tests.test_routes import ONLY

MANY_OPERATORS = {  # every other route off; about 500 operators at 6 victims each
    **ONLY,
    "population__sex_workers": 20_000,
}


def make_model(world, policy="detention_first", **settings):
    return IdentificationModel(world, policy, rng=11, **{**MANY_OPERATORS, **settings})


def counted(model, name):
    """The flow ``name`` so far, this week's included."""
    return model.outcomes.total[name] + model.outcomes.week[name]


def at_large(model):
    pop = model.population
    return lambda s: pop.stage[s] == Stage.COMMUNITY


def test_investigations_open_at_the_yearly_rate_each_against_a_free_operator(small_world):
    model = make_model(small_world, encounters__sex_trafficking_investigations_per_year=52.0)
    table = model.trafficker_table
    free_at_start = len(operators_free(model))
    assert free_at_start > 300, "the test needs many operators"
    weeks, opened, targeted = 120, [], set()
    for _ in range(weeks):
        before = set(operators_free(model).tolist())
        investigate_operators(model, at_large(model))
        after = set(operators_free(model).tolist())
        newly = before - after
        assert all(table.legal_state[i] == LegalState.INVESTIGATED for i in newly)
        assert not newly & targeted  # never the same operator twice
        targeted |= newly
        opened.append(len(newly))
        model.week += 1  # each week's count is the week's own (model.dice)
    counts = np.array(opened)
    assert_mean(counts, 1.0)  # a Poisson count of mean 1 a week
    assert counted(model, "investigations") == counts.sum()


def test_the_police_find_exactly_the_targeted_operators_victims_at_large(small_world):
    model = make_model(
        small_world,
        encounters__sex_trafficking_investigations_per_year=520.0,  # about 10 a week
        encounters__investigation_identification_probability=0.0,
    )
    pop = model.population
    before = set(operators_free(model).tolist())
    found = investigate_operators(model, at_large(model))
    targeted = sorted(before - set(operators_free(model).tolist()))
    assert len(targeted) >= 3, "the test needs a few investigations"
    victims = [pop.controlled_by(i) for i in targeted]
    expected = np.sort(np.concatenate([v[pop.stage[v] == Stage.COMMUNITY] for v in victims]))
    assert len(expected) > 10
    assert np.array_equal(found, expected)
    assert counted(model, "victims_found_in_investigations") == len(expected)
    assert counted(model, "identified_in_investigations") == 0


def test_with_certain_evidence_every_victim_found_is_identified_and_none_is_met(small_world):
    model = make_model(
        small_world,
        encounters__sex_trafficking_investigations_per_year=520.0,
        encounters__investigation_identification_probability=1.0,
    )
    pop = model.population
    before = set(operators_free(model).tolist())
    found = investigate_operators(model, at_large(model))
    targeted = sorted(before - set(operators_free(model).tolist()))
    victims = np.concatenate([pop.controlled_by(i) for i in targeted]) if targeted else []
    totals = {n: counted(model, n) for n in model.outcomes.total}
    assert len(found) == 0
    assert totals["victims_found_in_investigations"] > 10
    assert totals["identified_in_investigations"] == totals["victims_found_in_investigations"]
    assert totals["victims_identified"] == totals["identified_in_investigations"]
    assert totals["identified_offenders"] == totals["identified_in_investigations"]
    assert len(victims) == 0  # identified victims leave their trafficker's control
    assert (model.custody.cases.route[model.custody.case_slots()] == Route.INVESTIGATION).all()


def test_the_share_identified_on_evidence_is_the_set_probability(small_world):
    model = make_model(
        small_world,
        encounters__sex_trafficking_investigations_per_year=260.0,
        encounters__investigation_identification_probability=0.3,
    )
    for _ in range(20):
        investigate_operators(model, at_large(model))
    totals = {n: counted(model, n) for n in model.outcomes.total}
    found = totals["victims_found_in_investigations"]
    assert found > 300, "the test needs many victims found"
    assert_share(totals["identified_in_investigations"] / found, 0.3, found)


def test_victims_not_identified_on_evidence_are_met_as_offenders(small_world):
    totals = {}
    for policy in ("detention_first", "screening_before_detention"):
        model = make_model(
            small_world,
            policy,
            encounters__sex_trafficking_investigations_per_year=104.0,
            encounters__investigation_identification_probability=0.0,
            screening__offender_screening_probability=0.0,  # no screening in detention
        )
        for _ in range(8):
            model.step()
        totals[policy] = model.summary()
    first = totals["detention_first"]
    assert first["victims_found_in_investigations"] > 20
    # Detention-first detains offenders unscreened (vice screening at the scene is off here).
    assert first["initial_screenings"] == 0
    assert first["detained"] == first["victims_found_in_investigations"]
    # Screening before detention screens them at the scene before detaining the others.
    reform = totals["screening_before_detention"]
    assert reform["initial_screenings"] > 0
    assert reform["encountered"] == reform["victims_found_in_investigations"]
    identified = reform["victims_identified"] + reform["false_positives"]
    assert reform["identified_offenders"] == identified
    assert reform["detained"] == reform["encountered"] - identified


def test_a_world_without_investigations_finds_no_one(small_world):
    model = make_model(small_world)  # the default: no such investigations
    for _ in range(10):
        assert len(investigate_operators(model, at_large(model))) == 0
        model.week += 1
    assert counted(model, "victims_found_in_investigations") == 0
