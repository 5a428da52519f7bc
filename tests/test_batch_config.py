"""Bad batch files are refused before anything runs: one message, file and field named, exit 2."""

from __future__ import annotations

import pytest

from experiments.batches.config import load_batch
from experiments.batches.plan import build_plan
from experiments.batches.sweeps import draws
from experiments.cli import main as tipsim
from tests.batch_support import write_batch


def _refused(batch, capsys) -> str:
    assert tipsim(["batch", str(batch), "--workers", "1", "--quiet"]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert not (batch.parent / "out").exists()  # nothing was started
    return captured.err


def test_unknown_key_names_the_closest_and_the_allowed(tmp_path, capsys):
    batch = write_batch(tmp_path, replicate=3)
    err = _refused(batch, capsys)
    assert str(batch) in err
    assert "replicate: unknown field; did you mean 'replicates'?" in err
    assert "Allowed: name, description, ensemble, worlds, policies, replicates" in err


def test_unknown_key_inside_the_sweep(tmp_path, capsys):
    batch = write_batch(tmp_path, sweep={"latin_hypercube": {"sample": 3, "ranges": {}}})
    err = _refused(batch, capsys)
    assert "sweep.latin_hypercube.sample: unknown field; did you mean 'samples'?" in err


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"replicates": 0}, "replicates: must be greater than or equal to 1"),
        ({"years": -1}, "years: must be greater than 0"),
        ({"policies": ["detention_frist"]}, "detention_first"),
        ({"worlds": ["no_such_world.yaml"]}, "no_such_world"),
        ({"worlds": []}, "at least 1 item"),
        ({"sweep": {"grid": {"screening.tier1_sensitivty": [0.5]}}}, "screening.tier1_sensitivity"),
        ({"sweep": {"grid": {"screening.tier1_sensitivity": [0.5, 1.5]}}}, "draw 1"),
        ({"overrides": {"officers.polise": 3}}, "Did you mean 'officers.police'?"),
        (
            {"sweep": {"latin_hypercube": {"samples": 2, "ranges": {"x.y": [1, 0]}}}},
            "low (1.0) must be below high (0.0)",
        ),
        ({"sweep": {}}, "give exactly one of 'grid' or 'latin_hypercube'"),
        (
            {
                "sweep": {
                    "latin_hypercube": {"samples": 2, "ranges": {"screening.tier2_support": [0, 1]}}
                }
            },
            "'screening.tier2_support' is not a number (bool); sweep it with a grid instead",
        ),
    ],
)
def test_invalid_values_are_refused(tmp_path, capsys, changes, expected):
    err = _refused(write_batch(tmp_path, **changes), capsys)
    assert str(tmp_path) in err
    assert expected in err


def test_missing_field_and_bad_yaml(tmp_path, capsys):
    batch = tmp_path / "batch.yaml"
    batch.write_text("worlds: [small]\npolicies: [detention_first]\nyears: 1\nseed: 1\noutput: o\n")
    assert "replicates: required field is missing" in _refused(batch, capsys)
    batch.write_text("worlds: [small\n")
    assert "not valid YAML" in _refused(batch, capsys)
    assert "no such batch file" in _refused(tmp_path / "absent.yaml", capsys)


def test_command_line_replicates_are_checked_too(tmp_path, capsys):
    batch = write_batch(tmp_path)
    assert tipsim(["batch", str(batch), "--replicates", "0", "--quiet"]) == 2
    assert "replicates: must be greater than or equal to 1" in capsys.readouterr().err


def test_grid_is_the_full_product_in_a_fixed_order(tmp_path):
    batch = write_batch(
        tmp_path,
        sweep={"grid": {"screening.tier1_sensitivity": [0.6, 0.8], "officers.police": [5, 9]}},
    )
    plan = build_plan(load_batch(batch), batch)
    assert plan.draws == [
        {"screening.tier1_sensitivity": 0.6, "officers.police": 5},
        {"screening.tier1_sensitivity": 0.6, "officers.police": 9},
        {"screening.tier1_sensitivity": 0.8, "officers.police": 5},
        {"screening.tier1_sensitivity": 0.8, "officers.police": 9},
    ]
    assert len(plan.tasks) == 2 * 4 * 2
    assert len({task.run_id for task in plan.tasks}) == len(plan.tasks)


def test_latin_hypercube_is_stratified_reproducible_and_typed(tmp_path):
    ranges = {"screening.tier1_sensitivity": [0.5, 0.9], "officers.police": [2, 40]}
    batch = write_batch(tmp_path, sweep={"latin_hypercube": {"samples": 10, "ranges": ranges}})
    config = load_batch(batch)
    first, second = draws(config.sweep, config.seed), draws(config.sweep, config.seed)
    assert first == second
    assert draws(config.sweep, config.seed + 1) != first
    sensitivities = sorted(d["screening.tier1_sensitivity"] for d in first)
    # One sample in each tenth of the range: that is what makes it a Latin hypercube.
    assert [int((s - 0.5) / 0.04) for s in sensitivities] == list(range(10))
    assert all(
        isinstance(d["officers.police"], int) and 2 <= d["officers.police"] <= 40 for d in first
    )


def test_two_policies_with_one_name_are_refused(tmp_path, capsys):
    policy_file = tmp_path / "detention_first.yaml"
    policy_file.write_text("name: detention_first\nstrategy: detention_first\n")
    batch = write_batch(tmp_path, policies=["detention_first", str(policy_file)])
    assert "share a name" in _refused(batch, capsys)


def test_a_policy_file_is_labelled_by_its_name_as_in_tipsim_run(tmp_path):
    from scenarios.policy_loader import load_policy

    policy_file = tmp_path / "variant_file.yaml"
    policy_file.write_text("name: screening_variant\nstrategy: screening_before_detention\n")
    batch = write_batch(tmp_path, policies=["detention_first", str(policy_file)])
    plan = build_plan(load_batch(batch), batch)
    labels = {task.policy for task in plan.tasks}
    assert labels == {"detention_first", load_policy(policy_file).name} == {
        "detention_first",
        "screening_variant",
    }
    assert any(task.run_id.startswith("small__screening_variant__") for task in plan.tasks)


def test_planning_shows_its_progress(tmp_path, capsys):
    batch = write_batch(tmp_path, sweep={"grid": {"screening.tier1_sensitivity": [0.6, 0.8]}})
    build_plan(load_batch(batch), batch, progress=True)
    err = capsys.readouterr().err
    assert "planning: checking parameter sets" in err and "2/2" in err
