"""The variance decomposition of the gain over posterior members: known linear answers."""

import numpy as np
import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.posterior_sensitivity import member_gains, variance_decomposition


def members(n=60, seed=2):
    rng = np.random.default_rng(seed)
    names = [f"member_{i:03d}" for i in range(n)]
    parameters = pd.DataFrame(
        {"support": rng.normal(0, 2, n), "fear": rng.normal(0, 1, n), "flat": np.ones(n)},
        index=names,
    )
    return parameters, pd.Series(np.full(n, 1.0 / n), index=names)


def test_a_linear_gain_splits_into_its_terms_with_r2_one():
    parameters, weights = members()
    gains = 3.0 * parameters["support"] - 1.0 * parameters["fear"]
    table = variance_decomposition(gains, parameters, weights).set_index("parameter")
    assert table.attrs["r2"] == pytest.approx(1.0)
    assert "flat" not in table.index  # no spread, no share
    sd = np.sqrt(np.cov(gains, bias=True))
    for name, slope in (("support", 3.0), ("fear", -1.0)):
        spread = parameters[name].std(ddof=0)
        assert table.loc[name, "src"] == pytest.approx(slope * spread / sd)
    assert table.index[0] == "support"
    assert table["share"].sum() == pytest.approx(1.0, abs=0.05)  # near-independent draws


def test_noise_lowers_r2_and_weights_count():
    parameters, weights = members()
    rng = np.random.default_rng(9)
    gains = parameters["support"] + rng.normal(0, 2, len(parameters))
    table = variance_decomposition(gains, parameters, weights)
    assert 0.05 < table.attrs["r2"] < 0.6
    # a member with all the weight but one leaves nothing to split
    heavy = weights * 0 + 1e-12
    heavy.iloc[0] = 1.0
    with pytest.raises(AnalysisError):
        variance_decomposition(gains.iloc[:3], parameters.iloc[:3], heavy.iloc[:3])


def test_member_gains_are_the_mean_paired_differences():
    rows = []
    for world, diffs in {"a": [1.0, 3.0], "b": [-2.0, -2.0]}.items():
        for replicate, diff in enumerate(diffs):
            rows.append(
                {
                    "world": world,
                    "policy": "detention_first",
                    "replicate": replicate,
                    "victims_identified": 10.0,
                }
            )
            rows.append(
                {
                    "world": world,
                    "policy": "screening_before_detention",
                    "replicate": replicate,
                    "victims_identified": 10.0 + diff,
                }
            )
    gains = member_gains(
        pd.DataFrame(rows),
        "detention_first",
        "screening_before_detention",
        ["victims_identified"],
    )
    assert gains.loc["a", "victims_identified"] == 2.0
    assert gains.loc["b", "victims_identified"] == -2.0
