"""Composition: extends chains, precedence of world, policy and overrides, show, schema, docs."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from experiments.cli import main
from experiments.core.scenario_model import ScenarioModel
from model import Parameters
from scenarios import reference
from scenarios.compose import check_overrides
from scenarios.loader import load_scenario, load_world
from scenarios.resolve import resolve_parameters
from scenarios.schema import FILE_NAMES, SCHEMA_DIR, schema_text
from scenarios.yaml_io import ScenarioError


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def family(tmp_path) -> Path:
    """A parent world in a folder and a child extending it from another folder."""
    write(
        tmp_path / "base" / "parent.yaml",
        "name: parent\nsources: [parent source]\n"
        "ngo:\n  screenings_per_year: 100\n  referral_consent: 0.5\n"
        "timeline:\n  - date: 2017\n    set:\n      ngo.referral_consent: 0.4\n",
    )
    return write(
        tmp_path / "child" / "child.yaml",
        "extends: ../base/parent.yaml\nsources: [child source]\n"
        "ngo:\n  screenings_per_year: 200\n"
        "timeline:\n  - date: 2020\n    set:\n      ngo.referral_consent: 0.3\n",
    )


def test_extends_deep_merges_with_the_child_winning(family):
    world = load_world(family)
    params = load_scenario(family)
    assert params.ngo.screenings_per_year == 200  # the child's
    assert params.ngo.referral_consent == 0.5  # the parent's, same section
    assert [e.date for e in params.timeline] == ["2017-01", "2020-01"]  # parent's, then child's
    assert world.sources == ("parent source", "child source")
    assert world.name == "child"  # names are not inherited
    assert [p.name for p in world.chain] == ["parent.yaml", "child.yaml"]


def test_precedence_defaults_world_strategy_policy_file_overrides(tmp_path, small_world):
    policy = write(
        tmp_path / "policies" / "deeper.yaml",
        "name: deeper\nstrategy: screening_before_detention\n"
        "screening:\n  tier2_sessions: 3\n  trauma_informed: true\n",
    )
    strategy_only = resolve_parameters(small_world, "screening_before_detention")
    assert strategy_only.screening.tier2_sessions == 2  # the strategy's lever default
    from_file = resolve_parameters(small_world, policy)
    assert from_file.screening.tier2_sessions == 3  # the file beats the strategy
    assert from_file.screening.tier1_sensitivity == Parameters().screening.tier1_sensitivity
    assert from_file.ngo == small_world.ngo  # the world is untouched by the policy
    overridden = resolve_parameters(small_world, policy, {"screening.tier2_sessions": 4})
    assert overridden.screening.tier2_sessions == 4  # overrides beat everything
    assert overridden.screening.trauma_informed


def test_overrides_win_over_timeline_entries_folded_in_at_set_up(family):
    folded = resolve_parameters(family, "detention_first")
    assert folded.ngo.referral_consent == 0.4  # the 2017 entry precedes the 2018 start
    assert [e.date for e in folded.timeline] == ["2020-01"]
    params = resolve_parameters(family, "detention_first", {"ngo.referral_consent": 0.9})
    assert params.ngo.referral_consent == 0.9
    assert [e.date for e in params.timeline] == ["2020-01"]  # later entries still apply


def test_a_start_year_override_folds_the_entries_it_passes(family):
    params = resolve_parameters(family, "detention_first", {"time.start_year": 2020})
    assert params.ngo.referral_consent == 0.3
    assert params.timeline == []


def test_a_policy_is_a_strategy_a_shipped_name_or_a_path(tmp_path, small_world):
    policy = write(
        tmp_path / "mine.yaml",
        "name: my_policy\nstrategy: detention_first\nscreening:\n  training_share: 0.9\n",
    )
    for given, name in (
        ("detention_first", "detention_first"),
        ("screening_before_detention_plus", "screening_before_detention_plus"),
        (policy, "my_policy"),
        (str(policy), "my_policy"),
    ):
        model = ScenarioModel(small_world, given, rng=1)
        assert model.policy.name == name
        assert model.summary()["policy"] == name
    assert ScenarioModel(small_world, policy, rng=1).params.screening.training_share == 0.9


def test_set_values_are_typed_through_the_schema():
    typed = check_overrides(
        {
            "screening.tier1_sensitivity": "0.8",
            "ngo.screenings_per_year": 12,
            "justice.regime": "dedicated_law",
        }
    )
    assert typed["screening.tier1_sensitivity"] == 0.8
    assert isinstance(typed["ngo.screenings_per_year"], float)
    with pytest.raises(ScenarioError, match="did you mean 'tier1_sensitivity'"):
        check_overrides({"screening.tier1_sensitivty": 0.8})
    with pytest.raises(ScenarioError, match="timeline is set in the scenario file"):
        check_overrides({"timeline.x": 1})


def test_show_prints_the_effective_parameters(capsys, family):
    assert (
        main(
            [
                "show",
                str(family),
                "--policy",
                "screening_before_detention_plus",
                "--set",
                "screening.tier1_sensitivity=0.75",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert out.startswith("# world: child")
    shown = yaml.safe_load(out)
    expected = resolve_parameters(
        family, "screening_before_detention_plus", {"screening.tier1_sensitivity": 0.75}
    )
    assert Parameters.model_validate(shown) == expected
    assert shown["screening"]["non_punishment"] is True
    assert shown["ngo"]["screenings_per_year"] == 200


def test_run_takes_policy_files_and_records_their_names(tmp_path, small_scenario_path):
    status = main(
        [
            "run",
            str(small_scenario_path),
            "--years",
            "0.2",
            "--quiet",
            "--out",
            str(tmp_path),
            "--policy",
            "screening_before_detention_plus",
            "--policy",
            "detention_first",
        ]
    )
    assert status == 0
    folder = next(tmp_path.iterdir())
    summary = pd.read_parquet(folder / "summary.parquet")
    weekly = pd.read_parquet(folder / "weekly.parquet")
    assert list(summary["policy"]) == ["screening_before_detention_plus", "detention_first"]
    assert set(weekly["policy"]) == set(summary["policy"])


@pytest.mark.parametrize("kind", sorted(FILE_NAMES))
def test_the_committed_json_schemas_are_up_to_date(kind):
    committed = (SCHEMA_DIR / FILE_NAMES[kind]).read_text(encoding="utf-8")
    assert committed == schema_text(kind), "run: tipsim schema --out scenarios/schema"


def test_schema_command_writes_both_schemas(tmp_path, capsys):
    assert main(["schema", "--out", str(tmp_path)]) == 0
    for name in FILE_NAMES.values():
        schema = json.loads((tmp_path / name).read_text())
        assert schema["additionalProperties"] is False
        assert "$schema" in schema
    world = json.loads((tmp_path / "world.schema.json").read_text())
    assert "screening" not in world["properties"]  # levers live in policy files
    assert "ngo.screenings_per_year" in json.dumps(world)  # timeline keys complete in editors


def test_the_parameter_reference_is_up_to_date():
    assert reference.outdated() == [], "run: python -m scenarios.reference"
    text = reference.PARAMETERS_DOC.read_text(encoding="utf-8")
    for name, section in Parameters.model_fields.items():
        if name == "timeline":
            continue
        for field in section.annotation.model_fields:
            assert f"`{name}.{field}`" in text
    odd = reference.ODD_DOC.read_text(encoding="utf-8")
    assert reference.parameter_tables() in odd


def test_outdated_reference_is_detected(tmp_path):
    write(tmp_path / "docs" / "parameters.md", "stale\n")
    write(tmp_path / "docs" / "odd.md", f"# ODD\n{reference.START}\nold\n{reference.END}\nend\n")
    assert len(reference.outdated(tmp_path)) == 2
    reference.write(tmp_path)
    assert reference.outdated(tmp_path) == []
    assert (tmp_path / "docs" / "odd.md").read_text().endswith(f"{reference.END}\nend\n")
