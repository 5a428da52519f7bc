"""Answers that were counted wrong (issue 32) now refuse, with one message and exit status 2.

``rank-ensemble`` on a one-world batch claimed "100% of members"; a NaN in ``ensemble.csv``
fell back silently; ``discover`` with the reform set to the reference overwrote
``discovery.csv`` with "no case"; ``export`` with a truncated weekly file wrote the summary
alone and exited 0. (A stray copy, another batch's table and ``compare A A``:
``test_result_integrity.py``; the pending count after a killed worker:
``test_batch_failures.py``.)
"""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.cli import main as tipsim
from experiments.core.ensemble import read_ensemble
from experiments.core.errors import UserError
from tests.analysis_folders import paired_runs, simulate_folder, write_folder
from tests.test_ensemble_batch import write_ensemble


def _runs(worlds: list[str]) -> pd.DataFrame:
    return paired_runs({world: (3, 0.0) for world in worlds})


def test_rank_ensemble_refuses_a_batch_of_one_world(tmp_path, capsys):
    folder = write_folder(tmp_path / "one", _runs(["only"]))
    assert tipsim(["rank-ensemble", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "this batch has 1 (only)" in err and "tipsim compare" in err
    assert not (folder / "ranking.csv").exists()


@pytest.mark.parametrize("column", ["weight", "screening.tier1_specificity"])
def test_an_empty_value_in_an_ensemble_listing_is_refused_not_defaulted(tmp_path, column):
    folder = write_ensemble(tmp_path, [0.5, 0.5])
    listing = pd.read_csv(folder / "ensemble.csv")
    listing.loc[1, column] = float("nan")
    listing.to_csv(folder / "ensemble.csv", index=False)
    with pytest.raises(UserError, match=rf"{column}: member member_001\.yaml has an empty value"):
        read_ensemble(folder)


def test_discover_refuses_the_reference_as_the_reform_and_keeps_discovery_csv(
    tmp_path, capsys
):
    pytest.importorskip("ema_workbench", reason="the discover extra is not installed")
    from tests.test_discover import sweep_folder

    folder = sweep_folder(tmp_path / "sweep", draws=30)
    assert tipsim(["discover", str(folder)]) == 0
    kept = (folder / "discovery.csv").read_bytes()
    capsys.readouterr()
    assert tipsim(["discover", str(folder), "--policy", "detention_first"]) == 2
    assert "the same policy ('detention_first')" in capsys.readouterr().err
    assert (folder / "discovery.csv").read_bytes() == kept


def test_export_names_a_truncated_weekly_file_and_writes_nothing(
    tmp_path, small_scenario_path, capsys
):
    policies = ["detention_first", "screening_before_detention"]
    folder = simulate_folder(tmp_path / "b", small_scenario_path, policies, 1, 0.1)
    weekly = sorted((folder / "weekly").glob("*.parquet"))[0]
    weekly.write_bytes(weekly.read_bytes()[:60])
    out = tmp_path / "x"
    assert tipsim(["export", str(folder), "--format", "csv", "--out", str(out)]) == 2
    assert str(weekly) in capsys.readouterr().err
    assert not (out / "summary.csv").exists()
