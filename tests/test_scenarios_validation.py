"""Bad scenario and policy files: one message naming file, line, field and what is allowed.

Each file in ``tests/bad_scenarios`` holds one kind of mistake. Every command that reads YAML
must refuse it with exit status 2, no traceback, and a message that helps fix it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from experiments.cli import main
from scenarios.loader import load_scenario
from scenarios.yaml_io import ScenarioError
from tests.test_cli_run import tipsim

BAD = Path(__file__).resolve().parent / "bad_scenarios"

#: file -> texts the message must contain (besides the file's name).
EXPECTED: dict[str, list[str]] = {
    "unknown_key.yaml": [
        "line 3",
        "ngo.screenings_per_yer: unknown field",
        "did you mean 'screenings_per_year'",
    ],
    "unknown_section.yaml": ["line 2", "polulation: unknown field", "did you mean 'population'"],
    "out_of_range.yaml": [
        "line 3",
        "prevalence.trafficked_share_domestic: must be less than or equal to 1 (got 1.5)",
        "allowed: a number from 0 to 1",
    ],
    "wrong_type.yaml": [
        "line 3",
        "officers.police: must be a valid integer",
        "(got 'many')",
        "allowed: a whole number from 0 to 10,000 (officers)",
    ],
    "wrong_choice.yaml": ["line 3", "justice.regime", "did you mean 'dedicated_law'"],
    "many_problems.yaml": [
        "3 problem(s)",
        "line 3: population.domestic_workers: must be greater than or equal to 0",
        "line 4: population.irregulars: unknown field; did you mean 'irregular'",
        "line 6: support.weekly_sessions: must be a valid integer",
    ],
    "levers_in_world.yaml": ["line 4", "screening: policy levers belong in a policy file"],
    "invalid_yaml.yaml": ["line 4, column 1", "not valid YAML"],
    "not_a_mapping.yaml": ["must be a mapping of sections"],
    "python_tag.yaml": ["line 2", "'!!python/object/apply:os.system' is not allowed", "safe"],
    "alias_bomb.yaml": ["alias bomb"],
    "duplicate_key.yaml": ["line 4", "key 'ngo' repeats the key on line 2"],
    "extends_cycle_a.yaml": [
        "extends forms a cycle",
        "extends_cycle_a.yaml -> extends_cycle_b.yaml -> extends_cycle_a.yaml",
    ],
    "extends_cycle_b.yaml": ["extends forms a cycle"],
    "extends_missing.yaml": ["line 2", "extends: no such file 'no_such_world.yaml'"],
    "extends_bad_parent.yaml": [
        "in ",
        "out_of_range.yaml: line 3: prevalence.trafficked_share_domestic",
    ],
    "timeline_bad_date.yaml": ["line 3", "timeline[0].date", "month 13"],
    "timeline_unknown_field.yaml": [
        "line 5",
        "timeline[0].set.ngo.screenings_per_yer: unknown field",
        "did you mean 'ngo.screenings_per_year'",
    ],
    "timeline_out_of_range.yaml": [
        "line 5",
        "timeline[0].set.ngo.referral_consent: must be less than or equal to 1 (got 3)",
    ],
    "timeline_policy_lever.yaml": ["line 4", "policy levers are constant through a run"],
    "timeline_empty_entry.yaml": ["line 4", "at least one field"],
    "timeline_impossible_day.yaml": ["line 3", "'2020-02-30' is not a calendar date"],
    "impossible_date_metadata.yaml": ["line 2", "'2021-02-29' is not a calendar date"],
    "extends_folder.yaml": ["line 2", "extends: 'policies' is a folder"],
    "section_not_mapping.yaml": ["line 2", "population: must be a mapping (got 5)"],
    "policies/unknown_strategy.yaml": ["line 2", "strategy", "did you mean 'detention_first'"],
    "policies/missing_strategy.yaml": ["strategy: missing", "detention_first"],
    "policies/unknown_lever.yaml": [
        "line 4",
        "screening.trauma_informd: unknown field",
        "did you mean 'trauma_informed'",
    ],
    "policies/world_in_policy.yaml": ["line 3", "ngo: world sections belong in a scenario"],
}


@pytest.fixture
def cli(capsys):
    """The command line run in this process (fast); returns status, stdout and stderr."""

    def run(*args: str) -> subprocess.CompletedProcess:
        capsys.readouterr()
        status = main(list(args))
        out, err = capsys.readouterr()
        return subprocess.CompletedProcess(args, status, out, err)

    return run


def assert_refused(result: subprocess.CompletedProcess, *texts: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("tipsim: error:")
    assert "Traceback" not in result.stderr
    for text in texts:
        assert text in result.stderr, f"{text!r} not in:\n{result.stderr}"


def test_the_corpus_has_one_expectation_per_file():
    files = {str(p.relative_to(BAD)) for p in BAD.rglob("*.yaml")}
    assert files == set(EXPECTED)


def test_validate_refuses_every_bad_file_with_all_its_problems(tmp_path):
    names = sorted(EXPECTED)
    result = tipsim("validate", *(str(BAD / n) for n in names), cwd=tmp_path)
    assert_refused(result, f"{len(names)} of {len(names)} file(s) invalid")
    for name in names:
        assert_refused(result, str(BAD / name), *EXPECTED[name])
    assert not (tmp_path / "hacked.txt").exists(), "a Python tag must never be executed"


@pytest.mark.parametrize("name", sorted(n for n in EXPECTED if not n.startswith("policies/")))
def test_loading_a_bad_world_raises_one_error_with_every_problem(name):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(BAD / name)
    for text in EXPECTED[name]:
        assert text in str(caught.value)


@pytest.mark.parametrize(
    ("command", "name"),
    [
        (["run", "{file}", "--years", "0.1", "--quiet"], "unknown_key.yaml"),
        (["show", "{file}"], "timeline_unknown_field.yaml"),
        (
            ["run", "{small}", "--policy", "{file}", "--years", "0.1", "--quiet"],
            "policies/unknown_lever.yaml",
        ),
        (["show", "hong_kong_baseline", "--policy", "{file}"], "policies/world_in_policy.yaml"),
    ],
)
def test_every_command_that_reads_yaml_reports_the_same_way(
    cli, command, name, small_scenario_path, tmp_path
):
    args = [a.format(file=BAD / name, small=small_scenario_path) for a in command]
    if args[0] == "run":
        args += ["--out", str(tmp_path / "out")]
    result = cli(*args)
    assert_refused(result, name.split("/")[-1], *EXPECTED[name])
    assert not (tmp_path / "out").exists(), "nothing is written when the input is bad"


def test_a_very_large_file_is_refused_before_parsing(cli, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text("# padding\n" * 120_000)
    assert_refused(cli("validate", str(big)), "big.yaml", "larger than 1,000,000 bytes")


def test_a_binary_file_is_refused(cli, tmp_path):
    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"ngo:\n  screenings_per_year: \xff\xfe\n")
    assert_refused(cli("validate", str(binary)), "binary.yaml", "not a UTF-8 text file")


def test_a_recursive_alias_is_refused(cli, tmp_path):
    loop = tmp_path / "loop.yaml"
    loop.write_text("a: &a [1, *a]\n")
    assert_refused(cli("validate", str(loop)), "loop.yaml", "recursive alias")


def test_a_few_aliases_are_fine(cli, tmp_path):
    merged = tmp_path / "aliases.yaml"
    merged.write_text(
        "x-rates: &rates\n  raid_rate_per_year: 0.2\n"
        "encounters:\n  <<: *rates\n  complaint_rate_per_year: 0.02\n"
    )
    result = cli("validate", str(merged))
    assert result.returncode == 2  # x-rates is not a field: the alias itself is fine
    assert "x-rates: unknown field" in result.stderr and "alias bomb" not in result.stderr


def test_set_with_a_typo_names_the_closest_field(cli, small_scenario_path):
    result = cli("show", str(small_scenario_path), "--set", "ngo.screenings_per_yer=3")
    assert_refused(result, "--set ngo.screenings_per_yer: unknown field", "'screenings_per_year'")
    result = cli("show", str(small_scenario_path), "--set", "ngoo.screenings_per_year=3")
    assert_refused(result, "unknown section 'ngoo'", "did you mean 'ngo'")
    result = cli("show", str(small_scenario_path), "--set", "screening.tier2_sessions=0")
    assert_refused(result, "screening.tier2_sessions", "allowed: a whole number from 1 to 10")


def test_an_unknown_policy_names_the_closest_one(cli, small_scenario_path):
    result = cli("show", str(small_scenario_path), "--policy", "screening_before_detention_pls")
    assert_refused(result, "unknown policy", "Did you mean 'screening_before_detention_plus'")


def test_a_policy_file_where_a_world_is_expected_is_named_as_such(cli, tmp_path):
    policy = "scenarios/policies/detention_first.yaml"
    result = cli("run", policy, "--years", "0.1", "--quiet", "--out", str(tmp_path / "out"))
    assert_refused(result, "this is a policy file", "give it with --policy")
    shown = cli("show", policy)  # show puts a policy file in the baseline world
    assert shown.returncode == 0
    assert shown.stdout.startswith("# world: hong_kong_baseline")


def test_many_plain_keys_are_too_many_values_not_an_alias_bomb(tmp_path):
    path = tmp_path / "wide.yaml"
    path.write_text("".join(f"k{i}: 1\n" for i in range(60_000)))
    with pytest.raises(ScenarioError) as refused:
        load_scenario(path)
    message = str(refused.value)
    assert "alias" not in message
    assert "holds 120,001 values" in message


def test_no_message_names_an_internal_class(cli):
    result = cli("validate", str(BAD / "section_not_mapping.yaml"))
    assert_refused(result, "population")
    assert "Parameters" not in result.stderr
