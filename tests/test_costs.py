"""Cost per victim found: unit costs booked by the model, cost ratios and the incremental cost
per extra victim identified in every comparison, and its interval over an ensemble."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import analysis
from analysis.cost_effectiveness import (
    INCREMENTAL,
    ensemble_incremental_cost,
    incremental_cost,
)
from model import IdentificationModel
from model.parameters import Parameters
from tests.analysis_folders import write_folder

SMALL = {
    "population.domestic_workers": 4000,
    "population.other_workers": 200,
    "population.sex_workers": 300,
    "population.irregular": 600,
}


def two_policies(identified: list[float], extra: list[float], cost_each: float, extra_cost):
    """Runs where each victim identified costs ``cost_each`` and the reform adds ``extra``."""
    rows = []
    for replicate, (base, more) in enumerate(zip(identified, extra, strict=True)):
        for policy, count, cost in (
            ("detention_first", base, base * cost_each),
            ("screening_before_detention", base + more, base * cost_each + extra_cost[replicate]),
        ):
            rows.append(
                {
                    "world": "w",
                    "policy": policy,
                    "replicate": replicate,
                    "victims_identified": count,
                    "prosecutions": count / 2,
                    "cost_hkd": cost,
                }
            )
    return pd.DataFrame(rows)


def test_removals_are_costed_and_zero_removal_cost_is_the_cost_without_them():
    """A removal books costs.removal_hkd: the cost with it less the cost at 0 is removals x it."""
    results = {}
    for removal in (0.0, 12_345.0):
        params = Parameters().updated({"costs": {"removal_hkd": removal}})
        model = IdentificationModel(params, rng=3, overrides=SMALL)
        results[removal] = model.run(1.0)
    assert results[0.0]["removed"] > 0
    assert results[0.0]["removed"] == results[12_345.0]["removed"]
    extra = results[12_345.0]["cost_hkd"] - results[0.0]["cost_hkd"]
    assert extra == pytest.approx(results[0.0]["removed"] * 12_345.0)


def test_cost_per_victim_identified_is_the_ratio_of_means_with_its_interval():
    table = two_policies([10, 20, 30, 40, 50], [5] * 5, 1_000.0, [50_000.0] * 5)
    rows = analysis.compare(table, metrics=["victims_identified", "cost_hkd"])
    metrics = list(dict.fromkeys(rows["metric"]))
    assert metrics == [
        "victims_identified",
        "cost_hkd",
        "cost_per_victim_identified",
        "cost_per_prosecution",
        INCREMENTAL,
    ]
    per_victim = rows[rows["metric"] == "cost_per_victim_identified"].set_index("policy")
    assert per_victim.loc["detention_first", "mean"] == pytest.approx(1_000.0)
    assert per_victim.loc["detention_first", "mean_low"] == pytest.approx(1_000.0)
    # The reform: (30,000 + 50,000) / 35 a victim on average.
    assert per_victim.loc["screening_before_detention", "mean"] == pytest.approx(80_000 / 35)
    assert per_victim.loc["screening_before_detention", "diff"] == pytest.approx(80_000 / 35 - 1e3)
    per_prosecution = rows[rows["metric"] == "cost_per_prosecution"].set_index("policy")
    assert per_prosecution.loc["detention_first", "mean"] == pytest.approx(2_000.0)


def test_the_incremental_cost_is_extra_cost_over_extra_victims_with_a_paired_interval():
    table = two_policies([10, 20, 30, 40, 50], [5] * 5, 1_000.0, [50_000.0] * 5)
    rows = analysis.compare(table, metrics=["cost_hkd"])
    row = rows[(rows["metric"] == INCREMENTAL)].set_index("policy")
    assert row.loc["screening_before_detention", ["diff", "diff_low", "diff_high"]].tolist() == (
        pytest.approx([10_000.0] * 3)
    )
    assert np.isnan(row.loc["detention_first", "diff"])


def test_an_incremental_cost_whose_extra_victims_may_be_zero_has_no_interval():
    ratio, low, high = incremental_cost(
        np.array([10.0, 20.0, 30.0, 5.0, 5.0]), np.array([-1.0, 1.0, 2.0, -2.0, 3.0])
    )
    assert ratio == pytest.approx(14.0 / 0.6)
    assert np.isnan(low) and np.isnan(high)
    ratio, low, high = incremental_cost(
        np.array([9.0, 11.0, 10.0, 10.0, 10.0]), np.array([1.0] * 5)
    )
    assert ratio == pytest.approx(10.0) and low < 10.0 < high


def test_the_comparison_tables_print_the_cost_rows(tmp_path):
    table = two_policies([10, 20, 30, 40, 50], [5] * 5, 1_000.0, [50_000.0] * 5)
    for column, value in (("draw", 0), ("seed", 1)):
        table[column] = value
    table["run_id"] = [f"r{i}" for i in range(len(table))]
    folder = write_folder(tmp_path / "batch", table)
    text = analysis.comparison_text(folder, metrics=["cost_hkd"])
    assert INCREMENTAL in text and "cost_per_prosecution" in text
    assert "+10,000 [+10,000, +10,000]" in text


def test_the_ensemble_incremental_cost_is_the_weighted_ratio_and_covers_member_spread():
    frames = []
    for member, extra in (("a", 4.0), ("b", 6.0)):
        frame = two_policies([10, 20, 30, 40, 50], [extra] * 5, 1_000.0, [extra * 10_000.0] * 5)
        frame["world"] = member
        frames.append(frame)
    runs = pd.concat(frames, ignore_index=True)
    answer = ensemble_incremental_cost(runs).iloc[0]
    assert answer["mean"] == pytest.approx(10_000.0)
    assert answer["low"] == pytest.approx(10_000.0) and answer["high"] == pytest.approx(10_000.0)
    assert answer["extra_victims"] == pytest.approx(5.0)
    # Unequal cost per extra victim across members widens the interval around the ratio.
    runs.loc[(runs["world"] == "b") & (runs["policy"] != "detention_first"), "cost_hkd"] += 30_000
    answer = ensemble_incremental_cost(runs).iloc[0]
    assert answer["mean"] == pytest.approx((40_000 + 90_000) / 2 / 5)
    assert answer["low"] < answer["mean"] < answer["high"]


def test_runs_without_costs_get_no_cost_rows():
    table = two_policies([1, 2, 3, 4, 5], [1] * 5, 1.0, [1.0] * 5).drop(columns="cost_hkd")
    rows = analysis.compare(table)
    assert not set(rows["metric"]) & {INCREMENTAL, "cost_per_victim_identified"}
