"""Loading result folders, ``analysis.compare``, the formatted tables and ``tipsim compare``."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest

import analysis
from analysis.comparison import FUNNEL, HEADLINE
from analysis.errors import AnalysisError
from analysis.tables import render
from experiments.cli import main as tipsim
from result_folder.layout import ID_COLUMNS
from tests.analysis_folders import synthetic_summary, write_folder

REFERENCE = [10.0, 20.0, 30.0, 40.0, 50.0]


@pytest.fixture
def batch(tmp_path):
    """A folder where the new policy identifies exactly 5 more victims in every replicate."""
    values = {
        "detention_first": {"victims_identified": REFERENCE, "victims_present": [100.0] * 5},
        "screening_before_detention": {
            "victims_identified": [v + 5 for v in REFERENCE],
            "victims_present": [100.0] * 5,
        },
    }
    return write_folder(tmp_path / "batch", synthetic_summary(values), pending=2)


def test_load_gives_one_tidy_row_per_finished_run(batch):
    runs = analysis.load(batch)
    assert len(runs) == 10
    assert list(runs.columns[:7]) == ["source", *ID_COLUMNS]
    assert list(runs["policy"].cat.categories) == ["detention_first", "screening_before_detention"]
    assert set(runs["source"]) == {"batch"}


def test_compare_gives_known_paired_difference_and_relative_change(batch):
    table = analysis.compare(analysis.load(batch), metrics=["victims_identified"])
    row = table[table["policy"] == "screening_before_detention"].iloc[0]
    assert row["reference"] == "detention_first"
    assert (row["diff"], row["diff_low"], row["diff_high"]) == (5.0, 5.0, 5.0)
    assert row["rel"] == pytest.approx(5.0 / 30.0)
    assert row["mean"] == 35.0
    ref = table[table["policy"] == "detention_first"].iloc[0]
    assert ref["mean"] == 30.0 and ref["median"] == 30.0
    assert pd.isna(ref["diff"])


def test_reference_can_be_chosen_and_signs_follow(batch):
    table = analysis.compare(
        analysis.load(batch), reference="screening_before_detention", metrics=["victims_identified"]
    )
    row = table[table["policy"] == "detention_first"].iloc[0]
    assert row["diff"] == -5.0


def test_default_metrics_are_every_outcome_funnel_first(batch):
    table = analysis.compare(analysis.load(batch))
    metrics = list(dict.fromkeys(table["metric"]))
    assert metrics[: len(FUNNEL)] == list(FUNNEL)
    assert set(HEADLINE) <= set(metrics)


def test_funnel_shares_of_victims_present(batch):
    stages = analysis.funnel(analysis.compare(analysis.load(batch), metrics=["funnel"]))
    identified = stages[(stages["stage"] == "victims_identified")].set_index("policy")
    assert identified.loc["detention_first", "share"] == pytest.approx(0.30)
    assert identified.loc["screening_before_detention", "share"] == pytest.approx(0.35)
    assert list(stages["stage"].iloc[: len(FUNNEL)]) == list(FUNNEL)


def test_two_folders_side_by_side(tmp_path):
    values = {
        "detention_first": {"victims_identified": [1.0, 2.0]},
        "screening_before_detention": {"victims_identified": [3.0, 4.0]},
    }
    a = write_folder(tmp_path / "hk", synthetic_summary(values, world="hong_kong"))
    b = write_folder(tmp_path / "sg", synthetic_summary(values, world="singapore"))
    table = analysis.compare(analysis.load([a, b]), metrics=["victims_identified"])
    assert set(table["world"]) == {"hong_kong", "singapore"}
    assert (table.dropna(subset=["diff"])["diff"] == 2.0).all()
    text = render(table, "md")
    assert "hong_kong: mean" in text and "singapore: mean" in text


def test_tipsim_run_folder_is_read_as_one_replicate(tmp_path):
    folder = tmp_path / "small-seed1-1y"
    folder.mkdir()
    pd.DataFrame(
        {
            "policy": ["detention_first", "screening_before_detention"],
            "seed": [1, 1],
            "years": [1.0, 1.0],
            "victims_identified": [2, 6],
            "scenario": ["small", "small"],
        }
    ).to_parquet(folder / "summary.parquet")
    table = analysis.compare(analysis.load(folder), metrics=["victims_identified"])
    row = table[table["policy"] == "screening_before_detention"].iloc[0]
    assert row["diff"] == 4.0 and row["n_pairs"] == 1 and pd.isna(row["diff_low"])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda f: analysis.load(f / "missing"), "no such result folder"),
        (
            lambda f: analysis.compare(analysis.load(f), metrics=["victims_identifed"]),
            "did you mean 'victims_identified'",
        ),
        (
            lambda f: analysis.compare(analysis.load(f), reference="screening"),
            "unknown reference policy 'screening'",
        ),
    ],
)
def test_user_errors(batch, call, message):
    with pytest.raises(AnalysisError, match=message):
        call(batch)


def test_folder_without_finished_runs_says_what_the_manifest_lists(tmp_path):
    folder = tmp_path / "empty"
    (folder / "summary").mkdir(parents=True)
    (folder / "manifest.json").write_text(
        json.dumps({"runs": {"a": {"status": "pending"}, "b": {"status": "failed"}}})
    )
    with pytest.raises(AnalysisError, match=r"no finished runs .*1 failed, 1 pending"):
        analysis.load(folder)


def test_damaged_result_file_is_named(batch):
    damaged = next((batch / "summary").glob("*.parquet"))
    damaged.write_bytes(b"not parquet")
    with pytest.raises(AnalysisError, match=damaged.name):
        analysis.load(batch)


@pytest.mark.parametrize("fmt", ["md", "latex", "html"])
def test_formats_hold_every_outcome_and_the_funnel(batch, fmt):
    table = analysis.compare(analysis.load(batch), metrics=["headline"])
    text = render(table, fmt)
    for metric in HEADLINE:
        assert metric.replace("_", r"\_" if fmt == "latex" else "_") in text
    assert "victims present" in text  # funnel stage label
    assert "+5.00 [+5.00, +5.00]" in text  # the known paired difference and its CI
    assert "+16.7%" in text.replace(r"\%", "%")


def test_csv_is_the_tidy_numeric_table(batch):
    table = analysis.compare(analysis.load(batch), metrics=["victims_identified"])
    back = pd.read_csv(io.StringIO(render(table, "csv")))
    assert list(back.columns) == list(table.columns)
    assert back.loc[back["policy"] == "screening_before_detention", "diff"].item() == 5.0


def test_comparison_text_for_the_batch_command(batch):
    text = analysis.comparison_text(batch)
    assert text.startswith("> Note: batch: 2 pending run(s) of 12 are not included.")
    assert "Outcomes by policy, compared with detention_first" in text
    assert "Identification funnel" in text


def test_cli_compare_prints_and_writes(batch, tmp_path, capsys):
    assert tipsim(["compare", str(batch), "--metrics", "victims_identified,cost_hkd"]) == 0
    printed = capsys.readouterr().out
    assert "+5.00 [+5.00, +5.00]" in printed and "cost_hkd" in printed
    out = tmp_path / "t" / "comparison.tex"
    assert tipsim(["compare", str(batch), "--format", "latex", "--out", str(out)]) == 0
    assert out.read_text().startswith(r"\begin{table}")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--metrics", "victims_identifed"], "did you mean 'victims_identified'?"),
        (["--reference", "detention"], "did you mean 'detention_first'?"),
    ],
)
def test_cli_compare_errors_exit_2_with_one_message(batch, capsys, args, message):
    assert tipsim(["compare", str(batch), *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tipsim: error:") and message in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_cli_compare_missing_folder_exits_2(tmp_path, capsys):
    assert tipsim(["compare", str(tmp_path / "nowhere")]) == 2
    assert "no such result folder" in capsys.readouterr().err


def test_compare_accepts_a_plain_table_of_runs_from_a_notebook():
    runs = pd.DataFrame(
        {
            "world": "w",
            "policy": ["b", "b", "a", "a"],
            "replicate": [0, 1, 0, 1],
            "victims_identified": [3.0, 5.0, 1.0, 2.0],
        }
    )
    table = analysis.compare(runs, reference="a")
    row = table[table["policy"] == "b"].iloc[0]
    assert (row["diff"], row["n_pairs"]) == (2.5, 2)
    assert list(table["policy"].cat.categories) == ["b", "a"]  # first-seen order


def test_single_policy_has_the_same_columns_and_no_differences(batch):
    runs = analysis.load(batch)
    one = runs[runs["policy"] == "detention_first"]
    table = analysis.compare(one, metrics=["victims_identified"])
    assert list(table.columns) == list(analysis.compare(runs, metrics=["victims_identified"]))
    assert table["diff"].isna().all()
    assert "(reference)" in render(table, "md")


def test_missing_identifying_columns_are_named():
    with pytest.raises(AnalysisError, match=r"lacks column.*replicate"):
        analysis.compare(pd.DataFrame({"world": ["w"], "policy": ["a"], "x": [1.0]}))


def test_confidence_level_narrows_intervals_and_is_named_in_the_table(batch):
    runs = analysis.load(batch)
    wide = analysis.compare(runs, metrics=["victims_identified"])
    narrow = analysis.compare(runs, metrics=["victims_identified"], confidence=0.5)
    assert (narrow["high"] - narrow["low"] < wide["high"] - wide["low"]).all()
    text = render(narrow, "md")
    assert "50% interval" in text and "Δ vs reference [50% CI]" in text
    assert "50% t-interval of the mean paired difference over 5 replicates" in text
    assert "stochastic uncertainty only" in text


def test_table_refuses_an_interval_below_five_pairs_and_says_why(tmp_path):
    values = {
        "detention_first": {"victims_identified": [1.0, 2.0, 4.0]},
        "screening_before_detention": {"victims_identified": [3.0, 5.0, 6.0]},
    }
    folder = write_folder(tmp_path / "few", synthetic_summary(values))
    table = analysis.compare(analysis.load(folder), metrics=["victims_identified"])
    text = render(table, "md")
    assert "+2.33 [n<5]" in text
    assert "no interval below 5 pairs (n<5)" in text


def test_cli_compare_rejects_a_confidence_given_in_percent(batch, capsys):
    assert tipsim(["compare", str(batch), "--confidence", "95"]) == 2
    assert "must be between 0 and 1" in capsys.readouterr().err
