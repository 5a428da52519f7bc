"""The counter-based dice: each number fixed by (key, decision, identity, week, draw)."""

import numpy as np
import pytest

from model.dice import Decision, Dice, beta_distribution, beta_quantile_table

MASK = (1 << 64) - 1


def splitmix64(state: int) -> int:
    """SplitMix64's output for a state (reference: Steele, Lea & Flood 2014), pure Python."""
    z = state & MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def test_each_identity_is_one_step_of_a_splitmix64_sequence_from_the_hashed_base():
    dice = Dice(12345)
    base = dice._base(Decision.TIER1, 7, 0)
    ids = np.array([0, 1, 2, 1_000_000_007])
    expected = [splitmix64(base + i * 0x9E3779B97F4A7C15) for i in ids.tolist()]
    assert dice.bits(Decision.TIER1, ids, 7).tolist() == expected
    uniforms = dice.uniforms(Decision.TIER1, ids, 7)
    assert uniforms.tolist() == [(v >> 11) * 2.0**-53 for v in expected]


def test_a_number_depends_only_on_its_own_identity_not_on_who_else_is_drawn():
    dice = Dice.from_seed(np.random.SeedSequence(3))
    everyone = np.arange(10_000)
    some = np.array([9_999, 17, 4_000, 17])
    full = dice.uniforms(Decision.ARREST, everyone, week=-12, draw=2)
    assert np.array_equal(dice.uniforms(Decision.ARREST, some, week=-12, draw=2), full[some])
    # Same for every derived distribution.
    assert np.array_equal(
        dice.gammas(Decision.REMOVAL_DAYS, some, 1.7, 20.0, week=3),
        dice.gammas(Decision.REMOVAL_DAYS, everyone, 1.7, 20.0, week=3)[some],
    )
    assert np.array_equal(
        dice.betas(Decision.TRUST, some, 2.0, 3.0),
        dice.betas(Decision.TRUST, everyone, 2.0, 3.0)[some],
    )


def test_decisions_weeks_draws_and_runs_give_unrelated_numbers():
    ids = np.arange(200_000)
    dice = Dice.from_seed(np.random.SeedSequence(1))
    other_run = Dice.from_seed(np.random.SeedSequence(1, spawn_key=(1,)))
    streams = np.array(
        [
            dice.uniforms(Decision.TIER1, ids, 5),
            dice.uniforms(Decision.TIER1, ids, 6),
            dice.uniforms(Decision.DISCLOSURE, ids, 5),
            dice.uniforms(Decision.TIER1, ids, 5, draw=1),
            other_run.uniforms(Decision.TIER1, ids, 5),
            dice.uniforms(Decision.TIER1, ids + 1, 5),
        ]
    )
    corr = np.corrcoef(streams)
    off_diagonal = corr[~np.eye(len(streams), dtype=bool)]
    # Independent uniforms: correlations ~ N(0, 1/n), sd 0.0022 here.
    assert np.abs(off_diagonal).max() < 0.012
    assert dice.key != other_run.key


def test_uniforms_are_uniform_and_in_range():
    u = Dice(99).uniforms(Decision.STAY, np.arange(500_000), week=1)
    assert u.min() >= 0.0 and u.max() < 1.0
    counts = np.bincount((u * 100).astype(int), minlength=100)
    expected = len(u) / 100
    chi_square = ((counts - expected) ** 2 / expected).sum()
    assert chi_square < 160  # 99 degrees of freedom: p < 1e-4 beyond
    # Neighbouring identities are unrelated (lag-1 correlation).
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 0.01


def test_distributions_have_their_moments():
    dice = Dice(2024)
    ids = np.arange(200_000)
    assert dice.bernoulli(Decision.YOUNG, ids, 0.3).mean() == pytest.approx(0.3, abs=0.004)
    assert dice.exponentials(Decision.DEBT, ids, 4.0).mean() == pytest.approx(4.0, rel=0.02)
    waits = dice.geometric(Decision.STAY, ids, 0.02)
    assert waits.min() >= 1
    assert waits.mean() == pytest.approx(50.0, rel=0.02)
    assert dice.geometric(Decision.STAY, ids[:10], 1.0).tolist() == [1] * 10
    integers = dice.integers(Decision.ARRIVED_BEFORE, ids, 0, 104)
    assert integers.min() == 0 and integers.max() == 103
    assert integers.mean() == pytest.approx(51.5, rel=0.01)
    normals = dice.normals(Decision.FEAR, ids)
    assert normals.mean() == pytest.approx(0.0, abs=0.01)
    assert normals.var() == pytest.approx(1.0, rel=0.02)
    for shape, scale in ((2.0, 3.0), (0.5, 2.0), (1.0, 10.0)):
        g = dice.gammas(Decision.REMOVAL_DAYS, ids, shape, scale)
        assert g.min() >= 0.0
        assert g.mean() == pytest.approx(shape * scale, rel=0.02)
        assert g.var() == pytest.approx(shape * scale**2, rel=0.05)
    for a, b in ((2.0, 2.0), (0.5, 3.5), (3.2, 0.8)):
        beta = dice.betas(Decision.TRUST, ids, a, b)
        assert beta.min() >= 0.0 and beta.max() <= 1.0
        assert beta.mean() == pytest.approx(a / (a + b), abs=0.004)
        assert beta.var() == pytest.approx(a * b / ((a + b) ** 2 * (a + b + 1)), rel=0.03)
    counts = [dice.poisson(Decision.RETURNEES, 3.5, week=w) for w in range(20_000)]
    assert np.mean(counts) == pytest.approx(3.5, rel=0.03)
    assert np.var(counts) == pytest.approx(3.5, rel=0.06)
    assert dice.poisson(Decision.RETURNEES, 0.0) == 0


def test_beta_distribution_function_matches_a_closed_form():
    # Beta(2, 2): F(x) = 3x^2 - 2x^3; Beta(1, 1): F(x) = x.
    x, cdf = beta_distribution(2.0, 2.0)
    assert np.abs(cdf - (3 * x**2 - 2 * x**3)).max() < 1e-12
    x, cdf = beta_distribution(1.0, 1.0)
    assert np.abs(cdf - x).max() < 1e-12
    # The quantile table inverts it: F(Q(u)) = u.
    table = beta_quantile_table(2.0, 2.0)
    u = np.linspace(0.0, 1.0, len(table) - 1)
    q = table[:-1]
    assert np.abs((3 * q**2 - 2 * q**3) - u).max() < 1e-4


def test_a_small_change_of_a_beta_moves_each_number_a_little():
    dice = Dice(5)
    ids = np.arange(50_000)
    before = dice.betas(Decision.TRUST, ids, 2.0, 2.0)
    after = dice.betas(Decision.TRUST, ids, 2.04, 1.96)
    assert np.abs(after - before).max() < 0.02
    assert np.corrcoef(before, after)[0, 1] > 0.999


def test_priority_ranks_by_own_number_so_a_newcomer_displaces_only_those_after_it():
    dice = Dice(8)
    ids = np.arange(1_000)
    order = dice.priority(Decision.SCREENING_PRIORITY, ids, week=4)
    first_100 = set(ids[order[:100]].tolist())
    with_newcomer = np.append(ids, 5_000)
    order2 = dice.priority(Decision.SCREENING_PRIORITY, with_newcomer, week=4)
    first_100_after = set(with_newcomer[order2[:100]].tolist())
    # At most one place changes hands: the newcomer's, taken from the last of the 100.
    assert len(first_100 - first_100_after) <= 1
    assert first_100_after - first_100 <= {5_000}


def test_empty_identities_give_empty_draws():
    dice = Dice(1)
    empty = np.empty(0, dtype=np.int64)
    assert len(dice.uniforms(Decision.TIER1, empty)) == 0
    assert len(dice.gammas(Decision.REMOVAL_DAYS, empty, 2.0)) == 0
    assert len(dice.betas(Decision.TRUST, empty, 2.0, 2.0)) == 0
