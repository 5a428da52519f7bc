"""The layers import only downwards (docs/architecture.md), checked by import-linter.

The contracts are in pyproject.toml: the result-folder layout imports no other package of the
project; the model imports nothing above it and reads no files; scenarios knows nothing of runs
or results; analysis only reads result folders; the modules of model, experiments and analysis
have no import cycles. A broken contract is printed with the import chain that breaks it.
"""

import pytest

from tests.conftest import ROOT, run_python

importlinter_cli = pytest.importorskip("importlinter.cli")


def test_every_import_contract_is_kept(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    status = importlinter_cli.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    assert status == importlinter_cli.EXIT_STATUS_SUCCESS, capsys.readouterr().out


def test_the_model_takes_parameters_not_file_paths(small_scenario_path):
    from model import IdentificationModel

    with pytest.raises(TypeError, match="reads no files"):
        IdentificationModel(small_scenario_path)


def test_a_resolved_run_is_used_as_it_is(small_world):
    from model import IdentificationModel
    from scenarios.resolve import resolve_run

    levers = {"ngo.referral_consent": 0.2}
    spec = resolve_run(small_world, "screening_before_detention_plus", levers)
    model = IdentificationModel(spec, rng=1)
    assert model.params == spec.params
    assert model.policy.name == "screening_before_detention_plus"
    # The running model's dated changes touch its own copy, never the shared specification.
    assert model.params is not spec.params
    with pytest.raises(TypeError, match="already resolved"):
        IdentificationModel(spec, "detention_first")


def test_solara_viz_accepts_the_scenario_model_with_plain_keywords():
    solara_viz = pytest.importorskip(
        "mesa.visualization.solara_viz", reason="Mesa's visualisation needs solara (.[explore])"
    )
    from experiments import ScenarioModel

    params = {
        "scenario": "hong_kong_baseline",
        "policy": "screening_before_detention",
        "rng": 1,
        "screening__tier1_sensitivity": 0.8,
    }
    solara_viz._check_model_params(ScenarioModel.__init__, params)  # raises if refused


def test_the_command_line_lists_its_commands_without_loading_the_model():
    code = (
        "import sys, contextlib, io\n"
        "from experiments.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    try:\n"
        "        main(['--help'])\n"
        "    except SystemExit:\n"
        "        pass\n"
        "heavy = ('mesa', 'pandas', 'scipy', 'matplotlib', 'SALib')\n"
        "print(','.join(m for m in heavy if m in sys.modules))\n"
    )
    loaded = run_python(code)
    assert loaded == "", f"tipsim --help imported {loaded}"


def test_replaying_leaves_scipys_statistics_out_until_an_interval_is_wanted():
    # SciPy's statistics module costs 0.4-0.5 s to import; `tipsim replay` needs none of it.
    # (Mesa's package imports scipy.spatial, so SciPy itself is there.)
    code = (
        "import contextlib, io, sys\n"
        "from experiments.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['replay', '--years', '1', '--scale', '0.05'])\n"
        "before = 'scipy.stats' in sys.modules\n"
        "from analysis.statistics import t_interval\n"
        "low, high = t_interval([1.0, 2.0, 3.0, 4.0, 5.0])\n"
        "print(before, 'scipy.stats' in sys.modules, round(low, 3), round(high, 3))\n"
    )
    assert run_python(code) == "False True 1.037 4.963"
