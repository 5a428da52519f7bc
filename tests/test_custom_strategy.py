"""Policy files naming a custom strategy (``package.module:Class``, loaded only where the user
allowed code), and ``extends:`` by the name of a shipped world or policy."""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

from experiments.cli import main as tipsim
from experiments.core.scenario_model import ScenarioModel
from model.strategies import UnknownStrategyError, allowed_code, get_strategy
from scenarios.loader import load_scenario
from scenarios.policy_loader import load_policy
from tests.custom_policy import NoDetention

CUSTOM = Path(__file__).resolve().parent / "custom_policy.py"


def policy_file(tmp_path, text: str, name: str = "mine"):
    path = tmp_path / "policies" / f"{name}.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_policy_file_can_name_a_custom_strategy_class_the_user_allowed(tmp_path, small_world):
    path = policy_file(
        tmp_path,
        "name: no_detention_trained\nstrategy: tests.custom_policy:NoDetention\n"
        "screening:\n  training_share: 0.9\n",
    )
    with allowed_code(import_path=True):
        model = ScenarioModel(small_world, path, rng=2)
    assert isinstance(model.policy, NoDetention)
    assert model.policy.name == "no_detention_trained"
    assert model.params.screening.training_share == 0.9
    assert model.params.screening.tier2_sessions == 2  # the class's lever default
    summary = model.run(0.5)
    assert summary["detained"] == 0 and summary["victims_detained"] == 0  # the mechanism
    assert summary["encountered"] > 0


def test_a_custom_strategy_is_refused_unless_the_user_allowed_its_code(tmp_path, small_world):
    path = policy_file(tmp_path, "name: n\nstrategy: tests.custom_policy:NoDetention\n")
    with pytest.raises(UnknownStrategyError, match="never runs code unless you allow it"):
        ScenarioModel(small_world, path, rng=2)


def _planted_module(tmp_path) -> tuple[Path, Path]:
    """A module beside a shared policy file that writes a file when it is imported."""
    marker = tmp_path / "ran.txt"
    module = tmp_path / "policies" / "planted.py"
    module.parent.mkdir(exist_ok=True)
    module.write_text(
        f"from pathlib import Path\nPath({str(marker)!r}).write_text('ran')\n"
        "from model.strategies import DetentionFirst\n\n\n"
        "class Planted(DetentionFirst):\n    name = 'planted'\n",
        encoding="utf-8",
    )
    return module, marker


def test_a_data_file_never_runs_code_without_the_user_opting_in(
    tmp_path, small_scenario_path, capsys, monkeypatch
):
    """Issue 32: a module beside a shared policy file ran under validate; ``this:X`` printed."""
    module, marker = _planted_module(tmp_path)
    monkeypatch.chdir(module.parent)  # the module is importable from the folder run from
    monkeypatch.syspath_prepend(str(module.parent))
    planted = policy_file(tmp_path, "name: planted\nstrategy: planted:Planted\n")
    zen = policy_file(tmp_path, "name: zen\nstrategy: this:X\n", "zen")
    assert tipsim(["validate", str(planted)]) == 0
    out = capsys.readouterr().out
    assert "custom code" in out and "--strategy-module" in out
    assert tipsim(["validate", str(zen)]) == 2
    captured = capsys.readouterr()
    assert "Zen of Python" not in captured.out and "has no class 'X'" in captured.err
    run = ["run", str(small_scenario_path), "--years", "0.1", "--out", str(tmp_path / "o")]
    assert tipsim([*run, "--policy", str(planted)]) == 2
    assert "never runs code unless you allow it" in capsys.readouterr().err
    assert not marker.exists() and "planted" not in sys.modules
    assert tipsim([*run, "--policy", str(planted), "--strategy-module", str(module)]) == 0
    assert marker.exists()


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
            "--strategy-module",
            str(CUSTOM),
        ]
    )
    assert status == 0
    summary = pd.read_parquet(next((tmp_path / "out").iterdir()) / "summary.parquet")
    assert list(summary["policy"]) == ["no_detention", "detention_first"]


def test_a_wrong_custom_strategy_is_one_message_with_its_line(
    tmp_path, small_scenario_path, capsys
):
    abstract = tmp_path / "half.py"
    abstract.write_text(
        "from model.strategies import ScreeningStrategy\n\n\n"
        "class Half(ScreeningStrategy):\n    name = 'half'\n\n"
        "    def at_contact(self, contacts):\n        pass\n",
        encoding="utf-8",
    )
    for strategy, words in (
        ("no_such_module:Policy", "cannot find module 'no_such_module'"),
        ("tests.custom_policy:Missing", "has no class 'Missing'"),
        ("tests.custom_policy:ClassVar", "has no class 'ClassVar' defined in it"),
        ("half:Half", "'Half' is abstract (it does not define in_detention)"),
    ):
        path = policy_file(tmp_path, f"name: bad\nstrategy: {strategy}\n")
        status = tipsim(["validate", str(path), "--strategy-module", str(abstract)])
        err = capsys.readouterr().err
        assert status == 2, strategy
        assert "line 2" in err and words in err, err
    assert "half" not in sys.modules  # checked from its source, never imported


def test_an_abstract_class_allowed_as_code_is_refused_before_a_run(tmp_path, small_world):
    abstract = tmp_path / "half2.py"
    abstract.write_text(
        "from model.strategies import ScreeningStrategy\n\n\nclass Half(ScreeningStrategy):\n"
        "    name = 'half'\n",
        encoding="utf-8",
    )
    with allowed_code([abstract]), pytest.raises(UnknownStrategyError, match="is abstract"):
        get_strategy("half2:Half")


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


def test_a_pool_batch_loads_an_allowed_strategy_file_in_its_workers(tmp_path, capsys):
    """Workers cannot import a module given by path; they load the same file, hash checked."""
    from tests.batch_support import tables, write_batch

    module = tmp_path / "code" / "elsewhere.py"
    module.parent.mkdir()
    module.write_text(CUSTOM.read_text(encoding="utf-8"), encoding="utf-8")
    policy = policy_file(tmp_path, "name: nodet\nstrategy: elsewhere:NoDetention\n", "nodet")
    batch = write_batch(tmp_path, policies=[str(policy)], years=0.1)
    command = ["batch", str(batch), "--quiet", "--strategy-module", str(module)]
    assert tipsim([*command, "--workers", "2"]) == 0, capsys.readouterr().err
    summary, _ = tables(tmp_path / "out")
    assert list(summary["policy"]) == ["nodet", "nodet"]
    assert (summary["victims_detained"] == 0).all()


def test_an_installed_package_registers_a_strategy_by_entry_point(
    tmp_path, small_world, monkeypatch, capsys
):
    """Strategies of installed packages come from the tipsim.strategies entry points."""
    from importlib import metadata

    import model.strategies.code as code

    point = metadata.EntryPoint(
        name="installed_no_detention",
        value="tests.custom_policy:NoDetention",
        group=code.ENTRY_POINT_GROUP,
    )
    monkeypatch.setattr(code, "_entry_points", lambda: (point,))
    path = policy_file(tmp_path, "name: ep\nstrategy: installed_no_detention\n", "ep")
    assert tipsim(["validate", str(path)]) == 0
    assert get_strategy("installed_no_detention") is NoDetention
    assert ScenarioModel(small_world, path, rng=1).run(0.2)["victims_detained"] == 0
    assert tipsim(["validate", str(policy_file(tmp_path, "strategy: installed_no_detentio\n"))])
    assert "did you mean 'installed_no_detention'" in capsys.readouterr().err
