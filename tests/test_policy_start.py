"""A policy that starts at a date: the past replayed under today's practice for every policy,
then each policy from its start, with the totals counted from there."""

import numpy as np
import pandas as pd

from model import IdentificationModel
from model.outcomes import FLOWS
from model.policy_start import STATUS_QUO_LEVERS
from scenarios.resolve import resolve_run

YEARS = 3
START = {"time__policy_start_year": 2019}  # the small world starts in 2018


def run(world, policy, **settings):
    model = IdentificationModel(world, policy, rng=5, **{**START, **settings})
    model.run(YEARS)
    return model, model.weekly()


def test_every_policy_shares_the_replayed_past_and_acts_from_its_start(small_world):
    # No NGO referrals: an NGO-accompanied interview counts as supported under any policy.
    quiet = {"ngo__screenings_per_year": 0.0}
    reference, before = run(small_world, "detention_first", **quiet)
    reform, after = run(small_world, "screening_before_detention", **quiet)
    start = reference.policy_start_week
    assert start == 52 and reform.policy_start_week == 52
    past = slice(0, start)
    pd.testing.assert_frame_equal(before.iloc[past], after.iloc[past])  # the same numbers
    assert after["supported_sessions"].iloc[past].sum() == 0  # today's practice: unsupported
    assert after["supported_sessions"].iloc[start:].sum() > 0  # the reform, from its start
    assert not before.iloc[start:].equals(after.iloc[start:])
    assert reform.params.screening.tier2_sessions == 2
    assert reform.policy.name == "screening_before_detention"


def test_the_totals_count_from_the_policys_start(small_world):
    model, weekly = run(small_world, "screening_before_detention")
    summary = model.summary()
    counted = weekly.iloc[model.policy_start_week :]
    assert summary["years"] == YEARS - 1
    for flow in ("encountered", "initial_screenings", "victims_identified", "detained"):
        assert summary[flow] == counted[flow].sum(), flow
    assert summary["encountered"] < weekly["encountered"].sum()


def test_a_policy_from_the_first_week_is_the_run_as_before(small_world):
    plain = IdentificationModel(small_world, "screening_before_detention", rng=5)
    plain.run(1)
    zero = IdentificationModel(
        small_world, "screening_before_detention", rng=5, time__policy_start_year=0
    )
    zero.run(1)
    assert plain.summary() == zero.summary()
    pd.testing.assert_frame_equal(plain.weekly(), zero.weekly())


def test_the_status_quo_is_todays_practice_whatever_the_policy_file(small_world):
    spec = resolve_run(
        small_world, "screening_before_detention_plus", {"time.policy_start_year": 2019}
    )
    model = IdentificationModel(spec, rng=5)
    levers = model.params.screening
    assert {name: getattr(levers, name) for name in STATUS_QUO_LEVERS} == STATUS_QUO_LEVERS
    assert model.policy.name == "screening_before_detention_plus"
    model.run(YEARS)
    assert model.params.screening.non_punishment and model.params.screening.witness_visa
    assert set(FLOWS) <= set(model.summary())
    assert np.isfinite(model.summary()["identification_rate"])
