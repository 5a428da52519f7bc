"""The variance decomposition of the gain over posterior members: known linear answers, and
``tipsim compare --sensitivity`` end to end on a small ensemble batch."""

import io

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


# ------------------------------------------------------------------ the command, end to end
def test_compare_sensitivity_splits_an_ensemble_batchs_gain_over_its_inputs(tmp_path, capsys):
    """``tipsim compare --sensitivity`` reads the members' inputs through the batch's record."""
    from experiments.cli import main as cli
    from tests.test_pilot import write_pilot

    write_pilot(tmp_path)  # 8 small members differing in disclosure.intercept ...
    listing = tmp_path / "ensemble" / "ensemble.csv"
    pd.read_csv(listing).drop(columns="screening.tier1_specificity").to_csv(listing, index=False)
    assert cli(["batch", str(tmp_path / "batch.yaml"), "--quiet", "--workers", "1"]) == 0
    capsys.readouterr()
    folder = tmp_path / "out"
    metrics = ["victims_identified", "cost_hkd"]  # the cost's gain differs between members
    assert cli(["compare", str(folder), "--sensitivity", "--metrics", *metrics]) == 0
    out = capsys.readouterr().out
    assert "What carries the gain in victims identified" in out
    assert "| disclosure.intercept |" in out
    assert cli(["compare", str(folder), "--sensitivity", "--metrics", "cost_hkd", "--format",
                "csv"]) == 0  # fmt: skip
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    # one varying input: the linear split is its correlation, squared
    row = table.set_index("parameter").loc["disclosure.intercept"]
    assert row["share"] == pytest.approx(row["correlation"] ** 2)
    assert row["r2"] == pytest.approx(row["share"])
    assert table["members"].iloc[0] == 8

    # a batch that did not draw from an ensemble has no inputs to split over
    (folder / "ensemble.json").unlink()
    assert cli(["compare", str(folder), "--sensitivity"]) == 2
    err = capsys.readouterr().err
    assert "not a batch over a calibrated ensemble" in err and "Traceback" not in err


def test_weight_on_a_few_members_is_refused_not_split():
    """Many members whose weight sits on two cannot be split over three inputs."""
    parameters, weights = members(n=30)
    gains = parameters["support"] + parameters["fear"]
    heavy = weights * 0 + 1e-6
    heavy.iloc[:2] = 0.5
    with pytest.raises(AnalysisError, match="effective members"):
        variance_decomposition(gains, parameters, heavy)
    assert variance_decomposition(gains, parameters, weights).attrs["members"] == 30
