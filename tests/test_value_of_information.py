"""Value of information: the EVPPI estimator against analytic answers, and the gain it values.

Protects the ranking users read to decide which evidence to seek: on a problem whose answer is
known in closed form (gain = a + x1 + x2 + noise, standard normal inputs) the regression
estimate of each input's EVPPI matches the value computed with the true conditional mean, an
input that does nothing is worth nothing, a group is worth at least its members, and the
variance shares match the inputs' shares of the variance.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from analysis.errors import AnalysisError
from analysis.value_of_information import (
    Objective,
    evpi,
    member_gains,
    paired_gains,
    value_of_information,
)

A = 0.3  # the mean gain: the reform is adopted without more information
NOISE = 0.25


@pytest.fixture(scope="module")
def problem() -> tuple[pd.Series, pd.Series, pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(1)
    n = 200
    x = rng.normal(size=(n, 3))
    gains = A + x[:, 0] + x[:, 1] + NOISE * rng.normal(size=n)
    index = [f"member_{i:03d}" for i in range(n)]
    inputs = pd.DataFrame(x, index=index, columns=["x1", "x2", "idle"])
    return pd.Series(gains, index), pd.Series(np.ones(n), index), inputs, x


@pytest.fixture(scope="module")
def table(problem) -> pd.DataFrame:
    gains, weights, inputs, _ = problem
    result = value_of_information(gains, weights, inputs, {"x1 and x2": ["x1", "x2"]})
    return result.set_index("learned")


def test_evpi_of_a_normal_gain_has_its_closed_form():
    # E[max(0, G)] - max(0, E[G]) for G ~ N(a, s^2) is a Phi(a/s) + s phi(a/s) - max(0, a)
    values = norm.ppf((np.arange(20_000) + 0.5) / 20_000, loc=A, scale=2.0)
    expected = A * norm.cdf(A / 2.0) + 2.0 * norm.pdf(A / 2.0) - A
    assert evpi(values, np.ones(len(values))) == pytest.approx(expected, abs=1e-3)


def test_evpi_is_zero_when_no_sample_would_change_the_decision():
    assert evpi(np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.3, 0.5])) == 0.0
    assert evpi(np.array([-1.0, -2.0]), np.array([1.0, 1.0])) == 0.0


def test_each_inputs_evppi_matches_the_true_conditional_mean(problem, table):
    _, weights, _, x = problem
    w = weights.to_numpy()
    for column, name in ((0, "x1"), (1, "x2")):
        oracle = evpi(A + x[:, column], w)
        assert table.loc[name, "evppi"] == pytest.approx(oracle, abs=0.05)
    both = evpi(A + x[:, 0] + x[:, 1], w)
    assert table.loc["x1 and x2", "evppi"] == pytest.approx(both, abs=0.05)


def test_an_input_that_does_nothing_is_worth_nothing(table):
    assert table.loc["idle", "evppi"] < 0.02
    assert table.loc["idle", "variance_share"] < 0.05


def test_a_group_is_worth_at_least_each_member_and_everything_at_least_the_group(table):
    group = table.loc["x1 and x2", "evppi"]
    assert group >= max(table.loc["x1", "evppi"], table.loc["x2", "evppi"]) - 1e-9
    assert table.loc["everything", "evppi"] >= group - 0.02


def test_variance_shares_are_the_inputs_shares_of_the_variance(table):
    share = 1 / (2 + NOISE**2)
    assert table.loc["x1", "variance_share"] == pytest.approx(share, abs=0.08)
    assert table.loc["x2", "variance_share"] == pytest.approx(share, abs=0.08)


def test_the_table_ranks_everything_then_groups_then_inputs(table):
    kinds = list(table["kind"])
    assert kinds == sorted(kinds, key=["all", "group", "input"].index)
    inputs = table[table["kind"] == "input"]["evppi"].to_numpy()
    assert (np.diff(inputs) <= 1e-12).all()


def runs_table() -> pd.DataFrame:
    rows = []
    for world, (identified, cost) in {"m0": ((3, 5), (10.0, 14.0)), "m1": ((4, 4), (8, 9))}.items():
        for replicate in (0, 1):
            for policy, i in (("detention_first", 0), ("screening_before_detention", 1)):
                rows.append(
                    {
                        "world": world,
                        "policy": policy,
                        "replicate": replicate,
                        "victims_identified": identified[i] + replicate,
                        "cost_hkd": cost[i] * (1 + replicate),
                    }
                )
    return pd.DataFrame(rows)


def test_gains_in_victims_and_in_net_benefit():
    runs = runs_table()
    victims = member_gains(paired_gains(runs, Objective()))
    assert victims.to_dict() == {"m0": 2.0, "m1": 0.0}
    money = member_gains(paired_gains(runs, Objective("net_benefit", wtp_hkd=10.0)))
    # m0: 10 x 2 - mean(4, 8) = 14; m1: 10 x 0 - mean(1, 2) = -1.5
    assert money.to_dict() == {"m0": pytest.approx(14.0), "m1": pytest.approx(-1.5)}


def test_bad_objectives_and_inputs_say_what_is_wrong(problem):
    with pytest.raises(AnalysisError, match="objective 'lives'"):
        Objective("lives")
    with pytest.raises(AnalysisError, match="wtp_hkd"):
        Objective("net_benefit")
    gains, weights, inputs, _ = problem
    with pytest.raises(AnalysisError, match="group 'g': no input nope"):
        value_of_information(gains, weights, inputs, {"g": ["nope"]})
    with pytest.raises(AnalysisError, match="at least 8"):
        value_of_information(gains[:5], weights[:5], inputs[:5])
