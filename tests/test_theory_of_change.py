"""The ten-year study of the theory of change: yearly sums of a run and the paired gain per year."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.studies.theory_of_change import (
    POLICIES,
    SCENARIO,
    gain_figure,
    yearly_gain,
    yearly_run,
)


def test_the_yearly_gain_is_the_mean_paired_difference_per_year():
    rows = []
    for replicate in range(5):
        for year in (1, 2):
            for policy, extra in zip(POLICIES, (0, year * 3 + replicate % 2), strict=True):
                rows.append(
                    {
                        "setting": "today",
                        "policy": policy,
                        "replicate": replicate,
                        "sim_year": year,
                        "victims_identified": 10 + replicate + extra,
                    }
                )
    gains = yearly_gain(pd.DataFrame(rows))
    assert gains["gain"].tolist() == pytest.approx([3.4, 6.4])
    assert gains["cumulative_gain"].tolist() == pytest.approx([3.4, 9.8])
    assert (gains["low"] < gains["gain"]).all() and (gains["gain"] < gains["high"]).all()
    assert gain_figure(gains).axes


def test_a_run_is_summed_by_simulated_year():
    assert SCENARIO.is_file()  # the study's default world, by its path in the checkout
    yearly = yearly_run("learning", POLICIES[1], 0, years=2, scale=0.02, seed=3)
    assert yearly["sim_year"].tolist() == [1, 2]
    assert (yearly["victims_present"] > 0).all()
    assert set(yearly["setting"]) == {"learning"}
