"""Calibration: pattern distances, population scale, ABC recovering known parameters from data
the model generated itself, determinism across executors, and ``tipsim calibrate`` end to end."""

import json
import math

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.calibration.official import YEARLY_FLOWS, official_statistics
from analysis.calibration.patterns import build_pattern, combined_distance
from analysis.calibration.published import load_figures
from experiments.calibration import abc
from experiments.cli import main as tipsim
from experiments.core.ensemble import read_ensemble
from experiments.core.executors import InProcessExecutor, open_workers
from experiments.core.parameter_space import ParameterRange, ParameterSpace
from experiments.core.replay import replay, scale_world
from model.parameters import nest_dotted
from scenarios.loader import load_scenario
from tests.conftest import ROOT

REPLAY = ROOT / "scenarios" / "hong_kong_2016_2020.yaml"


def synthetic_figures(table: pd.DataFrame) -> pd.DataFrame:
    """Published-figures rows made from a simulated yearly table (the 'truth')."""
    rows = [
        {"year": year, "metric": "initial_screenings", "value": value}
        for year, value in table["initial_screenings"].items()
    ]
    rows.append(
        {
            "year": None,
            "metric": "prevalence_trafficked_mdw",
            "value": float(table["domestic_prevalence"].mean()),
        }
    )
    figures = pd.DataFrame(rows).assign(unit="", source="synthetic", confidence="", notes="")
    figures["year"] = figures["year"].astype("Int64")
    return figures


def test_shipped_figures_give_the_published_patterns():
    figures = load_figures()
    screenings = build_pattern(
        "initial_screenings",
        figures,
        years=(2016, 2017, 2018, 2019, 2020),
        relative=0.2,
        absolute=0,
    )
    assert dict(screenings.observed) == {2016: 2500, 2017: 4700, 2018: 7500, 2019: 7500, 2020: 6912}
    identified = build_pattern(
        "identified_mechanism",
        figures,
        years=(2016, 2017, 2018, 2019, 2020),
        relative=0.5,
        absolute=4,
    )
    assert list(identified.observed.values()) == [6, 9, 18, 3, 3]
    enforcement = build_pattern(
        "enforcement", figures, years=(2016, 2017, 2018, 2019, 2020), relative=0.25, absolute=0
    )
    # one definition throughout: illegal workers prosecuted without sex work
    assert list(enforcement.observed.values()) == [1103, 1165, 1341, 1157, 615]
    ngo = build_pattern("ngo_yield", figures, years=(2018,), relative=0.25, absolute=0)
    assert ngo.observed[None] == pytest.approx(63 / 1037)
    prevalence = build_pattern(
        "prevalence_domestic", figures, years=(2018,), relative=0.2, absolute=0
    )
    assert prevalence.observed[None] == pytest.approx(0.024)


def test_identifications_on_investigation_evidence_are_not_counted_as_through_screening():
    """Victims identified on an investigation's evidence were never screened: the official
    count of those identified through the screening mechanism leaves them out."""
    weekly = pd.DataFrame(
        {
            "year": [2018, 2018, 2019],
            **{name: [0, 0, 0] for name in YEARLY_FLOWS},
            "victims_present": [10, 10, 10],
            "population_size": [100, 100, 100],
        }
    )
    weekly["victims_identified"] = [5, 3, 2]  # every identification, whatever the route
    weekly["false_positives"] = [1, 0, 1]
    weekly["identified_in_investigations"] = [4, 2, 0]  # of them, on evidence
    table = official_statistics(weekly)
    assert table.loc[2018, "identified_mechanism"] == 3  # 5 + 3 + 1 - 6
    assert table.loc[2019, "identified_mechanism"] == 3
    assert table.loc[2018, "victims_identified"] == 8  # the model's own count keeps them


def test_who_is_identified_through_screening_adds_up_to_the_official_count():
    weekly = pd.DataFrame(
        {
            "year": [2018, 2018],
            **{name: [0, 0] for name in YEARLY_FLOWS},
            "victims_present": [10, 10],
            "population_size": [100, 100],
        }
    )
    weekly["victims_identified"] = [6, 5]
    weekly["false_positives"] = [1, 0]
    weekly["identified_workers"] = [3, 2]
    weekly["identified_irregular"] = [1, 1]
    weekly["identified_sex_trade"] = [3, 2]  # 4 of them on an investigation's evidence
    weekly["identified_in_investigations"] = [2, 2]
    row = official_statistics(weekly).loc[2018]
    assert (row["identified_workers"], row["identified_claimants"]) == (5, 2)
    assert row["identified_commercial_sex"] == 1
    parts = row["identified_workers"] + row["identified_claimants"]
    assert parts + row["identified_commercial_sex"] == row["identified_mechanism"]


def test_composition_patterns_hold_2018s_18_by_group_and_none_in_commercial_sex_later():
    figures = load_figures()
    workers = build_pattern("identified_workers", figures, years=(2018,), relative=0, absolute=3)
    claimants = build_pattern(
        "identified_claimants", figures, years=(2018,), relative=0, absolute=3
    )
    sex = build_pattern(
        "identified_commercial_sex", figures, years=(2018, 2021, 2022), relative=0.5, absolute=2
    )
    assert (workers.observed[2018], claimants.observed[2018]) == (6, 4)
    assert dict(sex.observed) == {2018: 8, 2021: 0, 2022: 0}
    # a published bound: only the error beyond it counts
    table = pd.DataFrame(
        {
            "identified_workers": [14.0, 0, 0],
            "identified_claimants": [7.0, 0, 0],
            "identified_commercial_sex": [3.0, 0, 0],
        },
        index=[2018, 2021, 2022],
    )
    assert workers.distance(table) == 0  # 14 workers: at least 6
    assert claimants.distance(table) == pytest.approx(1.0)  # 7 against 4, tolerance 3
    assert sex.distance(table) == 0  # 3 of 8 at most, none later
    table.loc[2018, "identified_workers"] = 3.0
    table.loc[2021, "identified_commercial_sex"] = 2.0
    assert workers.distance(table) == pytest.approx(1.0)  # 3 short of 6, tolerance 3
    assert sex.distance(table) == pytest.approx(math.sqrt(1 / 3))  # one year 2 over 0


def test_every_pattern_can_travel_to_a_worker_process():
    import pickle

    from analysis.calibration.patterns import DEFINITIONS

    figures = load_figures()
    for name in DEFINITIONS:
        pattern = build_pattern(name, figures, years=(2018,), relative=0.5, absolute=1)
        assert pickle.loads(pickle.dumps(pattern)).name == name


def test_the_enforcement_pattern_counts_raids_on_illegal_work_not_on_vice():
    figures = load_figures()
    enforcement = build_pattern("enforcement", figures, years=(2018,), relative=0.25, absolute=0)
    table = pd.DataFrame({"raided": [1341.0 + 500], "raided_illegal_work": [1341.0]}, index=[2018])
    assert enforcement.distance(table) == 0


def test_distance_is_zero_on_target_and_one_tolerance_off():
    figures = load_figures()
    pattern = build_pattern(
        "initial_screenings", figures, years=(2017, 2018), relative=0.1, absolute=0
    )
    table = pd.DataFrame({"initial_screenings": [4700.0, 7500.0]}, index=[2017, 2018])
    assert pattern.distance(table) == 0
    table = pd.DataFrame({"initial_screenings": [4700 + 470.0, 7500 - 750.0]}, index=[2017, 2018])
    assert pattern.distance(table) == pytest.approx(1.0)
    small = build_pattern("identified_mechanism", figures, years=(2019,), relative=0.5, absolute=4)
    table = pd.DataFrame({"identified_official": [11.0]}, index=[2019])
    assert small.distance(table) == pytest.approx(2.0)  # (11 - 3) / max(1.5, 4)
    assert combined_distance({"a": 1.0, "b": 3.0}, "max") == 3.0
    assert combined_distance({"a": 1.0, "b": 3.0}, "mean") == 2.0


def test_a_pattern_over_its_worst_year_is_the_largest_error_not_the_mean():
    figures = load_figures()
    years = (2017, 2018, 2019)
    table = pd.DataFrame({"identified_official": [9.0, 0.0, 3.0]}, index=list(years))
    worst = build_pattern(
        "identified_mechanism", figures, years=years, relative=0.5, absolute=4, over_years="max"
    )
    mean = build_pattern("identified_mechanism", figures, years=years, relative=0.5, absolute=4)
    assert worst.distance(table) == pytest.approx(2.0)  # 2018: (0 - 18) / max(9, 4)
    assert mean.distance(table) == pytest.approx(2.0 / math.sqrt(3))
    with pytest.raises(ValueError, match="allowed: rms, max"):
        build_pattern(
            "identified_mechanism", figures, years=years, relative=0.5, absolute=4, over_years="x"
        )


def test_a_year_outside_the_run_is_named():
    figures = load_figures()
    pattern = build_pattern("initial_screenings", figures, years=(2020,), relative=0.1, absolute=0)
    with pytest.raises(KeyError, match="2020"):
        pattern.distance(pd.DataFrame({"initial_screenings": [1.0]}, index=[2018]))


def test_scale_shrinks_counts_and_timeline_counts_but_not_rates():
    world = load_scenario(REPLAY)
    scaled = scale_world(world, 0.25)
    assert scaled.population.domestic_workers == 85_000
    assert scaled.officers.immigration == 3  # 12 posts in 2016
    assert scaled.ngo.screenings_per_year == pytest.approx(world.ngo.screenings_per_year / 4)
    assert scaled.encounters.raid_rate_per_year == world.encounters.raid_rate_per_year
    assert scaled.disclosure.intercept == world.disclosure.intercept
    dated = {p: v for e in scaled.timeline for p, v in e.set.items()}
    original = {p: v for e in world.timeline for p, v in e.set.items()}
    assert dated["officers.police"] == round(original["officers.police"] / 4)
    assert dated["encounters.raid_rate_per_year"] == original["encounters.raid_rate_per_year"]
    with pytest.raises(ValueError):
        scale_world(world, 0)


def test_replay_reports_each_calendar_year_of_the_historical_scenario():
    table = replay(load_scenario(REPLAY), seed=2, years=2, scale=0.05)
    assert list(table.index) == [2016, 2017]
    assert (
        table["identified_mechanism"] == table["victims_identified"] + table["false_positives"]
    ).all()
    assert table["domestic_prevalence"].between(0.005, 0.1).all()
    assert (table["initial_screenings"] > 0).all()


TRUTH = {"prevalence.trafficked_share_domestic": 0.03, "encounters.raid_rate_per_year": 0.25}
PRIORS = {
    "prevalence.trafficked_share_domestic": ParameterRange(low=0.01, high=0.05),
    "encounters.raid_rate_per_year": ParameterRange(low=0.05, high=0.6),
}


def recovery_problem(
    small_world, names, pattern_names=("initial_screenings", "prevalence_domestic")
):
    """Synthetic published figures from the model itself at the true values (small world)."""
    table = replay(small_world, seed=99, years=1, scale=0.5, values=TRUTH)
    figures = synthetic_figures(table)
    patterns = tuple(
        build_pattern(name, figures, years=(2018,), relative=0.1, absolute=0)
        for name in pattern_names
    )
    space = ParameterSpace({name: PRIORS[name] for name in names})
    values = {k: v for k, v in TRUTH.items() if k not in names}
    world = small_world.updated(nest_dotted(values))
    return abc.Problem(world, space, patterns, years=1, scale=0.5, seed=5, combine="max")


def assert_recovered(result, names, tolerances):
    accepted, weights = result.accepted, result.accepted["weight"]
    assert weights.sum() == pytest.approx(1.0)
    for name in names:
        mean = float((accepted[name] * weights).sum())
        assert abs(mean - TRUTH[name]) < tolerances[name], (name, mean)
        prior_width = PRIORS[name].high - PRIORS[name].low
        assert accepted[name].max() - accepted[name].min() < prior_width / 2, name


def test_abc_smc_narrows_the_tolerance_and_recovers_a_parameter(small_world):
    """Truth: trafficked share 0.03 (prior 0.01-0.05); tolerance 0.005 on the weighted mean."""
    names = ["prevalence.trafficked_share_domestic"]
    problem = recovery_problem(small_world, names, ["prevalence_domestic"])
    result = abc.smc(
        problem, InProcessExecutor(), population=5, generations=2, quantile=0.5, max_simulations=40
    )
    assert len(result.tolerances) == 3  # the prior generation and two more
    assert result.tolerances[0] == math.inf and result.tolerances[2] < result.tolerances[1]
    assert set(result.simulations["generation"]) == {0, 1, 2}
    assert_recovered(result, names, {"prevalence.trafficked_share_domestic": 0.005})


def raid_rate_problem(world, **settings):
    """Fit the raid rate to one year of the model's own screenings (small world, seed 3)."""
    figures = synthetic_figures(replay(world, seed=1, years=1))
    patterns = (
        build_pattern("initial_screenings", figures, years=(2018,), relative=0.2, absolute=0),
    )
    space = ParameterSpace(
        {"encounters.raid_rate_per_year": ParameterRange(low=0.05, high=0.4, log=True)}
    )
    return abc.Problem(world, space, patterns, years=1, scale=0.5, seed=3, **settings)


def test_replicates_measure_the_distance_on_the_mean_of_a_sets_runs(small_world):
    """Three replicates: the yearly statistics are the mean of three replays on their seeds."""
    problem = raid_rate_problem(small_world, replicates=3)
    internal = np.array([np.log(0.2)])
    outcome = problem.task(7, internal).run()
    runs = [
        replay(
            small_world,
            seed=abc.replicate_seed(3, 7, r),
            years=1,
            scale=0.5,
            values=outcome.values,
        )
        for r in range(3)
    ]
    screenings = [float(run["initial_screenings"].iloc[0]) for run in runs]
    assert len(set(screenings)) > 1, "the replicates should differ"
    assert outcome.yearly["initial_screenings"].iloc[0] == pytest.approx(np.mean(screenings))
    assert outcome.distance == pytest.approx(problem.patterns[0].distance(outcome.yearly))
    # Replicate 0 is the run a one-replicate calibration makes.
    single = raid_rate_problem(small_world)
    pd.testing.assert_frame_equal(single.task(7, internal).run().yearly, runs[0])


def test_abc_smc_is_identical_in_process_and_in_a_process_pool(small_world):
    """The reason the project keeps its own sampler (docs/architecture.md, "One ABC path")."""
    problem = raid_rate_problem(small_world)
    settings = {"population": 2, "generations": 1, "quantile": 0.5, "max_simulations": 6}
    serial = abc.smc(problem, InProcessExecutor(), **settings)
    with open_workers("local", 2) as workers:
        pooled = abc.smc(problem, workers.executor, **settings)
    assert len(serial.simulations) > 2  # proposals of generation 1 were run
    pd.testing.assert_frame_equal(serial.simulations, pooled.simulations)
    pd.testing.assert_frame_equal(serial.accepted, pooled.accepted)
    assert serial.tolerances == pooled.tolerances


def write_config(tmp_path, scenario, **changes):
    config = {
        "name": "tiny",
        "scenario": str(scenario),
        "years": 1,
        "scale": 0.5,
        "seed": 4,
        "parameters": {"disclosure.intercept": {"low": -4.0, "high": -1.0}},
        "patterns": {
            "identified_mechanism": {"years": [2016], "relative": 0.5, "absolute": 4},
            "prevalence_domestic": {"years": [2016], "relative": 0.2},
        },
        "abc": {"population": 2, "generations": 1, "max_simulations": 4},
        "output": str(tmp_path / "out"),
    }
    config.update(changes)
    path = tmp_path / "calibration.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def small_replay(tmp_path, small_scenario_path):
    """A 1/20-scale world that starts in 2016 and has a timeline (for CLI tests)."""
    path = tmp_path / "small_replay.yaml"
    path.write_text(
        yaml.safe_dump(
            {
                "extends": str(small_scenario_path),
                "time": {"start_year": 2016},
                "timeline": [{"date": "2016-07", "set": {"encounters.raid_rate_per_year": 0.2}}],
            }
        )
    )
    return path


def test_cli_calibrate_writes_results_and_a_usable_ensemble(tmp_path, small_replay, capsys):
    config = write_config(
        tmp_path, small_replay, abc={"population": 2, "generations": 1, "max_simulations": 12}
    )
    assert tipsim(["calibrate", str(config), "--workers", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "sets within the final tolerance from every generation" in out
    assert "identified_mechanism" in out
    folder = tmp_path / "out" / "tiny"
    for name in (
        "manifest.json",
        "simulations.parquet",
        "yearly.parquet",
        "accepted.csv",
        "fit.csv",
        "comparison.csv",
        "fit.png",
    ):
        assert (folder / name).is_file(), name
    comparison = pd.read_csv(folder / "comparison.csv")
    screenings = comparison[comparison["view"] == "initial_screenings"].set_index("year")
    assert screenings.loc[2016, "published"] == 2500
    assert (
        screenings.loc[2016, "low"]
        <= screenings.loc[2016, "median"]
        <= screenings.loc[2016, "high"]
    )
    listing = read_ensemble(folder)
    accepted = pd.read_csv(folder / "accepted.csv")
    # The posterior recycles every run within the final tolerance: at least the population.
    assert len(listing) == len(accepted) >= 2
    assert (accepted["distance"] <= accepted["final_tolerance"]).all()
    assert listing["weight"].to_numpy() == pytest.approx(accepted["weight"].to_numpy())
    member = load_scenario(listing["path"][0])
    assert member.disclosure.intercept == pytest.approx(listing["disclosure.intercept"][0])
    assert member.time.start_year == 2016 and member.timeline  # the replay it extends
    batch = yaml.safe_load((folder / "ensemble" / "batch.yaml").read_text())
    assert batch["ensemble"] == {"folder": ".", "members": len(listing)}


def test_carried_inputs_are_drawn_from_their_priors_for_each_member(tmp_path, small_replay):
    # Not fitted: every run keeps the world's value; each member gets its own prior draw,
    # the same draws on the same seed.
    carried = {
        "disclosure.later_session": {"low": 0.3, "high": 1.2},
        "ngo.referral_consent": {"low": 0.02, "high": 0.6, "log": True},
    }
    abc_settings = {"population": 4, "generations": 1, "max_simulations": 16}
    listings = []
    for out in ("first", "again"):
        config = write_config(
            tmp_path, small_replay, carried=carried, abc=abc_settings, output=str(tmp_path / out)
        )
        assert tipsim(["calibrate", str(config), "--workers", "1", "--quiet"]) == 0
        listings.append(read_ensemble(tmp_path / out / "tiny"))
    listing = listings[0]
    for name, prior in carried.items():
        assert listing[name].between(prior["low"], prior["high"]).all(), name
        assert listing[name].nunique() == len(listing), name
        pd.testing.assert_series_equal(listing[name], listings[1][name])
    member = load_scenario(listing["path"][2])
    assert member.disclosure.later_session == pytest.approx(listing["disclosure.later_session"][2])
    runs = pd.read_parquet(tmp_path / "first" / "tiny" / "simulations.parquet")
    assert "disclosure.later_session" not in runs  # the calibration's runs do not vary it


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"unexpected": 1}, "unexpected: unknown field"),
        (
            {"parameters": {"disclosure.intercept": {"low": -40, "high": 0}}},
            "below the allowed minimum",
        ),
        (
            {"parameters": {"disclosure.nonsense": {"low": 0, "high": 1}}},
            "unknown field 'nonsense'",
        ),
        ({"patterns": {"happiness": {"years": [2016], "relative": 0.1}}}, "unknown pattern"),
        (
            {"parameters": {"encounters.raid_rate_per_year": {"low": 0.1, "high": 0.3}}},
            "timeline sets",
        ),
        ({"patterns": {"ngo_yield": {"years": [2030], "relative": 0.1}}}, "fall outside the run"),
        ({"replicates": 0}, "replicates: Input should be greater than or equal to 1"),
        (
            {"abc": {"method": "pyabc", "population": 2, "max_simulations": 4}},
            "abc.method: Input should be 'smc'",
        ),
        (
            {"patterns": {"ngo_yield": {"years": [2016], "relative": 0.1, "over_years": "min"}}},
            "over_years: Input should be 'rms' or 'max'",
        ),
        (
            {"carried": {"disclosure.intercept": {"low": -2.0, "high": -1.0}}},
            "also under parameters",
        ),
        (
            {"carried": {"disclosure.later_session": {"low": 0.3, "high": 99.0}}},
            "above the allowed maximum",
        ),
    ],
)
def test_cli_calibrate_refuses_bad_files_with_status_2(
    tmp_path, small_replay, capsys, changes, message
):
    config = write_config(tmp_path, small_replay, **changes)
    assert tipsim(["calibrate", str(config), "--workers", "1", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "tipsim: error:" in err and message in err
    assert "Traceback" not in err
    assert not (tmp_path / "out" / "tiny" / "simulations.parquet").exists()


def test_cli_calibrate_refuses_bad_options_naming_each(tmp_path, small_replay, capsys):
    config = write_config(tmp_path, small_replay)
    status = tipsim(["calibrate", str(config), "--population", "1", "--scale", "2", "--quiet"])
    assert status == 2
    err = capsys.readouterr().err
    assert "scale: Input should be less than or equal to 1" in err
    assert "abc.population" in err and "Traceback" not in err


def test_cli_replay_prints_official_statistics_beside_published(tmp_path, small_replay, capsys):
    out_csv = tmp_path / "replay.csv"
    args = ["replay", str(small_replay), "--years", "1", "--scale", "0.5", "--csv", str(out_csv)]
    assert tipsim([*args, "--set", "disclosure.intercept=-2"]) == 0
    out = capsys.readouterr().out
    assert "initial_screenings (published)" in out and "2,500" in out
    table = pd.read_csv(out_csv, index_col="year")
    assert list(table.index) == [2016]
    assert table.loc[2016, "identified_mechanism (published)"] == 6
    assert tipsim([*args, "--scale", "3"]) == 2
    assert "--scale 3" in capsys.readouterr().err


def test_shipped_calibration_file_is_valid():
    from experiments.calibration.config import load_calibration

    config = load_calibration(ROOT / "experiments" / "calibration_hong_kong.yaml")
    assert set(config.patterns) == {
        "initial_screenings",
        "identified_mechanism",
        "enforcement",
        "ngo_yield",
        "prevalence_domestic",
        "identified_workers",
        "identified_claimants",
        "identified_commercial_sex",
    }
    assert config.years >= 8  # the 2021-2023 patterns are within the run
    world = load_scenario(REPLAY)
    dated = {p for e in world.timeline for p in e.set}
    assert not dated & set(config.parameters)


def test_ranking_counts_members_where_the_alternative_wins(tmp_path):
    """Known answer: member a wins on both metrics, b on identifications only, c on neither."""
    from analysis.calibration.ranking import member_differences, ranking_shares
    from tests.analysis_folders import paired_runs, write_folder

    # world -> (identified, prosecutions) of the alternative minus the reference
    runs = paired_runs({"a": (5, 1), "b": (3, -1), "c": (-2, 0)})
    folder = write_folder(tmp_path / "batch", runs)
    assert tipsim(["rank-ensemble", str(folder)]) == 0
    assert (folder / "ranking.csv").is_file() and (folder / "ranking.png").is_file()
    answer = pd.read_csv(folder / "ensemble_answer.csv").set_index("metric")
    # Every paired difference is constant within its world: point masses at 5, 3 and -2.
    assert answer.loc["victims_identified", "mean"] == pytest.approx(2.0)
    assert answer.loc["victims_identified", "p_more"] == pytest.approx(2 / 3)
    assert answer.loc["victims_identified", "low"] == pytest.approx(-2.0)
    differences = member_differences(folder).set_index("world")
    assert differences.loc["a", "victims_identified"] == 5
    assert differences.loc["b", "prosecutions"] == -1
    assert (differences["pairs"] == 2).all()
    shares = ranking_shares(differences.reset_index())
    assert shares == pytest.approx(
        {"more_victims_identified": 2 / 3, "more_prosecutions": 1 / 3, "more_all": 1 / 3}
    )
    weighted = ranking_shares(
        differences.reset_index(), weights=pd.Series({"a": 0.5, "b": 0.25, "c": 0.25})
    )
    assert weighted["more_all"] == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("abc_settings", "words"),
    [
        ({"method": "smc", "population": 10, "max_simulations": 16}, "cannot complete one SMC"),
    ],
)
def test_cli_calibrate_refuses_a_budget_that_can_only_return_the_prior(
    tmp_path, small_replay, capsys, abc_settings, words
):
    config = write_config(tmp_path, small_replay, abc=abc_settings)
    assert tipsim(["calibrate", str(config), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert words in err and "abc.max_simulations" in err and "Traceback" not in err
    assert not (tmp_path / "out").exists()  # refused before anything was written


def test_effective_sample_size_has_its_known_answers():
    assert abc.effective_sample_size(np.full(7, 0.3)) == pytest.approx(7)
    assert abc.effective_sample_size(np.array([0.0, 0.0, 2.5, 0.0])) == pytest.approx(1)
    assert abc.effective_sample_size(np.array([1.0, 1.0, 2.0])) == pytest.approx(16 / 6)
    with pytest.raises(ValueError, match="non-negative"):
        abc.effective_sample_size(np.array([1.0, -1.0]))


def test_abc_smc_recovers_the_exact_posterior_of_two_normal_means():
    """Known answer: the posterior is N(observed mean, Σ/n), sds 0.3 and 0.5 (prior 33 sds wide).

    With 100 sets and 2,500 runs the final tolerance is about 3 Mahalanobis units, so the ABC
    posterior is wider than the exact one (measured sd ratio about 1.9, in
    benchmarks/README.md): the weighted means lie within 0.5 exact sds of the truth and the sds
    within 1x-3x; the tolerance path is recorded with the ESS of each generation.
    """
    from tests import known_posterior as kp

    result = abc.smc(
        kp.GaussianMeans(seed=3),
        InProcessExecutor(),
        population=100,
        generations=20,
        quantile=0.5,
        max_simulations=2500,
    )
    exact = kp.exact_sample(2000, np.random.default_rng(0))
    values = result.accepted[list(kp.NAMES)].to_numpy()
    errors = kp.posterior_errors(values, result.accepted["weight"].to_numpy(), exact)
    for name in kp.NAMES:
        assert abs(errors[name]["mean_error_sd"]) < 0.5, (name, errors[name])
        assert 1.0 < errors[name]["sd_ratio"] < 3.0, (name, errors[name])
    path = result.generations
    assert list(path["generation"]) == list(range(len(result.tolerances)))
    assert list(path["tolerance"]) == result.tolerances
    assert (np.diff(path["tolerance"].to_numpy()[1:]) < 0).all()
    assert path["simulations"].sum() <= len(result.simulations) <= 2500
    assert (path["ess"] <= 100).all() and (path["ess"] > 1).all()
    # The posterior recycles every run within the final tolerance: more effective sets.
    assert result.ess > path["ess"].iloc[-1]


def test_cli_calibrate_counts_progress_in_parameter_sets_when_sets_have_replicates(
    tmp_path, small_replay, capsys
):
    """The budget counts sets: with 2 replicates the bar must not call 4 sets "4 runs"."""
    config = write_config(tmp_path, small_replay, replicates=2)
    assert tipsim(["calibrate", str(config), "--workers", "1"]) == 0
    err = capsys.readouterr().err
    assert "4/4 parameter sets" in err and " runs (" not in err


def test_cli_calibrate_records_the_tolerance_path_and_ess(tmp_path, small_replay, capsys):
    config = write_config(
        tmp_path,
        small_replay,
        abc={"method": "smc", "population": 2, "generations": 1, "max_simulations": 12},
    )
    assert tipsim(["calibrate", str(config), "--workers", "1", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "effective sample size" in out and "tolerance path" in out
    folder = tmp_path / "out" / "tiny"
    path = pd.read_csv(folder / "generations.csv")
    assert list(path.columns) == ["generation", "tolerance", "accepted", "simulations", "ess"]
    assert list(path["generation"]) == [0, 1] and path["tolerance"].iloc[0] == math.inf
    assert path["ess"].iloc[0] == pytest.approx(2)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["final_tolerance"] == pytest.approx(path["tolerance"].iloc[1])
    assert manifest["final_generation_ess"] == pytest.approx(path["ess"].iloc[1])
    assert len(manifest["generations"]) == 2
    accepted = pd.read_csv(folder / "accepted.csv")
    assert manifest["posterior_sets"] == len(accepted)
    assert manifest["ess"] == pytest.approx(abc.effective_sample_size(accepted["weight"]))
    assert manifest["ess_share"] == pytest.approx(manifest["ess"] / 2)  # of the population
    assert (accepted["final_tolerance"] == path["tolerance"].iloc[1]).all()
    assert (accepted["ess"] == manifest["ess"]).all()
    assert len(read_ensemble(folder)) == len(accepted)


def test_a_run_that_cannot_finish_generation_one_writes_no_ensemble(
    tmp_path, small_replay, monkeypatch
):
    """Known answer: a budget of exactly the prior population leaves no run for generation 1.

    The final tolerance is then infinite. The budget check that refuses such a file up front
    is switched off to reach the rule behind it.
    """
    from experiments.calibration import pipeline
    from experiments.calibration.config import load_calibration
    from experiments.core.study_setup import StudyOptions

    monkeypatch.setattr(pipeline, "refuse_meaningless_budget", lambda config, path: None)
    path = write_config(
        tmp_path,
        small_replay,
        abc={"method": "smc", "population": 2, "generations": 1, "max_simulations": 2},
    )
    done = pipeline.run_calibration(
        load_calibration(path), path, StudyOptions(workers=1, progress=False)
    )
    assert done.result.tolerances == [math.inf] and len(done.result.simulations) == 2
    assert not done.ensemble_written and not (done.folder / "ensemble").exists()
    assert any("infinite" in w and "no ensemble written" in w for w in done.warnings)
    manifest = json.loads((done.folder / "manifest.json").read_text())
    assert manifest["ensemble"] == [] and manifest["final_tolerance"] == math.inf
    assert (done.folder / "accepted.csv").is_file()  # the draws are kept, labelled as such


def test_a_low_effective_sample_size_is_warned_about():
    """Known answer: one of four sets holds nearly all the weight (ESS about 1.0 < 50% of 4)."""
    from experiments.calibration.config import CalibrationConfig
    from experiments.calibration.pipeline import budget_warnings

    config = CalibrationConfig.model_validate(
        {
            "name": "x",
            "scenario": "hong_kong_2016_2020",
            "parameters": {"disclosure.intercept": {"low": -4.0, "high": -1.0}},
            "patterns": {"prevalence_domestic": {"years": [2016], "relative": 0.2}},
            "abc": {"population": 4, "generations": 1, "max_simulations": 40},
        }
    )
    accepted = pd.DataFrame({"weight": [0.997, 0.001, 0.001, 0.001]})
    skewed = abc.Result(accepted, pd.DataFrame(), pd.DataFrame(), [math.inf, 0.5], "smc")
    (warning,) = budget_warnings(config, skewed)
    assert "posterior's weights is 1.0 (25% of the population of 4" in warning
    even = abc.Result(
        accepted.assign(weight=0.25), pd.DataFrame(), pd.DataFrame(), [math.inf, 0.5], "smc"
    )
    assert budget_warnings(config, even) == []
    # A recycled posterior holds more sets than the population: the share is of the
    # population (ESS 3 of a population of 4), not of the 8 sets.
    recycled = pd.DataFrame({"weight": [1 / 3] * 3 + [0.0] * 5})
    many = abc.Result(recycled, pd.DataFrame(), pd.DataFrame(), [math.inf, 0.5], population=4)
    assert many.ess_share == pytest.approx(0.75)
    assert budget_warnings(config, many) == []


def test_the_replays_screening_posts_follow_the_published_screenings():
    """Demand fills the posts in every calibrated world, so the posts are the screenings.

    Each year's capacity (posts x weekly capacity x weeks, weighted by the months each staffing
    holds) must sit within the calibration's 20% of the published initial screenings; a change
    of posts that breaks this changes the calibration's premise and must be argued again.
    """
    world = load_scenario(REPLAY)
    figures = load_figures()
    published = figures[figures["metric"] == "initial_screenings"].set_index("year")["value"]
    agencies = ("immigration", "police", "labour", "customs")
    posts = {a: getattr(world.officers, a) for a in agencies}
    changes = sorted(
        (str(e.date), {k.split(".")[1]: v for k, v in e.set.items() if k.startswith("officers.")})
        for e in world.timeline
    )
    for year in range(2016, 2025):  # the published screenings of 2016-2024
        capacity = 0.0
        for month in range(1, 13):
            for date, staffed in changes:
                if date <= f"{year}-{month:02d}":
                    posts.update({a: v for a, v in staffed.items() if a in agencies})
            capacity += sum(posts.values()) * world.officers.weekly_case_capacity * 52 / 12
        assert capacity == pytest.approx(float(published[year]), rel=0.2), year


def test_calibrating_again_into_the_same_folder_never_deletes_the_earlier_ensemble(
    tmp_path, small_replay, capsys
):
    """Issue 32: a second calibrate into the same folder deleted the earlier ensemble."""
    config = write_config(
        tmp_path, small_replay, abc={"population": 2, "generations": 1, "max_simulations": 12}
    )
    command = ["calibrate", str(config), "--workers", "1", "--quiet"]
    assert tipsim(command) == 0
    folder = tmp_path / "out" / "tiny"
    before = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert any(p.parts[0] == "ensemble" for p in before)
    capsys.readouterr()
    assert tipsim(command) == 2
    err = capsys.readouterr().err
    assert "already holds a calibration" in err and "--new" in err and "Traceback" not in err
    after = {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
    assert after == before
    assert tipsim([*command, "--new"]) == 0
    assert (tmp_path / "out" / "tiny-2" / "accepted.csv").is_file()
