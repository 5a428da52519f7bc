"""The comparison over a calibrated ensemble: the law of total variance over members, known
answers, and the interval's coverage on a known two-level distribution."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.ensemble import (
    ensemble_answer,
    expected_gains,
    mixture_interval,
    p_more_bootstrap,
    pooled_sd,
)


def runs(differences: dict[str, list[float]], base: float = 10.0) -> pd.DataFrame:
    """Runs of two policies whose paired differences per world are ``differences``."""
    rows = []
    for world, diffs in differences.items():
        for replicate, diff in enumerate(diffs):
            values = (("detention_first", base), ("screening_before_detention", base + diff))
            for policy, value in values:
                rows.append(
                    {
                        "world": world,
                        "policy": policy,
                        "draw": 0,
                        "replicate": replicate,
                        "victims_identified": value,
                        "prosecutions": -value,
                    }
                )
    return pd.DataFrame(rows)


def test_one_member_gives_the_normal_interval_of_its_mean():
    answer = ensemble_answer(runs({"m0": [1.0, 3.0, 5.0]}), metrics=["victims_identified"])
    row = answer.iloc[0]
    sd = 2.0 / np.sqrt(3)  # the noise of a mean of 3 runs, counted once; no spread between
    assert row["mean"] == pytest.approx(3.0)
    assert row["low"] == pytest.approx(3.0 - stats.norm.ppf(0.975) * sd, abs=1e-6)
    assert row["high"] == pytest.approx(3.0 + stats.norm.ppf(0.975) * sd, abs=1e-6)
    assert row["p_more"] == pytest.approx(stats.norm.cdf(3.0 / sd))
    assert row["between_sd"] == 0.0 and row["pooled_sd"] == pytest.approx(2.0)
    assert row["share_members_more"] == 1.0
    assert row["pairs"] == 3 and row["members"] == 1


def test_members_without_spread_are_point_masses_weighted_by_their_weights():
    table = runs({"m0": [-1.0, -1.0], "m1": [2.0, 2.0], "m2": [4.0, 4.0]})
    weights = pd.Series({"m0": 0.25, "m1": 0.5, "m2": 0.25})
    row = ensemble_answer(table, metrics=["victims_identified"], weights=weights).iloc[0]
    assert row["pooled_sd"] == 0.0
    assert row["mean"] == pytest.approx(0.25 * -1 + 0.5 * 2 + 0.25 * 4)
    assert row["low"] == pytest.approx(-1.0) and row["high"] == pytest.approx(4.0)
    assert row["p_more"] == pytest.approx(0.75) and row["share_members_more"] == pytest.approx(0.75)
    # A fewer-is-better outcome reads the other way round.
    fewer = ensemble_answer(table, metrics=["prosecutions"], weights=weights).iloc[0]
    assert fewer["p_more"] == pytest.approx(0.25)


def test_the_mixture_interval_matches_sampling_from_the_mixture():
    means, errors = np.array([0.0, 5.0]), np.array([1.0, 2.0])
    weights = np.array([0.3, 0.7])
    low, high = mixture_interval(means, errors, weights, 0.9)
    rng = np.random.default_rng(4)
    member = rng.choice(2, size=400_000, p=weights)
    draws = rng.normal(means[member], errors[member])
    assert low == pytest.approx(np.quantile(draws, 0.05), abs=0.03)
    assert high == pytest.approx(np.quantile(draws, 0.95), abs=0.03)


def test_the_within_member_spread_is_pooled_over_members():
    groups = np.array(["a", "a", "a", "b", "b", "c"])
    values = np.array([1.0, 2.0, 3.0, 10.0, 14.0, 99.0])
    # a: variance 1 on 2 dof; b: variance 8 on 1 dof; c (one value) adds nothing.
    assert pooled_sd(groups, values) == pytest.approx(np.sqrt((2 * 1 + 1 * 8) / 3))


#: A known two-level distribution: a member's expected gain is -2 (share 0.3) or 6 (share 0.7);
#: one run's gain is its member's plus normal noise of sd 3; a member is run twice.
LEVELS, SHARES, NOISE, REPLICATES = np.array([-2.0, 6.0]), np.array([0.3, 0.7]), 3.0, 2


def two_level_truth(x: np.ndarray) -> np.ndarray:
    """Distribution function of a member's mean gain (expected gain plus the noise of a mean of
    :data:`REPLICATES` runs) under the known two-level distribution."""
    error = NOISE / np.sqrt(REPLICATES)
    return (SHARES * stats.norm.cdf((np.asarray(x)[..., None] - LEVELS) / error)).sum(axis=-1)


def test_the_interval_covers_the_known_two_level_distribution_at_its_level():
    """50 members of 2 replicates each: the interval holds 95% of the true distribution of a
    member's mean gain (on average over ensembles), as the law of total variance says (the
    between-member spread of expected gains plus the noise of a member's mean, once). The
    earlier mixture, which counted that noise twice, held about 98%."""
    rng = np.random.default_rng(11)
    members, replicates, held, p_more, twice = 50, REPLICATES, [], [], []
    for _ in range(300):
        expected = rng.choice(LEVELS, size=members, p=SHARES)
        gains = expected[:, None] + rng.normal(0, NOISE, size=(members, replicates))
        means, counts = gains.mean(axis=1), np.full(members, float(replicates))
        groups = np.repeat(np.arange(members), replicates)
        sd = pooled_sd(groups, gains.ravel())
        weights = np.full(members, 1 / members)
        shrunk, between = expected_gains(means, counts, sd, weights)
        errors = np.full(members, sd / np.sqrt(replicates))
        low, high = mixture_interval(shrunk, errors, weights, 0.95)
        held.append(two_level_truth(high) - two_level_truth(low))
        p_more.append(np.mean(stats.norm.cdf(shrunk / errors)))
        low, high = mixture_interval(means, errors, weights, 0.95)
        twice.append(two_level_truth(high) - two_level_truth(low))
    true_between = np.sqrt(SHARES @ (LEVELS - SHARES @ LEVELS) ** 2)
    assert np.mean(held) == pytest.approx(0.95, abs=0.01)
    assert np.mean(twice) > 0.97
    assert between == pytest.approx(true_between, rel=0.25)
    # P(more) of the mixture: near the truth, smoothed (the shrunk means are not two points)
    assert np.mean(p_more) == pytest.approx(1 - two_level_truth(0.0), abs=0.05)


def test_the_between_member_variance_is_the_spread_of_means_less_their_noise():
    means, counts = np.array([0.0, 2.0, 4.0, 6.0]), np.array([2.0, 2.0, 4.0, 4.0])
    weights = np.full(4, 0.25)
    shrunk, between = expected_gains(means, counts, 2.0, weights)
    # spread of the means 5; their mean noise 4 x (1/2 + 1/2 + 1/4 + 1/4) / 4 = 1.5
    assert between == pytest.approx(np.sqrt(5.0 - 1.5))
    assert np.average(shrunk, weights=weights) == pytest.approx(3.0)
    assert np.average((shrunk - 3.0) ** 2, weights=weights) == pytest.approx(3.5)
    # members whose spread is all noise have one expected gain
    flat, none = expected_gains(np.array([1.0, 1.5]), np.array([2.0, 2.0]), 4.0, np.full(2, 0.5))
    assert none == 0.0 and flat == pytest.approx([1.25, 1.25])


def test_the_bootstrap_over_members_brackets_p_more_and_repeats_itself():
    rng = np.random.default_rng(3)
    means = rng.normal(2.0, 3.0, size=40)
    counts, weights = np.full(40, 2.0), np.full(40, 1 / 40)
    low, high = p_more_bootstrap(means, counts, 2.0, weights)
    shrunk, _ = expected_gains(means, counts, 2.0, weights)
    p_more = np.mean(stats.norm.cdf(shrunk / (2.0 / np.sqrt(2))))
    assert low < p_more < high and high - low < 0.4
    assert (low, high) == p_more_bootstrap(means, counts, 2.0, weights)
    # one member of all the weight: nothing to resample, no spread
    one = np.array([1.0, 0.0])
    assert p_more_bootstrap(np.array([1.0, -5.0]), np.full(2, 1.0), 1.0, one) == pytest.approx(
        (stats.norm.cdf(1.0), stats.norm.cdf(1.0))
    )
