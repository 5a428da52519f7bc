"""Population growth compounds from the date of each change of the rate (known answers)."""

from __future__ import annotations

import pytest

from model import IdentificationModel
from model.population import group_sizes
from model.states import Group
from model.turnover import TargetSizes, target_sizes
from model.world_changes import apply_due
from scenarios.loader import load_scenario


def entry(date, **changes) -> dict:
    return {"date": date, "set": {k.replace("__", "."): v for k, v in changes.items()}}


def domestic_target(model: IdentificationModel, weeks: int) -> int:
    """The domestic workers' target after ``weeks``, applying the timeline week by week."""
    for week in range(weeks + 1):
        model.week = week
        apply_due(model)
        target = target_sizes(model)
    return int(target[Group.DOMESTIC])


def test_a_change_of_growth_compounds_from_its_own_date(small_world):
    # 6.5% a year for 2018-2019, then 3.7% from 2020: after 3 years 1.065^2 x 1.037.
    world = small_world.updated(
        {
            "population": {"growth_per_year": 0.065},
            "timeline": [entry(2020, population__growth_per_year=0.037)],
        }
    )
    model = IdentificationModel(world, rng=1)
    size = world.population.domestic_workers
    target = domestic_target(model, 3 * 52)
    assert target == round(size * 1.065**2 * 1.037)
    # The old rule, (1 + current g)^(years since start), would give size x 1.037^3.
    assert abs(target - size * 1.037**3) > 1_000


def test_constant_growth_is_the_plain_compound_rate(small_world):
    world = small_world.updated({"population": {"growth_per_year": -0.05}})
    targets = TargetSizes.start(world)
    sizes = group_sizes(world)
    for week in range(0, 261, 13):
        expected = [round(s * 0.95 ** (week / 52)) for s in sizes]
        assert targets.at(world, week).tolist() == expected


def test_a_size_set_by_date_restarts_that_group_from_the_new_size(small_world):
    world = small_world.updated(
        {
            "population": {"growth_per_year": 0.10},
            "timeline": [entry(2019, population__domestic_workers=15_000)],
        }
    )
    model = IdentificationModel(world, rng=1)
    assert domestic_target(model, 2 * 52) == round(15_000 * 1.10)
    other = int(target_sizes(model)[Group.OTHER])
    assert other == round(world.population.other_workers * 1.10**2)


def test_replay_domestic_workers_follow_the_published_counts():
    # Labour Department: 399,320 (2019), 373,884 (2020), 339,451 (2021). Only the timeline's
    # population fields are replayed here (no model), week by week.
    world = load_scenario("hong_kong_2016_2020")
    start = world.time.start_year
    params = world.model_copy(deep=True)
    targets = TargetSizes.start(params)
    found = {}
    for week in range(5 * 52 + 1):
        for item in params.timeline:
            if item.week(start) == week:
                for path, value in item.set.items():
                    if path.startswith("population."):
                        setattr(params.population, path.split(".", 1)[1], value)
        if week % 52 == 0:
            found[start + week // 52] = int(targets.at(params, week)[Group.DOMESTIC])
        else:
            targets.at(params, week)
    assert found[2018] == pytest.approx(385_141, rel=0.005)
    assert found[2019] == pytest.approx(399_320, rel=0.005)
    assert found[2020] == pytest.approx(373_884, rel=0.005)
    assert found[2021] == pytest.approx(339_451, rel=0.005)
