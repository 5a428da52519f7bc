"""Result folders are read as their manifest lists them, each file checked (issue 32).

A file damaged inside with its Parquet footer intact counted as finished, and compare, report
and export said "running it again re-runs the damaged run", which it did not; a stray
``X (copy).parquet`` counted as a replicate; a Parquet of another batch appeared as a world;
``compare A A`` doubled the replicates.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from analysis.errors import AnalysisError
from analysis.results import load
from experiments.batches.manifest import Manifest
from experiments.cli import main as tipsim
from tests.batch_support import run, tables, write_batch


@pytest.fixture
def finished(tmp_path):
    batch = write_batch(tmp_path, years=0.1)
    run(batch, workers=1)
    return batch, tmp_path / "out"


def _damage_inside(path) -> None:
    """Flip bytes in the middle of a Parquet file, leaving its footer intact."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 3
    data[middle : middle + 16] = bytes(255 - b for b in data[middle : middle + 16])
    path.write_bytes(bytes(data))


def test_each_finished_run_records_the_rows_and_checksum_of_its_files(finished):
    _, folder = finished
    for entry in Manifest.load(folder).runs.values():
        assert entry["files"]["summary"]["rows"] == 1
        assert entry["files"]["weekly"]["rows"] == 5
        assert len(entry["files"]["weekly"]["sha256"]) == 64


def test_a_file_damaged_inside_is_named_then_really_run_again(finished, capsys):
    batch, folder = finished
    clean_summary, clean_weekly = tables(folder)
    summary_file = sorted((folder / "summary").glob("*.parquet"))[1]
    _damage_inside(summary_file)
    capsys.readouterr()
    assert tipsim(["compare", str(folder)]) == 2
    err = capsys.readouterr().err
    assert str(summary_file) in err and "running the batch again re-runs the damaged run" in err
    report = run(batch, workers=1)
    assert report.ran == 1 and report.damaged and summary_file.stem in report.damaged[0]
    assert "checksum" in report.damaged[0]
    summary, again = tables(folder)
    pd.testing.assert_frame_equal(again, clean_weekly)
    pd.testing.assert_frame_equal(summary, clean_summary)
    assert tipsim(["compare", str(folder)]) == 0


def test_a_stray_copy_or_another_batchs_table_is_never_counted(finished, tmp_path):
    _, folder = finished
    before = load(folder)
    first = sorted((folder / "summary").glob("*.parquet"))[0]
    shutil.copy(first, first.with_name(f"{first.stem} (copy).parquet"))
    (tmp_path / "other").mkdir()
    other = write_batch(tmp_path / "other", years=0.1, replicates=1, seed=5)
    run(other, workers=1)
    stray = sorted((tmp_path / "other" / "out" / "summary").glob("*.parquet"))[0]
    shutil.copy(stray, folder / "summary" / "elsewhere__detention_first__d000__r0000.parquet")
    after = load(folder)
    assert len(after) == len(before) and set(after["world"]) == set(before["world"])
    pd.testing.assert_frame_equal(after, before)


def test_a_listed_file_replaced_by_another_batchs_is_refused(finished, tmp_path, capsys):
    _, folder = finished
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other = write_batch(other_dir, years=0.1, replicates=1, seed=5)
    run(other, workers=1)
    target = sorted((folder / "summary").glob("*.parquet"))[0]
    shutil.copy(sorted((other_dir / "out" / "summary").glob("*.parquet"))[0], target)
    with pytest.raises(AnalysisError, match="is not the file written"):
        load(folder)


def test_the_same_folder_twice_is_refused_not_counted_twice(finished, capsys):
    _, folder = finished
    assert tipsim(["compare", str(folder), str(folder)]) == 2
    err = capsys.readouterr().err
    assert "given twice" in err and "Traceback" not in err


def test_a_batch_layout_without_a_manifest_is_refused(finished):
    _, folder = finished
    (folder / "manifest.json").unlink()
    with pytest.raises(AnalysisError, match=r"no manifest\.json"):
        load(folder)
