"""Statistics of the comparison on synthetic result tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from analysis.statistics import (
    MIN_PAIRS,
    interval_description,
    paired_differences,
    paired_summary,
    ratio_t_interval,
    replicate_summary,
    t_interval,
)

BY = ["world", "draw"]


def runs(values: dict[str, list[float]], metric: str = "x", world: str = "w") -> pd.DataFrame:
    """One row per policy and replicate with one metric."""
    return pd.DataFrame(
        [
            {"world": world, "draw": 0, "policy": policy, "replicate": r, metric: value}
            for policy, series in values.items()
            for r, value in enumerate(series)
        ]
    )


def test_constant_paired_difference_gives_a_zero_width_interval_at_that_value():
    reference = [3.0, 17.0, 8.0, 40.0, 11.0, 25.0]
    table = runs({"ref": reference, "new": [v + 2.5 for v in reference]})
    row = paired_summary(table, "ref", BY, ["x"]).iloc[0]
    assert row["diff"] == 2.5
    assert row["diff_low"] == 2.5
    assert row["diff_high"] == 2.5
    assert row["n_pairs"] == 6
    assert row["rel"] == pytest.approx(2.5 / np.mean(reference))


def test_pairing_is_by_replicate_not_by_order_or_pooled():
    # The policies differ by exactly -1 per replicate although the replicates vary a lot:
    # paired, the interval is a point; unpaired it would be wide and centred elsewhere.
    table = runs({"ref": [100.0, 5.0, 60.0, 30.0, 12.0], "new": [99.0, 4.0, 59.0, 29.0, 11.0]})
    shuffled = table.sample(frac=1.0, random_state=3)
    row = paired_summary(shuffled, "ref", BY, ["x"]).iloc[0]
    assert (row["diff"], row["diff_low"], row["diff_high"]) == (-1.0, -1.0, -1.0)


def test_paired_differences_keep_only_replicates_present_under_both_policies():
    table = runs({"ref": [1.0, 2.0, 3.0], "new": [2.0, 4.0, 6.0]})
    table = table.drop(index=table[(table.policy == "new") & (table.replicate == 1)].index)
    diffs = paired_differences(table, "ref", BY, ["x"])
    assert diffs["replicate"].tolist() == [0, 2]
    assert diffs["x"].tolist() == [1.0, 3.0]
    assert paired_summary(table, "ref", BY, ["x"]).iloc[0]["n_pairs"] == 2


def test_pairs_stay_within_their_world():
    table = pd.concat(
        [
            runs({"ref": [1.0, 1.0], "new": [2.0, 2.0]}, world="a"),
            runs({"ref": [10.0, 10.0], "new": [40.0, 40.0]}, world="b"),
        ],
        ignore_index=True,
    )
    summary = paired_summary(table, "ref", BY, ["x"]).set_index("world")
    assert summary.loc["a", "diff"] == 1.0
    assert summary.loc["b", "diff"] == 30.0
    assert summary.loc["b", "rel"] == 3.0


def test_fewer_than_five_pairs_give_no_interval():
    table = runs({"ref": [1.0, 2.0, 3.0, 4.0], "new": [3.0, 3.0, 6.0, 6.0]})
    row = paired_summary(table, "ref", BY, ["x"]).iloc[0]
    assert row["diff"] == 2.0 and row["n_pairs"] == 4
    assert np.isnan([row["diff_low"], row["diff_high"], row["rel_low"], row["rel_high"]]).all()
    summary = replicate_summary(table, [*BY, "policy"], ["x"]).iloc[0]
    assert np.isnan(summary["mean_low"]) and np.isnan(summary["mean_high"])
    with pytest.raises(ValueError, match="at least 5"):
        t_interval([1.0, 2.0, 3.0, 4.0])


def test_five_pairs_give_the_textbook_t_interval():
    # Known answer: mean 2, sd 1 (ddof 1), n 5: 2 +/- t(0.975, 4) / sqrt(5) = 2 +/- 1.2417.
    diff = [1.0, 2.0, 3.0, 1.0, 3.0]
    diff = [2.0 + d - np.mean(diff) for d in diff]
    diff = [2.0 + (d - 2.0) / np.std(diff, ddof=1) for d in diff]
    reference = [10.0, 11.0, 9.0, 10.0, 10.0]
    table = runs({"ref": reference, "new": [r + d for r, d in zip(reference, diff, strict=True)]})
    row = paired_summary(table, "ref", BY, ["x"]).iloc[0]
    half = stats.t.ppf(0.975, 4) / np.sqrt(5)
    assert half == pytest.approx(1.2417, abs=1e-4)
    assert row["diff_low"] == pytest.approx(2.0 - half)
    assert row["diff_high"] == pytest.approx(2.0 + half)
    assert row["n_pairs"] == MIN_PAIRS


def test_relative_change_interval_is_the_linearised_ratio_interval():
    # With a constant reference the ratio's interval is the difference's divided by it.
    diff = np.array([[1.0], [2.0], [4.0], [3.0], [5.0], [3.0]])
    reference = np.full((6, 1), 10.0)
    low, high = ratio_t_interval(diff, reference)
    diff_low, diff_high = t_interval(diff)
    assert low == pytest.approx(diff_low / 10.0) and high == pytest.approx(diff_high / 10.0)
    # A noisy reference widens it.
    noisy = reference + np.array([[-3.0], [2.0], [-1.0], [3.0], [-2.0], [1.0]])
    wide_low, wide_high = ratio_t_interval(diff, noisy)
    assert (wide_high - wide_low) > (high - low)


def test_interval_description_says_what_the_interval_covers():
    text = interval_description(0.95, 8)
    assert "95% t-interval of the mean paired difference over 8 replicates" in text
    assert "stochastic uncertainty only" in text and "n<5" in text


def test_relative_change_is_undefined_when_the_reference_mean_is_zero():
    row = paired_summary(runs({"ref": [0.0, 0.0, 0.0], "new": [1.0, 2.0, 0.0]}), "ref", BY, ["x"])
    assert row.iloc[0]["diff"] == 1.0
    assert np.isnan(row.iloc[0]["rel"]) and np.isnan(row.iloc[0]["rel_low"])


def test_replicate_summary_mean_median_and_central_interval():
    table = runs({"p": [float(v) for v in range(101)]})
    row = replicate_summary(table, [*BY, "policy"], ["x"]).iloc[0]
    assert (row["n"], row["mean"], row["median"]) == (101, 50.0, 50.0)
    assert row["low"] == pytest.approx(2.5)
    assert row["high"] == pytest.approx(97.5)
    assert row["mean_low"] < 50.0 < row["mean_high"]


def test_t_interval_covers_the_mean_about_95_percent_of_the_time_on_skewed_data():
    # 400 samples of n = 8 from a gamma distribution with shape 4 (skewness 1, mean 4), the
    # size of a batch. The t-interval's true coverage here is about 93.3%; with 400 trials the
    # estimate's binomial standard error is about 1.2 points, so [0.91, 0.98] holds it
    # comfortably while refusing a method that undercovers like a percentile bootstrap
    # (~87% at n = 8).
    rng = np.random.default_rng(2024)
    trials, n, mean = 400, 8, 4.0
    covered = 0
    for _ in range(trials):
        low, high = t_interval(rng.gamma(4.0, 1.0, size=n))
        covered += bool(low <= mean <= high)
    coverage = covered / trials
    assert 0.91 <= coverage <= 0.98, coverage


def test_t_interval_of_a_constant_is_a_point():
    low, high = t_interval(np.full((7, 2), 3.5))
    assert low.tolist() == [3.5, 3.5] and high.tolist() == [3.5, 3.5]
