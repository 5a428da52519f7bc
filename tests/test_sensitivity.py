"""Sensitivity analysis: the Sobol and Morris code paths against known answers, common random
numbers in the policy difference, and ``tipsim sensitivity`` end to end."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pandas as pd
import pytest
import yaml
from SALib.test_functions import Ishigami

from experiments.cli import main as tipsim
from experiments.core.parameter_space import ParameterRange, ParameterSpace
from experiments.sensitivity.methods import morris, most_influential, sobol
from experiments.sensitivity.runs import PairTask, PolicyDifference, run_pair
from tests.conftest import ROOT

ISHIGAMI = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
#: Analytic indices of Ishigami (a=7, b=0.1): Saltelli et al. (2008), Global Sensitivity Analysis.
ISHIGAMI_S1 = [0.3139, 0.4424, 0.0]
ISHIGAMI_ST = [0.5576, 0.4424, 0.2437]


def test_sobol_reproduces_the_ishigami_indices():
    """Tolerance: each index within 0.06 of the analytic value (N = 1024, 5,120 evaluations)."""
    indices, samples = sobol(ISHIGAMI, Ishigami.evaluate, ["y"], samples=1024, seed=3)
    assert len(samples) == 1024 * (3 + 2)
    np.testing.assert_allclose(indices["S1"], ISHIGAMI_S1, atol=0.06)
    np.testing.assert_allclose(indices["ST"], ISHIGAMI_ST, atol=0.06)


def test_morris_ranks_a_linear_function_by_its_slopes():
    problem = {"num_vars": 3, "names": ["big", "small", "none"], "bounds": [[0, 1]] * 3}

    def linear(x):
        return np.column_stack([10 * x[:, 0] + 1 * x[:, 1], -x[:, 0]])

    indices, _ = morris(problem, linear, ["y", "z"], trajectories=6, seed=2)
    y = indices[indices["output"] == "y"].set_index("parameter")
    assert y.loc["big", "mu_star"] == pytest.approx(10)
    assert y.loc["small", "mu_star"] == pytest.approx(1)
    assert y.loc["none", "mu_star"] == pytest.approx(0)
    assert y["sigma"].max() == pytest.approx(0, abs=1e-9)  # linear: no interactions
    assert most_influential(indices, 2) == ["big", "small"]


def test_sobol_of_a_constant_output_is_undefined_not_an_error():
    indices, _ = sobol(ISHIGAMI, lambda x: np.ones(len(x)), ["flat"], samples=8)
    assert indices["S1"].isna().all() and indices["ST"].isna().all()


def test_sobol_checks_the_shape_of_what_evaluate_returns():
    with pytest.raises(ValueError, match="shape"):
        sobol(ISHIGAMI, lambda x: np.zeros((len(x), 2)), ["y"], samples=4)


def test_the_same_policy_twice_differs_by_exactly_zero(small_world):
    """Common random numbers: the same seed gives the same world under each policy."""
    task = PairTask(
        small_world,
        {"disclosure.intercept": -1.0},
        ("detention_first", "detention_first"),
        ("victims_identified", "prosecutions", "initial_screenings"),
        seed=5,
        number=0,
        years=1,
        scale=0.5,
    )
    row = run_pair(task)
    assert row["difference.victims_identified"] == 0
    assert row["difference.initial_screenings"] == 0
    assert row["detention_first.initial_screenings"] > 0


def test_fixed_values_are_set_in_every_run(small_world):
    """A value fixed in the file reaches every run: no victims, none identified."""
    model = PolicyDifference(
        small_world,
        ParameterSpace({"disclosure.intercept": ParameterRange(low=-4.0, high=0.0)}),
        ("detention_first", "screening_before_detention"),
        ("victims_identified", "initial_screenings"),
        ThreadPoolExecutor(1),
        seed=2,
        years=1,
        scale=0.5,
        fixed={
            "prevalence.trafficked_share_domestic": 0.0,
            "prevalence.trafficked_share_sex": 0.0,
            "prevalence.trafficked_share_other": 0.0,
            "prevalence.trafficked_share_irregular": 0.0,
            "prevalence.escalation_rate_per_year": 0.0,
        },
    )
    differences = model(np.array([[-2.0], [0.0]]))
    noise = model.noise(1)
    assert model.rows[0]["detention_first.initial_screenings"] > 0
    for row in model.rows:
        assert row["detention_first.victims_identified"] == 0
        assert row["screening_before_detention.victims_identified"] == 0
    assert (differences[:, 0] == 0).all() and noise[0, 0] == 0


def test_fixed_values_take_switches_and_round_integers():
    from experiments.core.parameter_space import check_fixed

    given = {
        "screening.tier2_support": True,
        "screening.tier2_sessions": 2.0,
        "disclosure.support": 1,
    }
    checked = check_fixed(given)
    assert checked == {
        "screening.tier2_support": True,
        "screening.tier2_sessions": 2,
        "disclosure.support": 1,
    }
    assert isinstance(checked["screening.tier2_sessions"], int)


def test_parameter_space_maps_log_ranges_and_rounds_integers():
    space = ParameterSpace(
        {
            "encounters.raid_rate_per_year": ParameterRange(low=0.01, high=1.0, log=True),
            "support.weekly_sessions": ParameterRange(low=10, high=80),
        }
    )
    problem = space.salib_problem()
    assert problem["bounds"][0] == pytest.approx([np.log(0.01), 0.0])
    values = space.to_values(np.array([np.log(0.1), 33.6]))
    assert values == {
        "encounters.raid_rate_per_year": pytest.approx(0.1),
        "support.weekly_sessions": 34,
    }


def write_config(tmp_path, **changes):
    config = {
        "name": "tiny",
        "scenario": str(ROOT / "tests" / "scenarios" / "small.yaml"),
        "policies": ["detention_first", "screening_before_detention"],
        "outputs": ["victims_identified", "prosecutions"],
        "years": 1,
        "scale": 0.25,
        "seed": 3,
        "noise_replicates": 2,
        "parameters": {
            "disclosure.intercept": {"low": -4.0, "high": 0.0},
            "detention.removal_days": {"low": 7, "high": 60},
        },
        "morris": {"trajectories": 2, "levels": 4},
        "sobol": {"samples": 2, "top": 1},
        "output": str(tmp_path / "out"),
    }
    config.update(changes)
    path = tmp_path / "sensitivity.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def test_cli_sensitivity_writes_indices_samples_and_figures(tmp_path, capsys):
    assert tipsim(["sensitivity", str(write_config(tmp_path)), "--workers", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "Morris" in out and "Sobol indices over" in out
    folder = tmp_path / "out" / "tiny"
    morris_table = pd.read_csv(folder / "morris.csv")
    assert set(morris_table["parameter"]) == {"disclosure.intercept", "detention.removal_days"}
    sobol_table = pd.read_csv(folder / "sobol.csv")
    assert len(sobol_table) == 2  # one parameter kept x two outputs
    samples = pd.read_parquet(folder / "morris_samples.parquet")
    assert len(samples) == 2 * 3
    assert (
        samples["victims_identified"]
        == samples["screening_before_detention.victims_identified"]
        - samples["detention_first.victims_identified"]
    ).all()
    assert len(pd.read_parquet(folder / "sobol_samples.parquet")) == 2 * 3
    assert len(pd.read_csv(folder / "noise.csv")) == 2
    assert (folder / "morris.png").is_file() and (folder / "sobol.png").is_file()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sobol": {"samples": 3, "top": 1}}, "not a power of 2"),
        ({"outputs": ["happiness"]}, "unknown output"),
        ({"policies": ["detention_first"]}, "policies"),
        ({"colour": "blue"}, "colour: unknown field"),
        ({"sobol": {"samples": 2, "top": 5}}, "exceeds"),
        ({"scenario": "no_such_world.yaml"}, "no such file"),
        (
            {"policies": ["detention_first", "detention_first"]},
            "the same policy twice (detention_first)",
        ),
        ({"fixed": {"screening.no_such_lever": 1.0}}, "unknown field 'no_such_lever'"),
        ({"fixed": {"screening.tier1_specificity": 1.5}}, "outside the allowed range"),
        ({"fixed": {"screening.tier2_support": 0.5}}, "is a switch: give true or false"),
        ({"fixed": {"screening.tier2_sessions": True}}, "is a number"),
        (
            {"fixed": {"disclosure.intercept": -5.0}},
            "disclosure.intercept both varied (parameters) and fixed (fixed)",
        ),
    ],
)
def test_cli_sensitivity_refuses_bad_files_with_status_2(tmp_path, capsys, changes, message):
    path = write_config(tmp_path, **changes)
    assert tipsim(["sensitivity", str(path), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "tipsim: error:" in err and message in err
    assert "Traceback" not in err


@pytest.mark.parametrize("name", ["sensitivity_hong_kong.yaml", "sensitivity_calibrated.yaml"])
def test_shipped_sensitivity_files_are_valid(name):
    from experiments.core.study_setup import load_world
    from experiments.sensitivity.config import load_sensitivity

    path = ROOT / "experiments" / name
    config = load_sensitivity(path)
    assert config.policies == ["detention_first", "screening_before_detention"]
    assert config.outputs == ["victims_identified", "prosecutions"]
    load_world(path, config.scenario)  # the world it names exists and loads


def test_calibrated_sensitivity_fixes_its_members_calibrated_levers():
    from experiments.sensitivity.config import load_sensitivity

    config = load_sensitivity(ROOT / "experiments" / "sensitivity_calibrated.yaml")
    member = config.scenario.rsplit("/", 1)[-1]
    listing = pd.read_csv(
        ROOT / "experiments" / "ensembles" / "hong_kong_2016_2020" / "ensemble" / "ensemble.csv"
    ).set_index("member")
    assert listing["weight"].idxmax() == member  # the highest-weight member
    for lever, value in config.fixed.items():
        assert value == pytest.approx(listing.loc[member, lever], rel=1e-6)


def test_cli_sensitivity_budget_flags_replace_the_files_and_warn_when_small(tmp_path, capsys):
    config = write_config(tmp_path)
    status = tipsim(
        [
            "sensitivity",
            str(config),
            "--workers",
            "1",
            "--quiet",
            "--trajectories",
            "3",
            "--samples",
            "4",
            "--noise-replicates",
            "0",
        ]
    )
    assert status == 0
    captured = capsys.readouterr()
    assert "sobol.samples 4 is small" in captured.err
    assert "morris.trajectories 3" in captured.err
    samples = pd.read_parquet(tmp_path / "out" / "tiny" / "morris_samples.parquet")
    assert len(samples) == 3 * 3  # trajectories x (parameters + 1)
    sobol_samples = pd.read_parquet(tmp_path / "out" / "tiny" / "sobol_samples.parquet")
    assert len(sobol_samples) == 4 * (1 + 2)  # samples x (top + 2)


def test_cli_sensitivity_refuses_a_bad_budget_flag(tmp_path, capsys):
    status = tipsim(["sensitivity", str(write_config(tmp_path)), "--samples", "6", "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert "sobol.samples" in err and "power of 2" in err and "Traceback" not in err


def test_impossible_sobol_indices_are_printed_with_a_comment():
    from experiments.commands.sensitivity import index_comments

    indices = pd.DataFrame(
        [
            {
                "output": "victims_identified",
                "parameter": "a",
                "S1": 0.4,
                "S1_conf": 0.1,
                "ST": 1.99,
            },
            {
                "output": "victims_identified",
                "parameter": "b",
                "S1": -0.3,
                "S1_conf": 0.1,
                "ST": 0.2,
            },
            {
                "output": "victims_identified",
                "parameter": "c",
                "S1": 0.3,
                "S1_conf": 0.1,
                "ST": 0.5,
            },
        ]
    )
    comments = index_comments(indices)
    assert len(comments) == 2
    assert "ST = 1.99 > 1" in comments[0] and "raise sobol.samples" in comments[0]
    assert "S1 = -0.3 < 0" in comments[1]
