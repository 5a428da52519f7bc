"""Statistics of the comparison on synthetic result tables with known answers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.statistics import (
    bootstrap_ci,
    bootstrap_counts,
    paired_differences,
    paired_summary,
    replicate_summary,
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
    table = runs({"ref": [100.0, 5.0, 60.0, 30.0], "new": [99.0, 4.0, 59.0, 29.0]})
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


def test_fewer_than_two_pairs_give_no_interval():
    row = paired_summary(runs({"ref": [1.0], "new": [3.0]}), "ref", BY, ["x"]).iloc[0]
    assert row["diff"] == 2.0
    assert np.isnan(row["diff_low"]) and np.isnan(row["diff_high"])


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


def test_bootstrap_counts_are_resamples_with_replacement():
    counts = bootstrap_counts(7, 500, np.random.default_rng(1))
    assert counts.shape == (500, 7)
    assert (counts.sum(axis=1) == 7).all()
    # Each observation appears once per resample on average.
    assert counts.mean() == pytest.approx(1.0)
    assert counts.mean(axis=0) == pytest.approx(np.ones(7), abs=0.15)


def test_bootstrap_is_reproducible_with_its_fixed_seed():
    values = np.random.default_rng(5).normal(size=30)
    assert bootstrap_ci(values) == bootstrap_ci(values)
    assert bootstrap_ci(values, seed=1) != bootstrap_ci(values, seed=2)


def test_bootstrap_interval_covers_the_true_mean_about_95_percent_of_the_time():
    # Samples of 40 from an exponential distribution with mean 2 (skewed on purpose).
    rng = np.random.default_rng(2024)
    trials, n = 400, 40
    covered = 0
    for trial in range(trials):
        sample = rng.exponential(2.0, size=n)
        low, high = bootstrap_ci(sample, resamples=1000, seed=trial)
        covered += bool(low <= 2.0 <= high)
    coverage = covered / trials
    # Percentile intervals undercover slightly for skewed data at n = 40 (~93%); the
    # binomial standard error of the estimate is about 1.2 points.
    assert 0.89 <= coverage <= 0.98, coverage


def test_bootstrap_needs_two_observations():
    with pytest.raises(ValueError, match="at least 2"):
        bootstrap_ci([1.0])
