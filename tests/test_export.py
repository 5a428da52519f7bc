"""``tipsim export``: CSV and netCDF hold the same numbers as the Parquet result files."""

from __future__ import annotations

import pandas as pd
import pytest

import analysis
from experiments.cli import main as tipsim
from tests.analysis_folders import simulate_folder


@pytest.fixture(scope="module")
def batch(tmp_path_factory, small_scenario_path):
    folder = tmp_path_factory.mktemp("results") / "small-batch"
    return simulate_folder(
        folder, small_scenario_path, ["detention_first", "screening_before_detention"], 2, 0.25
    )


def test_csv_export_round_trips_the_summaries_and_weekly_series(batch, tmp_path, capsys):
    assert tipsim(["export", str(batch), "--format", "csv", "--out", str(tmp_path)]) == 0
    assert "summary.csv" in capsys.readouterr().out
    summary = pd.read_csv(tmp_path / "summary.csv")
    runs = analysis.load(batch)
    assert len(summary) == len(runs) == 4
    merged = summary.set_index("run_id").loc[runs["run_id"]]
    assert merged["victims_identified"].tolist() == runs["victims_identified"].tolist()
    weekly = pd.read_csv(tmp_path / "weekly.csv")
    assert len(weekly) == 4 * 13 and "victims_present" in weekly
    # Each week's calendar date: the run's first 1 January plus its weeks.
    first = weekly[weekly["week"] == 0]
    assert (first["date"] == first["year"].astype(str) + "-01-01").all()
    assert (pd.to_datetime(weekly["date"]) - pd.to_datetime(first["date"].iloc[0])).max() == (
        pd.Timedelta(weeks=12)
    )
    assert "member_weight" not in summary  # not an ensemble batch


def test_an_ensemble_export_carries_each_runs_member_weight(batch, tmp_path):
    import json
    import shutil

    folder = shutil.copytree(batch, tmp_path / "ensemble")
    members = [{"world": "small", "weight": 0.25}, {"world": "other", "weight": 0.75}]
    (folder / "ensemble.json").write_text(json.dumps({"members": members}))
    assert tipsim(["export", str(folder), "--format", "csv", "--out", str(tmp_path / "x")]) == 0
    summary = pd.read_csv(tmp_path / "x" / "summary.csv")
    assert summary["member_weight"].tolist() == [0.25] * 4  # its share of the recorded weights


def test_netcdf_export_has_runs_by_week(batch, tmp_path):
    xr = pytest.importorskip("xarray", reason="the export extra is not installed")
    assert tipsim(["export", str(batch), "--format", "netcdf", "--out", str(tmp_path)]) == 0
    with xr.open_dataset(tmp_path / "results.nc") as data:
        runs = analysis.load(batch).set_index("run_id")
        ids = [str(r) for r in data["run"].values]
        assert sorted(ids) == sorted(runs.index)
        assert (
            data["victims_identified"].values.tolist()
            == runs.loc[ids, "victims_identified"].tolist()
        )
        assert data["weekly_victims_identified"].shape == (4, 13)
        totals = data["weekly_victims_identified"].sum("week").values.tolist()
        assert totals == runs.loc[ids, "victims_identified"].tolist()
        assert set(data["policy"].values) == {"detention_first", "screening_before_detention"}
        assert str(data["weekly_date"].dtype).startswith("datetime64")


def test_export_of_a_missing_folder_exits_2(tmp_path, capsys):
    assert tipsim(["export", str(tmp_path / "nothing")]) == 2
    assert "nothing" in capsys.readouterr().err


def test_a_tipsim_run_folders_weekly_series_carry_the_summarys_run_ids(
    tmp_path, small_scenario_path
):
    xr = pytest.importorskip("xarray", reason="the export extra is not installed")
    out = tmp_path / "runs"
    args = ["run", str(small_scenario_path), "--years", "0.1", "--seed", "3", "--out", str(out)]
    assert tipsim(args) == 0
    folder = next(out.iterdir())
    weekly = analysis.load_weekly(folder)
    assert set(weekly["run_id"]) == set(analysis.load(folder)["run_id"])  # every week, same ids
    assert tipsim(["export", str(folder), "--format", "netcdf", "--out", str(tmp_path / "x")]) == 0
    with xr.open_dataset(tmp_path / "x" / "results.nc") as data:
        assert not bool(data["weekly_victims_present"].isnull().any())
