"""Candidate clocks: each weekly event befalls each eligible migrant with its own probability.

Protects ``model.hazards``: thinning a per-migrant Bernoulli clock gives exactly the weekly
probabilities asked for (by group, by migrant), never befalls a group whose bound is 0, follows
a change of rate from its week, and gives a person the same candidate weeks whatever slot they
sit in.
"""

from types import SimpleNamespace

import numpy as np
import pytest

from model.dice import Decision, Dice
from model.hazards import Hazards, only
from model.population import Population
from model.states import Group, Stage

N = 4000
WEEKS = 400


def stand_in(order: np.ndarray | None = None, bounds=None):
    """A population of ``N`` community migrants (groups by identity) and its candidate clocks."""
    pop = Population(capacity=N)
    slots = pop.allocate(N)
    ids = np.arange(N) if order is None else order
    pop.stage[slots] = Stage.COMMUNITY
    pop.person_id[slots] = ids
    pop.group[slots] = ids % 2  # domestic and other workers
    model = SimpleNamespace(population=pop, dice=Dice(17), week=0, params={})
    rates = bounds or {
        Decision.RAID: 0.1,
        Decision.CLAIM: only(Group.OTHER, bound=0.02),
    }
    model.hazards = Hazards(model, lambda params: dict(rates))
    return model


def weekly_counts(model, weeks=WEEKS, probability=None):
    """Times each slot was befallen by RAID and by CLAIM over ``weeks`` weeks."""
    raid, claim = np.zeros(N), np.zeros(N)
    everyone = lambda s: np.ones(len(s), dtype=bool)  # noqa: E731
    for week in range(weeks):
        model.week = week
        raid[model.hazards.select(Decision.RAID, everyone, probability)] += 1
        claim[model.hazards.select(Decision.CLAIM, everyone)] += 1
    return raid, claim


def test_each_migrant_is_befallen_with_its_own_weekly_probability():
    model = stand_in()
    p = np.where(np.arange(N) < N // 2, 0.1, 0.03)  # by slot; the bound is 0.1
    raid, claim = weekly_counts(model, probability=lambda s: p[s])
    for mask, expected in ((p == 0.1, 0.1), (p == 0.03, 0.03)):
        rate = raid[mask].mean() / WEEKS
        assert rate == pytest.approx(expected, rel=0.04)  # 4 standard errors or less
    other = model.population.group == Group.OTHER
    assert claim[~other].sum() == 0, "a bound of 0 for a group: never befalls it"
    assert claim[other].mean() / WEEKS == pytest.approx(0.02, rel=0.06)


def test_a_change_of_rate_takes_effect_from_its_week():
    rates = {Decision.RAID: 0.05}
    model = stand_in(bounds=rates)
    first, _ = weekly_counts(model, weeks=200)
    rates[Decision.RAID] = 0.01
    model.week = 200
    later = np.zeros(N)
    everyone = lambda s: np.ones(len(s), dtype=bool)  # noqa: E731
    for week in range(200, 400):
        model.week = week
        later[model.hazards.select(Decision.RAID, everyone)] += 1
    assert first.mean() / 200 == pytest.approx(0.05, rel=0.05)
    assert later.mean() / 200 == pytest.approx(0.01, rel=0.08)


def test_a_person_has_the_same_candidate_weeks_in_any_slot():
    shuffled = np.random.default_rng(3).permutation(N)
    a, b = stand_in(), stand_in(order=shuffled)
    everyone = lambda s: np.ones(len(s), dtype=bool)  # noqa: E731
    for week in range(60):
        a.week = b.week = week
        got_a = a.population.person_id[a.hazards.select(Decision.RAID, everyone)]
        got_b = b.population.person_id[b.hazards.select(Decision.RAID, everyone)]
        assert sorted(got_a) == sorted(got_b)
