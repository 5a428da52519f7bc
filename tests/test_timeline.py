"""Dated timelines: parsing, validation, the week each change takes effect, and its effects."""

from __future__ import annotations

import pickle

import numpy as np
import pytest
from pydantic import ValidationError

from model import IdentificationModel, Parameters
from model.parameters import TimelineEntry
from model.states import Agency, Stage
from model.timeline import parse_date, settle
from scenarios.loader import validation_problems
from scenarios.resolve import resolve_parameters


def entry(date, **changes) -> dict:
    return {"date": date, "set": {k.replace("__", "."): v for k, v in changes.items()}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [(2021, (2021, 1)), ("2021", (2021, 1)), ("2020-07", (2020, 7)), ("2020-7", (2020, 7))],
)
def test_dates_are_years_or_months(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize("text", ["2020-13", "2020-00", "July 2020", "20-07", 2020.5, True, None])
def test_bad_dates_are_refused(text):
    with pytest.raises(ValueError, match=r"(YYYY-MM|1-12)"):
        parse_date(text)


@pytest.mark.parametrize(
    ("date", "start", "week"),
    [("2020-07", 2018, 104 + 26), ("2021", 2018, 156), ("2018-01", 2018, 0), ("2018-12", 2018, 48)],
)
def test_week_of_an_entry(date, start, week):
    # (year - start) * 52 + round((month - 1) * 52 / 12)
    assert TimelineEntry.model_validate(entry(date, ngo__referral_consent=0.1)).week(start) == week


def test_values_are_typed_through_the_schema():
    typed = TimelineEntry.model_validate(entry("2021", ngo__screenings_per_year="518"))
    assert typed.set == {"ngo.screenings_per_year": 518.0}
    assert isinstance(typed.set["ngo.screenings_per_year"], float)


def test_every_problem_is_reported_with_its_path():
    with pytest.raises(ValidationError) as caught:
        Parameters(
            timeline=[
                entry("2020-13", ngo__screenings_per_yer=1, ngo__referral_consent=2),
                entry(2021, screening__non_punishment=True),
                entry(2022, time__start_year=2019),
            ]
        )
    problems = "\n".join(validation_problems(caught.value))
    assert "timeline[0].date: month 13" in problems
    assert "unknown field; did you mean 'ngo.screenings_per_year'?" in problems
    assert "referral_consent: must be less than or equal to 1 (got 2)" in problems
    assert "allowed: a number from 0 to 1" in problems
    assert "policy levers are constant through a run" in problems
    assert "calendar cannot change" in problems
    assert len(caught.value.errors()) == 5


def test_entries_up_to_the_first_week_are_folded_in_at_set_up_in_date_order():
    params = Parameters(
        timeline=[
            entry("2019", ngo__screenings_per_year=300),
            entry("2016", ngo__screenings_per_year=100, ngo__referral_consent=0.1),
            entry("2018", ngo__screenings_per_year=200),
            entry("2018-03", ngo__referral_consent=0.2),
        ]
    )
    settled = settle(params)
    assert settled.ngo.screenings_per_year == 200  # 2016 then 2018 (week 0); 2019 is later
    assert settled.ngo.referral_consent == 0.1
    assert [e.date for e in settled.timeline] == ["2018-03", "2019-01"]


def test_parameters_with_a_timeline_survive_pickling_and_resolution(small_world):
    world = small_world.updated({"timeline": [entry("2020-07", ngo__screenings_per_year=50)]})
    assert pickle.loads(pickle.dumps(world)) == world
    params = resolve_parameters(world, "screening_before_detention", {"ngo.referral_consent": 0.2})
    assert params.timeline == world.timeline
    assert params.ngo.referral_consent == 0.2


def test_a_change_takes_effect_at_the_start_of_its_week(small_world):
    world = small_world.updated(
        {
            "timeline": [
                entry("2018-07", ngo__screenings_per_year=7, encounters__raid_rate_per_year=0)
            ]
        }
    )
    model = IdentificationModel(world, rng=3)
    week = 26  # round(6 * 52 / 12)
    for _ in range(week):
        model.step()
    assert model.params.ngo.screenings_per_year == small_world.ngo.screenings_per_year
    model.step()
    assert model.params.ngo.screenings_per_year == 7
    assert model.params.encounters.raid_rate_per_year == 0


def test_officer_head_counts_are_rebuilt_keeping_the_trained_share(small_world):
    world = small_world.updated(
        {
            "timeline": [
                entry("2018-02", officers__police=30, officers__weekly_case_capacity=9),
                entry("2018-03", officers__immigration=2),
            ]
        }
    )
    model = IdentificationModel(world, rng=5, screening__training_share=0.5)
    for _ in range(10):
        model.step()
    police = [o for o in model.officers if o.agency == Agency.POLICE]
    immigration = [o for o in model.officers if o.agency == Agency.IMMIGRATION]
    assert len(police) == 30 and len(immigration) == 2
    assert sum(o.trained for o in police) == 15
    assert all(o.capacity == 9 for o in model.officers)
    assert (
        len(model.officers) == 30 + 2 + small_world.officers.labour + small_world.officers.customs
    )
    # Retired officers are gone from Mesa's registry too.
    assert len(model.agents_by_type[type(police[0])]) == len(model.officers)


def test_prevalence_changes_solve_the_risk_model_again(small_world):
    world = small_world.updated(
        {"timeline": [entry("2018-02", prevalence__trafficked_share_domestic=0.2)]}
    )
    model = IdentificationModel(world, rng=2)
    before = model.risk_intercepts.copy()
    for _ in range(6):
        model.step()
    assert model.risk_intercepts[0] > before[0] + 1.0
    np.testing.assert_allclose(model.risk_intercepts[1:], before[1:], atol=0.05)


def test_same_timeline_and_seed_give_identical_runs(small_world):
    world = small_world.updated(
        {"timeline": [entry("2018-04", officers__police=12, ngo__referral_consent=0.6)]}
    )
    first = IdentificationModel(world, rng=11).run(0.5)
    second = IdentificationModel(world, rng=11).run(0.5)
    assert first == second


def test_a_fall_in_trust_reaches_the_migrants_present(small_world):
    world = small_world.updated({"timeline": [entry("2018-02", behaviour__trust_mean=0.2)]})
    model = IdentificationModel(world, rng=4)
    for _ in range(4):
        model.step()
    present = model.population.stage != Stage.ABSENT
    before = float(model.population.trust[present].mean())
    model.step()
    after = float(model.population.trust[model.population.stage != Stage.ABSENT].mean())
    assert before == pytest.approx(0.35, abs=0.02)
    assert after == pytest.approx(0.2, abs=0.02)
    assert model.population.trust.min() >= 0 and model.population.trust.max() <= 1
