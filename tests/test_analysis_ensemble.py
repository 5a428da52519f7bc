"""The comparison over a calibrated ensemble: a normal mixture over members, known answers."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.ensemble import ensemble_answer, mixture_interval, pooled_sd


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
    se = 2.0 / np.sqrt(3)
    assert row["mean"] == pytest.approx(3.0)
    assert row["low"] == pytest.approx(3.0 - stats.norm.ppf(0.975) * se, abs=1e-6)
    assert row["high"] == pytest.approx(3.0 + stats.norm.ppf(0.975) * se, abs=1e-6)
    assert row["p_more"] == pytest.approx(stats.norm.cdf(3.0 / se))
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
