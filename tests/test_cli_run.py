"""``tipsim run`` end to end on the small scenario, and its handling of bad input."""

import json
import subprocess
import sys

import pandas as pd
import pytest

from tests.conftest import ROOT


def tipsim(*args, cwd=ROOT):
    return subprocess.run(
        [sys.executable, "-m", "experiments.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_run_prints_a_row_per_policy_and_writes_parquet(small_scenario_path, tmp_path):
    result = tipsim(
        "run",
        str(small_scenario_path),
        "--years",
        "1",
        "--seed",
        "4",
        "--out",
        str(tmp_path),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    assert "detention_first" in result.stdout
    assert "screening_before_detention" in result.stdout
    assert "victims_identified" in result.stdout
    (folder,) = tmp_path.glob("small-seed4-1y-*")
    summary = pd.read_parquet(folder / "summary.parquet")
    weekly = pd.read_parquet(folder / "weekly.parquet")
    assert list(summary["policy"]) == ["detention_first", "screening_before_detention"]
    assert (summary["seed"] == 4).all()
    assert len(weekly) == 2 * 52
    assert weekly.groupby("policy")["victims_identified"].sum().to_dict() == dict(
        zip(summary["policy"], summary["victims_identified"], strict=True)
    )


def test_policy_option_picks_one_policy_and_overrides_apply(small_scenario_path, tmp_path):
    result = tipsim(
        "run",
        str(small_scenario_path),
        "--years",
        "0.5",
        "--policy",
        "detention_first",
        "--set",
        "screening.tier1_sensitivity=0",
        "--out",
        str(tmp_path),
        "--quiet",
    )
    assert result.returncode == 0, result.stderr
    summary = pd.read_parquet(next(tmp_path.glob("*/summary.parquet")))
    assert list(summary["policy"]) == ["detention_first"]
    assert summary["victims_identified"].item() == 0


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", "missing.yaml"], ["missing.yaml", "no such file"]),
        (
            ["run", "{small}", "--policy", "detention_frist"],
            ["unknown policy 'detention_frist'", "Did you mean 'detention_first'"],
        ),
        (
            ["run", "{small}", "--set", "screening.tier1_sensitivity=1.5"],
            ["screening.tier1_sensitivity", "less than or equal to 1"],
        ),
        (
            ["run", "{small}", "--set", "screening.tier_one=1"],
            ["screening.tier_one", "unknown field"],
        ),
        (["run", "{small}", "--set", "nonsense"], ["expected section.field=value"]),
        (["run", "{small}", "--years", "0"], ["--years"]),
        (["run", "{small}", "--years", "nan"], ["--years nan", "a number of years"]),
        (
            ["run", "{small}", "--years", "0.01"],
            ["--years 0.01", "shorter than one simulated week"],
        ),
        (["run", "{small}", "--seed", "-1"], ["--seed: '-1'", "a whole number of at least 0"]),
        (
            ["run", "{small}", "--seed", "99999999999999999999999"],
            ["--seed: '99999999999999999999999'", "at most 9223372036854775807"],
        ),
        (
            ["run", "{small}", "--set", "population.growth_per_year=0.5", "--years", "60"],
            ["population.growth_per_year = 0.5 for 60 years", "GiB budget of one run"],
        ),
    ],
)
def test_bad_input_gives_one_message_and_exit_status_2(
    args, expected, small_scenario_path, tmp_path
):
    args = [a.replace("{small}", str(small_scenario_path)) for a in args]
    result = tipsim(*args, "--out", str(tmp_path), "--quiet")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("tipsim: error:")
    for text in expected:
        assert text in result.stderr
    assert not list(tmp_path.iterdir()), "nothing is written when the input is bad"


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("population:\n  domestic_workers: [1, 2\n")
    result = tipsim("run", str(bad), "--out", str(tmp_path / "out"), "--quiet")
    assert result.returncode == 2
    assert "bad.yaml" in result.stderr and "line" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unwritable_results_folder_gives_one_message(small_scenario_path, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    result = tipsim(
        "run",
        str(small_scenario_path),
        "--years",
        "0.1",
        "--policy",
        "detention_first",
        "--out",
        str(blocker),
        "--quiet",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("tipsim: error:")
    assert str(blocker) in result.stderr and "not a directory" in result.stderr
    assert blocker.read_text() == "not a folder"


def _run_in_process(*args: str) -> int:
    from experiments.cli import main

    return main(["run", *args, "--quiet"])


def test_runs_with_other_policies_or_settings_never_overwrite_each_other(
    small_scenario_path, tmp_path, capsys
):
    common = [str(small_scenario_path), "--years", "0.1", "--out", str(tmp_path)]
    one = [*common, "--policy", "detention_first"]
    assert _run_in_process(*one, "--set", "screening.tier1_sensitivity=0") == 0
    assert _run_in_process(*one, "--set", "screening.tier1_sensitivity=0.9") == 0
    assert _run_in_process(*common, "--policy", "screening_before_detention") == 0
    folders = sorted(tmp_path.glob("small-seed1-0.1y-*"))
    assert len(folders) == 3
    recorded = [json.loads((f / "run.json").read_text()) for f in folders]
    assert {json.dumps(r["set"], sort_keys=True) for r in recorded} == {
        '{"screening.tier1_sensitivity": 0.0}',
        '{"screening.tier1_sensitivity": 0.9}',
        "{}",
    }
    assert all(r["seed"] == 1 and r["years"] == 0.1 for r in recorded)
    # The same command again writes the same folder (the same run), not a fourth one.
    assert _run_in_process(*common, "--policy", "screening_before_detention") == 0
    assert len(list(tmp_path.glob("small-seed1-0.1y-*"))) == 3


@pytest.mark.parametrize("policies", [["detention_first"], []])
def test_report_reads_a_tipsim_run_folder(small_scenario_path, tmp_path, capsys, policies):
    import analysis
    from experiments.cli import main

    chosen = [arg for name in policies for arg in ("--policy", name)]
    assert (
        _run_in_process(str(small_scenario_path), "--years", "0.2", "--out", str(tmp_path), *chosen)
        == 0
    )
    (folder,) = tmp_path.glob("small-seed1-*")
    weekly = analysis.load_weekly(folder)
    assert weekly["run_id"].notna().all()
    # A folder written before the weekly table carried the seed is read the same way.
    stored = pd.read_parquet(folder / "weekly.parquet")
    stored.drop(columns="seed").to_parquet(folder / "weekly.parquet")
    assert analysis.load_weekly(folder)["run_id"].equals(weekly["run_id"])
    stored.to_parquet(folder / "weekly.parquet")
    assert len(weekly) == round(0.2 * 52) * (len(policies) or 2)
    capsys.readouterr()
    assert main(["report", str(folder), "--out", str(tmp_path / "report")]) == 0
    assert "Traceback" not in capsys.readouterr().err
    assert (tmp_path / "report" / "report.html").exists()
    assert list((tmp_path / "report" / "figures").glob("weekly*.svg"))
