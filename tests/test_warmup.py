"""The warm-up: stocks start near their steady level, and the summary covers reported weeks only."""

from __future__ import annotations

import numpy as np
import pytest

from model import IdentificationModel
from model.states import Stage

SEEDS = (1, 2, 3, 4)


def test_without_a_warm_up_the_run_starts_empty_and_is_unchanged(small_world):
    model = IdentificationModel(small_world, rng=5)
    assert model.week == 0 and model.detainee_count == 0 and not model.open_cases
    again = IdentificationModel(small_world, rng=5, time__warmup_years=0.0)
    assert model.run(0.5) == again.run(0.5)


def test_warm_up_brings_the_detention_stock_near_its_steady_level(small_world):
    # Steady level: mean detainees over the second year of runs that start empty.
    steady = np.mean([_second_year_detainees(small_world, seed) for seed in SEEDS])
    warm = [
        IdentificationModel(small_world, rng=seed, time__warmup_years=2).detainee_count
        for seed in SEEDS
    ]
    assert steady > 5
    assert 0.5 * steady <= np.mean(warm) <= 1.5 * steady


def test_summary_and_weekly_series_exclude_the_warm_up(small_world):
    model = IdentificationModel(small_world, rng=7, time__warmup_years=1)
    assert model.week == 0 and model.steps == 0
    summary = model.run(1)
    weekly = model.weekly()
    assert summary["years"] == 1.0
    assert weekly["week"].tolist() == list(range(52))
    for flow in ("victims_identified", "detained", "initial_screenings", "arrivals"):
        assert weekly[flow].sum() == summary[flow]
    # Victims present count those present at week 0 plus those trafficked since.
    assert summary["victims_present"] == model.victims_initial + summary["victims_new"]


def test_timeline_changes_fire_at_their_reported_week_not_in_the_warm_up(small_world):
    world = small_world.updated(
        {"timeline": [{"date": "2018-04", "set": {"ngo.screenings_per_year": 50}}]}
    )
    model = IdentificationModel(world, rng=2, time__warmup_years=1)
    assert model.params.ngo.screenings_per_year == pytest.approx(104)
    for _ in range(14):  # weeks 0-13; 2018-04 is week 13
        model.step()
    assert model.params.ngo.screenings_per_year == pytest.approx(50)


def test_same_seed_and_warm_up_give_identical_runs(small_world):
    first = IdentificationModel(small_world, rng=9, time__warmup_years=0.5).run(0.5)
    second = IdentificationModel(small_world, rng=9, time__warmup_years=0.5).run(0.5)
    assert first == second


def _second_year_detainees(world, seed: int) -> float:
    model = IdentificationModel(world, rng=seed)
    model.run(2)
    return float(model.weekly()["detainees"].iloc[52:].mean())


def test_no_case_is_stuck_in_custody_by_a_date_before_week_zero(small_world):
    """Cases opened during the warm-up (negative weeks) are removed or end support on time.

    Known answer: removals and ends of support due are carried out every week, so at week 0
    every open case is a detainee whose removal is still to come or a victim whose support has
    not ended; none holds a date already past (a negative week once read as "no date").
    """
    model = IdentificationModel(
        small_world,
        rng=3,
        time__warmup_years=1,
        encounters__raid_rate_per_year=1.0,
        encounters__overstayer_detection_rate_per_year=1.0,
    )
    pop = model.population
    open_cases = model.custody.case_slots()
    assert len(open_cases) > 0
    detained = pop.stage[open_cases] == Stage.DETAINED
    supported = pop.stage[open_cases] == Stage.SUPPORTED
    assert (detained | supported).all()
    assert (pop.removal_week[open_cases[detained]] >= model.week).all()
    assert (pop.support_until[open_cases[supported]] >= model.week).all()
    assert model.detainee_count == int(detained.sum())
