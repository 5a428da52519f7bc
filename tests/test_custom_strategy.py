"""Policy files naming a custom strategy (``package.module:Class``), and ``extends:`` by the
name of a shipped world or policy."""

from __future__ import annotations

import pandas as pd

from experiments.cli import main as tipsim
from experiments.simulation import ScenarioModel
from scenarios.loader import load_scenario
from scenarios.policy_loader import load_policy
from tests.custom_policy import NoDetention


def policy_file(tmp_path, text: str):
    path = tmp_path / "policies" / "mine.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_policy_file_can_name_a_custom_strategy_class(tmp_path, small_world):
    path = policy_file(
        tmp_path,
        "name: no_detention_trained\nstrategy: tests.custom_policy:NoDetention\n"
        "screening:\n  training_share: 0.9\n",
    )
    model = ScenarioModel(small_world, path, rng=2)
    assert isinstance(model.policy, NoDetention)
    assert model.policy.name == "no_detention_trained"
    assert model.params.screening.training_share == 0.9
    assert model.params.screening.tier2_sessions == 2  # the class's lever default
    summary = model.run(0.5)
    assert summary["detained"] == 0 and summary["victims_detained"] == 0  # the mechanism
    assert summary["encountered"] > 0


def test_cli_run_with_a_custom_strategy(tmp_path, small_scenario_path, capsys):
    path = policy_file(tmp_path, "name: no_detention\nstrategy: tests.custom_policy:NoDetention\n")
    status = tipsim(
        [
            "run",
            str(small_scenario_path),
            "--policy",
            str(path),
            "--policy",
            "detention_first",
            "--years",
            "0.25",
            "--out",
            str(tmp_path / "out"),
        ]
    )
    assert status == 0
    summary = pd.read_parquet(next((tmp_path / "out").iterdir()) / "summary.parquet")
    assert list(summary["policy"]) == ["no_detention", "detention_first"]


def test_a_wrong_custom_strategy_is_one_message_with_its_line(
    tmp_path, small_scenario_path, capsys
):
    for strategy, words in (
        ("no_such_module:Policy", "cannot import module 'no_such_module'"),
        ("tests.custom_policy:Missing", "has no class 'Missing'"),
        ("tests.custom_policy:ClassVar", "has no ScreeningPolicy subclass named 'ClassVar'"),
    ):
        path = policy_file(tmp_path, f"name: bad\nstrategy: {strategy}\n")
        status = tipsim(["validate", str(path)])
        err = capsys.readouterr().err
        assert status == 2, strategy
        assert "line 2" in err and words in err, err


def test_extends_takes_the_name_of_a_shipped_world(tmp_path):
    path = tmp_path / "bigger.yaml"
    path.write_text(
        "name: bigger\nextends: hong_kong_baseline\npopulation:\n  sex_workers: 9000\n",
        encoding="utf-8",
    )
    baseline = load_scenario("hong_kong_baseline")
    world = load_scenario(path)
    assert world.population.sex_workers == 9000
    assert world.updated({"population": {"sex_workers": baseline.population.sex_workers}}) == (
        baseline
    )


def test_extends_takes_the_name_of_a_shipped_policy(tmp_path):
    path = policy_file(
        tmp_path,
        "name: plus_trained\nextends: screening_before_detention_plus\n"
        "screening:\n  training_share: 0.8\n",
    )
    spec = load_policy(path)
    shipped = load_policy("screening_before_detention_plus")
    assert spec.strategy == "screening_before_detention"
    assert spec.levers == {**shipped.levers, "training_share": 0.8}


def test_extends_an_unknown_name_lists_the_shipped_files(tmp_path, capsys):
    path = tmp_path / "w.yaml"
    path.write_text("name: w\nextends: hong_kong_basline\n", encoding="utf-8")
    assert tipsim(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert "hong_kong_basline" in err and "hong_kong_baseline" in err
